use std::path::Path;
use std::process::ExitCode;

use actas_core::payload::Payload;
use actas_core::{Election, Level, TableResult, ve2024};
use actas_import::synthetic;
use actas_scan::render::{self, Ballot, Degradation, DegradationKind};
use actas_store::{DataDir, Store};
use anyhow::{Context, Result, bail};

use crate::context;

/// Run a synthetic election end to end: geography, results CSV, import, photos, results.
///
/// Generates an election on the ve2024 ballot with a geography sized like the real one
/// (30,026 tables at --scale 1) and about 82 % of the tables reported, imports it into
/// a fresh data directory and prints national and per-state results. Then renders acta
/// photos of some counted tables (DATA/demo-photos) and ingests them as `actas ingest`
/// would: most agree with the CSV and are consolidated, one shows other numbers (a
/// conflict, `actas conflicts`) and one has its QR code torn off (`actas review list`).
/// `actas serve --data DATA` then shows each photo on its acta's page.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Size relative to the real election (1.0 = 30,026 tables).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Share of tables with a result.
    #[arg(long, default_value_t = 0.82)]
    coverage: f64,
    /// Acta photos to render and ingest (0: none).
    #[arg(long, default_value_t = 40)]
    photos: usize,
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    if !(args.scale > 0.0 && args.scale <= 10.0 && (0.0..=1.0).contains(&args.coverage)) {
        bail!("--scale must be in (0, 10] and --coverage in [0, 1]");
    }
    let dir = DataDir::at(data)?;
    if data.join("actas.db").exists() || data.join("config.json").exists() {
        bail!(
            "{} already holds a store; the demo needs a fresh one: pass --data NEW_DIR",
            data.display()
        );
    }
    let election = ve2024::election();
    let synthetic = synthetic::generate(&election, args.seed, args.scale, args.coverage);
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    let mut store = Store::init(&dir.target(), &election).await?;
    // Like `actas init`: a signing key, so every import of the demo gets a signed checkpoint.
    let (signer, _) = dir.ensure_signer(&format!("actas.local/{}", election.id), false)?;
    store.set_log_signer(signer);
    println!(
        "demo: synthetic election with {} tables, {} results (seed {})",
        synthetic.tables.len(),
        synthetic.rows,
        args.seed
    );
    store
        .import_geography(synthetic.places, synthetic.tables)
        .await?;
    let csv_path = data.join("demo-results.csv");
    std::fs::write(&csv_path, &synthetic.csv)
        .with_context(|| format!("writing {}", csv_path.display()))?;
    let summary = super::import::import_csv(&store, &csv_path, "auto", false).await?;
    super::import::print_summary(&csv_path, &summary);
    let photographed: Vec<TableResult> = store
        .current_results()
        .await?
        .into_iter()
        .map(|c| c.result)
        .take(args.photos)
        .collect();
    store.close().await;
    if !photographed.is_empty() {
        let dir = data.join("demo-photos");
        render_photos(&election, &photographed, &dir, args.seed)?;
        println!(
            "\nPhotos: {} actas rendered into {}",
            photographed.len(),
            dir.display()
        );
        let ingest = super::ingest::Args {
            paths: vec![dir],
            batch: 256,
            threads: 0,
        };
        super::ingest::run(data, ingest).await?;
    }
    let store = context::open(data).await?;
    println!("\nNational results:");
    print!("{}", store.results(Level::National, None).await?.to_table());
    println!("\nResults by state:");
    print!("{}", store.results(Level::State, None).await?.to_table());
    println!(
        "\nData in {}. Next: `actas --data {} results --level municipality --within 01`, \
         `actas --data {} serve`",
        data.display(),
        data.display(),
        data.display()
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Photos of `results` in `dir`: faithful ones, the last but one with 10 votes moved from the
/// leader to the runner-up (a conflicting version), and the last cut above its QR code
/// (unreadable). Degradations cycle through the renderer's kinds.
fn render_photos(
    election: &Election,
    results: &[TableResult],
    dir: &Path,
    seed: u64,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let ballot = Ballot::new(election, &ve2024::CARD_CODES);
    let kinds = DegradationKind::ALL;
    let bar = context::bar(results.len() as u64, "rendering photos");
    for (i, result) in results.iter().enumerate() {
        let mut payload = Payload::from_result(election, result);
        if i + 2 == results.len() {
            let (a, b) = two_largest(&payload.cards);
            let moved = payload.cards[a].min(10);
            payload.cards[a] -= moved;
            payload.cards[b] += moved;
        }
        let photo_seed = seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
        let jpeg = if i + 1 == results.len() && results.len() > 1 {
            let clean = render::render_clean(ballot, &payload.encode(), photo_seed);
            render::encode_jpeg(&clean.crop(0, 0, clean.width, clean.height / 2), 85)
        } else {
            let kind = kinds[i % kinds.len()];
            render::render_acta(
                ballot,
                &payload.encode(),
                photo_seed,
                Degradation::of_kind(kind, photo_seed),
            )
        };
        let path = dir.join(format!("acta-{:03}-{}.jpg", i + 1, result.table));
        context::write_atomic(&path, &jpeg)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

/// Indices of the largest and second largest counts.
fn two_largest(cards: &[u64]) -> (usize, usize) {
    let mut order: Vec<usize> = (0..cards.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cards[i]));
    (order[0], order.get(1).copied().unwrap_or(order[0]))
}
