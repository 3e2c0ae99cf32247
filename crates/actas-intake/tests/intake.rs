//! The intake end to end on a real SQLite store and a real folder of originals: duplicates
//! are one photo, a second photo of a counted table is consolidated, different numbers are a
//! conflict, unreadable and invalid photos wait for review, an original is durable before its
//! record (a blob store that cannot write records nothing), and kill -9 at any point leaves a
//! store that verifies and resumes to the same result as one uninterrupted run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use actas_core::ve2024;
use actas_intake::{Batching, Intake, Limits, Origin, Outcome, Read, Refusal, read_file};
use actas_scan::{Ballot, Degradation, DegradationKind};
use actas_store::{PhotoOutcome, PhotoRead, Store, Target};
use actas_testkit::shared;

const EXAMPLE: &str = "240111017.01.1.0001!130,9,5,5,7,2,0,7,7,2,0,2,6,1,1,0,1,1,1,0,2,0,0,0,0,0,0,0,1,1,3,1,1,5,16,274,1,1!0!0";

/// A synthetic photo of the acta with this payload, on the ve2024 ballot.
fn render_acta(payload: &str, seed: u64, degradation: Degradation) -> Vec<u8> {
    let election = ve2024::election();
    let ballot = Ballot::new(&election, &ve2024::CARD_CODES);
    actas_scan::render_acta(ballot, payload, seed, degradation)
}

fn clean(seed: u64) -> Degradation {
    Degradation::of_kind(DegradationKind::Clean, seed)
}

async fn store_in(dir: &Path) -> Arc<Store> {
    let target = Target::Sqlite(dir.join("actas.db"));
    let store = match Store::open(&target).await {
        Ok(s) => s,
        Err(_) => Store::init(&target, &ve2024::election()).await.unwrap(),
    };
    Arc::new(store.with_blobs(actas_store::blobs::open_blobs(dir)))
}

fn origin(name: &str) -> Origin {
    Origin::File { name: name.into() }
}

fn read_of(outcome: &Outcome) -> &PhotoRead {
    match outcome {
        Ok(PhotoOutcome::Stored { read, .. }) => read,
        other => panic!("expected a stored photo, got {other:?}"),
    }
}

#[tokio::test]
async fn duplicates_consolidation_conflicts_and_review() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path()).await;
    let intake = Intake::open(store.clone(), Limits::default())
        .await
        .unwrap();
    let first = render_acta(EXAMPLE, 1, clean(1));
    let again = render_acta(EXAMPLE, 2, Degradation::of_kind(DegradationKind::Jpeg, 2));
    let changed = EXAMPLE.replace("!130,", "!129,").replace(",274,", ",275,");
    let conflict = render_acta(&changed, 3, clean(3));
    let not_an_acta = render_acta("https://example.org/acta", 4, clean(4));

    let batch = vec![
        intake.read(first.clone(), &origin("a.jpg")),
        // The same bytes again in the same batch (a retried upload): one photo.
        intake.read(first.clone(), &origin("a-copy.jpg")),
        intake.read(again, &origin("a-again.jpg")),
    ];
    let out = intake.record(batch).await.unwrap();
    let table = "240111017.01".parse().unwrap();
    assert_eq!(read_of(&out[0]), &PhotoRead::NewTable(table));
    assert_eq!(out[1], Ok(PhotoOutcome::AlreadyStored));
    assert_eq!(read_of(&out[2]), &PhotoRead::Consolidated(table));

    // Known bytes are not even scanned again.
    assert!(matches!(
        intake.read(first, &origin("a.jpg")),
        Read::Known { .. }
    ));
    let out = intake
        .record(vec![
            intake.read(conflict, &origin("b.jpg")),
            intake.read(not_an_acta, &origin("c.jpg")),
            intake.read(b"not a jpeg".to_vec(), &origin("d.jpg")),
        ])
        .await
        .unwrap();
    assert_eq!(read_of(&out[0]), &PhotoRead::Conflict(table));
    assert!(matches!(
        read_of(&out[1]),
        PhotoRead::Invalid { table: None, .. }
    ));
    assert!(matches!(read_of(&out[2]), PhotoRead::Unreadable(_)));

    let conflicts = store.conflicts().await.unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].0, "240111017.01");
    let review: Vec<String> = store
        .review_queue()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.file)
        .collect();
    assert_eq!(review, ["c.jpg", "d.jpg"]);
    assert_eq!(store.images().await.unwrap().len(), 5);
    assert_clean(&store).await;
}

#[tokio::test]
async fn limits_are_refusals_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path()).await;
    let limits = Limits { max_bytes: 1000 };
    let intake = Intake::open(store.clone(), limits).await.unwrap();
    let big = vec![0xFF; 1001];
    let out = intake
        .record(vec![intake.read(big.clone(), &origin("big.jpg"))])
        .await
        .unwrap();
    assert_eq!(
        out[0],
        Err(Refusal::TooLarge {
            bytes: 1001,
            limit: 1000
        })
    );
    let path = dir.path().join("big.jpg");
    std::fs::write(&path, &big).unwrap();
    assert!(matches!(
        read_file(&path, &limits),
        Err(Refusal::TooLarge { .. })
    ));
    assert_eq!(read_file(dir.path(), &limits), Err(Refusal::NotAFile));
    assert!(store.images().await.unwrap().is_empty());
    assert_eq!(store.record_count().await.unwrap(), 1);
}

#[tokio::test]
async fn an_original_that_cannot_be_stored_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path()).await;
    // The originals' folder is a file: every write of an original fails.
    std::fs::write(dir.path().join("blobs"), b"in the way").unwrap();
    let intake = Intake::open(store.clone(), Limits::default())
        .await
        .unwrap();
    let photo = render_acta(EXAMPLE, 1, clean(1));
    let err = intake
        .record(vec![intake.read(photo.clone(), &origin("a.jpg"))])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("blobs"), "{err}");
    assert_eq!(store.record_count().await.unwrap(), 1, "no record names it");
    assert!(store.images().await.unwrap().is_empty());
    // Once the folder can be written, the same photo goes in (it was never marked known).
    std::fs::remove_file(dir.path().join("blobs")).unwrap();
    let out = intake
        .record(vec![intake.read(photo, &origin("a.jpg"))])
        .await
        .unwrap();
    assert!(matches!(read_of(&out[0]), PhotoRead::NewTable(_)));
    assert_clean(&store).await;
}

#[tokio::test]
async fn real_actas_are_read_and_counted() {
    let Some(actas) = shared::present(shared::ve2024("actas")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path()).await;
    let intake = Intake::open(store.clone(), Limits::default())
        .await
        .unwrap();
    let mut reads = Vec::new();
    for entry in std::fs::read_dir(&actas).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jpg") {
            let bytes = read_file(&path, intake.limits()).unwrap();
            reads.push(intake.read(bytes, &Origin::file(&path)));
        }
    }
    let out = intake.record(reads).await.unwrap();
    let new = out
        .iter()
        .filter(|o| matches!(read_of(o), PhotoRead::NewTable(_)))
        .count();
    let unreadable = out
        .iter()
        .filter(|o| matches!(read_of(o), PhotoRead::Unreadable(_)))
        .count();
    assert_eq!((new, unreadable), (12, 1));
    assert_clean(&store).await;
}

/// The log, the views and every original check out.
async fn assert_clean(store: &Store) {
    let log = store.check_log(None, None).await.unwrap();
    assert!(log.problems.is_empty(), "{:?}", log.problems);
    let views = store.check_views().await.unwrap();
    assert!(views.is_empty(), "{views:?}");
    let (_, photos) = store.check_photos().await.unwrap();
    assert!(photos.is_empty(), "{photos:?}");
}

/// The photos of the kill -9 test: 120 tables, some photographed twice, some unreadable.
fn render_corpus(dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for i in 0..150u32 {
        let table = i % 120;
        let payload = format!(
            "{:09}.{:02}.1.0001!{},3,1,0,1,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,3,{},0,1!{}!0",
            10_101_001 + (table / 4) * 1000,
            1 + table % 4,
            50 + table % 37,
            100 + table % 53,
            table % 3
        );
        let kind = DegradationKind::ALL[i as usize % DegradationKind::ALL.len()];
        let path = dir.join(format!("p{i:03}.jpg"));
        std::fs::write(
            &path,
            render_acta(
                &payload,
                u64::from(i),
                Degradation::of_kind(kind, u64::from(i)),
            ),
        )
        .unwrap();
        paths.push(path);
    }
    paths
}

/// Ingests every photo of `photos` into the store in `data`, in batches of 8, on two
/// threads, as `actas ingest` does.
async fn ingest_all(data: &Path, photos: &[PathBuf]) {
    let store = store_in(data).await;
    let intake = Arc::new(Intake::open(store, Limits::default()).await.unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let photos = photos.to_vec();
    let reader = {
        let intake = intake.clone();
        std::thread::spawn(move || {
            for path in photos {
                let read = intake.read(std::fs::read(&path).unwrap(), &Origin::file(&path));
                if tx.blocking_send(((), read)).is_err() {
                    return;
                }
            }
        })
    };
    let batching = Batching {
        photos: 8,
        ..Batching::default()
    };
    intake
        .record_stream(&mut rx, batching, |_| {})
        .await
        .unwrap();
    reader.join().unwrap();
}

const CHILD: &str = "ACTAS_INTAKE_KILL_CHILD";

/// Run as a child process by the kill -9 test; does nothing otherwise.
#[tokio::test]
async fn kill_9_child() {
    let (Ok(data), Ok(photos)) = (std::env::var(CHILD), std::env::var("ACTAS_INTAKE_PHOTOS"))
    else {
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(photos)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    ingest_all(Path::new(&data), &paths).await;
}

async fn centre_results(store: &Store) -> String {
    store
        .results(actas_core::Level::Centre, None)
        .await
        .unwrap()
        .to_json()
}

#[tokio::test]
async fn kill_9_at_any_point_then_resume_equals_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let paths = render_corpus(&photos);
    let reference = dir.path().join("reference");
    ingest_all(&reference, &paths).await;
    let store = store_in(&reference).await;
    let expected = centre_results(&store).await;
    let expected_review = store.review_queue().await.unwrap().len();
    assert_eq!(store.images().await.unwrap().len(), 150);

    let mut killed_midway = 0;
    for (i, delay) in [100u64, 400, 900, 1600].into_iter().enumerate() {
        let data = dir.path().join(format!("run{i}"));
        store_in(&data).await;
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "kill_9_child", "--nocapture"])
            .env(CHILD, &data)
            .env("ACTAS_INTAKE_PHOTOS", &photos)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();

        // Whatever was acknowledged is whole: every record's original is stored, the log and
        // the views agree with the records.
        let store = store_in(&data).await;
        let stored = store.images().await.unwrap().len();
        if stored > 0 && stored < 150 {
            killed_midway += 1;
        }
        assert_clean(&store).await;
        ingest_all(&data, &paths).await;
        let store = store_in(&data).await;
        assert_eq!(
            centre_results(&store).await,
            expected,
            "run {i}: crash + resume differs from one uninterrupted run"
        );
        assert_eq!(store.review_queue().await.unwrap().len(), expected_review);
        assert_eq!(store.images().await.unwrap().len(), 150);
        assert_clean(&store).await;
    }
    eprintln!("runs killed in the middle of the ingest: {killed_midway} of 4");
}
