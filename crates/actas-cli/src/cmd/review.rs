//! `actas review ...`: the review queue on the command line, with the web review's operations.
//! Photos no machine could read get two blind entries (and a third reviewer's decision when
//! they differ); conflicting or reported tables get a decision with a reason. The store checks
//! who may do what; this module parses, looks things up and prints.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use actas_core::review::{Item, PhotoStage};
use actas_core::{Election, Record, RecordBody, TableId, TableResult};
use actas_store::{Choice, EntryOutcome, Outcome, QueueItem, Store};
use anyhow::{Context, Result, anyhow, bail};

use crate::context;
use crate::output::{self, Format, Listing};

const ITEM_HELP: &str = "The review item, as `actas review list` shows it: photo:SHA256 (or any \
    start of the photo's SHA-256, at least 8 hex digits, with or without photo:) or table:ID \
    (or just the table id, e.g. 010113042.01).";
const PHOTO_HELP: &str = "The photo, as `actas review list` shows it: photo:SHA256, or any start \
    of the photo's SHA-256 of at least 8 hex digits (with or without photo:).";
const TABLE_ITEM_HELP: &str = "The table: its id (010113042.01), an acta id \
    (010113042.01.1.0001) or the item as `actas review list` shows it (table:010113042.01).";
const AS_HELP: &str = "The account you act as: an active reviewer or admin (`actas users list`). \
    It is logged with what you do.";
const TABLE_HELP: &str = "The table the acta is of, as printed on it: a table id \
    (010113042.01) or an acta id (010113042.01.1.0001).";
const CARDS_HELP: &str = "The votes of every card of the ballot, in ballot order (the order the \
    acta prints its boxes and its QR code holds them: 38 cards for ve2024), comma-separated. \
    `actas review show ITEM` lists the cards in order. Per-card counts are what the acta shows \
    and what two entries are compared on, so there is no per-candidate form.";
const NULL_HELP: &str = "Null votes (votos nulos), as the acta shows them.";
const BLANK_HELP: &str = "Blank votes, as the acta shows them (0 when it shows none).";
const REASON_HELP: &str = "Why, in a sentence others can check against the photo. Published in \
    the log with the decision.";

#[derive(clap::Subcommand)]
pub enum Review {
    /// List what waits for a person: photos to transcribe and tables to decide.
    ///
    /// Photos no machine could read (unreadable) or whose code is not a valid acta (invalid)
    /// need two blind entries by different reviewers (`actas review enter`), and a third
    /// reviewer's decision when the two differ (`actas review decide`). Tables with
    /// conflicting versions (conflict) or citizens' reports (reported) need a reviewer's
    /// decision (`actas review resolve`, `actas review close`).
    ///
    /// Columns: item, reasons, table (when known), since (log index of the record that put it
    /// in the queue), stage (entering: waiting for blind entries, with who has entered;
    /// disagreed: the two entries differ and a third reviewer decides; deciding: a table a
    /// reviewer decides) and file (a photo's file name). Oldest first.
    #[command(after_long_help = LIST_EXAMPLES)]
    List {
        /// table, json (an array of {item, reasons, table, since, stage, entered_by, file})
        /// or csv.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// The output before --format, kept for scripts: the photos of the queue only, one JSON
        /// object per line ({record, sha256, status, table, file} and item, reasons, stage,
        /// entered_by).
        #[arg(long, conflicts_with = "format")]
        json: bool,
    },
    /// Show what is known about an item: its photo or versions, entries, reveal, decisions and
    /// reports, each with its log index, and what it needs next.
    ///
    /// A blind entry shows only as its commitment until the photo has its second entry: nobody
    /// sees an entry before making theirs.
    #[command(after_long_help = SHOW_EXAMPLES)]
    Show {
        #[arg(help = ITEM_HELP)]
        item: String,
    },
    /// Enter your blind transcription of a photo: its table and every card's votes.
    ///
    /// The entry is logged as a commitment and kept private until a second reviewer enters
    /// theirs; then both are revealed. Equal entries are accepted as the table's result (a new
    /// table is counted; a different version of a counted table is kept as a conflict);
    /// different ones wait for a third reviewer (`actas review decide`).
    #[command(after_long_help = ENTER_EXAMPLES)]
    Enter {
        #[arg(help = PHOTO_HELP)]
        item: String,
        #[arg(long = "as", value_name = "NAME", help = AS_HELP)]
        who: String,
        #[arg(long, value_name = "ID", help = TABLE_HELP)]
        table: String,
        #[arg(long, value_name = "N,N,...", help = CARDS_HELP)]
        cards: String,
        #[arg(long, value_name = "N", help = NULL_HELP)]
        null: u64,
        #[arg(long, value_name = "N", help = BLANK_HELP)]
        blank: u64,
    },
    /// Decide a photo whose two entries differ: one of them (--entry) or your own reading.
    ///
    /// Only a third reviewer may decide (not one of the two who entered). The chosen
    /// transcription is accepted as the table's result, with your reason.
    #[command(after_long_help = DECIDE_EXAMPLES)]
    Decide {
        #[arg(help = PHOTO_HELP)]
        item: String,
        #[arg(long = "as", value_name = "NAME", help = AS_HELP)]
        who: String,
        /// The entry that is right, by its record (the log index `actas review show ITEM`
        /// gives each revealed entry).
        #[arg(long, value_name = "SEQ", required_unless_present = "cards",
              conflicts_with_all = ["cards", "table", "null", "blank"])]
        entry: Option<u64>,
        #[arg(long, value_name = "ID", help = TABLE_HELP, requires_all = ["cards", "null", "blank"])]
        table: Option<String>,
        #[arg(long, value_name = "N,N,...", help = CARDS_HELP, requires_all = ["table", "null", "blank"])]
        cards: Option<String>,
        #[arg(long, value_name = "N", help = NULL_HELP, requires = "cards")]
        null: Option<u64>,
        #[arg(long, value_name = "N", help = BLANK_HELP, requires = "cards")]
        blank: Option<u64>,
        #[arg(long, help = REASON_HELP)]
        reason: String,
    },
    /// Resolve a table's conflict: choose the version that counts from now on.
    ///
    /// Nothing is deleted: every version stays stored and shown; the results change to the
    /// chosen one. `actas review show table:ID` lists the versions with their records.
    #[command(after_long_help = RESOLVE_EXAMPLES)]
    Resolve {
        #[arg(help = TABLE_ITEM_HELP)]
        table: String,
        #[arg(long = "as", value_name = "NAME", help = AS_HELP)]
        who: String,
        /// The version that is to count, by its record (log index), as `actas review show
        /// table:ID` or `actas conflicts` lists it.
        #[arg(long, value_name = "SEQ")]
        version: u64,
        #[arg(long, help = REASON_HELP)]
        reason: String,
    },
    /// Close a table's item without changing what counts (reports found wrong, or the counted
    /// version of a conflict confirmed).
    #[command(after_long_help = CLOSE_EXAMPLES)]
    Close {
        #[arg(help = TABLE_ITEM_HELP)]
        table: String,
        #[arg(long = "as", value_name = "NAME", help = AS_HELP)]
        who: String,
        #[arg(long, help = REASON_HELP)]
        reason: String,
    },
}

const LIST_EXAMPLES: &str = "Examples:
  actas review list
  actas review list --format json
  actas review list --format csv";

const SHOW_EXAMPLES: &str = "Examples:
  actas review show photo:abb592f7886a
  actas review show 010113042.01";

const ENTER_EXAMPLES: &str = "Example (the acta of 240111017.01, 38 cards in ballot order):
  actas review enter photo:abb592f7886a --as rev-01 --table 240111017.01 \\
    --null 0 --blank 0 \\
    --cards 130,9,5,5,7,2,0,7,7,2,0,2,6,1,1,0,1,1,1,0,2,0,0,0,0,0,0,0,1,1,3,1,1,5,16,274,1,1";

const DECIDE_EXAMPLES: &str = "Examples:
  actas review decide photo:abb592f7886a --as rev-03 --entry 41 --reason \"card 36: 274\"
  actas review decide photo:abb592f7886a --as rev-03 --table 240111017.01 \\
    --null 0 --blank 0 \\
    --cards 130,9,5,5,7,2,0,7,7,2,0,2,6,1,1,0,1,1,1,0,2,0,0,0,0,0,0,0,1,1,3,1,1,5,16,274,1,1 \\
    --reason \"both entries missed card 2\"";

const RESOLVE_EXAMPLES: &str = "Examples:
  actas review resolve 010113042.01 --as rev-01 --version 11 \\
    --reason \"the photo shows 232 for EG\"";

const CLOSE_EXAMPLES: &str = "Examples:
  actas review close 010113042.01 --as rev-01 --reason \"the photo matches the numbers\"";

pub async fn run(data: &Path, cmd: Review) -> Result<ExitCode> {
    let store = context::open(data).await?;
    match cmd {
        Review::List { format, json } => list(&store, format, json).await?,
        Review::Show { item } => {
            let item = find_item(&store, &item).await?;
            print!("{}", show(&store, &item).await?);
        }
        Review::Enter {
            item,
            who,
            table,
            cards,
            null,
            blank,
        } => {
            let sha256 = find_photo(&store, &item).await?;
            let item = Item::Photo {
                sha256: sha256.clone(),
            };
            let t = transcription(store.election(), &table, &cards, null, blank)?;
            let outcome = store
                .enter(&who, &sha256, t.clone())
                .await
                .with_context(|| format!("entry by {who} refused"))?;
            match outcome {
                EntryOutcome::Committed { seq } => println!(
                    "{item}: blind entry by {who} logged as record {seq} (a commitment: its \
                     numbers stay private until a second reviewer enters theirs)"
                ),
                EntryOutcome::Accepted { seq, result } => println!(
                    "{item}: entry by {who} logged as record {seq}; the two entries agree and \
                     are accepted as the result of table {}: {}",
                    t.table,
                    outcome_text(result, t.table)
                ),
                EntryOutcome::Disagreed { seq } => println!(
                    "{item}: entry by {who} logged as record {seq}; the two entries differ \
                     (both are now revealed): a third reviewer decides, see `actas review show \
                     {item}` and `actas review decide`"
                ),
            }
        }
        Review::Decide {
            item,
            who,
            entry,
            table,
            cards,
            null,
            blank,
            reason,
        } => {
            let sha256 = find_photo(&store, &item).await?;
            let item = Item::Photo {
                sha256: sha256.clone(),
            };
            let choice = match (entry, table, cards, null, blank) {
                (Some(seq), ..) => Choice::Entry(seq),
                (None, Some(table), Some(cards), Some(null), Some(blank)) => Choice::Own(
                    transcription(store.election(), &table, &cards, null, blank)?,
                ),
                _ => bail!("give --entry SEQ, or --table, --cards, --null and --blank"),
            };
            let chosen = match &choice {
                Choice::Entry(seq) => format!("entry {seq}"),
                Choice::Own(_) => "your transcription".to_string(),
            };
            let outcome = store
                .decide_photo(&who, &sha256, choice, &reason)
                .await
                .with_context(|| format!("decision by {who} refused"))?;
            let table = history_table(&store, &item).await?;
            println!(
                "{item}: {who} decided for {chosen}, accepted as the result of table {}: {}",
                table.map_or("?".to_string(), |t| t.to_string()),
                match table {
                    Some(t) => outcome_text(outcome, t),
                    None => format!("{outcome:?}"),
                }
            );
        }
        Review::Resolve {
            table,
            who,
            version,
            reason,
        } => {
            let table = parse_table_item(&table)?;
            let before = counted_seq(&store, table).await?;
            let seq = store
                .decide_table(&who, table, Some(version), &reason)
                .await
                .with_context(|| format!("decision by {who} on table {table} refused"))?;
            println!(
                "table {table}: decision by {who} logged as record {seq}: record {version} \
                 counts{}; every version stays stored (`actas review show table:{table}`)",
                match before {
                    Some(b) if b != version => format!(" from now on (record {b} counted before)"),
                    _ => " (it already did)".to_string(),
                }
            );
        }
        Review::Close { table, who, reason } => {
            let table = parse_table_item(&table)?;
            let seq = store
                .decide_table(&who, table, None, &reason)
                .await
                .with_context(|| format!("decision by {who} on table {table} refused"))?;
            let counted = counted_seq(&store, table).await?;
            println!(
                "table {table}: closed by {who}, logged as record {seq}; {}",
                match counted {
                    Some(c) => format!("record {c} still counts"),
                    None => "it has no counted result".to_string(),
                }
            );
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

fn outcome_text(outcome: Outcome, table: TableId) -> String {
    match outcome {
        Outcome::New => "counted (a new table)".to_string(),
        Outcome::Duplicate => "the same numbers as a stored version: nothing changes".to_string(),
        Outcome::Conflict => format!(
            "it differs from the counted version and is kept as a conflict (`actas review show \
             table:{table}`)"
        ),
    }
}

/// `photo:` + the first 12 hex digits: enough to name a photo on the command line.
fn short(item: &Item) -> String {
    match item {
        Item::Photo { sha256 } => format!("photo:{}", &sha256[..12.min(sha256.len())]),
        Item::Table { table } => format!("table:{table}"),
    }
}

fn stage_of(q: &QueueItem) -> (&'static str, Vec<String>) {
    match &q.stage {
        Some(PhotoStage::Entering { by }) => ("entering", by.clone()),
        Some(PhotoStage::Disagreed { by }) => ("disagreed", by.clone()),
        Some(PhotoStage::Decided) => ("decided", vec![]),
        None => ("deciding", vec![]),
    }
}

async fn list(store: &Store, format: Format, legacy_json: bool) -> Result<()> {
    let queue = store.queue().await?;
    if legacy_json {
        for q in &queue {
            let Item::Photo { sha256 } = &q.item else {
                continue;
            };
            let (stage, by) = stage_of(q);
            println!(
                "{}",
                serde_json::json!({
                    "record": q.since, "sha256": sha256, "status": q.reasons.first(),
                    "table": q.table.map(|t| t.to_string()), "file": q.file,
                    "item": q.item.to_string(), "reasons": q.reasons, "stage": stage,
                    "entered_by": by,
                })
            );
        }
        return Ok(());
    }
    let mut listing = Listing::new(&["item", "reasons", "table", "since", "stage", "file"]);
    for q in &queue {
        let (stage, by) = stage_of(q);
        let table = q.table.map(|t| t.to_string());
        listing.push(
            vec![
                if format == Format::Table {
                    short(&q.item)
                } else {
                    q.item.to_string()
                },
                q.reasons.join(","),
                table.clone().unwrap_or_default(),
                q.since.to_string(),
                if by.is_empty() {
                    stage.to_string()
                } else {
                    format!("{stage} ({})", by.join(", "))
                },
                q.file.clone().unwrap_or_default(),
            ],
            serde_json::json!({
                "item": q.item.to_string(), "reasons": q.reasons, "table": table,
                "since": q.since, "stage": stage, "entered_by": by, "file": q.file,
            }),
        );
    }
    let n = listing.len();
    print!(
        "{}",
        listing.render(
            format,
            &format!("{} waiting for review", output::count(n, "item", "items"))
        )
    );
    Ok(())
}

fn parse_table(text: &str) -> Result<TableId> {
    context::table_arg("table", text)
}

fn parse_table_item(text: &str) -> Result<TableId> {
    parse_table(text.strip_prefix("table:").unwrap_or(text))
}

/// An item named on the command line: a table, or a photo by (the start of) its SHA-256.
async fn find_item(store: &Store, text: &str) -> Result<Item> {
    if let Some(t) = text.strip_prefix("table:") {
        return Ok(Item::Table {
            table: parse_table(t)?,
        });
    }
    if text.contains('.') {
        return Ok(Item::Table {
            table: parse_table(text)?,
        });
    }
    Ok(Item::Photo {
        sha256: find_photo(store, text).await?,
    })
}

/// The SHA-256 of the stored photo that `text` names: `photo:` and the hash or any start of it
/// of at least 8 hex digits.
async fn find_photo(store: &Store, text: &str) -> Result<String> {
    if text.starts_with("table:") || text.contains('.') {
        bail!(
            "{text} is a table: tables are not transcribed; resolve a conflict with `actas \
             review resolve`, close reports with `actas review close`"
        );
    }
    let prefix = text
        .strip_prefix("photo:")
        .unwrap_or(text)
        .to_ascii_lowercase();
    if prefix.len() < 8 || prefix.len() > 64 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!(
            "photo {text:?}: expected photo:SHA256 as `actas review list` shows it, or at least \
             the first 8 hex digits of the photo's SHA-256"
        );
    }
    let matches: Vec<String> = store
        .images()
        .await?
        .into_iter()
        .map(|i| i.sha256)
        .filter(|s| s.starts_with(&prefix))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!(
            "no stored photo's SHA-256 starts with {prefix}: see `actas review list` for the \
             photos waiting for review"
        ),
        many => bail!(
            "{prefix} starts the SHA-256 of {} photos ({}): give more digits",
            many.len(),
            many.join(", ")
        ),
    }
}

/// A transcription from the command line: table, every card's votes, null and blank.
fn transcription(
    election: &Election,
    table: &str,
    cards: &str,
    null: u64,
    blank: u64,
) -> Result<TableResult> {
    let table = parse_table(table).context("--table")?;
    let cards = cards
        .split(',')
        .enumerate()
        .map(|(i, c)| {
            c.trim().parse::<u64>().map_err(|_| {
                anyhow!(
                    "--cards: card {} is {:?}: expected a whole number of votes",
                    i + 1,
                    c.trim()
                )
            })
        })
        .collect::<Result<Vec<u64>>>()?;
    Ok(TableResult::from_cards(
        election,
        table,
        cards,
        null,
        Some(blank),
    ))
}

async fn counted_seq(store: &Store, table: TableId) -> Result<Option<u64>> {
    Ok(store
        .table_versions(table)
        .await?
        .into_iter()
        .find(|v| v.counted)
        .map(|v| v.seq))
}

/// The table a photo item's decision accepted a result for.
async fn history_table(store: &Store, item: &Item) -> Result<Option<TableId>> {
    Ok(decoded(store.item_history(item).await?)?
        .iter()
        .rev()
        .find_map(|(_, r)| match &r.body {
            RecordBody::Decision { decision } => decision.accepted.as_ref().map(|t| t.table),
            _ => None,
        }))
}

fn decoded(records: Vec<actas_store::StoredRecord>) -> Result<Vec<(u64, Record)>> {
    records
        .into_iter()
        .map(|r| {
            Record::from_bytes(&r.bytes)
                .map(|rec| (r.seq, rec))
                .map_err(|e| anyhow!("record {} is unreadable: {e}", r.seq))
        })
        .collect()
}

/// A transcription or version in a few lines: its numbers, and its cards as `--cards` takes
/// them.
fn numbers(election: &Election, r: &TableResult, indent: &str) -> String {
    let votes: Vec<String> = election
        .candidates
        .iter()
        .zip(&r.votes)
        .filter(|(_, v)| **v > 0)
        .map(|(c, v)| format!("{} {v}", c.id))
        .collect();
    let mut out = format!(
        "{indent}table {}  valid {}  null {}  blank {}{}\n{indent}votes {}\n",
        r.table,
        r.valid,
        r.null,
        r.blank.map_or("-".to_string(), |b| b.to_string()),
        r.registered
            .map_or(String::new(), |n| format!("  registered {n}")),
        if votes.is_empty() {
            "none".to_string()
        } else {
            votes.join(", ")
        }
    );
    if let Some(cards) = &r.cards {
        let list: Vec<String> = cards.iter().map(u64::to_string).collect();
        out.push_str(&format!("{indent}cards {}\n", list.join(",")));
    }
    out
}

fn who(r: &Record) -> String {
    r.source.by.clone().unwrap_or_else(|| match &r.source.file {
        Some(f) => match r.source.line {
            Some(l) => format!("{} {f}:{l}", r.source.kind),
            None => format!("{} {f}", r.source.kind),
        },
        None => r.source.kind.clone(),
    })
}

/// What `actas review show` prints.
async fn show(store: &Store, item: &Item) -> Result<String> {
    let election = store.election();
    let queue = store.queue().await?;
    let queued = queue.iter().find(|q| &q.item == item);
    let history = decoded(store.item_history(item).await?)?;
    if history.is_empty() {
        bail!("{item}: nothing is stored about it (see `actas review list`)");
    }
    let mut out = format!("{item}\n");
    let mut entered_by: BTreeMap<u64, String> = BTreeMap::new();
    let counted: Option<u64> = match item {
        Item::Table { table } => counted_seq(store, *table).await?,
        Item::Photo { .. } => None,
    };
    match queued {
        Some(q) => {
            let (stage, by) = stage_of(q);
            let next = match (item, stage) {
                (Item::Photo { .. }, "entering") => format!(
                    "needs {} more blind entr{} by a reviewer who has not entered ({}): `actas \
                     review enter {} --as NAME --table ID --cards ... --null N --blank N`",
                    2 - by.len().min(2),
                    if by.len() == 1 { "y" } else { "ies" },
                    if by.is_empty() {
                        "nobody has yet".to_string()
                    } else {
                        format!("entered: {}", by.join(", "))
                    },
                    short(item)
                ),
                (Item::Photo { .. }, _) => format!(
                    "the entries of {} differ: a third reviewer decides with `actas review \
                     decide {} --as NAME --entry SEQ --reason TEXT` (or --table, --cards, --null \
                     and --blank)",
                    by.join(" and "),
                    short(item)
                ),
                (Item::Table { table }, _) => format!(
                    "a reviewer decides: `actas review resolve {table} --as NAME --version SEQ \
                     --reason TEXT` chooses the version that counts, `actas review close {table} \
                     --as NAME --reason TEXT` keeps it"
                ),
            };
            out.push_str(&format!(
                "in the review queue since record {}: {}\nnext: {next}\n",
                q.since,
                q.reasons.join(", ")
            ));
        }
        None => out.push_str(match item {
            Item::Photo { .. } => "not in the review queue: decided, or read by machine\n",
            Item::Table { .. } => "not in the review queue: nothing open since its last decision\n",
        }),
    }
    if let Some(c) = counted {
        out.push_str(&format!("counted version: record {c}\n"));
    }
    out.push_str("\nrecords:\n");
    for (seq, r) in &history {
        let head = format!("  {seq:>6}  {}  {}", r.at, who(r));
        match &r.body {
            RecordBody::Image { image } => {
                out.push_str(&format!(
                    "{head}: {} bytes, {}{}\n",
                    image.bytes,
                    image.status.as_str(),
                    image
                        .table
                        .map_or(String::new(), |t| format!(", table {t}"))
                ));
                out.push_str(&format!("          sha256 {}\n", image.sha256));
                for p in &image.problems {
                    out.push_str(&format!("          {}\n", p.message));
                }
                if let Some(p) = &image.payload {
                    out.push_str(&format!("          code {p:?}\n"));
                }
            }
            RecordBody::Entry { entry } => {
                entered_by.insert(*seq, who(r));
                out.push_str(&format!(
                    "{head}: blind entry, commitment {} (its numbers show once revealed)\n",
                    entry.commitment
                ));
            }
            RecordBody::Reveal { reveal } => {
                out.push_str(&format!("{head}: entries revealed\n"));
                for e in &reveal.entries {
                    out.push_str(&format!(
                        "          entry {} by {}:\n{}",
                        e.seq,
                        entered_by.get(&e.seq).map_or("?", String::as_str),
                        numbers(election, &e.transcription, "            ")
                    ));
                }
            }
            RecordBody::Decision { decision } => {
                let what = match (&decision.accepted, decision.counted) {
                    (Some(t), _) => format!("accepted a transcription of table {}", t.table),
                    (None, Some(c)) => format!("record {c} counts"),
                    (None, None) => "closed".to_string(),
                };
                out.push_str(&format!(
                    "{head}: decision: {what}; reason: {}\n",
                    decision.reason
                ));
            }
            RecordBody::Result {
                result, problems, ..
            } => {
                out.push_str(&format!(
                    "{head}: result{}\n{}",
                    if counted == Some(*seq) {
                        " (counted)"
                    } else {
                        ""
                    },
                    numbers(election, result, "          ")
                ));
                for p in problems {
                    out.push_str(&format!("          {}\n", p.message));
                }
            }
            RecordBody::Report { report } => {
                let comment = match &report.comment_sha256 {
                    Some(h) => store
                        .report_comment(h)
                        .await?
                        .map_or(String::new(), |c| format!(": {c:?}")),
                    None => String::new(),
                };
                out.push_str(&format!(
                    "{head}: citizen's report, {}{comment}\n",
                    report.problem.as_str()
                ));
            }
            other => out.push_str(&format!("{head}: {}\n", other.kind())),
        }
    }
    if matches!(item, Item::Photo { .. })
        && queued.is_some_and(|q| matches!(q.stage, Some(PhotoStage::Entering { .. })))
    {
        out.push_str("\nthe ballot's cards, in the order --cards takes them:\n");
        let cards: Vec<String> = election
            .cards
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:>2} {} ({})", i + 1, c.sigla, c.candidate))
            .collect();
        let width = cards.iter().map(|c| c.chars().count()).max().unwrap_or(0);
        for row in cards.chunks(3) {
            let cells: Vec<String> = row.iter().map(|c| format!("{c:width$}")).collect();
            out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
        }
    }
    Ok(out)
}
