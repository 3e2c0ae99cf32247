//! `actas audit`: who did what, when, from the log's records.

use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use actas_store::AuditFilter;
use anyhow::{Result, anyhow};

use crate::context;
use crate::output::{self, Format, Listing};

/// Who did what, when: every record made by a person, oldest first.
///
/// Account changes (by "operator", the command line, or an admin), uploads by witnesses, blind
/// entries, their reveals and decisions by reviewers, and citizens' reports (anonymous: no
/// "by"). Each line is one record of the log: record (its log index), at (UTC), by, kind,
/// table, what. Imports and ingests from the command line are made by no account and are not
/// listed.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Only what this account did (a name from `actas users list`, or "operator").
    #[arg(long, value_name = "NAME")]
    who: Option<String>,
    /// Only records at or after this time, UTC: 2024-07-29, 2024-07-29T18:00:00Z,
    /// "2024-07-29 18:00:00", or a time ago (90m, 2h, 1day).
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Only records about this table (its versions, decisions and reports): a table id
    /// (010113042.01) or an acta id.
    #[arg(long, value_name = "ID")]
    table: Option<String>,
    /// table, json (an array of {record, at, by, kind, table, what}) or csv.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

const EXAMPLES: &str = "Examples:
  actas audit
  actas audit --who rev-01 --since 2h
  actas audit --table 010113042.01 --format json
  actas audit --since 2024-07-29 --format csv";

/// A `--since` value as the RFC 3339 UTC time records carry.
fn since(text: &str, now: SystemTime) -> Result<String> {
    let t = text.trim();
    let time = if let Ok(ago) = humantime::parse_duration(t) {
        now.checked_sub(ago)
            .ok_or_else(|| anyhow!("--since {text:?}: too long ago"))?
    } else {
        let full = if t.len() == 10 {
            format!("{t}T00:00:00Z")
        } else {
            t.to_string()
        };
        humantime::parse_rfc3339_weak(&full).map_err(|_| {
            anyhow!(
                "--since {text:?}: expected a UTC time (2024-07-29, 2024-07-29T18:00:00Z, \
                 \"2024-07-29 18:00:00\") or a time ago (90m, 2h, 1day)"
            )
        })?
    };
    Ok(humantime::format_rfc3339_seconds(time).to_string())
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    let filter = AuditFilter {
        who: args.who,
        since: args
            .since
            .as_deref()
            .map(|s| since(s, SystemTime::now()))
            .transpose()?,
        table: args
            .table
            .as_deref()
            .map(|t| context::table_arg("--table", t))
            .transpose()?,
    };
    let store = context::open(data).await?;
    let entries = store.audit(&filter).await?;
    store.close().await;
    let mut listing = Listing::new(&["record", "at", "by", "kind", "table", "what"]);
    for e in &entries {
        listing.push(
            vec![
                e.seq.to_string(),
                e.at.clone(),
                e.by.clone().unwrap_or_default(),
                e.kind.to_string(),
                e.table.clone().unwrap_or_default(),
                e.what.clone(),
            ],
            serde_json::json!({
                "record": e.seq, "at": e.at, "by": e.by, "kind": e.kind, "table": e.table,
                "what": e.what,
            }),
        );
    }
    let n = listing.len();
    print!(
        "{}",
        listing.render(args.format, &output::count(n, "record", "records"))
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_dates_times_and_durations() {
        let now = humantime::parse_rfc3339("2024-07-29T18:00:00Z").unwrap();
        assert_eq!(since("2024-07-28", now).unwrap(), "2024-07-28T00:00:00Z");
        assert_eq!(
            since("2024-07-28 06:30:00", now).unwrap(),
            "2024-07-28T06:30:00Z"
        );
        assert_eq!(since("2h", now).unwrap(), "2024-07-29T16:00:00Z");
        assert_eq!(since("1day", now).unwrap(), "2024-07-28T18:00:00Z");
        assert!(since("yesterday", now).is_err());
    }
}
