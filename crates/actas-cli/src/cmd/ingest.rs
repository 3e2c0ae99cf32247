use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use actas_intake::{Batching, Intake, Limits, Origin, Read, read_file};
use actas_store::IngestSummary;
use anyhow::{Context, Result, bail};

use crate::context;

/// Ingest acta photos: scan, validate, keep the original, record the result.
///
/// PATHs are files or folders (searched recursively for .jpg, .jpeg, .png and .gif). Every distinct
/// photo is stored by its SHA-256 under DATA/blobs and recorded in the transparency log:
/// a new table is counted; another photo of a counted table with the same numbers is kept and
/// consolidated; different numbers are kept as a conflict; an unreadable or invalid photo goes
/// to the review queue (`actas review list`, then `actas review enter`). Resumable: photos already stored are skipped, so
/// an interrupted ingest can simply be run again.
#[derive(clap::Args)]
pub struct Args {
    /// Photo files, or folders searched for them.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Photos per transaction (and per log checkpoint at most).
    #[arg(long, default_value_t = 256)]
    pub(crate) batch: usize,
    /// Scanning threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub(crate) threads: usize,
}

fn is_image(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "jpg" | "jpeg" | "png" | "gif"
        )
    })
}

/// Files named on the command line are taken as they are; folders are searched for images.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("{}", p.display()))?;
        if meta.is_dir() {
            stack.push(p.clone());
        } else {
            out.push(p.clone());
        }
    }
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("reading folder {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                stack.push(e);
            } else if is_image(&e) {
                out.push(e);
            }
        }
    }
    Ok(out)
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let store = Arc::new(context::open(data).await?);
    let files = collect(&args.paths)?;
    let intake = Arc::new(Intake::open(store.clone(), Limits::default()).await?);
    let started = Instant::now();
    let n = files.len();
    let batching = Batching {
        photos: args.batch,
        ..Batching::default()
    };
    let (total, failed) = record_all(
        intake.clone(),
        files,
        args.threads,
        batching,
        "ingesting",
        |path: &PathBuf| path.display().to_string(),
        |intake: &Intake, path: &PathBuf| match read_file(path, intake.limits()) {
            Ok(bytes) => intake.read(bytes, &Origin::file(path)),
            Err(refusal) => Read::Refused(refusal),
        },
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{n} files in {secs:.1} s ({:.0}/s): {} new photos, {} already stored",
        n as f64 / secs.max(1e-9),
        total.photos,
        total.seen
    );
    println!(
        "  {} new tables, {} consolidated (same numbers as the counted version), {} conflicts, {} unreadable, {} invalid",
        total.new_tables, total.consolidated, total.conflicts, total.unreadable, total.invalid
    );
    if !total.conflicting_tables.is_empty() {
        println!(
            "  conflicting tables (see `actas conflicts`): {}",
            total.conflicting_tables.join(", ")
        );
    }
    if total.unreadable + total.invalid > 0 {
        println!("  photos waiting for review: `actas review list`");
    }
    for f in &failed {
        eprintln!("could not ingest {f}");
    }
    drop(intake);
    if let Ok(store) = Arc::try_unwrap(store) {
        store.close().await;
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads `items` on `threads` worker threads (0: one per core) with `read`, and records the
/// photos as they come, in batches, with a progress bar saying `what`. Returns the summary
/// and, for each item refused, its name and why. On an error the workers stop at their next
/// photo and nothing of the failed batch is recorded.
pub(crate) async fn record_all<T, N, R>(
    intake: Arc<Intake>,
    items: Vec<T>,
    threads: usize,
    batching: Batching,
    what: &str,
    name: N,
    read: R,
) -> Result<(IngestSummary, Vec<String>)>
where
    T: Send + Sync + 'static,
    N: Fn(&T) -> String,
    R: Fn(&Intake, &T) -> Read + Send + Sync + 'static,
{
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let bar = context::bar(items.len() as u64, what);
    let items = Arc::new(items);
    let read = Arc::new(read);
    let next = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, Read)>(batching.photos * 2);
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (tx, items, intake, next, read) = (
                tx.clone(),
                items.clone(),
                intake.clone(),
                next.clone(),
                read.clone(),
            );
            std::thread::spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if tx.blocking_send((i, read(&intake, item))).is_err() {
                        break;
                    }
                }
            })
        })
        .collect();
    drop(tx);
    let mut total = IngestSummary::default();
    let mut failed = Vec::new();
    let outcome = intake
        .record_stream(&mut rx, batching, |batch| {
            for (i, outcome) in batch {
                match outcome {
                    Ok(o) => total.add(&o),
                    Err(why) => failed.push(format!("{}: {why}", name(&items[i]))),
                }
            }
            bar.set_position(total.photos + total.seen + failed.len() as u64);
        })
        .await;
    drop(rx);
    for w in workers {
        let _ = w.join();
    }
    bar.finish_and_clear();
    outcome?;
    Ok((total, failed))
}
