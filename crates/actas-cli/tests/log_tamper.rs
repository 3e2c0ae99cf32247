//! Tampering is caught by `actas verify`, with a message that says what and where: a byte of
//! an exported entry bundle, a vote in a stored record, a vote in the derived results, and a
//! history rewritten under the same key.
//!
//! Replacing a stored acta image is not tested yet: the store keeps no images until the
//! scanning pipeline lands; `actas verify` has the hook where their hashes will be checked.

mod common;

use std::path::{Path, PathBuf};

use actas_store::{Store, Target};
use common::*;

fn synthetic_csv(dir: &Path, seed: u64) -> PathBuf {
    let s = actas_import::synthetic::generate(&actas_core::ve2024::election(), seed, 0.012, 0.82);
    let path = dir.join(format!("results-{seed}.csv"));
    std::fs::write(&path, &s.csv).unwrap();
    path
}

/// A data directory with about 300 imported tables, and its verifier key.
fn imported(dir: &Path, name: &str) -> (PathBuf, String) {
    let data = dir.join(name);
    ok(&data, &["init"]);
    ok(
        &data,
        &["import", "csv", synthetic_csv(dir, 11).to_str().unwrap()],
    );
    let vkey = ok(&data, &["log", "key"]).trim().to_string();
    (data, vkey)
}

/// Runs SQL on the data directory's SQLite store, behind actas's back.
fn tamper_sql(data: &Path, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::open(&Target::Sqlite(data.join("actas.db")))
            .await
            .unwrap();
        let mut tx = store.db().begin().await.unwrap();
        assert_eq!(tx.exec(sql, vec![]).await.unwrap(), 1, "{sql}");
        tx.commit().await.unwrap();
        store.close().await;
    });
}

/// (seq, table) of the counted record stored at `seq`.
fn record_table(data: &Path, seq: u64) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::open(&Target::Sqlite(data.join("actas.db")))
            .await
            .unwrap();
        let body = store.records(seq, seq + 1).await.unwrap().remove(0).bytes;
        let text = String::from_utf8(body).unwrap();
        text.split("\"table\":\"").nth(1).unwrap()[..12].to_string()
    })
}

#[test]
fn a_flipped_byte_in_an_exported_entry_bundle_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (data, vkey) = imported(dir.path(), "data");
    let export = dir.path().join("published");
    ok(&data, &["log", "export", export.to_str().unwrap()]);
    ok(&data, &["verify", export.to_str().unwrap(), "--key", &vkey]);

    // Flip one byte inside entry 7 of the first bundle (past its 2-byte length prefix).
    let bundle = export.join("tile/entries/000");
    let mut bytes = std::fs::read(&bundle).unwrap();
    let mut offset = 0;
    for _ in 0..7 {
        offset += 2 + usize::from(u16::from_be_bytes([bytes[offset], bytes[offset + 1]]));
    }
    bytes[offset + 2 + 30] ^= 0x01;
    std::fs::write(&bundle, &bytes).unwrap();

    let err = fails(&data, &["verify", export.to_str().unwrap(), "--key", &vkey]);
    assert!(
        err.contains(&format!(
            "FAIL: {}: tile/entries/000 entry 7: leaf hash does not match tile/0/000 hash 7 (log entry 7)",
            export.display()
        )),
        "{err}"
    );
}

#[test]
fn a_changed_vote_in_a_stored_record_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = imported(dir.path(), "data");
    let seq = 200;
    let table = record_table(&data, seq);
    tamper_sql(
        &data,
        &format!(
            "UPDATE records SET body = REPLACE(body, '\"votes\":[', '\"votes\":[1') WHERE seq = {seq}"
        ),
    );
    let err = fails(&data, &["verify"]);
    for expected in [
        format!(
            "FAIL: record {seq} (table {table}): its bytes do not match leaf hash 200 of log tile tile/0/000"
        ),
        format!("FAIL: record {seq} (table {table}): its bytes do not match its stored SHA-256"),
        "signed root".to_string(),
        format!("FAIL: table {table}: stored result differs from record {seq}"),
    ] {
        assert!(err.contains(&expected), "{expected:?} not in:\n{err}");
    }
    // And no proof is handed out for the damaged log.
    let err = fails(&data, &["log", "proof", &table]);
    assert!(err.contains(&format!("record {seq}")), "{err}");
}

#[test]
fn a_changed_vote_in_the_results_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = imported(dir.path(), "data");
    let seq = 42;
    let table = record_table(&data, seq);
    tamper_sql(
        &data,
        &format!("UPDATE current SET votes = '1,' || votes WHERE seq = {seq}"),
    );
    let err = fails(&data, &["verify"]);
    assert!(
        err.contains(&format!(
            "FAIL: table {table}: stored result differs from record {seq}"
        )),
        "{err}"
    );
    // The log itself is intact: the problem is only in the derived view.
    assert!(!err.contains("log tile"), "{err}");
}

#[test]
fn a_history_rewritten_under_the_same_key_fails_since() {
    let dir = tempfile::tempdir().unwrap();
    let (data, vkey) = imported(dir.path(), "data");
    // Someone with the key starts over with other data: a fork of the log.
    let fork = dir.path().join("fork");
    std::fs::create_dir_all(&fork).unwrap();
    std::fs::copy(data.join("log.key"), fork.join("log.key")).unwrap();
    ok(&fork, &["init"]);
    // Fewer entries than the real log, so that only the prefix check can catch it.
    let other = std::fs::read_to_string(synthetic_csv(dir.path(), 12)).unwrap();
    let short = dir.path().join("short.csv");
    std::fs::write(
        &short,
        other.lines().take(51).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    ok(&fork, &["import", "csv", short.to_str().unwrap()]);
    let forked = dir.path().join("forked-checkpoint");
    std::fs::write(&forked, ok(&fork, &["log", "checkpoint"])).unwrap();

    let export = dir.path().join("published");
    ok(&data, &["log", "export", export.to_str().unwrap()]);
    let err = fails(
        &data,
        &[
            "verify",
            export.to_str().unwrap(),
            "--key",
            &vkey,
            "--since",
            forked.to_str().unwrap(),
        ],
    );
    assert!(
        err.contains("is not consistent with the old checkpoint")
            && err.contains("history was rewritten"),
        "{err}"
    );
    let err = fails(&data, &["verify", "--since", forked.to_str().unwrap()]);
    assert!(err.contains("history was rewritten"), "{err}");
}
