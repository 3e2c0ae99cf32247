//! Test-only loader of the real V1 results CSV (resultadosconvzla.com, 24,532 tables), read from
//! the shared folder beside the project (never copied into the repository).

#![allow(dead_code)]

pub mod fixtures;

use actas_core::{CentreCode, Election, TableId, TableResult};
use actas_testkit::shared;

/// Whether the V1 CSV and the forensic reference figures are in ../shared
/// ([`actas_testkit::shared`]). Absent data skips a test locally but fails it in CI.
pub fn shared_available() -> bool {
    shared::all_present(&[shared::v1_csv(), shared::forensics_reference()])
}

/// A parsed CSV row with the columns the tests need besides the table result.
pub struct Row {
    pub result: TableResult,
    pub cod_edo: u32,
}

/// Reads the V1 CSV into table results with votes in the election's candidate order.
pub fn load_v1(election: &Election) -> Vec<Row> {
    let text = std::fs::read_to_string(shared::v1_csv()).expect("read V1 CSV");
    let text = text.trim_start_matches('\u{feff}');
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let headers = rd.headers().expect("header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} missing"))
    };
    let (centro, mesa, re, vv, vn, edo) = (
        col("CENTRO"),
        col("MESA"),
        col("RE"),
        col("VOTOS_VALIDOS"),
        col("VOTOS_NULOS"),
        col("COD_EDO"),
    );
    let cand_cols: Vec<usize> = election.candidate_ids().map(col).collect();
    rd.records()
        .map(|rec| {
            let rec = rec.expect("CSV record");
            let num = |i: usize| -> u64 { rec[i].trim().parse().expect("number") };
            let centre: CentreCode = rec[centro].parse().expect("centre");
            let table = TableId::new(centre, TableId::parse_mesa(&rec[mesa]).expect("mesa"))
                .expect("table id");
            Row {
                result: TableResult {
                    table,
                    registered: Some(num(re)),
                    valid: num(vv),
                    null: num(vn),
                    blank: None,
                    votes: cand_cols.iter().map(|&i| num(i)).collect(),
                    cards: None,
                },
                cod_edo: num(edo) as u32,
            }
        })
        .collect()
}

pub fn v1_results(election: &Election) -> Vec<TableResult> {
    load_v1(election).into_iter().map(|r| r.result).collect()
}
