use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::context;

#[derive(clap::Subcommand)]
pub enum Quarantine {
    /// List the rows set aside by `import --quarantine`, with file, line and reason.
    List {
        /// Print JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// List tables with more than one version (every version is kept; the first is counted).
#[derive(clap::Args)]
pub struct ConflictsArgs {}

pub async fn run(data: &Path, q: Quarantine) -> Result<ExitCode> {
    let store = context::open(data).await?;
    let Quarantine::List { json } = q;
    let rows = store.quarantine().await?;
    for r in &rows {
        if json {
            println!(
                "{}",
                serde_json::json!({"file": r.file, "line": r.line, "reason": r.reason, "raw": r.raw})
            );
        } else {
            println!("{}:{}: {}\n    {}", r.file, r.line, r.reason, r.raw);
        }
    }
    if !json {
        println!("{} quarantined rows", rows.len());
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn conflicts(data: &Path, _args: ConflictsArgs) -> Result<ExitCode> {
    let store = context::open(data).await?;
    let conflicts = store.conflicts().await?;
    for (table, seqs) in &conflicts {
        let list: Vec<String> = seqs.iter().map(u64::to_string).collect();
        println!("{table}: records {} (first counted)", list.join(", "));
    }
    println!("{} tables with conflicting versions", conflicts.len());
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
