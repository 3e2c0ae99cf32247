use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::context;

/// Check the local data directory: the derived results equal a recomputation from the records.
#[derive(clap::Args)]
pub struct Args {}

pub async fn run(data: &Path, _args: Args) -> Result<ExitCode> {
    let store = context::open(data).await?;
    let records = store.record_count().await?;
    let problems = store.check_views().await?;
    store.close().await;
    if problems.is_empty() {
        println!("ok: {records} records; stored results equal a recomputation from the records");
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            eprintln!("FAIL: {p}");
        }
        eprintln!("{} problems found", problems.len());
        Ok(ExitCode::FAILURE)
    }
}
