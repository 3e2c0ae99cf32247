//! How listing commands print: one `--format table|json|csv` flag, the same three shapes
//! everywhere. A listing is columns of text for people (`table`, `csv`) and one JSON object per
//! row for programs (`json`: one array).

use serde::Serialize;

/// The output flag of every command that lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal, with a closing count.
    Table,
    /// One JSON array of objects (fields named in each command's help).
    Json,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
}

/// Rows ready to print: the column names, each row's cells for `table` and `csv`, and each
/// row's object for `json`.
pub struct Listing {
    columns: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    objects: Vec<serde_json::Value>,
}

impl Listing {
    pub fn new(columns: &[&'static str]) -> Listing {
        Listing {
            columns: columns.to_vec(),
            rows: Vec::new(),
            objects: Vec::new(),
        }
    }

    /// Adds a row: its cells (as many as columns; empty cells print as `-` in tables) and its
    /// JSON object.
    pub fn push(&mut self, cells: Vec<String>, object: impl Serialize) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
        self.objects
            .push(serde_json::to_value(object).expect("listings serialise"));
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The listing in `format`; `count` is the closing line of a table ("3 accounts").
    pub fn render(&self, format: Format, count: &str) -> String {
        match format {
            Format::Table => self.table(count),
            Format::Json => self.json(),
            Format::Csv => self.csv(),
        }
    }

    fn table(&self, count: &str) -> String {
        let cells = |row: &[String]| -> Vec<String> {
            row.iter()
                .map(|c| if c.is_empty() { "-".into() } else { c.clone() })
                .collect()
        };
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| cells(r)).collect();
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for row in &rows {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |row: &[String]| {
            let mut out = String::new();
            for (i, (c, w)) in row.iter().zip(&widths).enumerate() {
                if i + 1 == row.len() {
                    out.push_str(c);
                } else {
                    out.push_str(c);
                    out.push_str(&" ".repeat(w - c.chars().count() + 2));
                }
            }
            out.trim_end().to_string() + "\n"
        };
        let mut out = String::new();
        if !rows.is_empty() {
            let header: Vec<String> = self.columns.iter().map(|c| c.to_uppercase()).collect();
            out.push_str(&line(&header));
            for row in &rows {
                out.push_str(&line(row));
            }
        }
        out.push_str(count);
        out.push('\n');
        out
    }

    fn json(&self) -> String {
        if self.objects.is_empty() {
            return "[]\n".into();
        }
        let items: Vec<String> = self.objects.iter().map(|o| format!("  {o}")).collect();
        format!("[\n{}\n]\n", items.join(",\n"))
    }

    fn csv(&self) -> String {
        let mut out = String::new();
        for row in std::iter::once(self.columns.iter().map(|c| c.to_string()).collect())
            .chain(self.rows.iter().cloned())
        {
            let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect::<Vec<_>>();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

/// "1 account", "2 accounts".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
