//! Geography files. The format read here is the hierarchy the 2024 opposition site published
//! (`estado.csv`, `municipio.csv`, `parroquia.csv`, `centro.csv`, `mesa.csv`: columns
//! `site_id,parent_site_id,name,...,cne_centre_code,mesa_number,mesas_totales,...,electores`).
//! Only centres carry CNE codes there, so municipality and parish codes are derived from the
//! codes of the centres they contain.

use std::collections::{BTreeMap, HashMap};

use actas_core::{CentreCode, Level, Place, TableId};

use crate::csv_results::ImportError;
use crate::text;

pub const SITE_FILES: [&str; 5] = [
    "estado.csv",
    "municipio.csv",
    "parroquia.csv",
    "centro.csv",
    "mesa.csv",
];

#[derive(Debug, Clone, Default)]
pub struct Geography {
    pub places: Vec<Place>,
    /// Tables with their registered voters.
    pub tables: Vec<(TableId, Option<u64>)>,
    /// Entries that could not be placed (e.g. a parish with no coded centre), with why.
    pub skipped: Vec<String>,
}

struct SiteRow {
    line: u64,
    site_id: String,
    parent: String,
    name: String,
    centre_code: String,
    mesa_number: String,
    mesas_totales: String,
    electores: String,
}

fn read_site_csv(file: &str, bytes: &[u8]) -> Result<Vec<SiteRow>, ImportError> {
    let err = |line: Option<u64>, column: Option<&str>, message: String| ImportError {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        message,
    };
    let (text, _) = text::decode(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| err(Some(1), None, format!("unreadable header: {e}")))?
        .iter()
        .map(text::normalise)
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| err(Some(1), None, format!("expected a column {name:?}")))
    };
    let idx = [
        col("site_id")?,
        col("parent_site_id")?,
        col("name")?,
        col("cne_centre_code")?,
        col("mesa_number")?,
        col("mesas_totales")?,
        col("electores")?,
    ];
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            err(
                e.position().map(|p| p.line()),
                None,
                format!("not valid CSV: {e}"),
            )
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |i: usize| rec.get(idx[i]).unwrap_or("").trim().to_string();
        out.push(SiteRow {
            line,
            site_id: get(0),
            parent: get(1),
            name: get(2),
            centre_code: get(3),
            mesa_number: get(4),
            mesas_totales: get(5),
            electores: get(6),
        });
    }
    Ok(out)
}

fn number(file: &str, row: &SiteRow, column: &str, raw: &str) -> Result<Option<u64>, ImportError> {
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<u64>().map(Some).map_err(|_| ImportError {
        file: file.to_string(),
        line: Some(row.line),
        column: Some(column.to_string()),
        message: format!("expected a whole number, found {raw:?}"),
    })
}

/// Reads the five site files, given as (file name, bytes) in [`SITE_FILES`] order.
pub fn parse_site_geography(files: &[(&str, &[u8]); 5]) -> Result<Geography, ImportError> {
    let [estado, municipio, parroquia, centro, mesa] = files;
    let states = read_site_csv(estado.0, estado.1)?;
    let municipalities = read_site_csv(municipio.0, municipio.1)?;
    let parishes = read_site_csv(parroquia.0, parroquia.1)?;
    let centres = read_site_csv(centro.0, centro.1)?;
    let tables = read_site_csv(mesa.0, mesa.1)?;

    let mut geo = Geography::default();
    // Centre site id -> code; parish site id -> the 6-digit prefix of its centres.
    let mut centre_code: HashMap<&str, CentreCode> = HashMap::new();
    let mut parish_code: HashMap<&str, String> = HashMap::new();
    for c in &centres {
        let code: CentreCode =
            c.centre_code
                .parse()
                .map_err(|e: actas_core::IdError| ImportError {
                    file: centro.0.to_string(),
                    line: Some(c.line),
                    column: Some("cne_centre_code".into()),
                    message: e.to_string(),
                })?;
        centre_code.insert(&c.site_id, code);
        parish_code
            .entry(&c.parent)
            .or_insert_with(|| code.place_code(Level::Parish));
        geo.places.push(Place {
            level: Level::Centre,
            code: code.to_string(),
            name: c.name.clone(),
            expected_tables: number(centro.0, c, "mesas_totales", &c.mesas_totales)?,
        });
    }
    // Municipality site id -> the most common 4-digit prefix of its parishes.
    let mut municipality_votes: HashMap<&str, BTreeMap<String, usize>> = HashMap::new();
    for p in &parishes {
        match parish_code.get(p.site_id.as_str()) {
            Some(code) => {
                *municipality_votes
                    .entry(&p.parent)
                    .or_default()
                    .entry(code[..4].to_string())
                    .or_default() += 1;
                geo.places.push(Place {
                    level: Level::Parish,
                    code: code.clone(),
                    name: p.name.clone(),
                    expected_tables: number(parroquia.0, p, "mesas_totales", &p.mesas_totales)?,
                });
            }
            None => geo.skipped.push(format!(
                "{}:{}: parish {:?} has no centre with a code",
                parroquia.0, p.line, p.name
            )),
        }
    }
    for m in &municipalities {
        let code = municipality_votes
            .get(m.site_id.as_str())
            .and_then(|v| v.iter().max_by_key(|(_, n)| **n).map(|(c, _)| c.clone()));
        match code {
            Some(code) => geo.places.push(Place {
                level: Level::Municipality,
                code,
                name: m.name.clone(),
                expected_tables: number(municipio.0, m, "mesas_totales", &m.mesas_totales)?,
            }),
            None => geo.skipped.push(format!(
                "{}:{}: municipality {:?} has no parish with a code",
                municipio.0, m.line, m.name
            )),
        }
    }
    // States keep their built-in names; their site ids are the CNE codes.
    for s in &states {
        if let Ok(n) = s.site_id.parse::<u32>()
            && (1..=99).contains(&n)
        {
            geo.places.push(Place {
                level: Level::State,
                code: format!("{n:02}"),
                name: s.name.clone(),
                expected_tables: number(estado.0, s, "mesas_totales", &s.mesas_totales)?,
            });
        }
    }
    for t in &tables {
        let Some(centre) = centre_code.get(t.parent.as_str()) else {
            geo.skipped.push(format!(
                "{}:{}: table of unknown centre site {:?}",
                mesa.0, t.line, t.parent
            ));
            continue;
        };
        let m = TableId::parse_mesa(&t.mesa_number).map_err(|e| ImportError {
            file: mesa.0.to_string(),
            line: Some(t.line),
            column: Some("mesa_number".into()),
            message: e.to_string(),
        })?;
        let id = TableId::new(*centre, m).map_err(|e| ImportError {
            file: mesa.0.to_string(),
            line: Some(t.line),
            column: Some("mesa_number".into()),
            message: e.to_string(),
        })?;
        geo.tables
            .push((id, number(mesa.0, t, "electores", &t.electores)?));
    }
    // Deduplicate by (level, code), first wins: a name shown twice is not two places.
    let mut seen = std::collections::HashSet::new();
    geo.places
        .retain(|p| seen.insert((p.level, p.code.clone())));
    let mut seen = std::collections::HashSet::new();
    geo.tables.retain(|(t, _)| seen.insert(*t));
    Ok(geo)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "site_id,parent_site_id,name,title,cne_centre_code,mesa_number,mesas_totales,mesas_transmitidas,electores\n";

    #[test]
    fn derives_codes_from_centres() {
        let estado = format!("{H}1,0,DTTO. CAPITAL,x,,,2260,,\n");
        let municipio = format!("{H}1,1,MP. LIBERTADOR,x,,,2260,,\n");
        let parroquia = format!("{H}7,1,PQ. ALTAGRACIA,x,,,52,,\n");
        let centro = format!("{H}2,7,U.E. MADARIAGA,x,010101001,,3,,2272\n");
        let mesa = format!("{H}2/2,2,,mesa,,1,,,760\n2/3,2,,mesa,,2,,,750\n");
        let g = parse_site_geography(&[
            ("estado.csv", estado.as_bytes()),
            ("municipio.csv", municipio.as_bytes()),
            ("parroquia.csv", parroquia.as_bytes()),
            ("centro.csv", centro.as_bytes()),
            ("mesa.csv", mesa.as_bytes()),
        ])
        .unwrap();
        let codes: Vec<(Level, &str, Option<u64>)> = g
            .places
            .iter()
            .map(|p| (p.level, p.code.as_str(), p.expected_tables))
            .collect();
        assert_eq!(
            codes,
            [
                (Level::Centre, "010101001", Some(3)),
                (Level::Parish, "010101", Some(52)),
                (Level::Municipality, "0101", Some(2260)),
                (Level::State, "01", Some(2260)),
            ]
        );
        assert_eq!(g.tables.len(), 2);
        assert_eq!(g.tables[1].0.to_string(), "010101001.02");
        assert_eq!(g.tables[1].1, Some(750));
    }

    #[test]
    fn bad_numbers_name_file_line_and_column() {
        let ok = format!("{H}1,0,X,x,,,1,,\n");
        let centro = format!("{H}2,7,C,x,01010100x,,3,,1\n");
        let e = parse_site_geography(&[
            ("estado.csv", ok.as_bytes()),
            ("municipio.csv", ok.as_bytes()),
            ("parroquia.csv", ok.as_bytes()),
            ("centro.csv", centro.as_bytes()),
            ("mesa.csv", ok.as_bytes()),
        ])
        .unwrap_err();
        assert_eq!(e.file, "centro.csv");
        assert_eq!(e.line, Some(2));
        assert_eq!(e.column.as_deref(), Some("cne_centre_code"));
    }
}
