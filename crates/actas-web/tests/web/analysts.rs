//! The bulk downloads as an analyst loads them: pandas and DuckDB (from PyPI, see
//! bench/setup-python-readers.sh) read the CSV and the Parquet file in one line each, keep
//! the codes as text, and find the same totals and place names as the results API.

use std::path::PathBuf;
use std::process::Command;

use crate::common::{fixture, get};

/// The readers' Python: `ACTAS_READERS_VENV` or target/test-data/readers-venv.
fn readers_python() -> Option<PathBuf> {
    let venv = std::env::var_os("ACTAS_READERS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../target/test-data/readers-venv"
            ))
        });
    let python = venv.join("bin/python");
    let works = Command::new(&python)
        .args(["-c", "import pandas, pyarrow, duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        Some(python)
    } else {
        actas_testkit::unavailable(&format!(
            "pandas, pyarrow and duckdb are not in {} (run bench/setup-python-readers.sh)",
            venv.display()
        ));
        None
    }
}

/// What the readers say: each loads a file in one line and reports the type and first value
/// of the table column, the counted EG votes and a place name.
const SCRIPT: &str = r#"
import json, sys
import duckdb, pandas as pd
csv, pq, table = sys.argv[1], sys.argv[2], sys.argv[3]
out = {}
for name, df in [
    ("pandas_csv", pd.read_csv(csv)),
    ("pandas_parquet", pd.read_parquet(pq)),
    ("duckdb_csv", duckdb.sql(f"SELECT * FROM '{csv}'").df()),
    ("duckdb_parquet", duckdb.sql(f"SELECT * FROM '{pq}'").df()),
]:
    counted = df[df["counted"] == True]
    row = df[df["table"].astype(str) == table]
    out[name] = {
        "rows": int(len(df)),
        "table_is_text": bool(df["table"].map(lambda v: isinstance(v, str)).all()),
        "centre_is_text": bool(df["centre"].map(lambda v: isinstance(v, str)).all()),
        "first_table": str(df["table"].iloc[0]),
        "eg": int(counted["EG"].sum()),
        "nm": int(counted["NM"].sum()),
        "state_name": str(row["state_name"].iloc[0]) if len(row) else None,
        "registered_unknown": int(df["registered"].isna().sum()),
    }
types = duckdb.sql(f"DESCRIBE SELECT * FROM '{pq}'").fetchall()
out["parquet_types"] = {r[0]: r[1] for r in types}
print(json.dumps(out))
"#;

#[test]
fn pandas_and_duckdb_load_the_downloads_in_one_line_with_codes_intact() {
    let Some(f) = fixture() else { return };
    let Some(python) = readers_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("actas.csv");
    let pq = dir.path().join("actas.parquet");
    std::fs::write(&csv, get(f.addr, "/api/v1/actas.csv").body).unwrap();
    let parquet = get(f.addr, "/api/v1/actas.parquet");
    assert_eq!(parquet.status, 200);
    assert_eq!(&parquet.body[..4], b"PAR1", "a Parquet file");
    std::fs::write(&pq, parquet.body).unwrap();

    let t = f.counted_table;
    let dashed = format!(
        "{}-{}-{}-{}-{:02}",
        &t.centre.to_string()[..2],
        &t.centre.to_string()[2..4],
        &t.centre.to_string()[4..6],
        &t.centre.to_string()[6..9],
        t.mesa
    );
    let run = |table: &str| -> serde_json::Value {
        let out = Command::new(&python)
            .args(["-c", SCRIPT])
            .arg(&csv)
            .arg(&pq)
            .arg(table)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let national = get(f.addr, "/api/v1/results?level=national").json();
    let (eg, nm) = (
        national["rows"][0]["votes"]["EG"].as_u64().unwrap(),
        national["rows"][0]["votes"]["NM"].as_u64().unwrap(),
    );
    let state = get(
        f.addr,
        &format!(
            "/api/v1/results?level=state&code={}",
            &t.centre.to_string()[..2]
        ),
    )
    .json();
    let state_name = state["rows"][0]["name"].as_str().unwrap().to_string();
    let csv_view = run(&dashed);
    let typed_view = run(&t.to_string());
    for (name, v) in [
        ("pandas_csv", &csv_view["pandas_csv"]),
        ("duckdb_csv", &csv_view["duckdb_csv"]),
        ("pandas_parquet", &typed_view["pandas_parquet"]),
        ("duckdb_parquet", &typed_view["duckdb_parquet"]),
    ] {
        assert_eq!(
            v["rows"],
            f.records - 1,
            "{name}: one row per result record"
        );
        assert_eq!(v["table_is_text"], true, "{name}: {v}");
        assert_eq!(v["centre_is_text"], true, "{name}: {v}");
        assert_eq!(
            v["eg"], eg,
            "{name}: counted EG votes equal the results API"
        );
        assert_eq!(v["nm"], nm, "{name}");
        assert_eq!(v["state_name"], state_name.as_str(), "{name}: place names");
        assert_eq!(
            v["registered_unknown"], 0,
            "{name}: V1 states every table's voters"
        );
    }
    // Codes keep their leading zeros: dashes in the CSV, as the site writes them in Parquet.
    let first = csv_view["pandas_csv"]["first_table"].as_str().unwrap();
    assert!(
        first.len() == 15 && first.starts_with('0') && first.matches('-').count() == 4,
        "{first}"
    );
    let first = typed_view["pandas_parquet"]["first_table"]
        .as_str()
        .unwrap();
    assert!(
        first.len() == 12 && first.starts_with('0') && first.contains('.'),
        "{first}"
    );
    let types = &typed_view["parquet_types"];
    assert_eq!(types["table"], "VARCHAR");
    assert_eq!(types["EG"], "BIGINT");
    assert_eq!(types["counted"], "BOOLEAN");

    let dictionary = get(f.addr, "/api/v1/actas.dictionary.json").json();
    let names: Vec<&str> = dictionary["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let header = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = header.lines().next().unwrap().split(',').collect();
    assert_eq!(
        names, header,
        "the dictionary describes every column, in order"
    );
}
