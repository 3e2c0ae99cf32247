//! Results at one level of the geography, and their renderings (table, CSV, JSON).
//!
//! JSON shape (stable, diffable, identical whatever the store's backend):
//! `{"level":"state","rows":[{"code":"01","name":"...","tables":{"counted":N,"expected":N|null},
//! "registered":N,"valid":N,"null":N,"votes":{"NM":N,...},"shares":{"NM":0.3,...},
//! "coverage":0.8|null}]}`; votes and shares in the election's candidate order.

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::election::{Election, Level};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    pub code: String,
    pub name: Option<String>,
    pub counted: u64,
    pub expected: Option<u64>,
    /// Registered voters of the counted tables.
    pub registered: u64,
    pub valid: u64,
    pub null: u64,
    /// Votes per candidate, in the election's candidate order.
    pub votes: Vec<u64>,
}

impl ResultRow {
    pub fn share(&self, candidate: usize) -> Option<f64> {
        (self.valid > 0).then(|| self.votes[candidate] as f64 / self.valid as f64)
    }

    pub fn coverage(&self) -> Option<f64> {
        self.expected
            .filter(|&e| e > 0)
            .map(|e| self.counted as f64 / e as f64)
    }
}

#[derive(Debug, Clone)]
pub struct Results {
    pub level: Level,
    pub candidates: Vec<String>,
    pub rows: Vec<ResultRow>,
}

struct Row<'a>(&'a ResultRow, &'a [String]);
struct Tables<'a>(&'a ResultRow);
struct Votes<'a>(&'a ResultRow, &'a [String]);
struct Shares<'a>(&'a ResultRow, &'a [String]);

impl Serialize for Results {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Results", 2)?;
        st.serialize_field("level", &self.level)?;
        let rows: Vec<Row> = self.rows.iter().map(|r| Row(r, &self.candidates)).collect();
        st.serialize_field("rows", &rows)?;
        st.end()
    }
}

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut st = s.serialize_struct("Row", 9)?;
        st.serialize_field("code", &r.code)?;
        st.serialize_field("name", &r.name)?;
        st.serialize_field("tables", &Tables(r))?;
        st.serialize_field("registered", &r.registered)?;
        st.serialize_field("valid", &r.valid)?;
        st.serialize_field("null", &r.null)?;
        st.serialize_field("votes", &Votes(r, self.1))?;
        st.serialize_field("shares", &Shares(r, self.1))?;
        st.serialize_field("coverage", &r.coverage())?;
        st.end()
    }
}

impl Serialize for Tables<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Tables", 2)?;
        st.serialize_field("counted", &self.0.counted)?;
        st.serialize_field("expected", &self.0.expected)?;
        st.end()
    }
}

impl Serialize for Votes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.1.len()))?;
        for (id, v) in self.1.iter().zip(&self.0.votes) {
            m.serialize_entry(id, v)?;
        }
        m.end()
    }
}

impl Serialize for Shares<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.1.len()))?;
        for (i, id) in self.1.iter().enumerate() {
            m.serialize_entry(id, &self.0.share(i))?;
        }
        m.end()
    }
}

impl Results {
    pub fn new(election: &Election, level: Level, rows: Vec<ResultRow>) -> Self {
        Self {
            level,
            candidates: election.candidate_ids().map(str::to_string).collect(),
            rows,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("results serialise")
    }

    /// CSV with one column per candidate's votes and share; shares as percentages with two
    /// decimals, as spreadsheets expect.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "code,name,tables_counted,tables_expected,coverage_pct,registered,valid,null",
        );
        for c in &self.candidates {
            out.push_str(&format!(",{c}"));
        }
        for c in &self.candidates {
            out.push_str(&format!(",{c}_pct"));
        }
        out.push('\n');
        for r in &self.rows {
            let name = r.name.clone().unwrap_or_default().replace('"', "\"\"");
            out.push_str(&format!(
                "{},\"{}\",{},{},{},{},{},{}",
                r.code,
                name,
                r.counted,
                r.expected.map(|e| e.to_string()).unwrap_or_default(),
                pct(r.coverage()),
                r.registered,
                r.valid,
                r.null
            ));
            for v in &r.votes {
                out.push_str(&format!(",{v}"));
            }
            for i in 0..self.candidates.len() {
                out.push_str(&format!(",{}", pct(r.share(i))));
            }
            out.push('\n');
        }
        out
    }

    /// A terminal table: the two leading candidates of the whole set get their own columns,
    /// everyone else is summed, so it fits in 120 columns.
    pub fn to_table(&self) -> String {
        let totals: Vec<u64> = (0..self.candidates.len())
            .map(|i| self.rows.iter().map(|r| r.votes[i]).sum())
            .collect();
        let mut order: Vec<usize> = (0..self.candidates.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(totals[i]));
        let top: Vec<usize> = order.into_iter().take(2).collect();
        let mut out = format!(
            "{:<10} {:<28} {:>15} {:>11} {:>10} {:>9}",
            "code", "name", "tables", "registered", "valid", "null"
        );
        for &i in &top {
            out.push_str(&format!(" {:>17}", self.candidates[i]));
        }
        out.push_str(&format!(" {:>17}\n", "others"));
        for r in &self.rows {
            let mut name: String = r
                .name
                .clone()
                .unwrap_or_default()
                .chars()
                .take(28)
                .collect();
            if name.is_empty() {
                name = "-".into();
            }
            let tables = match r.expected {
                Some(e) => format!("{}/{} {:>5}", r.counted, e, pct(r.coverage()) + "%"),
                None => r.counted.to_string(),
            };
            out.push_str(&format!(
                "{:<10} {:<28} {:>15} {:>11} {:>10} {:>9}",
                if r.code.is_empty() { "-" } else { &r.code },
                name,
                tables,
                r.registered,
                r.valid,
                r.null
            ));
            for &i in &top {
                out.push_str(&format!(" {:>9} {:>6}%", r.votes[i], pct(r.share(i))));
            }
            let others: u64 = (0..r.votes.len())
                .filter(|i| !top.contains(i))
                .map(|i| r.votes[i])
                .sum();
            let share = (r.valid > 0).then(|| others as f64 / r.valid as f64);
            out.push_str(&format!(" {:>9} {:>6}%\n", others, pct(share)));
        }
        out
    }
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.2}", v * 100.0)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ve2024;

    fn sample() -> Results {
        let e = ve2024::election();
        let mut votes = vec![0; 10];
        votes[0] = 30;
        votes[7] = 67;
        votes[1] = 3;
        Results::new(
            &e,
            Level::State,
            vec![ResultRow {
                code: "01".into(),
                name: Some("Distrito Capital".into()),
                counted: 2,
                expected: Some(4),
                registered: 150,
                valid: 100,
                null: 1,
                votes,
            }],
        )
    }

    #[test]
    fn json_has_the_documented_shape() {
        let v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        assert_eq!(v["level"], "state");
        let row = &v["rows"][0];
        assert_eq!(row["tables"]["counted"], 2);
        assert_eq!(row["tables"]["expected"], 4);
        assert_eq!(row["votes"]["EG"], 67);
        assert_eq!(row["shares"]["NM"], 0.3);
        assert_eq!(row["coverage"], 0.5);
        let keys: Vec<&String> = row["votes"].as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 10);
    }

    #[test]
    fn csv_and_table_show_shares() {
        let r = sample();
        let csv = r.to_csv();
        assert!(
            csv.lines()
                .nth(1)
                .unwrap()
                .starts_with("01,\"Distrito Capital\",2,4,50.00,150,100,1,30,3,"),
            "{csv}"
        );
        let t = r.to_table();
        assert!(
            t.contains("EG") && t.contains("67.00%") && t.contains("2/4"),
            "{t}"
        );
    }
}
