//! The transparency log kept by the store, on both backends: it follows the records import by
//! import, its tiles and checkpoints equal those of the tree recomputed from the records, and
//! every way of breaking it is named by `check_log`.

mod common;

use std::time::Duration;

use actas_core::validate::{Problem, Severity};
use actas_ledger::{
    Log, LogSigner, LogVerifier, TilePath, entry_bundle, generate_keys, leaf_hash, open_checkpoint,
    tiles_for_size, verify_inclusion,
};
use actas_store::{Incoming, Store, Target};
use common::*;

const ORIGIN: &str = "actas.test/log";

fn keys(name: &str) -> (LogSigner, LogVerifier) {
    let (skey, vkey) = generate_keys(name).unwrap();
    (
        LogSigner::from_key(&skey).unwrap(),
        LogVerifier::new(&vkey).unwrap(),
    )
}

/// `n` results for distinct tables, numbered from `first`.
fn batch(first: u64, n: u64) -> Vec<Incoming> {
    (first..first + n)
        .map(|i| {
            incoming(
                result(
                    &format!("{:09}.{:02}", 10_100_000 + i / 90, i % 90 + 1),
                    100 + i % 50,
                    50 + i % 30,
                    Some(400),
                ),
                i + 2,
            )
        })
        .collect()
}

/// The store's log is exactly the tree of its records: size, checkpoint, every tile and entry
/// bundle, and `check_log` finds nothing.
async fn assert_log_is_the_records(store: &Store, verifier: &LogVerifier) {
    let n = store.record_count().await.unwrap();
    let entries: Vec<Vec<u8>> = store
        .records(0, n)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.bytes)
        .collect();
    let log = Log::from_entries(&entries).unwrap();
    assert_eq!(store.log_size().await.unwrap(), n);
    let cp = store.latest_checkpoint().await.unwrap().unwrap();
    assert_eq!((cp.size, cp.root), (n, log.root()));
    let opened = open_checkpoint(cp.note.as_bytes(), verifier).unwrap();
    assert_eq!((opened.origin.as_str(), opened.size), (ORIGIN, n));
    for tile in tiles_for_size(n) {
        let got = store.log_tile(tile).await.unwrap().unwrap();
        let want = match tile {
            TilePath::Hash {
                level,
                index,
                width,
            } => log.tile(level, index, width).unwrap(),
            TilePath::Entries { index, width } => {
                let start = index as usize * 256;
                entry_bundle(&entries[start..start + usize::from(width)]).unwrap()
            }
        };
        assert_eq!(got, want, "{tile}");
    }
    let beyond = TilePath::Entries {
        index: n / 256,
        width: (n % 256) as u16 + 1,
    };
    assert_eq!(store.log_tile(beyond).await.unwrap(), None);
    let report = store.check_log(Some(verifier), None).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.size, n);
}

#[tokio::test]
async fn log_follows_the_records_import_by_import() {
    on_both(|mut store| async move {
        let (signer, verifier) = keys(ORIGIN);
        store.set_log_signer(signer);
        assert_eq!(
            store.log_size().await.unwrap(),
            1,
            "record 0 is logged at init"
        );
        let mut next = 0;
        // Sizes that cross tile edges (256) and open a second tile level.
        for n in [1u64, 254, 1, 300, 3, 700] {
            let summary = store
                .import(batch(next, n), vec![], vec![], true)
                .await
                .unwrap();
            assert_eq!(summary.records_appended, n);
            next += n;
            assert_log_is_the_records(&store, &verifier).await;
        }
        // One checkpoint per import; each old one is a prefix of today's log.
        let cps = store.checkpoints().await.unwrap();
        assert_eq!(
            cps.iter().map(|c| c.size).collect::<Vec<_>>(),
            [2, 256, 257, 557, 560, 1260]
        );
        let entries: Vec<Vec<u8>> = store
            .records(0, 1260)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.bytes)
            .collect();
        let log = Log::from_entries(&entries).unwrap();
        for cp in &cps {
            assert_eq!(log.root_at(cp.size).unwrap(), cp.root, "size {}", cp.size);
        }
        // A re-import of the same data appends nothing and signs nothing.
        store
            .import(batch(0, 20), vec![], vec![], true)
            .await
            .unwrap();
        assert_eq!(store.checkpoints().await.unwrap().len(), cps.len());
        let old = cps[2].note.clone();
        let report = store
            .check_log(Some(&verifier), Some(old.as_bytes()))
            .await
            .unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.checkpoints_checked, cps.len());
    })
    .await;
}

#[tokio::test]
async fn proofs_verify_against_the_signed_checkpoint() {
    on_both(|mut store| async move {
        let (signer, verifier) = keys(ORIGIN);
        store.set_log_signer(signer);
        store
            .import(batch(0, 600), vec![], vec![], true)
            .await
            .unwrap();
        for seq in [0u64, 1, 255, 256, 511, 600] {
            let p = store.log_proof(seq).await.unwrap();
            let cp = open_checkpoint(p.checkpoint.as_bytes(), &verifier).unwrap();
            let entry = &store.records(seq, seq + 1).await.unwrap()[0].bytes;
            assert_eq!(p.leaf_hash, leaf_hash(entry));
            assert_eq!(p.log_index, seq);
            verify_inclusion(&p.leaf_hash, seq, cp.size, &cp.root, &p.hashes).unwrap();
        }
        let err = store.log_proof(601).await.unwrap_err().to_string();
        assert!(err.contains("record 601 is not covered"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn without_a_key_the_tiles_follow_and_a_checkpoint_is_signed_later() {
    on_both(|mut store| async move {
        store
            .import(batch(0, 300), vec![], vec![], true)
            .await
            .unwrap();
        assert!(store.latest_checkpoint().await.unwrap().is_none());
        let err = store.checkpoint().await.unwrap_err().to_string();
        assert!(err.contains("no log signing key"), "{err}");
        let report = store.check_log(None, None).await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.size, 301);
        let (signer, verifier) = keys(ORIGIN);
        store.set_log_signer(signer);
        assert_eq!(store.checkpoint().await.unwrap().size, 301);
        assert_log_is_the_records(&store, &verifier).await;
    })
    .await;
}

#[tokio::test]
async fn checkpoints_are_batched_by_the_interval() {
    on_both(|mut store| async move {
        let (signer, verifier) = keys(ORIGIN);
        store.set_log_signer(signer);
        store.set_checkpoint_interval(Duration::from_secs(3600));
        store
            .import(batch(0, 10), vec![], vec![], true)
            .await
            .unwrap();
        store
            .import(batch(10, 10), vec![], vec![], true)
            .await
            .unwrap();
        store
            .import(batch(20, 10), vec![], vec![], true)
            .await
            .unwrap();
        // The first import signed; the next two are logged and wait for the next checkpoint.
        assert_eq!(store.latest_checkpoint().await.unwrap().unwrap().size, 11);
        assert_eq!(store.log_size().await.unwrap(), 31);
        let report = store.check_log(Some(&verifier), None).await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.checkpoint.unwrap().size, 11);
        assert_eq!(store.checkpoint().await.unwrap().size, 31);
        assert_log_is_the_records(&store, &verifier).await;
    })
    .await;
}

#[tokio::test]
async fn a_store_from_before_the_log_is_caught_up_by_init() {
    let dir = tempfile::tempdir().unwrap();
    let target = Target::Sqlite(dir.path().join("actas.db"));
    let store = Store::init(&target, &actas_core::ve2024::election())
        .await
        .unwrap();
    store
        .import(batch(0, 700), vec![], vec![], true)
        .await
        .unwrap();
    raw_sql(&store, "DELETE FROM log_tiles").await;
    store.close().await;
    let mut store = Store::init(&target, &actas_core::ve2024::election())
        .await
        .unwrap();
    let (signer, verifier) = keys(ORIGIN);
    store.set_log_signer(signer);
    store
        .import(batch(700, 5), vec![], vec![], true)
        .await
        .unwrap();
    assert_log_is_the_records(&store, &verifier).await;
}

#[tokio::test]
async fn a_replaced_key_is_refused_or_caught() {
    on_both(|mut store| async move {
        let (signer, verifier) = keys(ORIGIN);
        store.set_log_signer(signer);
        store
            .import(batch(0, 5), vec![], vec![], true)
            .await
            .unwrap();

        // A key with another name would start another log: the import is refused whole.
        store.set_log_signer(keys("someone.else/log").0);
        let err = store
            .import(batch(5, 5), vec![], vec![], true)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("the key was replaced"), "{err}");
        assert_eq!(store.record_count().await.unwrap(), 6);
        assert_eq!(store.log_size().await.unwrap(), 6);

        // Same name, another key: signed, but the owner's key does not open it.
        store.set_log_signer(keys(ORIGIN).0);
        store
            .import(batch(5, 5), vec![], vec![], true)
            .await
            .unwrap();
        let report = store.check_log(Some(&verifier), None).await.unwrap();
        assert!(
            report.problems.iter().any(
                |p| p.contains("checkpoint of size 11: checkpoint carries no signature by key")
            ),
            "{:?}",
            report.problems
        );
    })
    .await;
}

#[tokio::test]
async fn tampering_with_records_or_tiles_is_named() {
    on_both(|mut store| async move {
        let (signer, verifier) = keys(ORIGIN);
        store.set_log_signer(signer);
        store
            .import(batch(0, 600), vec![], vec![], true)
            .await
            .unwrap();
        let seq = 300;
        let table = store.records(seq, seq + 1).await.unwrap()[0].bytes.clone();
        let table = String::from_utf8(table).unwrap();
        let code = table.split("\"table\":\"").nth(1).unwrap()[..12].to_string();

        // A vote changed in a logged record.
        raw_sql(
            &store,
            &format!("UPDATE records SET body = REPLACE(body, '\"votes\":[', '\"votes\":[1') WHERE seq = {seq}"),
        )
        .await;
        let problems = store.check_log(Some(&verifier), None).await.unwrap().problems;
        let joined = problems.join("\n");
        assert!(
            joined.contains(&format!(
                "record {seq} (table {code}): its bytes do not match leaf hash 44 of log tile tile/0/001"
            )),
            "{joined}"
        );
        assert!(joined.contains(&format!("record {seq} (table {code}): its bytes do not match its stored SHA-256")), "{joined}");
        assert!(joined.contains("checkpoint of size 601 signed root"), "{joined}");
        let err = store.log_proof(seq).await.unwrap_err().to_string();
        assert!(err.contains(&format!("record {seq}")), "{err}");

        // A higher tile changed.
        raw_sql(
            &store,
            "UPDATE log_tiles SET hashes = CASE WHEN SUBSTR(hashes, 1, 2) = '00' THEN '11' ELSE '00' END \
             || SUBSTR(hashes, 3) WHERE level = 1",
        )
        .await;
        let problems = store.check_log(Some(&verifier), None).await.unwrap().problems;
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("log tile tile/1/000.p/2 hash 0 does not match")),
            "{problems:?}"
        );

        // A record removed from the end.
        raw_sql(&store, "DELETE FROM records WHERE seq = 600").await;
        let problems = store.check_log(Some(&verifier), None).await.unwrap().problems;
        assert!(
            problems
                .iter()
                .any(|p| p.contains("records 600..601 are missing from the records table")),
            "{problems:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_record_too_large_for_a_log_entry_is_refused() {
    on_both(|mut store| async move {
        store.set_log_signer(keys(ORIGIN).0);
        let mut rows = batch(0, 2);
        rows[1] = rows[1].clone().with_problems([Problem {
            rule: "note".into(),
            severity: Severity::Flag,
            message: "x".repeat(70_000),
        }]);
        let err = store
            .import(rows, vec![], vec![], true)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("record 2 is") && err.contains("over the 65535-byte limit"),
            "{err}"
        );
        assert_eq!(store.record_count().await.unwrap(), 1);
    })
    .await;
}
