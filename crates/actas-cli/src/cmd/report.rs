use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use actas_analysis::Options;
use actas_present::Lang;
use anyhow::{Context, Result, bail};

use crate::context;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Json,
}

/// The analysis report of the counted tables.
///
/// Totals and coverage; what the missing tables could change (worst cases); projections with
/// their missing-at-random assumption; every official bulletin (the election's and those added
/// with `actas official add`) against the actas, with the round-decimal test; forensics (digit
/// tests, integer percentages, fingerprints, Shpilkin) with their references and an honest
/// reading. Methods: forensics.md in the project's shared docs.
///
/// The HTML is one self-contained page (charts inline, no script); the JSON names every figure
/// by method and candidate id, so two runs can be diffed. The simulations are seeded: the same
/// data, options and seed give the same report.
#[derive(clap::Args)]
pub struct Args {
    /// html or json (default: json when --out ends in .json, html otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write here (atomically: readers never see a half-written file) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Language of the HTML report: es or en.
    #[arg(long, default_value = "es")]
    lang: Lang,
    /// Smaller simulations (seconds instead of tens of seconds) for previews; the deterministic
    /// figures are the same, the simulated ones less precise.
    #[arg(long)]
    quick: bool,
    /// Seed of the simulations.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    let format =
        args.format
            .unwrap_or_else(|| match args.out.as_deref().and_then(Path::extension) {
                Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
                _ => Format::Html,
            });
    if let Some(out) = &args.out {
        check_destination(out)?;
    }
    let store = context::open(data).await?;
    let election = store.election_with_bulletins().await?;
    let results: Vec<_> = store
        .current_results()
        .await?
        .into_iter()
        .map(|c| c.result)
        .collect();
    store.close().await;
    if results.is_empty() {
        bail!(
            "{} has no counted tables yet: import results first (`actas import csv FILE`)",
            data.display()
        );
    }

    let mut options = if args.quick {
        Options::quick()
    } else {
        Options::default()
    };
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    let spin = context::spinner(&format!(
        "analysing {} tables (simulations included)",
        results.len()
    ));
    let report = actas_analysis::report(&election, &results, &options);
    spin.finish_and_clear();
    let text = match format {
        Format::Json => actas_present::report_json(&report) + "\n",
        Format::Html => actas_present::report_html(&report, args.lang),
    };

    match &args.out {
        Some(out) => {
            context::write_atomic(out, text.as_bytes())?;
            eprintln!("wrote {} ({} bytes)", out.display(), text.len());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                .context("writing the report to stdout")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Fails before the (long) computation when the report could not be written anyway.
fn check_destination(out: &Path) -> Result<()> {
    if out.is_dir() {
        bail!(
            "--out {}: is a directory; give a file name, e.g. {}",
            out.display(),
            out.join("informe.html").display()
        );
    }
    let dir = context::parent_dir(out);
    if !dir.is_dir() {
        bail!(
            "--out {}: directory {} does not exist; create it first",
            out.display(),
            dir.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_the_file_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("informe.html");
        std::fs::write(&path, "old").unwrap();
        context::write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["informe.html"]);
    }

    #[test]
    fn a_failed_write_names_the_file_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope").join("informe.html");
        let msg = format!("{:#}", context::write_atomic(&missing, b"x").unwrap_err());
        assert!(msg.contains("informe.html"), "{msg}");
        assert!(!missing.exists());
    }

    #[test]
    fn destinations_are_checked_before_computing() {
        let dir = tempfile::tempdir().unwrap();
        let msg = check_destination(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("is a directory"), "{msg}");
        let msg = check_destination(&dir.path().join("a").join("b.json"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("does not exist; create it first"), "{msg}");
        check_destination(&dir.path().join("b.json")).unwrap();
        check_destination(Path::new("b.json")).unwrap();
    }
}
