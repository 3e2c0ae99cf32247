//! The store's rules, each run against both backends: the embedded SQLite file and the
//! PostgreSQL server (127.0.0.1:5432 here; required when CI is set).

mod common;

use actas_core::{Level, Place, TableId, ve2024};
use actas_store::{Incoming, QuarantinedRow, Store, StoreError, Target};
use common::*;

async fn national(store: &Store) -> (u64, u64, u64) {
    let r = store.results(Level::National, None).await.unwrap();
    let row = &r.rows[0];
    (row.counted, row.valid, row.registered)
}

#[tokio::test]
async fn init_is_idempotent_and_refuses_another_election() {
    let dir = tempfile::tempdir().unwrap();
    let t = Target::Sqlite(dir.path().join("actas.db"));
    Store::init(&t, &ve2024::election()).await.unwrap();
    let again = Store::init(&t, &ve2024::election()).await.unwrap();
    assert_eq!(again.record_count().await.unwrap(), 1);
    let mut other = ve2024::election();
    other.id = "other".into();
    let err = Store::init(&t, &other).await.err().unwrap();
    assert!(err.to_string().contains("already holds election"), "{err}");
    let missing = Target::Sqlite(dir.path().join("none/actas.db"));
    assert!(matches!(
        Store::open(&missing).await,
        Err(StoreError::NotInitialised(_))
    ));
}

#[tokio::test]
async fn a_store_from_an_older_build_says_to_run_init_and_init_upgrades_it() {
    let dir = tempfile::tempdir().unwrap();
    let t = Target::Sqlite(dir.path().join("actas.db"));
    let store = Store::init(&t, &ve2024::election()).await.unwrap();
    let rows = vec![incoming(result("010101001.01", 10, 5, None), 2)];
    store.import(rows, vec![], vec![], true).await.unwrap();
    // Photos and the log came after the first stores were made.
    raw_sql(&store, "DROP TABLE images").await;
    raw_sql(&store, "DROP TABLE log_tiles").await;
    store.close().await;
    let err = Store::open(&t)
        .await
        .err()
        .expect("an old store is refused");
    assert!(matches!(err, StoreError::NotInitialised(_)), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("images, log_tiles") && msg.contains("`actas init`"),
        "{msg}"
    );
    let upgraded = Store::init(&t, &ve2024::election()).await.unwrap();
    assert_eq!(upgraded.record_count().await.unwrap(), 2, "no record lost");
    upgraded.close().await;
    let reopened = Store::open(&t).await.unwrap();
    assert!(reopened.check_views().await.unwrap().is_empty());
    let log = reopened.check_log(None, None).await.unwrap();
    assert!(log.problems.is_empty(), "{:?}", log.problems);
    assert_eq!(log.size, 2, "the log is rebuilt from the records");
}

#[tokio::test]
async fn new_duplicate_and_conflicting_versions() {
    on_both(|store| async move {
        let a = result("010101001.01", 300, 100, Some(700));
        let b = result("010101001.02", 200, 150, Some(600));
        let s = store
            .import(
                vec![incoming(a.clone(), 2), incoming(b.clone(), 3)],
                vec![],
                vec![],
                true,
            )
            .await
            .unwrap();
        assert_eq!(
            (s.new, s.duplicates, s.conflicts, s.records_appended),
            (2, 0, 0, 2)
        );
        assert_eq!(national(&store).await, (2, 750, 1300));

        // The same counts from another source, even without registered voters: a duplicate.
        let mut same = a.clone();
        same.registered = None;
        let changed = result("010101001.01", 299, 101, Some(700));
        let s = store
            .import(
                vec![incoming(same, 9), incoming(changed.clone(), 10)],
                vec![],
                vec![],
                true,
            )
            .await
            .unwrap();
        assert_eq!((s.new, s.duplicates, s.conflicts), (0, 1, 1));
        assert_eq!(s.conflicting_tables, ["010101001.01"]);
        assert_eq!(
            national(&store).await,
            (2, 750, 1300),
            "first version stays counted"
        );
        assert_eq!(
            store.conflicts().await.unwrap(),
            [("010101001.01".to_string(), vec![1, 3])]
        );
        let versions = store
            .table_versions("010101001.01".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(versions.len(), 2);
        assert!(versions[0].counted && !versions[1].counted);

        // Conflicting version seen again: nothing new.
        let s = store
            .import(vec![incoming(changed, 11)], vec![], vec![], true)
            .await
            .unwrap();
        assert_eq!((s.duplicates, s.records_appended), (1, 0));
        assert_eq!(store.record_count().await.unwrap(), 4);
        assert!(store.check_views().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_rejected_result_writes_nothing_unless_quarantined() {
    on_both(|store| async move {
        store
            .import_geography(vec![], vec![("010101001.01".parse().unwrap(), Some(100))])
            .await
            .unwrap();
        let good = result("010101001.02", 10, 10, None);
        // 401 votes cast at a table the geography says has 100 voters.
        let over = result("010101001.01", 300, 100, None);
        let err = store
            .import(
                vec![incoming(good.clone(), 2), incoming(over.clone(), 3)],
                vec![],
                vec![],
                true,
            )
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("t.csv:3") && err.to_string().contains("100 registered"),
            "{err}"
        );
        assert_eq!(store.record_count().await.unwrap(), 1, "nothing written");
        assert_eq!(national(&store).await.0, 0);

        let bad_row = QuarantinedRow {
            file: "t.csv".into(),
            line: 7,
            raw: "x,y".into(),
            reason: "column EG: 12x".into(),
        };
        let s = store
            .import(
                vec![incoming(good, 2), incoming(over, 3)],
                vec![],
                vec![bad_row.clone()],
                false,
            )
            .await
            .unwrap();
        assert_eq!((s.new, s.quarantined), (1, 2));
        let q = store.quarantine().await.unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0], bad_row);
        assert!(q[1].reason.contains("registered"), "{:?}", q[1]);
    })
    .await;
}

#[tokio::test]
async fn geography_sets_expected_tables_and_fills_registered_voters() {
    on_both(|store| async move {
        // A result before the geography, without registered voters: created and flagged.
        let s = store
            .import(
                vec![incoming(result("010101001.01", 30, 20, None), 2)],
                vec![],
                vec![],
                true,
            )
            .await
            .unwrap();
        assert_eq!(s.created_tables, 1);
        assert_eq!(national(&store).await, (1, 50, 0));
        let places = vec![
            Place {
                level: Level::Municipality,
                code: "0101".into(),
                name: "Libertador".into(),
                expected_tables: Some(10),
            },
            Place {
                level: Level::Centre,
                code: "010101001".into(),
                name: "Escuela".into(),
                expected_tables: Some(2),
            },
        ];
        let tables: Vec<(TableId, Option<u64>)> = vec![
            ("010101001.01".parse().unwrap(), Some(80)),
            ("010101001.02".parse().unwrap(), Some(90)),
        ];
        store.import_geography(places, tables).await.unwrap();
        assert_eq!(national(&store).await, (1, 50, 80), "registered now known");
        let m = store
            .results(Level::Municipality, Some("01"))
            .await
            .unwrap();
        assert_eq!(m.rows[0].name.as_deref(), Some("Libertador"));
        assert_eq!((m.rows[0].counted, m.rows[0].expected), (1, Some(10)));
        let states = store.results(Level::State, None).await.unwrap();
        assert_eq!(states.rows.len(), 24, "every state listed, counted or not");
        assert!(store.check_views().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn views_rebuild_from_records_and_tampering_is_detected() {
    on_both(|store| async move {
        let rows: Vec<Incoming> = (1..=30)
            .map(|i| {
                incoming(
                    result(
                        &format!("0{}0101001.{:02}", 1 + i % 3, 1 + i % 9),
                        10 + i,
                        5,
                        Some(100),
                    ),
                    i,
                )
            })
            .collect();
        store.import(rows, vec![], vec![], true).await.unwrap();
        let before = store.results(Level::Parish, None).await.unwrap().to_json();
        store.rebuild_views().await.unwrap();
        assert_eq!(
            store.results(Level::Parish, None).await.unwrap().to_json(),
            before
        );
        assert!(store.check_views().await.unwrap().is_empty());

        // Change a counted vote behind the store's back.
        let db = store.db().clone();
        match &db {
            actas_store::Db::Sqlite(p) => {
                sqlx::query("UPDATE current SET valid = valid + 1 WHERE seq = 1")
                    .execute(p)
                    .await
                    .unwrap();
            }
            actas_store::Db::Postgres(p) => {
                sqlx::query("UPDATE current SET valid = valid + 1 WHERE seq = 1")
                    .execute(p)
                    .await
                    .unwrap();
            }
        }
        let problems = store.check_views().await.unwrap();
        assert!(
            problems.iter().any(|p| p.contains("differs from record 1")),
            "{problems:?}"
        );
        store.rebuild_views().await.unwrap();
        assert!(
            store.check_views().await.unwrap().is_empty(),
            "rebuild repairs the views"
        );
    })
    .await;
}
