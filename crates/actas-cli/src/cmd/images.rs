//! `actas images ...`: the acta photos results files link to.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use actas_intake::{Batching, FetchOptions, Fetcher, Intake, Limits, Origin, Read, Refusal};
use anyhow::{Result, bail};

use crate::context;
use crate::output::{Format, Listing};

#[derive(clap::Subcommand)]
pub enum Images {
    /// Download the acta photos that imported results files link to, and ingest them.
    ///
    /// Every photo a row links to (the URL column of the real 2024 file) and that is not stored
    /// yet is downloaded, checked to be an image, stored by its SHA-256, recorded in the log
    /// and its QR code read like `actas ingest` does: a photo whose code agrees with its row is
    /// consolidated, one that disagrees is a conflict, one without a readable code waits for
    /// review. Politely: at most --rate requests a second over all --concurrency connections,
    /// retrying timeouts and server errors with back-off. Resumable: run it again and only what
    /// is missing is fetched.
    ///
    /// Example: actas images fetch --concurrency 4 --rate 8
    Fetch(FetchArgs),
    /// List the photos results files link to, and whether each is stored.
    ///
    /// Example: actas images list --format csv > links.csv
    List {
        /// table, json (an array of {table, url, record, stored}) or csv.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(clap::Args)]
pub struct FetchArgs {
    /// Downloads at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Requests per second at most, over all downloads.
    #[arg(long, default_value_t = 8.0)]
    rate: f64,
    /// Attempts after a timeout or a server error, waiting twice as long each time.
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// Seconds a download may take.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

pub async fn run(data: &Path, cmd: Images) -> Result<ExitCode> {
    match cmd {
        Images::Fetch(args) => fetch(data, args).await,
        Images::List { format } => list(data, format).await,
    }
}

async fn list(data: &Path, format: Format) -> Result<ExitCode> {
    let store = context::open(data).await?;
    let linked = store.referenced_images().await?;
    store.close().await;
    let mut listing = Listing::new(&["table", "stored", "record", "url"]);
    for r in &linked {
        listing.push(
            vec![
                r.table.to_string(),
                if r.fetched { "yes" } else { "no" }.into(),
                r.seq.to_string(),
                r.url.clone(),
            ],
            serde_json::json!({"table": r.table.to_string(), "url": r.url, "record": r.seq,
                               "stored": r.fetched}),
        );
    }
    let stored = linked.iter().filter(|r| r.fetched).count();
    print!(
        "{}",
        listing.render(
            format,
            &format!(
                "{} linked photos, {stored} stored, {} to fetch (`actas images fetch`)",
                linked.len(),
                linked.len() - stored
            )
        )
    );
    Ok(ExitCode::SUCCESS)
}

async fn fetch(data: &Path, args: FetchArgs) -> Result<ExitCode> {
    if args.concurrency == 0 || args.rate.is_nan() || args.rate <= 0.0 {
        bail!("--concurrency and --rate must be above 0");
    }
    let store = Arc::new(context::open(data).await?);
    let mut urls: Vec<String> = store
        .referenced_images()
        .await?
        .into_iter()
        .filter(|r| !r.fetched)
        .map(|r| r.url)
        .collect();
    urls.sort();
    urls.dedup();
    if urls.is_empty() {
        println!("nothing to fetch: every linked photo is stored (`actas images list`)");
        return Ok(ExitCode::SUCCESS);
    }
    let intake = Arc::new(Intake::open(store.clone(), Limits::default()).await?);
    let fetcher = Arc::new(Fetcher::new(
        FetchOptions {
            per_second: args.rate,
            retries: args.retries,
            timeout: Duration::from_secs(args.timeout),
            ..FetchOptions::default()
        },
        *intake.limits(),
    ));
    let n = urls.len();
    let (total, failed) = super::ingest::record_all(
        intake.clone(),
        urls,
        args.concurrency,
        Batching::default(),
        "fetching",
        String::clone,
        move |intake: &Intake, url: &String| match fetcher.fetch(url) {
            Ok(bytes) => intake.read(bytes, &Origin::Url { url: url.clone() }),
            Err(e) => Read::Refused(Refusal::Fetch(e)),
        },
    )
    .await?;
    println!(
        "{n} links: {} photos stored, {} already stored",
        total.photos, total.seen
    );
    println!(
        "  {} new tables, {} agree with their row, {} conflicts, {} unreadable, {} invalid",
        total.new_tables, total.consolidated, total.conflicts, total.unreadable, total.invalid
    );
    if !total.conflicting_tables.is_empty() {
        println!(
            "  photos whose code differs from their row (see `actas conflicts`): {}",
            total.conflicting_tables.join(", ")
        );
    }
    for f in &failed {
        eprintln!("not fetched: {f}");
    }
    if !failed.is_empty() {
        eprintln!(
            "{} links could not be fetched; run `actas images fetch` again to retry them",
            failed.len()
        );
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
