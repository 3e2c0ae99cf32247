//! `actas registry import` checks every voter's table against the election's geography: a
//! table nobody knows (999999999.01) is refused with its line, so no look-up leads nowhere.

mod common;

use actas_testkit::shared;
use common::*;

#[test]
fn a_voter_at_an_unknown_table_is_refused_with_its_line() {
    let Some(geo) = shared::present(shared::ve2024("geo")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    let csv = dir.path().join("registry.csv");
    std::fs::write(
        &csv,
        "cedula,centre,table\n1000001,010113042,1\n1000002,999999999,1\n",
    )
    .unwrap();
    let err = fails(&data, &["registry", "import", csv.to_str().unwrap()]);
    assert!(err.contains("knows no table yet"), "{err}");

    ok(&data, &["import", "geo", geo.to_str().unwrap()]);
    let err = fails(&data, &["registry", "import", csv.to_str().unwrap()]);
    assert!(
        err.contains("registry.csv: line 3, column 2 (centre): table 999999999.01 is not a table of this election"),
        "{err}"
    );
    assert!(!data.join("registry.idx").exists(), "nothing is written");

    std::fs::write(
        &csv,
        "cedula,centre,table\n1000001,10113042,1\n1000002,010113042,2\n",
    )
    .unwrap();
    let out = ok(&data, &["registry", "import", csv.to_str().unwrap()]);
    assert!(out.contains("2 voters at 2 tables"), "{out}");
}
