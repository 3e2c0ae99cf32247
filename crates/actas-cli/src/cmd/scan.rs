use std::path::{Path, PathBuf};
use std::process::ExitCode;

use actas_core::validate::{self, Severity};
use actas_core::{Election, TableResult};
use actas_scan::{ScanOutcome, ScanStatus};
use anyhow::Result;
use serde_json::{Value, json};

use crate::context;
use crate::output::{Format, Listing};

/// Read the QR code of acta photos and check what it says, without storing anything.
///
/// Prints one line per file: the table and main counts, or why the image is unreadable or
/// its code is not a valid acta. With --json, one JSON object per line:
/// {"file", "sha256", "status": "read"|"unreadable", "payload", "acta_id", "tally",
/// "problems"}. Any QR that decodes is printed as its raw text, even when it is not an acta.
/// JPEG and PNG; files are scanned in parallel on every core.
#[derive(clap::Args)]
pub struct Args {
    /// Image files (JPEG or PNG).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// table: one line a file; json: an array of {file, sha256, status, valid, payload,
    /// acta_id, tally, problems}; csv: file, sha256, status, valid, acta_id, payload, problems.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// The output before --format, kept for scripts: one JSON object per line.
    #[arg(long, conflicts_with = "format", hide = true)]
    json: bool,
    /// Election to read payloads against when DATA holds no store: ve2024 or a JSON file.
    #[arg(long, default_value = "ve2024")]
    election: String,
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    let election = match context::open(data).await {
        Ok(store) => {
            let e = store.election().clone();
            store.close().await;
            e
        }
        Err(_) => super::init::load_election(&args.election)?,
    };
    let bar = context::bar(args.files.len() as u64, "scanning");
    let limits = actas_intake::Limits::default();
    let read = |path: &Path| actas_intake::read_file(path, &limits).map_err(std::io::Error::other);
    let outcomes = actas_scan::scan_many_with(&args.files, 0, read, |done, _| {
        bar.set_position(done as u64)
    });
    bar.finish_and_clear();
    let mut failures = 0;
    let mut listing = Listing::new(&[
        "file", "sha256", "status", "valid", "acta_id", "payload", "problems",
    ]);
    let mut lines = Vec::new();
    for (path, outcome) in args.files.iter().zip(outcomes) {
        let line = match outcome {
            Ok(o) => describe(&election, path, &o),
            Err(e) => {
                failures += 1;
                json!({"file": path.display().to_string(), "status": "error",
                       "problems": [format!("cannot read the file: {e}")]})
            }
        };
        let text = |k: &str| match &line[k] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let problems: Vec<&str> = line["problems"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        listing.push(
            vec![
                text("file"),
                text("sha256"),
                text("status"),
                text("valid"),
                text("acta_id"),
                text("payload"),
                problems.join("; "),
            ],
            &line,
        );
        lines.push(line);
    }
    match (args.json, args.format) {
        (true, _) => lines.iter().for_each(|l| println!("{l}")),
        (false, Format::Table) => lines.iter().for_each(|l| println!("{}", as_text(l))),
        (false, format) => print!("{}", listing.render(format, "")),
    }
    Ok(if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn tally_json(election: &Election, r: &TableResult) -> Value {
    let votes: serde_json::Map<String, Value> = election
        .candidate_ids()
        .zip(&r.votes)
        .map(|(id, v)| (id.to_string(), json!(v)))
        .collect();
    json!({"table": r.table.to_string(), "valid": r.valid, "null": r.null, "blank": r.blank,
           "votes": votes, "cards": r.cards})
}

/// The JSON line for one scanned file.
pub fn describe(election: &Election, path: &Path, o: &ScanOutcome) -> Value {
    let file = path.display().to_string();
    match &o.status {
        ScanStatus::Unreadable { reason } => json!({
            "file": file, "sha256": o.sha256, "status": "unreadable",
            "problems": [reason.to_string()]
        }),
        ScanStatus::Read { payload } => {
            let (parsed, problems) = validate::check_payload(election, payload, None);
            let acta_id = parsed.as_ref().map(|p| p.acta_id.to_string());
            let tally = parsed
                .as_ref()
                .map(|p| tally_json(election, &p.to_result(election)));
            let valid = !problems.iter().any(|p| p.severity == Severity::Reject);
            json!({
                "file": file, "sha256": o.sha256, "status": "read", "valid": valid,
                "payload": payload, "acta_id": acta_id, "tally": tally,
                "problems": problems.iter().map(|p| format!("{}: {}", p.rule, p.message)).collect::<Vec<_>>()
            })
        }
    }
}

fn as_text(v: &Value) -> String {
    let file = v["file"].as_str().unwrap_or("?");
    let problems: Vec<&str> = v["problems"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    match v["status"].as_str() {
        Some("read") if v["tally"].is_object() => {
            let t = &v["tally"];
            let mut top: Vec<(&String, u64)> = t["votes"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, x)| (k, x.as_u64().unwrap_or(0)))
                        .collect()
                })
                .unwrap_or_default();
            top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            let top: Vec<String> = top
                .iter()
                .take(2)
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            format!(
                "{file}: read {} ({}, valid {}, null {}){}",
                v["acta_id"].as_str().unwrap_or("?"),
                top.join(", "),
                t["valid"],
                t["null"],
                if problems.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", problems.join("; "))
                }
            )
        }
        Some("read") => format!(
            "{file}: QR read but not an acta: {} — payload {:?}",
            problems.join("; "),
            v["payload"].as_str().unwrap_or("")
        ),
        _ => format!("{file}: {}", problems.join("; ")),
    }
}
