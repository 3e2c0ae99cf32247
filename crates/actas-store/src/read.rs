//! Read-only queries for publication and analysis.

use actas_core::{Level, Place, Record, TableId, TableResult};

use crate::StoreError;
use crate::db::{Db, Kind, Val};
use crate::views::result_of;

/// One stored version of a table's result.
#[derive(Debug, Clone)]
pub struct TableVersion {
    /// Log index of the record.
    pub seq: u64,
    pub record: Record,
    /// Whether this is the version counted in the results (the first accepted).
    pub counted: bool,
}

/// A table's counted result and the record that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// Log index of the counted version's record.
    pub seq: u64,
    pub result: TableResult,
}

/// The counted result of every table, with registered voters filled in from the geography
/// when the record does not state them. Ordered by table.
pub async fn current_results(db: &Db) -> Result<Vec<Counted>, StoreError> {
    let rows = db
        .fetch(
            "SELECT c.seq, r.body, c.registered FROM current c JOIN records r ON r.seq = c.seq \
             ORDER BY c.table_code",
            vec![],
            &[Kind::I, Kind::T, Kind::I],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let seq = r[0].int().unwrap_or(0);
            let mut result = result_of(seq, r[1].text().unwrap_or_default())?;
            result.registered = result.registered.or(r[2].int().map(|v| v as u64));
            Ok(Counted {
                seq: seq as u64,
                result,
            })
        })
        .collect()
}

pub async fn table_versions(db: &Db, table: TableId) -> Result<Vec<TableVersion>, StoreError> {
    let rows = db
        .fetch(
            "SELECT r.seq, r.body, CAST(CASE WHEN c.seq IS NULL THEN 0 ELSE 1 END AS BIGINT) \
             FROM records r LEFT JOIN current c ON c.seq = r.seq \
             WHERE r.kind = 'result' AND r.table_code = $1 ORDER BY r.seq",
            vec![Val::from(table.to_string())],
            &[Kind::I, Kind::T, Kind::I],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let seq = r[0].int().unwrap_or(0);
            let record =
                Record::from_bytes(r[1].text().unwrap_or_default().as_bytes()).map_err(|e| {
                    StoreError::Corrupt {
                        seq,
                        message: e.to_string(),
                    }
                })?;
            Ok(TableVersion {
                seq: seq as u64,
                record,
                counted: r[2].int() == Some(1),
            })
        })
        .collect()
}

/// Known places at a level, optionally inside a place (code prefix), ordered by code.
pub async fn places(db: &Db, level: Level, within: Option<&str>) -> Result<Vec<Place>, StoreError> {
    let rows = db
        .fetch(
            "SELECT code, name, expected_tables FROM places WHERE level = $1 AND code LIKE $2 \
             ORDER BY code",
            vec![
                Val::from(level.as_str()),
                Val::from(format!("{}%", within.unwrap_or(""))),
            ],
            &[Kind::T, Kind::T, Kind::I],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Place {
            level,
            code: r[0].text().unwrap_or_default().to_string(),
            name: r[1].text().unwrap_or_default().to_string(),
            expected_tables: r[2].int().map(|v| v as u64),
        })
        .collect())
}

/// Known tables of a centre (from the geography or from records) with registered voters.
pub async fn tables_of_centre(
    db: &Db,
    centre: actas_core::CentreCode,
) -> Result<Vec<(TableId, Option<u64>)>, StoreError> {
    let rows = db
        .fetch(
            "SELECT code, registered FROM tables WHERE code LIKE $1 ORDER BY code",
            vec![Val::from(format!("{centre}.%"))],
            &[Kind::T, Kind::I],
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r[0].text()?.parse().ok()?, r[1].int().map(|v| v as u64))))
        .collect())
}

/// A photo a results file links to: its table, the link, and whether it is stored (fetched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referenced {
    pub table: TableId,
    pub url: String,
    /// Log index of the result record that gives the link.
    pub seq: u64,
    pub fetched: bool,
}

/// Every linked photo, by table then record.
pub async fn referenced_images(db: &Db) -> Result<Vec<Referenced>, StoreError> {
    let rows = db
        .fetch(
            "SELECT r.table_code, r.url, r.seq, \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM images i WHERE i.file = r.url) THEN 1 ELSE 0 END AS BIGINT) \
             FROM referenced_images r ORDER BY r.table_code, r.seq",
            vec![],
            &[Kind::T, Kind::T, Kind::I, Kind::I],
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Referenced {
                table: r[0].text()?.parse().ok()?,
                url: r[1].text()?.to_string(),
                seq: r[2].int()? as u64,
                fetched: r[3].int() == Some(1),
            })
        })
        .collect())
}

/// Every table the store knows: the geography's and those created by records.
pub async fn known_tables(db: &Db) -> Result<Vec<TableId>, StoreError> {
    Ok(db
        .fetch("SELECT code FROM tables ORDER BY code", vec![], &[Kind::T])
        .await?
        .into_iter()
        .filter_map(|r| r[0].text()?.parse().ok())
        .collect())
}
