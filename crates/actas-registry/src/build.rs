//! Streaming build of an index from a `cedula,centre,table` CSV.
//!
//! The CSV is read line by line; only 8 bytes per row (cédula and an interned table number) and
//! the growing bitmap are kept, never the text. Any error stops the build before anything is
//! written.

use std::collections::HashMap;
use std::io::BufRead;
use std::ops::Range;
use std::path::Path;

use actas_core::{CentreCode, TableId};

use crate::{BLOCK_BITS, MAX_CEDULA, Registry, RegistryError, TableArray};

/// What [`build_index`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSummary {
    /// Registered cédulas written.
    pub voters: u64,
    /// Distinct tables.
    pub tables: usize,
    /// Cédula range covered by the index.
    pub range: Range<u64>,
    /// Bytes of CSV read.
    pub csv_bytes: u64,
    /// Bytes of the index file.
    pub index_bytes: u64,
}

/// How often (in bytes read) the progress callback is called.
const PROGRESS_STEP: u64 = 4 << 20;

/// Builds the index file `out` from the CSV file `csv`, all-or-nothing: on any error nothing is
/// written and a previous `out` is left untouched.
///
/// `progress(bytes_read, total_bytes)` is called every few megabytes and once at the end.
pub fn build_index(
    csv: &Path,
    out: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<BuildSummary, RegistryError> {
    build_index_of(csv, out, &|_| true, progress)
}

/// [`build_index`] refusing, with its line, a row whose table `known` does not know (a table
/// the election's geography and results do not have, so that no look-up leads nowhere).
pub fn build_index_of(
    csv: &Path,
    out: &Path,
    known: &dyn Fn(TableId) -> bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<BuildSummary, RegistryError> {
    let file = std::fs::File::open(csv).map_err(|e| RegistryError::io(csv, e))?;
    let total = file
        .metadata()
        .map_err(|e| RegistryError::io(csv, e))?
        .len();
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    let reg = read_csv_of(reader, total, known, progress).map_err(|e| match e {
        RegistryError::Io { source, .. } => RegistryError::io(csv, source),
        other => other,
    })?;
    let bytes = reg.to_bytes();
    crate::format::write_atomic(out, &bytes)?;
    Ok(BuildSummary {
        voters: reg.voters(),
        tables: reg.tables().len(),
        range: reg.range(),
        csv_bytes: total,
        index_bytes: bytes.len() as u64,
    })
}

/// Reads a `cedula,centre,table` CSV into an in-memory index.
///
/// The header names the columns (in any order; `cédula`, `center`/`centro`, `mesa` are accepted
/// too; other columns are ignored and never stored). Fields may be double-quoted. Blank lines
/// are skipped. `total_bytes` is only passed through to `progress` (0 if unknown).
pub fn read_csv<R: BufRead>(
    reader: R,
    total_bytes: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Registry, RegistryError> {
    read_csv_of(reader, total_bytes, &|_| true, progress)
}

/// [`read_csv`] refusing a row whose table `known` does not know.
pub fn read_csv_of<R: BufRead>(
    mut reader: R,
    total_bytes: u64,
    known: &dyn Fn(TableId) -> bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Registry, RegistryError> {
    let mut line = Vec::with_capacity(256);
    let mut spans: Vec<Range<usize>> = Vec::with_capacity(8);
    let mut line_no = 0u64;
    let mut bytes = 0u64;
    let mut next_progress = PROGRESS_STEP;
    let mut columns: Option<Columns> = None;

    let mut words: Vec<u64> = Vec::new();
    let mut rows: Vec<(u32, u32)> = Vec::new();
    let mut blank_lines: Vec<u64> = Vec::new();
    let mut interned: HashMap<TableId, u32> = HashMap::new();
    let mut table_list: Vec<TableId> = Vec::new();
    let mut last: Option<(TableId, u32)> = None;
    let (mut min, mut max) = (u64::MAX, 0u64);

    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| RegistryError::Io {
                path: Default::default(),
                source,
            })?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        line_no += 1;
        if bytes >= next_progress {
            progress(bytes, total_bytes);
            next_progress = bytes + PROGRESS_STEP;
        }
        let mut text: &[u8] = &line;
        while let [rest @ .., b'\n' | b'\r'] = text {
            text = rest;
        }
        let Some(cols) = &columns else {
            let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
            columns = Some(Columns::from_header(text, &mut spans)?);
            continue;
        };
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            blank_lines.push(line_no);
            continue;
        }
        split(text, &mut spans).map_err(|message| RegistryError::Line {
            line: line_no,
            message: message.to_string(),
        })?;
        if spans.len() != cols.count {
            return Err(RegistryError::Line {
                line: line_no,
                message: format!(
                    "expected {} columns as in the header ({}), found {}",
                    cols.count,
                    cols.header,
                    spans.len()
                ),
            });
        }
        let field = |k: usize| trim(&text[spans[k].clone()]);
        let cedula = parse_cedula(field(cols.cedula)).map_err(|m| cols.err(line_no, 0, m))?;
        let centre = std::str::from_utf8(field(cols.centre))
            .ok()
            .and_then(|s| s.parse::<CentreCode>().ok())
            .ok_or_else(|| {
                cols.err(
                    line_no,
                    1,
                    format!(
                        "expected a centre code of 1 to 9 digits (EEMMPPCCC), found {}",
                        shown(field(cols.centre))
                    ),
                )
            })?;
        let mesa = std::str::from_utf8(field(cols.table))
            .ok()
            .and_then(|s| TableId::parse_mesa(s).ok())
            .ok_or_else(|| {
                cols.err(
                    line_no,
                    2,
                    format!(
                        "expected a table number from 1 to 99, found {}",
                        shown(field(cols.table))
                    ),
                )
            })?;
        let table = TableId { centre, mesa };
        if !known(table) {
            return Err(cols.err(
                line_no,
                1,
                format!(
                    "table {table} is not a table of this election: its geography and results \
                     do not have it (check the centre code and table number, or load the geography first)"
                ),
            ));
        }

        let w = (cedula >> 6) as usize;
        if w >= words.len() {
            words.resize(w + 1, 0);
        }
        let bit = 1u64 << (cedula & 63);
        if words[w] & bit != 0 {
            let first_row = rows
                .iter()
                .position(|r| r.0 as u64 == cedula)
                .unwrap_or_default() as u64;
            return Err(RegistryError::Duplicate {
                cedula,
                first_line: row_line(first_row, &blank_lines),
                second_line: line_no,
            });
        }
        words[w] |= bit;
        min = min.min(cedula);
        max = max.max(cedula);

        let id = match last {
            Some((t, id)) if t == table => id,
            _ => {
                let id = *interned.entry(table).or_insert_with(|| {
                    table_list.push(table);
                    (table_list.len() - 1) as u32
                });
                last = Some((table, id));
                id
            }
        };
        // Cédulas are at most MAX_CEDULA < 2^32.
        rows.push((cedula as u32, id));
    }
    progress(bytes, total_bytes);
    if columns.is_none() {
        return Err(RegistryError::Line {
            line: 1,
            message: "empty file: expected a header `cedula,centre,table`".into(),
        });
    }
    drop(interned);
    if rows.is_empty() {
        return Ok(Registry::empty());
    }

    // Sort the table list; map first-seen ids to sorted positions.
    let mut order: Vec<u32> = (0..table_list.len() as u32).collect();
    order.sort_unstable_by_key(|&i| table_list[i as usize]);
    let mut remap = vec![0u32; table_list.len()];
    for (pos, &id) in order.iter().enumerate() {
        remap[id as usize] = pos as u32;
    }
    let tables: Vec<TableId> = order.iter().map(|&i| table_list[i as usize]).collect();

    let base = min / BLOCK_BITS * BLOCK_BITS;
    words.drain(..(base / 64) as usize);
    let bits = max + 1 - base;
    words.truncate(bits.div_ceil(64) as usize);
    let dir = crate::rank_directory(&words);
    let mut table_of = TableArray::zeroed(tables.len(), rows.len());
    for &(c, id) in &rows {
        let r = crate::rank(&words, &dir, c as u64 - base);
        table_of.set(r, remap[id as usize]);
    }
    drop(rows);
    Ok(Registry::from_parts(base, bits, words, tables, table_of))
}

/// The line number of data row `row` (0-based), given the sorted blank lines skipped.
fn row_line(row: u64, blank_lines: &[u64]) -> u64 {
    let mut line = row + 2;
    for &b in blank_lines {
        if b <= line {
            line += 1;
        } else {
            break;
        }
    }
    line
}

/// Where the needed columns are.
struct Columns {
    cedula: usize,
    centre: usize,
    table: usize,
    count: usize,
    names: [String; 3],
    header: String,
}

impl Columns {
    fn from_header(text: &[u8], spans: &mut Vec<Range<usize>>) -> Result<Self, RegistryError> {
        let err = |message: String| RegistryError::Line { line: 1, message };
        split(text, spans).map_err(|m| err(format!("header: {m}")))?;
        let names: Vec<String> = spans
            .iter()
            .map(|s| String::from_utf8_lossy(trim(&text[s.clone()])).to_lowercase())
            .collect();
        let find = |aliases: &[&str], wanted: &str| -> Result<usize, RegistryError> {
            let hits: Vec<usize> = (0..names.len())
                .filter(|&i| aliases.contains(&names[i].as_str()))
                .collect();
            match hits.as_slice() {
                [i] => Ok(*i),
                [] => Err(err(format!(
                    "header has no `{wanted}` column; expected `cedula,centre,table`, found `{}`",
                    names.join(",")
                ))),
                _ => Err(err(format!("header has more than one `{wanted}` column"))),
            }
        };
        let cedula = find(&["cedula", "cédula"], "cedula")?;
        let centre = find(&["centre", "center", "centro"], "centre")?;
        let table = find(&["table", "mesa"], "table")?;
        Ok(Self {
            cedula,
            centre,
            table,
            count: names.len(),
            names: [
                names[cedula].clone(),
                names[centre].clone(),
                names[table].clone(),
            ],
            header: names.join(","),
        })
    }

    /// An error in field `which` (0 cédula, 1 centre, 2 table).
    fn err(&self, line: u64, which: usize, message: String) -> RegistryError {
        let column = [self.cedula, self.centre, self.table][which] + 1;
        RegistryError::Field {
            line,
            column,
            name: self.names[which].clone(),
            message,
        }
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

fn shown(s: &[u8]) -> String {
    if s.is_empty() {
        "an empty field".to_string()
    } else {
        format!("{:?}", String::from_utf8_lossy(s))
    }
}

fn parse_cedula(s: &[u8]) -> Result<u64, String> {
    let bad = || {
        format!(
            "expected a cédula number from 1 to {MAX_CEDULA} (digits only), found {}",
            shown(s)
        )
    };
    if s.is_empty() || s.len() > 10 || !s.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let v = s.iter().fold(0u64, |v, &d| v * 10 + (d - b'0') as u64);
    if !(1..=MAX_CEDULA).contains(&v) {
        return Err(bad());
    }
    Ok(v)
}

/// Splits one CSV line into field spans. Quoted fields (`"..."`, with `""` for a quote) give
/// the span between the quotes.
fn split(line: &[u8], spans: &mut Vec<Range<usize>>) -> Result<(), &'static str> {
    spans.clear();
    let len = line.len();
    let mut i = 0;
    loop {
        if i < len && line[i] == b'"' {
            let start = i + 1;
            let mut j = start;
            loop {
                if j >= len {
                    return Err("unterminated quoted field");
                }
                if line[j] == b'"' {
                    if line.get(j + 1) == Some(&b'"') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            spans.push(start..j);
            i = j + 1;
            if i == len {
                return Ok(());
            }
            if line[i] != b',' {
                return Err("unexpected text after a closing quote");
            }
            i += 1;
        } else {
            let end = line[i..]
                .iter()
                .position(|&b| b == b',')
                .map_or(len, |p| i + p);
            spans.push(i..end);
            if end == len {
                return Ok(());
            }
            i = end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Vec<String> {
        let mut spans = Vec::new();
        split(line.as_bytes(), &mut spans).unwrap();
        spans.into_iter().map(|s| line[s].to_string()).collect()
    }

    #[test]
    fn splits_plain_and_quoted() {
        assert_eq!(fields("1,2,3"), ["1", "2", "3"]);
        assert_eq!(fields("1,,3,"), ["1", "", "3", ""]);
        assert_eq!(fields(r#""1","a, ""b""",3"#), ["1", r#"a, ""b"""#, "3"]);
        let mut spans = Vec::new();
        assert!(split(br#""1,2"#, &mut spans).is_err());
        assert!(split(br#""1"x,2"#, &mut spans).is_err());
    }

    #[test]
    fn row_lines_skip_blanks() {
        assert_eq!(row_line(0, &[]), 2);
        assert_eq!(row_line(0, &[2]), 3);
        assert_eq!(row_line(3, &[2, 4, 10]), 7);
    }
}
