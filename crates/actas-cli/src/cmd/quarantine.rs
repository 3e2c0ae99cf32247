use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::context;
use crate::output::{Format, Listing, count};

#[derive(clap::Subcommand)]
pub enum Quarantine {
    /// List the rows set aside by `import --quarantine`, with file, line, reason and the row
    /// as written.
    ///
    /// Example: actas quarantine list --format csv > set-aside.csv
    List {
        /// table, json (an array of {file, line, reason, raw}) or csv.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// The output before --format, kept for scripts: one JSON object per line.
        #[arg(long, conflicts_with = "format", hide = true)]
        json: bool,
    },
}

/// List tables with more than one version: every version is kept, and the counted one (the
/// first accepted, unless a reviewer chose another) comes first.
///
/// Example: actas conflicts --format json
#[derive(clap::Args)]
pub struct ConflictsArgs {
    /// table, json (an array of {table, records}) or csv.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub async fn run(data: &Path, q: Quarantine) -> Result<ExitCode> {
    let store = context::open(data).await?;
    let Quarantine::List { format, json } = q;
    let rows = store.quarantine().await?;
    store.close().await;
    if json {
        for r in &rows {
            println!(
                "{}",
                serde_json::json!({"file": r.file, "line": r.line, "reason": r.reason, "raw": r.raw})
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut listing = Listing::new(&["file", "line", "reason", "raw"]);
    for r in &rows {
        listing.push(
            vec![
                r.file.clone(),
                r.line.to_string(),
                r.reason.clone(),
                r.raw.clone(),
            ],
            serde_json::json!({"file": r.file, "line": r.line, "reason": r.reason, "raw": r.raw}),
        );
    }
    print!(
        "{}",
        listing.render(
            format,
            &count(rows.len(), "quarantined row", "quarantined rows")
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn conflicts(data: &Path, args: ConflictsArgs) -> Result<ExitCode> {
    let store = context::open(data).await?;
    let conflicts = store.conflicts().await?;
    store.close().await;
    let closing = format!("{} tables with conflicting versions", conflicts.len());
    if args.format == Format::Table {
        // One line a table, as scripts of earlier versions read it.
        for (table, seqs) in &conflicts {
            let list: Vec<String> = seqs.iter().map(u64::to_string).collect();
            println!("{table}: records {} (first counted)", list.join(", "));
        }
        println!("{closing}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut listing = Listing::new(&["table", "records"]);
    for (table, seqs) in &conflicts {
        let list: Vec<String> = seqs.iter().map(u64::to_string).collect();
        listing.push(
            vec![table.clone(), list.join(" ")],
            serde_json::json!({"table": table, "records": seqs}),
        );
    }
    print!("{}", listing.render(args.format, &closing));
    Ok(ExitCode::SUCCESS)
}
