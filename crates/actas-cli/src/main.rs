//! `actas`: collect, verify, prove and publish electoral tally sheets.
//! This crate only parses arguments, reads files, runs threads, shows progress and prints;
//! it holds no rule: every rule lives in a library crate.

mod cmd;
mod context;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "actas",
    version,
    about = "Collect, verify, prove and publish electoral tally sheets (actas)",
    long_about = "Collect, verify, prove and publish electoral tally sheets (actas).\n\n\
        Typical session:\n  \
        actas init                                   # new data directory, ve2024 election\n  \
        actas import geo ../shared/data/ve2024/geo   # names and sizes of places (optional)\n  \
        actas import csv resultados.csv              # per-table results\n  \
        actas results --level state                  # results with coverage\n\n\
        Try `actas demo` for a synthetic election end to end."
)]
struct Cli {
    /// Data directory (SQLite database, configuration, keys).
    #[arg(long, global = true, env = "ACTAS_DATA", default_value = "actas-data")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Init(cmd::init::Args),
    /// Import per-table results (a CSV file) or a geography (a folder of CSV files).
    #[command(subcommand)]
    Import(cmd::import::Import),
    Results(cmd::results::Args),
    /// The rows `import csv --quarantine` set aside, with file, line and reason.
    #[command(subcommand)]
    Quarantine(cmd::quarantine::Quarantine),
    Conflicts(cmd::quarantine::ConflictsArgs),
    Verify(cmd::verify::Args),
    Report(cmd::report::Args),
    #[command(subcommand)]
    Official(cmd::official::Official),
    /// The transparency log: its verifier key, checkpoints, a static export, inclusion proofs.
    #[command(subcommand)]
    Log(cmd::log::Log),
    Scan(cmd::scan::Args),
    Ingest(cmd::ingest::Args),
    /// The review queue: photos to transcribe (blind double entry), tables to decide.
    #[command(subcommand)]
    Review(cmd::review::Review),
    /// Accounts of witnesses, reviewers and admins: add (prints a token once), list, revoke.
    #[command(subcommand)]
    Users(cmd::users::Users),
    Audit(cmd::audit::Args),
    Demo(cmd::demo::Args),
    Serve(cmd::serve::Args),
    /// The cédula -> table index the site's search uses: import a registry or generate one.
    #[command(subcommand)]
    Registry(cmd::registry::Registry),
    /// The acta photos results files link to: fetch them, list them.
    #[command(subcommand)]
    Images(cmd::images::Images),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Init(a) => cmd::init::run(&cli.data, a).await,
            Command::Import(i) => cmd::import::run(&cli.data, i).await,
            Command::Results(a) => cmd::results::run(&cli.data, a).await,
            Command::Quarantine(q) => cmd::quarantine::run(&cli.data, q).await,
            Command::Conflicts(a) => cmd::quarantine::conflicts(&cli.data, a).await,
            Command::Verify(a) => cmd::verify::run(&cli.data, a).await,
            Command::Report(a) => cmd::report::run(&cli.data, a).await,
            Command::Official(o) => cmd::official::run(&cli.data, o).await,
            Command::Log(l) => cmd::log::run(&cli.data, l).await,
            Command::Scan(a) => cmd::scan::run(&cli.data, a).await,
            Command::Ingest(a) => cmd::ingest::run(&cli.data, a).await,
            Command::Review(r) => cmd::review::run(&cli.data, r).await,
            Command::Users(u) => cmd::users::run(&cli.data, u).await,
            Command::Audit(a) => cmd::audit::run(&cli.data, a).await,
            Command::Demo(a) => cmd::demo::run(&cli.data, a).await,
            Command::Serve(a) => cmd::serve::run(&cli.data, a).await,
            Command::Registry(r) => cmd::registry::run(&cli.data, r).await,
            Command::Images(i) => cmd::images::run(&cli.data, i).await,
        }
    });
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
