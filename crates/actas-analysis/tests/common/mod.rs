//! Test-only loader of the real V1 results CSV (resultadosconvzla.com, 24,532 tables), read from
//! the shared folder beside the project (never copied into the repository).

#![allow(dead_code)]

use std::path::PathBuf;

use actas_core::{CentreCode, Election, TableId, TableResult};

/// The V1 CSV's location: `../shared/data/ve2024/` beside the project root.
pub fn v1_path() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/ve2024/resultados_2024_v1.csv"
    ))
}

pub fn reference_path() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/docs/forensics-reference-v1.json"
    ))
}

/// Whether the shared data is there. Absent data skips a test locally but fails it in CI.
pub fn shared_available() -> bool {
    let ok = v1_path().exists() && reference_path().exists();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "shared data missing at {} (required when CI is set)",
            v1_path().display()
        );
        eprintln!("skipping: shared data not found at {}", v1_path().display());
    }
    ok
}

/// A parsed CSV row with the columns the tests need besides the table result.
pub struct Row {
    pub result: TableResult,
    pub cod_edo: u32,
}

/// Reads the V1 CSV into table results with votes in the election's candidate order.
pub fn load_v1(election: &Election) -> Vec<Row> {
    let text = std::fs::read_to_string(v1_path()).expect("read V1 CSV");
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
