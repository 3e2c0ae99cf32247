use std::path::Path;
use std::process::ExitCode;

use actas_core::Level;
use anyhow::{Result, anyhow};

use crate::context;

/// Results with coverage at one level of the geography.
///
/// Each row: code, name, tables counted and expected, registered voters of the counted
/// tables, valid and null votes, votes and share per candidate, coverage.
#[derive(clap::Args)]
pub struct Args {
    /// national, state, municipality, parish or centre.
    #[arg(long, default_value = "national")]
    level: String,
    /// Only places inside this one (a code prefix: "01", "0101", ...).
    #[arg(long)]
    within: Option<String>,
    /// table, csv or json.
    #[arg(long, default_value = "table")]
    format: String,
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    let level = Level::parse(&args.level).ok_or_else(|| {
        anyhow!(
            "--level {:?}: expected national, state, municipality, parish or centre",
            args.level
        )
    })?;
    if let Some(w) = &args.within
        && (w.is_empty() || w.len() > 9 || !w.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(anyhow!(
            "--within {w:?}: expected a place code of 2 to 9 digits"
        ));
    }
    let store = context::open(data).await?;
    let results = store.results(level, args.within.as_deref()).await?;
    let out = match args.format.as_str() {
        "table" => results.to_table(),
        "csv" => results.to_csv(),
        "json" => results.to_json() + "\n",
        other => return Err(anyhow!("--format {other:?}: expected table, csv or json")),
    };
    print!("{out}");
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
