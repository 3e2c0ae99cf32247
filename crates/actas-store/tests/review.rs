//! People on both backends: accounts and tokens, blind double entry (agreeing, disagreeing and
//! decided by a third reviewer), a conflict resolved with a reason, citizens' reports, the
//! audit trail; and after all of it the views still equal a rebuild from the records.

mod common;

use actas_core::review::{self, Item, ReportKind, Role};
use actas_core::{Record, RecordBody, TableId, TableResult, ve2024};
use actas_store::{Choice, EntryOutcome, OPERATOR, Outcome, Photo, Store};
use common::*;

const SHA_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SHA_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn unreadable(sha: &str, file: &str) -> Photo {
    Photo {
        source: actas_core::Source {
            file: Some(file.into()),
            sha256: Some(sha.into()),
            ..actas_core::Source::of("photo")
        },
        sha256: sha.into(),
        bytes: 1000,
        scan: Err("no readable QR code found".into()),
    }
}

/// A transcription of table `t` with `eg` votes for González and `nm` for Maduro (on their
/// first cards).
fn transcription(t: &str, eg: u64, nm: u64) -> TableResult {
    let e = ve2024::election();
    let mut cards = vec![0; e.cards.len()];
    let first_card = |id: &str| {
        let c = e.candidate_index(id).unwrap();
        e.card_candidates().iter().position(|&x| x == c).unwrap()
    };
    cards[first_card("EG")] = eg;
    cards[first_card("NM")] = nm;
    TableResult::from_cards(&e, t.parse().unwrap(), cards, 2, Some(0))
}

async fn reviewers(store: &Store) {
    for name in ["r1", "r2", "r3"] {
        store
            .add_account(OPERATOR, name, Role::Reviewer, vec![])
            .await
            .unwrap();
    }
}

async fn assert_views_are_the_records(store: &Store) {
    let problems = store.check_views().await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let log = store.check_log(None, None).await.unwrap();
    assert!(log.problems.is_empty(), "{:?}", log.problems);
    let before = store
        .results(actas_core::Level::State, None)
        .await
        .unwrap()
        .to_json();
    let queue = store.queue().await.unwrap();
    store.rebuild_views().await.unwrap();
    assert_eq!(
        store
            .results(actas_core::Level::State, None)
            .await
            .unwrap()
            .to_json(),
        before
    );
    assert_eq!(store.queue().await.unwrap(), queue);
    assert!(store.check_views().await.unwrap().is_empty());
}

fn records_of(store_records: &[actas_store::StoredRecord]) -> Vec<Record> {
    store_records
        .iter()
        .map(|r| Record::from_bytes(&r.bytes).unwrap())
        .collect()
}

#[tokio::test]
async fn accounts_tokens_and_who_may_change_them() {
    on_both(|store| async move {
        let (w, token) = store
            .add_account(OPERATOR, "testigo-1", Role::Witness, vec!["0101".into()])
            .await
            .unwrap();
        assert!(token.starts_with("actas_") && token.len() > 60);
        assert_eq!(w.record.scopes, ["0101"]);
        let found = store.authenticate(&token).await.unwrap().unwrap();
        assert_eq!(found.name, "testigo-1");
        assert!(store.authenticate("actas_wrong").await.unwrap().is_none());
        // The log holds the token's hash, never the token.
        let n = store.record_count().await.unwrap();
        let logged =
            String::from_utf8(store.records(0, n).await.unwrap().pop().unwrap().bytes).unwrap();
        assert!(!logged.contains(&token), "{logged}");
        assert!(
            logged.contains(&actas_store::token_hash(&token)),
            "{logged}"
        );

        let err = store
            .add_account("testigo-1", "x", Role::Admin, vec![])
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("only an active admin"), "{err}");
        let err = store
            .add_account(OPERATOR, OPERATOR, Role::Admin, vec![])
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("choose another"), "{err}");
        let err = store
            .add_account(OPERATOR, "r", Role::Reviewer, vec!["01".into()])
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("only witnesses have scopes"), "{err}");
        assert!(
            store
                .add_account(OPERATOR, "w2", Role::Witness, vec!["1".into()])
                .await
                .is_err()
        );

        store.revoke_account(OPERATOR, "testigo-1").await.unwrap();
        assert!(store.authenticate(&token).await.unwrap().is_none());
        let accounts = store.accounts().await.unwrap();
        assert_eq!(accounts.len(), 1);
        assert!(!accounts[0].record.active());
        assert!(store.revoke_account(OPERATOR, "testigo-1").await.is_err());
        let audit = store.audit(&Default::default()).await.unwrap();
        assert_eq!(
            audit.iter().map(|a| a.what.as_str()).collect::<Vec<_>>(),
            [
                "account testigo-1 set: witness for 0101",
                "account testigo-1 revoked"
            ]
        );
        assert!(audit.iter().all(|a| a.by.as_deref() == Some(OPERATOR)));
        assert_views_are_the_records(&store).await;
    })
    .await;
}

#[tokio::test]
async fn blind_double_entry_agreeing_and_disagreeing() {
    on_both(|store| async move {
        reviewers(&store).await;
        store
            .ingest(vec![unreadable(SHA_A, "a.jpg"), unreadable(SHA_B, "b.jpg")])
            .await
            .unwrap();
        let queue = store.queue().await.unwrap();
        assert_eq!(queue.len(), 2);
        assert_eq!(queue[0].reasons, ["unreadable"]);

        // Agreeing entries: accepted as the table's result.
        let t = transcription("010101001.01", 120, 80);
        let first = store.enter("r1", SHA_A, t.clone()).await.unwrap();
        let EntryOutcome::Committed { seq: first_seq } = first else {
            panic!("{first:?}")
        };
        // Before the second entry, the log shows a commitment and nothing of the numbers.
        let logged = records_of(&store.records(first_seq, first_seq + 1).await.unwrap());
        let RecordBody::Entry { entry } = &logged[0].body else {
            panic!("{logged:?}")
        };
        assert_eq!(logged[0].source.by.as_deref(), Some("r1"));
        let text = serde_json::to_string(&logged[0]).unwrap();
        assert!(
            !text.contains("\"cards\"") && !text.contains("\"votes\""),
            "{text}"
        );
        let err = store
            .enter("r1", SHA_A, t.clone())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("two different reviewers"), "{err}");
        let second = store.enter("r2", SHA_A, t.clone()).await.unwrap();
        assert!(
            matches!(
                second,
                EntryOutcome::Accepted {
                    result: Outcome::New,
                    ..
                }
            ),
            "{second:?}"
        );
        let table: TableId = "010101001.01".parse().unwrap();
        let current = store.current_results().await.unwrap();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].result.votes, t.votes);
        // The reveal proves what r1 committed to.
        let history = records_of(&store.history(table).await.unwrap());
        let reveal = history
            .iter()
            .find_map(|r| match &r.body {
                RecordBody::Reveal { reveal } => Some(reveal.clone()),
                _ => None,
            })
            .expect("a reveal in the table's history");
        assert_eq!(reveal.entries.len(), 2);
        assert_eq!(reveal.entries[0].seq, first_seq);
        assert_eq!(
            review::commitment(&reveal.entries[0].nonce, &reveal.entries[0].transcription),
            entry.commitment
        );
        let kinds: Vec<&str> = history.iter().map(|r| r.body.kind()).collect();
        assert_eq!(
            kinds,
            ["image", "entry", "entry", "reveal", "decision", "result"]
        );

        // Disagreeing entries: a third reviewer decides, not one of the two.
        store
            .enter("r1", SHA_B, transcription("010101002.01", 50, 40))
            .await
            .unwrap();
        let split = store
            .enter("r2", SHA_B, transcription("010101002.01", 51, 40))
            .await
            .unwrap();
        let EntryOutcome::Disagreed { seq: r2_seq } = split else {
            panic!("{split:?}")
        };
        let item = Item::Photo {
            sha256: SHA_B.into(),
        };
        let open = store.queue().await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].item, item);
        assert!(
            store
                .decide_photo("r2", SHA_B, Choice::Entry(r2_seq), "r2 is right")
                .await
                .unwrap_err()
                .to_string()
                .contains("third reviewer")
        );
        assert!(
            store
                .decide_photo("r3", SHA_B, Choice::Entry(r2_seq), " ")
                .await
                .is_err(),
            "a decision needs a reason"
        );
        let decided = store
            .decide_photo("r3", SHA_B, Choice::Entry(r2_seq), "row 36 reads 51")
            .await
            .unwrap();
        assert_eq!(decided, Outcome::New);
        assert!(store.queue().await.unwrap().is_empty());
        let national = store
            .results(actas_core::Level::National, None)
            .await
            .unwrap();
        assert_eq!(national.rows[0].counted, 2);
        assert_eq!(national.rows[0].valid, 200 + 91);
        let who: Vec<Option<String>> = store
            .audit(&actas_store::AuditFilter {
                who: Some("r3".into()),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.by)
            .collect();
        assert_eq!(who, [Some("r3".to_string())]);
        assert_views_are_the_records(&store).await;
    })
    .await;
}

#[tokio::test]
async fn a_conflict_resolved_with_a_reason_and_reports() {
    on_both(|store| async move {
        reviewers(&store).await;
        let a = result("010101001.01", 100, 50, Some(400));
        let b = result("010101001.01", 90, 60, Some(400));
        store
            .import(
                vec![incoming(a, 2), incoming(b.clone(), 3)],
                vec![],
                vec![],
                true,
            )
            .await
            .unwrap();
        let table: TableId = "010101001.01".parse().unwrap();
        let queue = store.queue().await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].item, Item::Table { table });
        assert_eq!(queue[0].reasons, ["conflict"]);
        let versions = store.table_versions(table).await.unwrap();
        let second = versions[1].seq;

        assert!(
            store
                .decide_table("r1", table, Some(999), "typo")
                .await
                .unwrap_err()
                .to_string()
                .contains("is not a version of table")
        );
        store
            .decide_table("r1", table, Some(second), "the photo shows 90 and 60")
            .await
            .unwrap();
        let current = store.current_results().await.unwrap();
        assert_eq!(current[0].seq, second, "the chosen version counts");
        assert_eq!(current[0].result.votes, b.votes);
        let national = store
            .results(actas_core::Level::National, None)
            .await
            .unwrap();
        assert_eq!(national.rows[0].valid, 150);
        assert_eq!(national.rows[0].counted, 1);
        // Nothing is deleted: both versions are still stored and the table still shows both.
        assert_eq!(store.table_versions(table).await.unwrap().len(), 2);
        let conflicts = store.conflicts().await.unwrap();
        assert_eq!(conflicts[0].1, vec![second, versions[0].seq]);
        assert!(store.queue().await.unwrap().is_empty());

        // A citizen's report reopens the table for review; its comment is not logged.
        let seq = store
            .report(table, ReportKind::NumbersDiffer, Some("la foto dice 91"))
            .await
            .unwrap();
        let logged =
            String::from_utf8(store.records(seq, seq + 1).await.unwrap()[0].bytes.clone()).unwrap();
        assert!(!logged.contains("la foto dice"), "{logged}");
        let queue = store.queue().await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].reasons, ["reported"]);
        assert!(
            store
                .report("990101001.01".parse().unwrap(), ReportKind::Other, None)
                .await
                .is_err(),
            "an unknown table cannot be reported"
        );
        // The report never changed a count.
        assert_eq!(store.current_results().await.unwrap()[0].seq, second);
        store
            .decide_table(
                "r2",
                table,
                None,
                "the photo shows 90: the counted version is right",
            )
            .await
            .unwrap();
        assert!(store.queue().await.unwrap().is_empty());
        assert_views_are_the_records(&store).await;
    })
    .await;
}

#[tokio::test]
async fn decisions_need_something_to_decide_and_an_item_shows_its_history() {
    on_both(|store| async move {
        reviewers(&store).await;
        let table: TableId = "010101001.01".parse().unwrap();
        store
            .import(
                vec![incoming(result("010101001.01", 100, 50, Some(400)), 2)],
                vec![],
                vec![],
                true,
            )
            .await
            .unwrap();
        let only = store.table_versions(table).await.unwrap()[0].seq;
        let err = store
            .decide_table("r1", table, Some(only), "it is right")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("nothing to choose between"), "{err}");
        let err = store
            .decide_table("r1", table, None, "nothing wrong")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("nothing open to close"), "{err}");
        let n = store.record_count().await.unwrap();
        store
            .report(table, ReportKind::Illegible, None)
            .await
            .unwrap();
        store
            .decide_table("r1", table, None, "the photo reads well")
            .await
            .unwrap();
        assert!(
            store
                .decide_table("r2", table, None, "again")
                .await
                .is_err(),
            "closed until something new arrives"
        );
        assert_eq!(store.record_count().await.unwrap(), n + 2);

        // A photo's history: the photo, commitments, the reveal, the decision, its result.
        store
            .ingest(vec![unreadable(SHA_A, "a.jpg")])
            .await
            .unwrap();
        let item = Item::Photo {
            sha256: SHA_A.into(),
        };
        let kinds = |records: Vec<actas_store::StoredRecord>| -> Vec<&'static str> {
            records_of(&records).iter().map(|r| r.body.kind()).collect()
        };
        store
            .enter("r1", SHA_A, transcription("010101002.01", 5, 4))
            .await
            .unwrap();
        assert_eq!(
            kinds(store.item_history(&item).await.unwrap()),
            ["image", "entry"]
        );
        store
            .enter("r2", SHA_A, transcription("010101002.01", 5, 3))
            .await
            .unwrap();
        let reveal = store.item_history(&item).await.unwrap();
        let entry = records_of(&reveal)
            .iter()
            .find_map(|r| match &r.body {
                RecordBody::Reveal { reveal } => Some(reveal.entries[1].seq),
                _ => None,
            })
            .unwrap();
        store
            .decide_photo("r3", SHA_A, Choice::Entry(entry), "row NM reads 3")
            .await
            .unwrap();
        assert_eq!(
            kinds(store.item_history(&item).await.unwrap()),
            ["image", "entry", "entry", "reveal", "decision", "result"]
        );
        assert_eq!(
            kinds(store.item_history(&Item::Table { table }).await.unwrap()),
            ["result", "report", "decision"]
        );
        assert_views_are_the_records(&store).await;
    })
    .await;
}
