use std::path::Path;
use std::process::ExitCode;

use actas_core::{Level, ve2024};
use actas_import::synthetic;
use actas_store::Store;
use anyhow::{Context, Result, bail};

use crate::context;

/// Run a synthetic election end to end: geography, results CSV, import, results.
///
/// Generates an election on the ve2024 ballot with a geography sized like the real one
/// (30,026 tables at --scale 1) and about 82 % of the tables reported, imports it into
/// a fresh data directory and prints national and per-state results.
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
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    if !(args.scale > 0.0 && args.scale <= 10.0 && (0.0..=1.0).contains(&args.coverage)) {
        bail!("--scale must be in (0, 10] and --coverage in [0, 1]");
    }
    if data.join("actas.db").exists() || context::config_path(data).exists() {
        bail!(
            "{} already holds a store; the demo needs a fresh one: pass --data NEW_DIR",
            data.display()
        );
    }
    let election = ve2024::election();
    let synthetic = synthetic::generate(&election, args.seed, args.scale, args.coverage);
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    let mut store = Store::init(&context::target(data, &Default::default()), &election).await?;
    // Like `actas init`: a signing key, so every import of the demo gets a signed checkpoint.
    let (signer, _) = super::log::ensure_key(data, &format!("actas.local/{}", election.id), false)?;
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
    println!("\nNational results:");
    print!("{}", store.results(Level::National, None).await?.to_table());
    println!("\nResults by state:");
    print!("{}", store.results(Level::State, None).await?.to_table());
    println!(
        "\nData in {}. Next: `actas --data {} results --level municipality --within 01`",
        data.display(),
        data.display()
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
