use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use actas_core::Source;
use actas_core::election::Bulletin;
use actas_store::BulletinAdded;
use anyhow::{Result, bail};

use crate::context;

/// Official bulletins: the totals the authority announced, to compare with the actas.
#[derive(clap::Subcommand)]
pub enum Official {
    /// Record an official bulletin announced after the election was defined
    ///
    /// The bulletin becomes a permanent record of the store (and an entry of its transparency
    /// log); `actas report` compares it with the actas. Give the figures as the authority
    /// published them, even when they do not add up: the report shows such disagreements.
    ///
    /// The format, with the figures of the first 2024 bulletin:
    ///
    ///   actas official add --name "CNE boletín 1" --date 2024-07-29 \
    ///     --votes NM=5150092,EG=4445978 --others 462704 --tables-fraction 0.8
    #[command(verbatim_doc_comment)]
    Add(AddArgs),
    /// List the bulletins: the election definition's and those added later.
    List(ListArgs),
}

#[derive(clap::Args)]
pub struct AddArgs {
    /// The bulletin's title, unique in this election (e.g. "CNE boletín 3").
    #[arg(long)]
    name: String,
    /// Date of the announcement, YYYY-MM-DD.
    #[arg(long)]
    date: String,
    /// Votes per candidate id, comma-separated, without thousands separators:
    /// NM=6408844,EG=5326104. Candidates the bulletin groups together may be left out.
    #[arg(long, value_name = "ID=N,...", value_parser = parse_votes)]
    votes: Votes,
    /// Votes the bulletin gives to all other candidates together.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    others: Option<u64>,
    /// Valid votes.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    valid: Option<u64>,
    /// Null votes.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    null: Option<u64>,
    /// Voters (ballots cast).
    #[arg(long, value_name = "N", value_parser = parse_count)]
    voters: Option<u64>,
    /// Registered voters.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    registered: Option<u64>,
    /// Share of the tables the bulletin said it covered: 0.8 for "80 % of the actas".
    #[arg(long, value_name = "SHARE", value_parser = parse_fraction)]
    tables_fraction: Option<f64>,
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// table or json.
    #[arg(long, default_value = "table")]
    format: String,
}

/// Votes per candidate id, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Votes(BTreeMap<String, u64>);

/// A whole number of votes. Thousands separators are refused rather than guessed: "1.234" is
/// 1234 in a Spanish bulletin and 1.234 elsewhere.
fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty; expected a whole number".into());
    }
    if t.bytes()
        .all(|b| b.is_ascii_digit() || b"., _'".contains(&b))
        && t.bytes().any(|b| b.is_ascii_digit())
        && !t.bytes().all(|b| b.is_ascii_digit())
    {
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        return Err(format!(
            "write whole numbers without separators, e.g. {digits}"
        ));
    }
    t.parse::<u64>()
        .map_err(|_| "not a whole number of votes (digits only, e.g. 5326104)".to_string())
}

fn parse_votes(s: &str) -> Result<Votes, String> {
    let mut votes = BTreeMap::new();
    for entry in s.split(',') {
        let entry = entry.trim();
        if entry.is_empty() {
            return Err("an empty entry; write ID=N pairs separated by single commas".into());
        }
        let Some((id, n)) = entry.split_once('=') else {
            return Err(format!(
                "{entry:?} is not ID=N (a candidate id, '=', its votes), e.g. EG=5326104"
            ));
        };
        let id = id.trim();
        if id.is_empty() {
            return Err(format!("{entry:?}: the candidate id before '=' is missing"));
        }
        let n = parse_count(n).map_err(|e| format!("{id}: {e}"))?;
        if votes.insert(id.to_string(), n).is_some() {
            return Err(format!(
                "candidate {id} appears twice; give each candidate once"
            ));
        }
    }
    Ok(Votes(votes))
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    let f: f64 = s
        .trim()
        .parse()
        .map_err(|_| "not a number; expected a share such as 0.8".to_string())?;
    if f > 1.0 && f <= 100.0 {
        return Err(format!(
            "a share between 0 and 1 is expected; for {f} % write {}",
            f / 100.0
        ));
    }
    Ok(f)
}

pub async fn run(data: &Path, cmd: Official) -> Result<ExitCode> {
    match cmd {
        Official::Add(a) => add(data, a).await,
        Official::List(a) => list(data, a).await,
    }
}

async fn add(data: &Path, a: AddArgs) -> Result<ExitCode> {
    let bulletin = Bulletin {
        name: a.name.trim().to_string(),
        date: a.date.trim().to_string(),
        votes: a.votes.0,
        others: a.others,
        valid: a.valid,
        null: a.null,
        voters: a.voters,
        registered: a.registered,
        tables_fraction: a.tables_fraction,
    };
    let store = context::open(data).await?;
    let notes = bulletin.inconsistencies(store.election());
    let source = Source {
        kind: "manual".into(),
        file: None,
        line: None,
        sha256: None,
        by: None,
    };
    let outcome = store.add_bulletin(bulletin.clone(), source).await;
    store.close().await;
    match outcome? {
        BulletinAdded::New(seq) => {
            println!(
                "recorded bulletin {:?} ({}) as record {seq}; `actas report` compares it with the actas",
                bulletin.name, bulletin.date
            );
            for n in &notes {
                eprintln!("note: {n} (recorded as stated; the report shows it)");
            }
        }
        BulletinAdded::AlreadyRecorded(seq) => {
            println!(
                "bulletin {:?} is already recorded{}, with the same figures: nothing changed",
                bulletin.name,
                if seq == 0 {
                    " in the election definition".to_string()
                } else {
                    format!(" as record {seq}")
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(data: &Path, a: ListArgs) -> Result<ExitCode> {
    if a.format != "table" && a.format != "json" {
        bail!("--format {:?}: expected table or json", a.format);
    }
    let store = context::open(data).await?;
    let bulletins = store.bulletins().await?;
    let election = store.election().clone();
    store.close().await;
    if a.format == "json" {
        let rows: Vec<serde_json::Value> = bulletins
            .iter()
            .map(|b| serde_json::json!({ "seq": b.seq, "bulletin": b.bulletin }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    if bulletins.is_empty() {
        println!("no bulletins; add one with `actas official add`");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<7} {:<10}  {:<24} {:>8}  votes",
        "record", "date", "name", "tables"
    );
    for b in &bulletins {
        let v = &b.bulletin;
        // Candidates in the election's order, so lists of several bulletins line up.
        let mut parts: Vec<String> = election
            .candidate_ids()
            .filter_map(|id| v.votes.get(id).map(|n| format!("{id} {n}")))
            .collect();
        if let Some(o) = v.others {
            parts.push(format!("others {o}"));
        }
        for (label, x) in [
            ("valid", v.valid),
            ("null", v.null),
            ("voters", v.voters),
            ("registered", v.registered),
        ] {
            if let Some(x) = x {
                parts.push(format!("{label} {x}"));
            }
        }
        let record = if b.seq == 0 {
            "def".to_string()
        } else {
            b.seq.to_string()
        };
        let tables = v
            .tables_fraction
            .map(|f| format!("{:.2} %", 100.0 * f))
            .unwrap_or_else(|| "-".into());
        println!(
            "{record:<7} {:<10}  {:<24} {tables:>8}  {}",
            v.date,
            v.name,
            parts.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn votes(pairs: &[(&str, u64)]) -> Votes {
        Votes(pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect())
    }

    #[test]
    fn votes_are_id_equals_count_pairs() {
        assert_eq!(
            parse_votes("NM=6408844,EG=5326104").unwrap(),
            votes(&[("NM", 6_408_844), ("EG", 5_326_104)])
        );
        assert_eq!(
            parse_votes(" EG = 7 , NM=0 ").unwrap(),
            votes(&[("EG", 7), ("NM", 0)])
        );
    }

    #[test]
    fn a_candidate_given_twice_is_refused() {
        let e = parse_votes("EG=1,NM=2,EG=3").unwrap_err();
        assert!(e.contains("candidate EG appears twice"), "{e}");
    }

    #[test]
    fn entries_without_an_id_or_a_count_are_refused() {
        for (bad, says) in [
            ("EG", "is not ID=N"),
            ("EG=1,,NM=2", "empty entry"),
            ("EG=1,", "empty entry"),
            ("=5", "candidate id before '=' is missing"),
            ("EG=", "EG: empty"),
        ] {
            let e = parse_votes(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn counts_are_whole_numbers_named_by_candidate() {
        let e = parse_votes("EG=abc").unwrap_err();
        assert!(e.starts_with("EG: not a whole number"), "{e}");
        for bad in ["-5", "1e6", "3.5x", "0x10"] {
            assert!(parse_count(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_count(" 42 "), Ok(42));
    }

    #[test]
    fn thousands_separators_are_refused_with_the_plain_number() {
        for bad in ["5.326.104", "5,326,104", "5 326 104", "5_326_104"] {
            let e = parse_count(bad).unwrap_err();
            assert!(e.contains("e.g. 5326104"), "{bad}: {e}");
        }
        let e = parse_votes("EG=5.326.104").unwrap_err();
        assert!(
            e.starts_with("EG: write whole numbers without separators"),
            "{e}"
        );
    }

    #[test]
    fn table_fractions_are_shares_not_percentages() {
        assert_eq!(parse_fraction("0.8"), Ok(0.8));
        let e = parse_fraction("80").unwrap_err();
        assert!(e.contains("for 80 % write 0.8"), "{e}");
        assert!(parse_fraction("ochenta").is_err());
        // Out-of-range shares are the core rule's to refuse (`Bulletin::check`).
        assert_eq!(parse_fraction("0"), Ok(0.0));
    }
}
