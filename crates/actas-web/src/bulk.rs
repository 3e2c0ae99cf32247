//! Bulk downloads, built once per data version (with a gzip copy) the first time someone
//! asks: every acta version as CSV, Parquet and JSON, the data dictionary of their columns,
//! and the image manifest.
//!
//! The CSV and the Parquet file have the same columns, defined once ([`columns`]). In the CSV
//! every code is written with a dash between the levels' parts (`01-01-13-042-01`), so that
//! pandas, R and DuckDB keep it as text rather than turning `010113042.01` into a number; the
//! Parquet file is typed and keeps the codes as the site writes them.

use std::fmt::Write as _;
use std::sync::Arc;

use actas_core::{CentreCode, Level, Record, RecordBody, TableId};
use serde_json::json;
use sha2::Digest;

use crate::http::{self, Cached};
use crate::images;
use crate::snapshot::Snapshot;
use actas_store::Store;

pub const CSV_PATH: &str = "/api/v1/actas.csv";
pub const PARQUET_PATH: &str = "/api/v1/actas.parquet";
pub const JSON_PATH: &str = "/api/v1/actas.json";
pub const DICTIONARY_PATH: &str = "/api/v1/actas.dictionary.json";
pub const IMAGES_PATH: &str = "/api/v1/images.json";

pub async fn csv(snap: &Arc<Snapshot>) -> anyhow::Result<&Cached> {
    let s = snap.clone();
    snap.bulk
        .csv
        .get_or_try_init(|| async move {
            Ok(tokio::task::spawn_blocking(move || Cached::new(to_csv(&s), http::CSV)).await?)
        })
        .await
}

pub async fn parquet(snap: &Arc<Snapshot>) -> anyhow::Result<&Cached> {
    let s = snap.clone();
    snap.bulk
        .parquet
        .get_or_try_init(|| async move {
            let bytes = tokio::task::spawn_blocking(move || to_parquet(&s)).await??;
            Ok::<_, anyhow::Error>(Cached::new(bytes, http::PARQUET))
        })
        .await
}

pub async fn json(snap: &Arc<Snapshot>) -> anyhow::Result<&Cached> {
    let s = snap.clone();
    snap.bulk
        .json
        .get_or_try_init(|| async move {
            Ok(tokio::task::spawn_blocking(move || Cached::new(to_json(&s), http::JSON)).await?)
        })
        .await
}

pub async fn dictionary(snap: &Arc<Snapshot>) -> anyhow::Result<&Cached> {
    snap.bulk
        .dictionary
        .get_or_try_init(|| async { Ok(Cached::new(to_dictionary(snap), http::JSON)) })
        .await
}

pub async fn images_manifest<'a>(
    store: &Store,
    snap: &'a Arc<Snapshot>,
) -> anyhow::Result<&'a Cached> {
    snap.bulk
        .images
        .get_or_try_init(|| async {
            let list = images::all_images(store).await?;
            let body = json!({
                "images": list.iter().map(|(t, i)| json!({
                    "table": t.to_string(),
                    "sha256": i.sha256,
                    "url": i.url,
                    "content_type": i.content_type,
                })).collect::<Vec<_>>(),
            });
            Ok::<_, anyhow::Error>(Cached::new(body.to_string(), http::JSON))
        })
        .await
}

/// Every download with its Spanish and English label, for the downloads page.
pub async fn all<'a>(
    store: &Store,
    snap: &'a Arc<Snapshot>,
) -> anyhow::Result<Vec<(&'static str, &'static str, &'static str, &'a Cached)>> {
    Ok(vec![
        (
            CSV_PATH,
            "Todas las actas (CSV)",
            "All actas (CSV)",
            csv(snap).await?,
        ),
        (
            PARQUET_PATH,
            "Todas las actas, con tipos (Parquet)",
            "All actas, typed (Parquet)",
            parquet(snap).await?,
        ),
        (
            DICTIONARY_PATH,
            "Diccionario de las columnas (JSON)",
            "Dictionary of the columns (JSON)",
            dictionary(snap).await?,
        ),
        (
            JSON_PATH,
            "Todas las actas con sus registros exactos (JSON)",
            "All actas with their exact records (JSON)",
            json(snap).await?,
        ),
        (
            IMAGES_PATH,
            "Manifiesto de fotos con SHA-256 (JSON)",
            "Photo manifest with SHA-256 (JSON)",
            images_manifest(store, snap).await?,
        ),
    ])
}

/// Every version of every table, oldest first per table, tables in order.
fn versions(snap: &Snapshot) -> Vec<(TableId, u64)> {
    let mut v: Vec<_> = snap
        .log
        .versions
        .iter()
        .flat_map(|(t, seqs)| seqs.iter().map(move |s| (*t, *s)))
        .collect();
    v.sort_unstable();
    v
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(Option<String>),
    Int(Option<u64>),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Text,
    Int,
    Bool,
}

/// A column of the bulk files: its name, its type, and what it holds in Spanish and English.
struct Column {
    name: String,
    kind: Type,
    es: String,
    en: String,
}

fn col(name: &str, kind: Type, es: &str, en: &str) -> Column {
    Column {
        name: name.into(),
        kind,
        es: es.into(),
        en: en.into(),
    }
}

/// A place code with a dash between its levels' parts: `01-01-13-042`.
fn dashed(centre: CentreCode, level: Level) -> String {
    let code = centre.place_code(level);
    [(0, 2), (2, 4), (4, 6), (6, 9)]
        .iter()
        .filter(|(_, end)| *end <= code.len())
        .map(|(start, end)| &code[*start..*end])
        .collect::<Vec<_>>()
        .join("-")
}

/// The columns of the CSV and the Parquet file, in order: codes and names of the places,
/// the version's status and record, its photo, the counts, one column per candidate and one
/// per ballot card.
fn columns(snap: &Snapshot) -> Vec<Column> {
    use Type::*;
    let mut c = vec![
        col(
            "table",
            Text,
            "Mesa: estado-municipio-parroquia-centro-mesa (en la API: 010113042.01)",
            "Table: state-municipality-parish-centre-table (in the API: 010113042.01)",
        ),
        col("centre", Text, "Centro de votación", "Voting centre"),
        col("parish", Text, "Parroquia", "Parish"),
        col("municipality", Text, "Municipio", "Municipality"),
        col(
            "mesa",
            Int,
            "Número de mesa en el centro",
            "Table number in the centre",
        ),
        col("state_name", Text, "Nombre del estado", "State's name"),
        col(
            "municipality_name",
            Text,
            "Nombre del municipio",
            "Municipality's name",
        ),
        col(
            "parish_name",
            Text,
            "Nombre de la parroquia",
            "Parish's name",
        ),
        col("centre_name", Text, "Nombre del centro", "Centre's name"),
        col(
            "status",
            Text,
            "counted: una versión contada; conflict: versiones distintas; missing: sin acta",
            "counted: one counted version; conflict: different versions; missing: no acta",
        ),
        col(
            "counted",
            Bool,
            "Si esta versión es la que cuenta en los resultados",
            "Whether this version is the one counted in the results",
        ),
        col(
            "log_index",
            Int,
            "Índice del registro en el log de transparencia",
            "Index of the record in the transparency log",
        ),
        col(
            "record_sha256",
            Text,
            "SHA-256 del registro tal como está en el log (no de la foto)",
            "SHA-256 of the record as logged (not of the photo)",
        ),
        col(
            "recorded_at",
            Text,
            "Cuándo se aceptó el registro (UTC, RFC 3339)",
            "When the record was accepted (UTC, RFC 3339)",
        ),
        col(
            "source_kind",
            Text,
            "De dónde viene: csv, qr (foto), review (transcripción), ...",
            "Where it comes from: csv, qr (photo), review (transcription), ...",
        ),
        col(
            "source_file",
            Text,
            "Archivo o enlace de origen",
            "Source file or link",
        ),
        col(
            "source_line",
            Int,
            "Línea en el archivo de origen",
            "Line in the source file",
        ),
        col(
            "image_url",
            Text,
            "Enlace a la foto del acta según la fuente (sin verificar hasta descargarla)",
            "Link to the acta's photo the source gives (unverified until fetched)",
        ),
        col(
            "image_sha256",
            Text,
            "SHA-256 de la foto guardada del acta, si la hay",
            "SHA-256 of the acta's stored photo, if any",
        ),
        col(
            "registered",
            Int,
            "Electores inscritos (vacío: desconocido)",
            "Registered voters (empty: unknown)",
        ),
        col("valid", Int, "Votos válidos", "Valid votes"),
        col("null", Int, "Votos nulos", "Null votes"),
        col(
            "blank",
            Int,
            "Votos en blanco (vacíos del acta; vacío: la fuente no lo dice)",
            "Blank votes (the acta's vacíos; empty: the source does not say)",
        ),
    ];
    for cand in &snap.election.candidates {
        c.push(col(
            &cand.id,
            Int,
            &format!("Votos de {}", cand.name),
            &format!("Votes for {}", cand.name),
        ));
    }
    for (i, card) in snap.election.cards.iter().enumerate() {
        c.push(col(
            &format!("card_{:02}_{}", i + 1, card_label(&card.sigla)),
            Int,
            &format!(
                "Votos en la tarjeta {} ({}, de {}); vacío: la fuente no da tarjetas",
                i + 1,
                card.sigla,
                card.candidate
            ),
            &format!(
                "Votes on card {} ({}, for {}); empty: the source gives no cards",
                i + 1,
                card.sigla,
                card.candidate
            ),
        ));
    }
    c
}

/// A card's sigla as a column name: letters and digits only.
fn card_label(sigla: &str) -> String {
    sigla
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The rows, in [`columns`]' order; `dash` writes codes with dashes (the CSV).
fn rows(snap: &Snapshot, dash: bool) -> Vec<Vec<Value>> {
    versions(snap)
        .into_iter()
        .filter_map(|(table, seq)| {
            let record = snap.log.record(seq)?;
            let entry = snap.log.entry(seq)?;
            row(snap, table, seq, &record, entry, dash)
        })
        .collect()
}

/// The row of one result record, or `None` for a record of another kind.
fn row(
    snap: &Snapshot,
    table: TableId,
    seq: u64,
    record: &Record,
    entry: &[u8],
    dash: bool,
) -> Option<Vec<Value>> {
    use Value::*;
    let RecordBody::Result {
        result, image_url, ..
    } = &record.body
    else {
        return None;
    };
    let c = table.centre;
    let code = |level: Level| {
        Text(Some(if dash {
            dashed(c, level)
        } else {
            c.place_code(level)
        }))
    };
    let name = |level: Level| Text(snap.place_name(c, level).map(str::to_string));
    let counted = snap.counted_seq(table) == Some(seq);
    let registered = result.registered.or_else(|| {
        counted
            .then(|| snap.current.get(&table)?.registered)
            .flatten()
    });
    let image_url = image_url.clone().or_else(|| {
        snap.referenced
            .get(&table)
            .and_then(|links| links.first().cloned())
    });
    let image_sha256 = snap
        .images
        .get(&table)
        .and_then(|list| list.first())
        .map(|i| i.sha256.clone());
    let mut r = vec![
        Text(Some(if dash {
            format!("{}-{:02}", dashed(c, Level::Centre), table.mesa)
        } else {
            table.to_string()
        })),
        code(Level::Centre),
        code(Level::Parish),
        code(Level::Municipality),
        Int(Some(u64::from(table.mesa))),
        name(Level::State),
        name(Level::Municipality),
        name(Level::Parish),
        name(Level::Centre),
        Text(Some(snap.status(table).as_str().into())),
        Bool(counted),
        Int(Some(seq)),
        Text(Some(hex::encode(sha2::Sha256::digest(entry)))),
        Text(Some(record.at.clone())),
        Text(Some(record.source.kind.clone())),
        Text(record.source.file.clone()),
        Int(record.source.line),
        Text(image_url),
        Text(image_sha256),
        Int(registered),
        Int(Some(result.valid)),
        Int(Some(result.null)),
        Int(result.blank),
    ];
    for i in 0..snap.election.candidates.len() {
        r.push(Int(Some(result.votes.get(i).copied().unwrap_or(0))));
    }
    for i in 0..snap.election.cards.len() {
        r.push(Int(result.cards.as_ref().and_then(|c| c.get(i).copied())));
    }
    Some(r)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn to_csv(snap: &Snapshot) -> String {
    let cols = columns(snap);
    let mut out = cols
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for row in rows(snap, true) {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match v {
                Value::Text(Some(s)) => out.push_str(&csv_field(s)),
                Value::Int(Some(n)) => {
                    let _ = write!(out, "{n}");
                }
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::Text(None) | Value::Int(None) => {}
            }
        }
        out.push('\n');
    }
    out
}

/// The same rows as the CSV, typed: text columns as UTF-8 strings, counts as 64-bit
/// integers (null when unknown), flags as booleans; codes as the site writes them.
fn to_parquet(snap: &Snapshot) -> anyhow::Result<Vec<u8>> {
    use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    let cols = columns(snap);
    let fields: Vec<String> = cols
        .iter()
        .map(|c| match c.kind {
            Type::Text => format!("OPTIONAL BYTE_ARRAY {} (STRING);", c.name),
            Type::Int => format!("OPTIONAL INT64 {};", c.name),
            Type::Bool => format!("REQUIRED BOOLEAN {};", c.name),
        })
        .collect();
    let schema = Arc::new(parse_message_type(&format!(
        "message actas {{ {} }}",
        fields.join(" ")
    ))?);
    let rows = rows(snap, false);
    let props = Arc::new(WriterProperties::builder().build());
    let mut writer = SerializedFileWriter::new(Vec::new(), schema, props)?;
    let mut group = writer.next_row_group()?;
    let mut index = 0;
    while let Some(mut column) = group.next_column()? {
        let values = rows.iter().map(|r| &r[index]);
        match cols[index].kind {
            Type::Text => {
                let (mut data, mut defs) = (Vec::new(), Vec::new());
                for v in values {
                    match v {
                        Value::Text(Some(s)) => {
                            data.push(ByteArray::from(s.as_str()));
                            defs.push(1);
                        }
                        _ => defs.push(0),
                    }
                }
                column
                    .typed::<ByteArrayType>()
                    .write_batch(&data, Some(&defs), None)?;
            }
            Type::Int => {
                let (mut data, mut defs) = (Vec::new(), Vec::new());
                for v in values {
                    match v {
                        Value::Int(Some(n)) => {
                            data.push(i64::try_from(*n).unwrap_or(i64::MAX));
                            defs.push(1);
                        }
                        _ => defs.push(0),
                    }
                }
                column
                    .typed::<Int64Type>()
                    .write_batch(&data, Some(&defs), None)?;
            }
            Type::Bool => {
                let data: Vec<bool> = values.map(|v| matches!(v, Value::Bool(true))).collect();
                column.typed::<BoolType>().write_batch(&data, None, None)?;
            }
        }
        column.close()?;
        index += 1;
    }
    group.close()?;
    Ok(writer.into_inner()?)
}

/// What each column of the CSV and the Parquet file holds, in both languages.
fn to_dictionary(snap: &Snapshot) -> String {
    let cols: Vec<_> = columns(snap)
        .into_iter()
        .map(|c| {
            json!({
                "name": c.name,
                "type": match c.kind { Type::Text => "text", Type::Int => "integer", Type::Bool => "boolean" },
                "es": c.es,
                "en": c.en,
            })
        })
        .collect();
    let loaders = json!({
        "pandas": "pd.read_csv('actas.csv') or pd.read_parquet('actas.parquet')",
        "duckdb": "SELECT * FROM 'actas.csv' or SELECT * FROM 'actas.parquet'",
        "r": "read.csv('actas.csv') or arrow::read_parquet('actas.parquet')",
    });
    serde_json::to_string_pretty(&json!({
        "election": snap.election.id,
        "files": [CSV_PATH, PARQUET_PATH],
        "rows": "one per version of a table's result (a table in conflict has several; `counted` marks the one that counts)",
        "codes": "CSV: dashes between the levels' parts, so that no reader turns a code into a number; Parquet and the API: the codes as the site writes them (010113042.01)",
        "load": loaders,
        "columns": cols,
    }))
    .expect("plain data serialises")
        + "\n"
}

/// The records are embedded byte for byte (they are JSON), so anyone can hash them and check
/// them against the log without re-encoding.
fn to_json(snap: &Snapshot) -> String {
    let e = &snap.election;
    let mut out = format!(
        "{{\"election\":{},\"records\":{},\"checkpoint\":{},\"candidates\":{},\"actas\":[",
        json!(e.id),
        snap.version.records,
        json!(snap.version.checkpoint),
        json!(e.candidates.iter().map(|c| &c.id).collect::<Vec<_>>()),
    );
    let mut first = true;
    for (table, seq) in versions(snap) {
        let Some(entry) = snap.log.entry(seq) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(entry) else {
            continue;
        };
        if !first {
            out.push(',');
        }
        first = false;
        let sha = hex::encode(sha2::Sha256::digest(entry));
        let _ = write!(
            out,
            "\n{{\"table\":\"{table}\",\"log_index\":{seq},\"counted\":{},\"status\":\"{}\",\"record_sha256\":\"{sha}\",\"sha256\":\"{sha}\",\"record\":{text}}}",
            snap.counted_seq(table) == Some(seq),
            snap.status(table).as_str(),
        );
    }
    out.push_str("\n]}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_with_dashes_between_levels() {
        let c: CentreCode = "010113042".parse().unwrap();
        assert_eq!(dashed(c, Level::State), "01");
        assert_eq!(dashed(c, Level::Parish), "01-01-13");
        assert_eq!(dashed(c, Level::Centre), "01-01-13-042");
        assert_eq!(card_label("MIN UNIDAD"), "MINUNIDAD");
    }
}
