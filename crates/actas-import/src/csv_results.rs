//! Per-table results files: CSV in any known or detected layout, to results offered to the
//! store with their source (file, line, the file's SHA-256). Each row is checked once, by
//! `Incoming::checked` (core's rules), so a rejected row is reported with its column here.

use std::collections::BTreeMap;

use actas_core::{
    ActaId, CentreCode, Election, Incoming, Level, Place, QuarantinedRow, Source, TableId,
    TableResult,
};
use sha2::Digest;

use crate::layout::{self, Layout, LayoutError, Resolved, TableColumns};
use crate::text;

/// Which layout to read a file with.
#[derive(Debug, Clone)]
pub enum LayoutChoice {
    Auto,
    Given(Box<Layout>),
}

/// An error that stops an import. Names the file and, where there is one, the line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{loc}: {message}", loc = location(*line, column.as_deref()))]
pub struct ImportError {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

fn location(line: Option<u64>, column: Option<&str>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}: column {c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub file: String,
    pub layout: Layout,
    pub encoding: &'static str,
    /// Every row that parsed, with its source.
    pub incoming: Vec<Incoming>,
    /// Rows that did not parse, set aside by `quarantine` with their reasons.
    pub bad: Vec<QuarantinedRow>,
    /// Names of places found in the file's name columns, keyed by level and code.
    pub places: Vec<Place>,
}

/// Parses a whole results file. Without `quarantine` the first row that does not parse is an
/// error; with it, such rows are returned aside with their reasons. `progress` is called with
/// rows done.
pub fn parse_results(
    file: &str,
    bytes: &[u8],
    choice: &LayoutChoice,
    election: &Election,
    quarantine: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<ParsedFile, ImportError> {
    let err = |line: Option<u64>, column: Option<String>, message: String| ImportError {
        file: file.to_string(),
        line,
        column,
        message,
    };
    let (text, encoding) = text::decode(bytes);
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim().is_empty() {
        return Err(err(
            Some(1),
            None,
            "expected a header line naming the columns; the file is empty or starts with a blank line"
                .into(),
        ));
    }
    let given = match choice {
        LayoutChoice::Given(l) => Some(l),
        LayoutChoice::Auto => None,
    };
    let delimiter = given
        .and_then(|l| l.delimiter)
        .map(|c| c as u8)
        .unwrap_or_else(|| layout::sniff_delimiter(first_line));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| err(Some(1), None, format!("unreadable header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut records = Vec::new();
    for rec in reader.records() {
        match rec {
            Ok(r) => records.push(r),
            Err(e) => {
                let line = e.position().map(|p| p.line());
                return Err(err(line, None, format!("not valid CSV: {e}")));
            }
        }
    }
    let layout_error = |e: LayoutError| err(None, None, e.to_string());
    let layout = match given {
        Some(l) => (**l).clone(),
        None => {
            let sample: Vec<Vec<&str>> =
                records.iter().take(5).map(|r| r.iter().collect()).collect();
            layout::detect(&header_refs, &sample, election).map_err(layout_error)?
        }
    };
    let resolved = layout
        .resolve(&header_refs, election)
        .map_err(layout_error)?;

    let sha256 = hex::encode(sha2::Sha256::digest(bytes));
    let mut incoming = Vec::with_capacity(records.len());
    let mut bad = Vec::new();
    let mut places = BTreeMap::new();
    for (n, rec) in records.iter().enumerate() {
        let line = rec.position().map(|p| p.line()).unwrap_or(n as u64 + 2);
        let fields: Vec<&str> = rec.iter().collect();
        let raw = fields.join(&(delimiter as char).to_string());
        let parsed = parse_row(&fields, header.len(), &resolved).and_then(|result| {
            let source = Source {
                kind: "csv".into(),
                file: Some(file.to_string()),
                line: Some(line),
                sha256: Some(sha256.clone()),
                by: None,
            };
            let mut inc = Incoming::checked(election, result, source);
            if let Some(url) = image_url(&fields, &resolved)? {
                inc = inc.with_image_url(url);
            }
            match inc.rejection() {
                Some(p) => Err((column_of_rule(&p.rule, &resolved), p.message.clone())),
                None => Ok(inc),
            }
        });
        match parsed {
            Ok(inc) => {
                collect_places(&fields, &resolved, inc.result().table.centre, &mut places);
                incoming.push(inc.with_raw(raw));
            }
            Err((column, message)) => {
                if !quarantine {
                    return Err(err(Some(line), column, message));
                }
                let reason = location(Some(line), column.as_deref()) + ": " + &message;
                bad.push(QuarantinedRow {
                    file: file.to_string(),
                    line,
                    raw,
                    reason: reason.trim_start_matches(':').to_string(),
                });
            }
        }
        if n % 1024 == 1023 {
            progress(n as u64 + 1);
        }
    }
    progress(records.len() as u64);
    Ok(ParsedFile {
        file: file.to_string(),
        layout,
        encoding,
        incoming,
        bad,
        places: places
            .into_iter()
            .map(|((level, code), name)| Place {
                level,
                code,
                name,
                expected_tables: None,
            })
            .collect(),
    })
}

type RowError = (Option<String>, String);

fn count(fields: &[&str], col: &(usize, String), what: &str) -> Result<u64, RowError> {
    let raw = fields[col.0].trim();
    if raw.is_empty() || raw.len() > 9 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err((
            Some(col.1.clone()),
            format!("expected a whole number of {what}, found {raw:?}"),
        ));
    }
    Ok(raw.parse().expect("at most nine digits"))
}

fn parse_row(fields: &[&str], width: usize, r: &Resolved) -> Result<TableResult, RowError> {
    if fields.len() != width {
        return Err((
            None,
            format!("has {} fields but the header has {width}", fields.len()),
        ));
    }
    let table = match &r.table {
        TableColumns::CentreMesa { centre, mesa } => {
            let c: CentreCode = fields[centre.0].trim().parse().map_err(|_| {
                (
                    Some(centre.1.clone()),
                    format!(
                        "expected a centre code of up to 9 digits, found {:?}",
                        fields[centre.0]
                    ),
                )
            })?;
            let m = TableId::parse_mesa(fields[mesa.0]).map_err(|_| {
                (
                    Some(mesa.1.clone()),
                    format!(
                        "expected a table number from 1 to 99, found {:?}",
                        fields[mesa.0]
                    ),
                )
            })?;
            TableId::new(c, m).map_err(|e| (Some(mesa.1.clone()), e.to_string()))?
        }
        TableColumns::ActaId(col) => {
            let id: ActaId = fields[col.0]
                .trim()
                .parse()
                .map_err(|e: actas_core::IdError| (Some(col.1.clone()), e.to_string()))?;
            id.table
        }
    };
    let votes = r
        .candidates
        .iter()
        .map(|c| count(fields, c, "votes"))
        .collect::<Result<Vec<_>, _>>()?;
    let sum: u64 = votes.iter().sum();
    let result = TableResult {
        table,
        registered: r
            .registered
            .as_ref()
            .map(|c| count(fields, c, "registered voters"))
            .transpose()?,
        valid: match &r.valid {
            Some(c) => count(fields, c, "valid votes")?,
            None => sum,
        },
        null: count(fields, &r.null, "null votes")?,
        blank: r
            .blank
            .as_ref()
            .map(|c| count(fields, c, "blank votes"))
            .transpose()?,
        votes,
        cards: None,
    };
    Ok(result)
}

/// Longest link to a photo kept.
const MAX_URL: usize = 2000;

/// The row's link to its acta's photo: empty is none; anything else must be an http(s) URL.
fn image_url(fields: &[&str], r: &Resolved) -> Result<Option<String>, RowError> {
    let Some((i, name)) = &r.image_url else {
        return Ok(None);
    };
    let url = fields[*i].trim();
    if url.is_empty() {
        return Ok(None);
    }
    let plain = url.len() <= MAX_URL && url.chars().all(|c| c.is_ascii_graphic());
    if plain && (url.starts_with("https://") || url.starts_with("http://")) {
        Ok(Some(url.to_string()))
    } else {
        let shown: String = url.chars().take(80).collect();
        Err((
            Some(name.clone()),
            format!(
                "expected a link to the acta's photo (http:// or https://, at most {MAX_URL} characters), found {shown:?}"
            ),
        ))
    }
}

/// The column a rule's problem is about, for the error message.
fn column_of_rule(rule: &str, r: &Resolved) -> Option<String> {
    match rule {
        "valid-sum" => r.valid.as_ref().map(|c| c.1.clone()),
        "over-registered" => r.registered.as_ref().map(|c| c.1.clone()),
        _ => None,
    }
}

fn collect_places(
    fields: &[&str],
    r: &Resolved,
    centre: CentreCode,
    out: &mut BTreeMap<(Level, String), String>,
) {
    let levels = [
        (Level::State, r.state_name),
        (Level::Municipality, r.municipality_name),
        (Level::Parish, r.parish_name),
        (Level::Centre, r.centre_name),
    ];
    for (level, col) in levels {
        if let Some(i) = col {
            let name = fields[i].trim();
            if !name.is_empty() {
                out.entry((level, centre.place_code(level)))
                    .or_insert_with(|| name.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actas_core::ve2024;

    const HEADER: &str = "COD_EDO,EDO,COD_MUN,MUN,COD_PAR,PAR,CENTRO,MESA,RE,VOTOS_VALIDOS,VOTOS_NULOS,EG,NM,LM,JABE,JOBR,AE,CF,DC,EM,BERA,URL";
    const ROW: &str = "1,DTTO. CAPITAL,1,MP. BLVNO LIBERTADOR,13,PQ. EL RECREO,10113042,1,666,364,0,232,120,5,0,0,3,1,1,0,2,https://x/a.jpg";

    fn parse(text: &str, quarantine: bool) -> Result<ParsedFile, ImportError> {
        parse_results(
            "f.csv",
            text.as_bytes(),
            &LayoutChoice::Auto,
            &ve2024::election(),
            quarantine,
            &mut |_| {},
        )
    }

    #[test]
    fn reads_a_real_row() {
        let p = parse(&format!("{HEADER}\n{ROW}\n"), false).unwrap();
        let r = p.incoming[0].result();
        assert_eq!(r.table.to_string(), "010113042.01");
        assert_eq!((r.registered, r.valid, r.null), (Some(666), 364, 0));
        assert_eq!(r.votes, [120, 5, 0, 0, 3, 1, 1, 232, 0, 2]);
        assert_eq!(p.incoming[0].source().line, Some(2));
        let names: Vec<(&str, &str)> = p
            .places
            .iter()
            .map(|p| (p.code.as_str(), p.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("01", "DTTO. CAPITAL"),
                ("0101", "MP. BLVNO LIBERTADOR"),
                ("010113", "PQ. EL RECREO")
            ]
        );
    }

    #[test]
    fn a_bad_count_names_line_and_column() {
        let bad = ROW.replace(",232,", ",23x,");
        let e = parse(&format!("{HEADER}\n{ROW}\n{bad}\n"), false).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert_eq!(e.column.as_deref(), Some("EG"));
        assert_eq!(
            e.to_string(),
            "f.csv:3: column EG: expected a whole number of votes, found \"23x\""
        );
    }

    #[test]
    fn quarantine_keeps_good_rows_and_sets_bad_ones_aside() {
        let bad = ROW.replace(",364,", ",365,");
        let p = parse(&format!("{HEADER}\n{ROW}\n{bad}\n"), true).unwrap();
        assert_eq!(p.incoming.len(), 1);
        assert_eq!(p.bad.len(), 1);
        assert_eq!(p.bad[0].line, 3);
        assert_eq!(p.bad[0].raw, bad);
        assert!(
            p.bad[0].reason.contains("VOTOS_VALIDOS") && p.bad[0].reason.contains("add up"),
            "{}",
            p.bad[0].reason
        );
    }

    #[test]
    fn rules_of_the_model_apply_to_rows() {
        let over = ROW.replace(",666,", ",300,");
        let e = parse(&format!("{HEADER}\n{over}\n"), false).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("RE"));
        assert!(e.message.contains("registered"), "{e}");
        let short = "1,2,3";
        let e = parse(&format!("{HEADER}\n{short}\n"), false).unwrap_err();
        assert!(e.message.contains("3 fields"), "{e}");
    }

    #[test]
    fn latin1_semicolon_files_without_registered_voters() {
        let text = "Estado;Municipio;Parroquia;Código Centro;Mesa;Válidos;Nulos;Maduro;Martínez;Bertucci;Brito;Ecarri;Fermín;Ceballos;González;Márquez;Rausseo\n\
                    DTTO. CAPITAL;LIBERTADOR;EL RECREO;010113042;01;364;0;120;5;0;0;3;1;1;232;0;2\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let p = parse_results(
            "l.csv",
            &bytes,
            &LayoutChoice::Auto,
            &ve2024::election(),
            false,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(p.encoding, "Latin-1");
        assert_eq!(p.incoming[0].result().registered, None);
        assert_eq!(p.incoming[0].result().votes[7], 232);
    }

    #[test]
    fn empty_files_are_refused() {
        assert!(parse("", false).unwrap_err().to_string().contains("header"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let _ = parse_results("p.csv", &bytes, &LayoutChoice::Auto, &ve2024::election(), true, &mut |_| {});
        }

        #[test]
        fn corrupted_rows_never_panic(pos in 0usize..ROW.len(), c in proptest::prelude::any::<char>()) {
            let mut row: Vec<char> = ROW.chars().collect();
            row[pos] = c;
            let row: String = row.into_iter().collect();
            let _ = parse(&format!("{HEADER}\n{row}\n"), true);
            let _ = parse(&format!("{HEADER}\n{row}\n"), false);
        }
    }
}
