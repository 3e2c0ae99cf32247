//! People: accounts and their tokens, the review queue, blind double entry, decisions,
//! citizens' reports and the audit trail. Each change is one transaction that appends its
//! records (and log entries) and the view rows they add, like every other write. The rules are
//! `actas_core::review`'s; this module keeps the state.

use std::collections::BTreeMap;

use actas_core::review::{
    self, AccountRecord, Decision, EntryCommitment, Item, PhotoStage, Report, ReportKind, Reveal,
    RevealedEntry, Role,
};
use actas_core::validate::{self, Severity};
use actas_core::{Record, RecordBody, Source, TableId, TableResult};
use sha2::Digest;

use crate::apply::{Batch, Outcome, load_state};
use crate::db::{Kind, Tx, Val};
use crate::{Store, StoreError};

/// The name the command line acts under when it changes accounts: whoever holds the data
/// directory. No account may take it.
pub const OPERATOR: &str = "operator";

/// An account as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub record: AccountRecord,
    /// Log index of the account's latest record.
    pub seq: u64,
}

/// One item of the review queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub item: Item,
    /// Why it is in the queue: `unreadable`, `invalid`, `conflict`, `reported`.
    pub reasons: Vec<&'static str>,
    /// The table, when known.
    pub table: Option<TableId>,
    /// Log index of the record that put it in the queue (oldest reason).
    pub since: u64,
    /// Where a photo item stands (table items are decided by one reviewer).
    pub stage: Option<PhotoStage>,
    /// The photo's file name, for photo items.
    pub file: Option<String>,
}

/// What a reviewer's entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryOutcome {
    /// Committed; the item waits for a second entry.
    Committed { seq: u64 },
    /// The two entries agree: accepted as the table's result, with what that did.
    Accepted { seq: u64, result: Outcome },
    /// The two entries differ: a third reviewer decides.
    Disagreed { seq: u64 },
}

/// One line of the audit trail: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: String,
    pub by: Option<String>,
    pub kind: &'static str,
    pub table: Option<String>,
    /// What happened, in a few words.
    pub what: String,
}

/// Filters of [`Store::audit`].
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub who: Option<String>,
    /// RFC 3339 time: records at or after it.
    pub since: Option<String>,
    pub table: Option<TableId>,
}

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Invalid(message.into())
}

fn refused(e: review::ReviewError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// 32 random bytes from the operating system, hex.
fn random_hex() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| invalid(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// A new token, with a prefix that says what it is when it turns up in the wrong place.
fn new_token() -> Result<String, StoreError> {
    Ok(format!("actas_{}", random_hex()?))
}

/// The SHA-256 of a token, as stored and logged.
pub fn token_hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

fn by(name: &str) -> Source {
    Source {
        by: Some(name.to_string()),
        ..Source::of("review")
    }
}

fn account_of(row: &[Val]) -> Option<Account> {
    Some(Account {
        record: AccountRecord {
            name: row[0].text()?.to_string(),
            role: Role::parse(row[1].text()?)?,
            scopes: row[2]
                .text()?
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            token_sha256: row[3].text().map(str::to_string),
        },
        seq: row[4].int()? as u64,
    })
}

const ACCOUNT_COLUMNS: &str = "name, role, scopes, token_sha256, seq";
const ACCOUNT_KINDS: &[Kind] = &[Kind::T, Kind::T, Kind::T, Kind::T, Kind::I];

async fn account_in(tx: &mut Tx, name: &str) -> Result<Option<Account>, StoreError> {
    let rows = tx
        .fetch(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE name = $1"),
            vec![Val::from(name)],
            ACCOUNT_KINDS,
        )
        .await?;
    Ok(rows.first().and_then(|r| account_of(r)))
}

/// The active account `name` with a role that reviews, or why it may not.
async fn reviewer_in(tx: &mut Tx, name: &str) -> Result<AccountRecord, StoreError> {
    match account_in(tx, name).await? {
        Some(a) if a.record.active() && a.record.role.reviews() => Ok(a.record),
        Some(a) if !a.record.active() => Err(invalid(format!("account {name} is revoked"))),
        Some(a) => Err(invalid(format!(
            "account {name} is a {}: only reviewers and admins review",
            a.record.role.as_str()
        ))),
        None => Err(invalid(format!("there is no account named {name}"))),
    }
}

/// The entries of an item: (commitment seq, by, revealed).
async fn entries_in(tx: &mut Tx, item: &Item) -> Result<Vec<(u64, String, bool)>, StoreError> {
    Ok(tx
        .fetch(
            "SELECT seq, by_name, revealed FROM review_entries WHERE item = $1 ORDER BY seq",
            vec![Val::from(item.to_string())],
            &[Kind::I, Kind::T, Kind::I],
        )
        .await?
        .into_iter()
        .map(|r| {
            (
                r[0].int().unwrap_or(0) as u64,
                r[1].text().unwrap_or_default().to_string(),
                r[2].int().is_some(),
            )
        })
        .collect())
}

async fn decided_in(tx: &mut Tx, item: &Item) -> Result<bool, StoreError> {
    Ok(!tx
        .fetch(
            "SELECT seq FROM decisions WHERE item = $1",
            vec![Val::from(item.to_string())],
            &[Kind::I],
        )
        .await?
        .is_empty())
}

/// Where a photo item stands, or `None` when the photo is not in the queue (unknown, read, or
/// decided).
async fn photo_stage_in(tx: &mut Tx, sha256: &str) -> Result<Option<PhotoStage>, StoreError> {
    let item = Item::Photo {
        sha256: sha256.to_string(),
    };
    let status = tx
        .fetch(
            "SELECT status FROM images WHERE sha256 = $1",
            vec![Val::from(sha256)],
            &[Kind::T],
        )
        .await?;
    match status.first().and_then(|r| r[0].text()) {
        None | Some("read") => return Ok(None),
        Some(_) => {}
    }
    if decided_in(tx, &item).await? {
        return Ok(Some(PhotoStage::Decided));
    }
    let entries = entries_in(tx, &item).await?;
    let by: Vec<String> = entries.iter().map(|e| e.1.clone()).collect();
    Ok(Some(if entries.len() >= 2 {
        PhotoStage::Disagreed { by }
    } else {
        PhotoStage::Entering { by }
    }))
}

/// Whether a table is in the review queue: a conflict or a report since its last decision.
async fn table_open_in(tx: &mut Tx, table: TableId) -> Result<bool, StoreError> {
    let code = Val::from(table.to_string());
    let last_decision = "(SELECT MAX(seq) FROM decisions WHERE item = $2)";
    let open = tx
        .fetch(
            &format!(
                "SELECT seq FROM conflicts WHERE table_code = $1 AND seq > COALESCE({last_decision}, -1) \
                 UNION SELECT seq FROM reports WHERE table_code = $1 AND seq > COALESCE({last_decision}, -1)"
            ),
            vec![code, Val::from(Item::Table { table }.to_string())],
            &[Kind::I],
        )
        .await?;
    Ok(!open.is_empty())
}

/// The private transcriptions of entries, by commitment seq.
async fn private_entries(tx: &mut Tx, seqs: &[u64]) -> Result<Vec<RevealedEntry>, StoreError> {
    let mut out = Vec::new();
    for &seq in seqs {
        let rows = tx
            .fetch(
                "SELECT nonce, transcription FROM private_entries WHERE seq = $1",
                vec![Val::from(seq)],
                &[Kind::T, Kind::T],
            )
            .await?;
        let row = rows
            .first()
            .ok_or_else(|| invalid(format!("the transcription of entry {seq} is missing")))?;
        let transcription: TableResult = serde_json::from_str(row[1].text().unwrap_or_default())
            .map_err(|e| StoreError::Corrupt {
                seq: seq as i64,
                message: format!("private entry: {e}"),
            })?;
        out.push(RevealedEntry {
            seq,
            nonce: row[0].text().unwrap_or_default().to_string(),
            transcription,
        });
    }
    Ok(out)
}

/// Offers an accepted transcription to the decider as the table's result, after the
/// decision record that accepts it.
fn accept_transcription(
    batch: &mut Batch,
    decider: &mut crate::apply::Decider,
    election: &actas_core::Election,
    (item, who): (&Item, &str),
    transcription: TableResult,
    reason: String,
) -> Outcome {
    let known = decider.tables.get(&transcription.table).copied().flatten();
    let problems = validate::check_result(election, &transcription, known);
    batch.push(
        by(who),
        RecordBody::Decision {
            decision: Decision {
                item: item.clone(),
                accepted: Some(transcription.clone()),
                counted: None,
                reason,
            },
        },
        Some(transcription.table),
    );
    let sha256 = match item {
        Item::Photo { sha256 } => Some(sha256.clone()),
        Item::Table { .. } => None,
    };
    let source = Source { sha256, ..by(who) };
    batch.accept(decider, source, transcription, problems, None)
}

impl Store {
    /// Creates an account, or gives an existing one a new role, scopes and token. Returns the
    /// account and its token, which is shown once and stored only as its SHA-256. `by` is who
    /// does it (an admin, or [`OPERATOR`] on the command line).
    pub async fn add_account(
        &self,
        by_name: &str,
        name: &str,
        role: Role,
        scopes: Vec<String>,
    ) -> Result<(Account, String), StoreError> {
        review::check_account_name(name).map_err(invalid)?;
        if name == OPERATOR {
            return Err(invalid(format!(
                "{OPERATOR:?} names the command line's operator; choose another account name"
            )));
        }
        for s in &scopes {
            review::check_scope(s).map_err(invalid)?;
        }
        if role != Role::Witness && !scopes.is_empty() {
            return Err(invalid("only witnesses have scopes".to_string()));
        }
        let token = new_token()?;
        let record = AccountRecord {
            name: name.to_string(),
            role,
            scopes,
            token_sha256: Some(token_hash(&token)),
        };
        let seq = self.write_account(by_name, record.clone()).await?;
        Ok((Account { record, seq }, token))
    }

    /// Revokes an account: its token stops working at once. The account's records stay.
    pub async fn revoke_account(&self, by_name: &str, name: &str) -> Result<Account, StoreError> {
        let current = self
            .account(name)
            .await?
            .ok_or_else(|| invalid(format!("there is no account named {name}")))?;
        if !current.record.active() {
            return Err(invalid(format!("account {name} is already revoked")));
        }
        let record = AccountRecord {
            token_sha256: None,
            ..current.record
        };
        let seq = self.write_account(by_name, record.clone()).await?;
        Ok(Account { record, seq })
    }

    async fn write_account(&self, by_name: &str, record: AccountRecord) -> Result<u64, StoreError> {
        let mut tx = self.db.begin().await?;
        tx.lock_for_write().await?;
        if by_name != OPERATOR {
            match account_in(&mut tx, by_name).await? {
                Some(a) if a.record.active() && a.record.role == Role::Admin => {}
                _ => {
                    return Err(invalid(format!(
                        "{by_name} may not change accounts: only an active admin may"
                    )));
                }
            }
        }
        let mut batch = Batch::begin(&mut tx).await?;
        let seq = batch.push(
            Source {
                by: Some(by_name.to_string()),
                ..Source::of("account")
            },
            RecordBody::Account { account: record },
            None,
        );
        batch
            .write(&mut tx, &Default::default(), &self.election, &self.log)
            .await?;
        tx.commit().await?;
        Ok(seq)
    }

    pub async fn account(&self, name: &str) -> Result<Option<Account>, StoreError> {
        let mut tx = self.db.begin().await?;
        account_in(&mut tx, name).await
    }

    /// Every account, by name.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = self
            .db
            .fetch(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY name"),
                vec![],
                ACCOUNT_KINDS,
            )
            .await?;
        Ok(rows.iter().filter_map(|r| account_of(r)).collect())
    }

    /// The active account whose token this is, if any.
    pub async fn authenticate(&self, token: &str) -> Result<Option<AccountRecord>, StoreError> {
        let rows = self
            .db
            .fetch(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE token_sha256 = $1"),
                vec![Val::from(token_hash(token))],
                ACCOUNT_KINDS,
            )
            .await?;
        Ok(rows
            .first()
            .and_then(|r| account_of(r))
            .map(|a| a.record)
            .filter(AccountRecord::active))
    }

    /// The review queue, oldest first: photos no machine could read (or whose code is not a
    /// valid acta) that are not decided yet, tables with a conflict not resolved since its
    /// last version, and tables with reports not closed since.
    pub async fn queue(&self) -> Result<Vec<QueueItem>, StoreError> {
        let mut tx = self.db.begin().await?;
        let mut out = Vec::new();
        let photos = tx
            .fetch(
                "SELECT i.sha256, i.seq, i.status, i.table_code, i.file FROM images i \
                 WHERE i.status <> 'read' AND NOT EXISTS \
                 (SELECT 1 FROM decisions d WHERE d.item = 'photo:' || i.sha256) ORDER BY i.seq",
                vec![],
                &[Kind::T, Kind::I, Kind::T, Kind::T, Kind::T],
            )
            .await?;
        for r in photos {
            let sha256 = r[0].text().unwrap_or_default().to_string();
            let stage = photo_stage_in(&mut tx, &sha256).await?;
            out.push(QueueItem {
                item: Item::Photo { sha256 },
                reasons: vec![if r[2].text() == Some("unreadable") {
                    "unreadable"
                } else {
                    "invalid"
                }],
                table: r[3].text().and_then(|t| t.parse().ok()),
                since: r[1].int().unwrap_or(0) as u64,
                stage,
                file: r[4].text().map(str::to_string),
            });
        }
        // A table's last decision closes what came before it.
        let last_decision: BTreeMap<TableId, u64> = tx
            .fetch(
                "SELECT item, MAX(seq) FROM decisions WHERE item LIKE 'table:%' GROUP BY item",
                vec![],
                &[Kind::T, Kind::I],
            )
            .await?
            .into_iter()
            .filter_map(|r| {
                let item: Item = r[0].text()?.parse().ok()?;
                match item {
                    Item::Table { table } => Some((table, r[1].int()? as u64)),
                    Item::Photo { .. } => None,
                }
            })
            .collect();
        let mut tables: BTreeMap<TableId, (Vec<&'static str>, u64)> = BTreeMap::new();
        for (sql, reason) in [
            (
                "SELECT table_code, MIN(seq), MAX(seq) FROM conflicts GROUP BY table_code",
                "conflict",
            ),
            (
                "SELECT table_code, MIN(seq), MAX(seq) FROM reports GROUP BY table_code",
                "reported",
            ),
        ] {
            for r in tx.fetch(sql, vec![], &[Kind::T, Kind::I, Kind::I]).await? {
                let Some(Ok(table)) = r[0].text().map(str::parse::<TableId>) else {
                    continue;
                };
                let (first, last) = (
                    r[1].int().unwrap_or(0) as u64,
                    r[2].int().unwrap_or(0) as u64,
                );
                if last_decision.get(&table).is_some_and(|&d| d > last) {
                    continue;
                }
                let e = tables.entry(table).or_insert((Vec::new(), first));
                e.0.push(reason);
                e.1 = e.1.min(first);
            }
        }
        for (table, (reasons, since)) in tables {
            out.push(QueueItem {
                item: Item::Table { table },
                reasons,
                table: Some(table),
                since,
                stage: None,
                file: None,
            });
        }
        out.sort_by_key(|q| q.since);
        Ok(out)
    }

    /// A reviewer's blind transcription of a photo item: the table, and per card, null and
    /// blank votes as the acta shows them. Logged as a commitment; the second entry reveals
    /// both, and if they agree the transcription is accepted as the table's result.
    pub async fn enter(
        &self,
        who: &str,
        sha256: &str,
        transcription: TableResult,
    ) -> Result<EntryOutcome, StoreError> {
        let item = Item::Photo {
            sha256: sha256.to_string(),
        };
        let problems = validate::check_result(&self.election, &transcription, None);
        if let Some(p) = problems.iter().find(|p| p.severity == Severity::Reject) {
            return Err(invalid(format!(
                "the transcription of {item} cannot be an acta of this election: {}",
                p.message
            )));
        }
        let mut tx = self.db.begin().await?;
        tx.lock_for_write().await?;
        reviewer_in(&mut tx, who).await?;
        let stage = photo_stage_in(&mut tx, sha256)
            .await?
            .ok_or_else(|| invalid(format!("{item} is not in the review queue")))?;
        stage.check_entry(&item, who).map_err(refused)?;
        let nonce = random_hex()?;
        let commitment = review::commitment(&nonce, &transcription);
        let mut batch = Batch::begin(&mut tx).await?;
        let seq = batch.push(
            by(who),
            RecordBody::Entry {
                entry: EntryCommitment {
                    item: item.clone(),
                    commitment,
                },
            },
            None,
        );
        tx.exec(
            "INSERT INTO private_entries (seq, nonce, transcription) VALUES ($1, $2, $3)",
            vec![
                Val::from(seq),
                Val::from(nonce.clone()),
                Val::from(serde_json::to_string(&transcription).expect("results serialise")),
            ],
        )
        .await?;
        let earlier: Vec<u64> = entries_in(&mut tx, &item)
            .await?
            .into_iter()
            .map(|e| e.0)
            .collect();
        let outcome = if earlier.is_empty() {
            batch
                .write(&mut tx, &Default::default(), &self.election, &self.log)
                .await?;
            EntryOutcome::Committed { seq }
        } else {
            let mut entries = private_entries(&mut tx, &earlier).await?;
            entries.push(RevealedEntry {
                seq,
                nonce,
                transcription: transcription.clone(),
            });
            let agree = review::same_transcription(&entries[0].transcription, &transcription);
            batch.push(
                by(who),
                RecordBody::Reveal {
                    reveal: Reveal {
                        item: item.clone(),
                        entries,
                    },
                },
                None,
            );
            if agree {
                let mut decider = load_state(&mut tx, &[transcription.table]).await?;
                let result = accept_transcription(
                    &mut batch,
                    &mut decider,
                    &self.election,
                    (&item, who),
                    transcription,
                    "two blind entries agree".into(),
                );
                batch
                    .write(&mut tx, &decider, &self.election, &self.log)
                    .await?;
                EntryOutcome::Accepted { seq, result }
            } else {
                batch
                    .write(&mut tx, &Default::default(), &self.election, &self.log)
                    .await?;
                EntryOutcome::Disagreed { seq }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// A third reviewer's decision on a photo whose two entries differ: one of the entries
    /// (by its seq) or a transcription of their own, with a reason.
    pub async fn decide_photo(
        &self,
        who: &str,
        sha256: &str,
        choice: Choice,
        reason: &str,
    ) -> Result<Outcome, StoreError> {
        let item = Item::Photo {
            sha256: sha256.to_string(),
        };
        if reason.trim().is_empty() {
            return Err(refused(review::ReviewError::NoReason));
        }
        let mut tx = self.db.begin().await?;
        tx.lock_for_write().await?;
        reviewer_in(&mut tx, who).await?;
        let stage = photo_stage_in(&mut tx, sha256)
            .await?
            .ok_or_else(|| invalid(format!("{item} is not in the review queue")))?;
        stage.check_decision(&item, who).map_err(refused)?;
        let transcription = match choice {
            Choice::Entry(seq) => {
                let entries = entries_in(&mut tx, &item).await?;
                if !entries.iter().any(|e| e.0 == seq) {
                    return Err(invalid(format!(
                        "record {seq} is not an entry of {item}; its entries are records {}",
                        entries
                            .iter()
                            .map(|e| e.0.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                private_entries(&mut tx, &[seq])
                    .await?
                    .remove(0)
                    .transcription
            }
            Choice::Own(t) => t,
        };
        let problems = validate::check_result(&self.election, &transcription, None);
        if let Some(p) = problems.iter().find(|p| p.severity == Severity::Reject) {
            return Err(invalid(format!(
                "the transcription of {item} cannot be an acta of this election: {}",
                p.message
            )));
        }
        let mut batch = Batch::begin(&mut tx).await?;
        let mut decider = load_state(&mut tx, &[transcription.table]).await?;
        let result = accept_transcription(
            &mut batch,
            &mut decider,
            &self.election,
            (&item, who),
            transcription,
            reason.trim().to_string(),
        );
        batch
            .write(&mut tx, &decider, &self.election, &self.log)
            .await?;
        tx.commit().await?;
        Ok(result)
    }

    /// A reviewer's decision on a table item: which version counts from now on (`counted`,
    /// for a conflict) and the reason; it also closes the table's reports. Nothing is deleted.
    /// Refused when there is nothing to decide: a choice needs two versions, a decision that
    /// changes nothing needs an open conflict or report. Returns the decision's log index.
    pub async fn decide_table(
        &self,
        who: &str,
        table: TableId,
        counted: Option<u64>,
        reason: &str,
    ) -> Result<u64, StoreError> {
        if reason.trim().is_empty() {
            return Err(refused(review::ReviewError::NoReason));
        }
        let mut tx = self.db.begin().await?;
        tx.lock_for_write().await?;
        reviewer_in(&mut tx, who).await?;
        let mut decider = load_state(&mut tx, &[table]).await?;
        let versions = decider.versions.get(&table).map_or(0, Vec::len);
        match counted {
            Some(_) if versions < 2 => {
                return Err(invalid(format!(
                    "table {table} has {versions} stored version{}: there is nothing to choose \
                     between",
                    if versions == 1 { "" } else { "s" }
                )));
            }
            None if !table_open_in(&mut tx, table).await? => {
                return Err(invalid(format!(
                    "table {table} has nothing open to close: no conflict or report since its \
                     last decision"
                )));
            }
            _ => {}
        }
        let mut batch = Batch::begin(&mut tx).await?;
        let seq = batch.push(
            by(who),
            RecordBody::Decision {
                decision: Decision {
                    item: Item::Table { table },
                    accepted: None,
                    counted,
                    reason: reason.trim().to_string(),
                },
            },
            Some(table),
        );
        if let Some(seq) = counted {
            batch.resolve(&mut decider, table, seq)?;
        }
        batch
            .write(&mut tx, &decider, &self.election, &self.log)
            .await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// A citizen's report of a problem with a table's acta. It goes to the review queue and
    /// never changes a count. The comment is kept for reviewers; only its SHA-256 is logged.
    pub async fn report(
        &self,
        table: TableId,
        problem: ReportKind,
        comment: Option<&str>,
    ) -> Result<u64, StoreError> {
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if let Some(c) = comment
            && c.chars().count() > review::MAX_COMMENT
        {
            return Err(invalid(format!(
                "the comment is {} characters long; at most {} are kept",
                c.chars().count(),
                review::MAX_COMMENT
            )));
        }
        let mut tx = self.db.begin().await?;
        tx.lock_for_write().await?;
        let known = !tx
            .fetch(
                "SELECT code FROM tables WHERE code = $1",
                vec![Val::from(table.to_string())],
                &[Kind::T],
            )
            .await?
            .is_empty();
        if !known {
            return Err(invalid(format!(
                "table {table} is not a table of this election"
            )));
        }
        let comment_sha256 = comment.map(|c| hex::encode(sha2::Sha256::digest(c.as_bytes())));
        if let (Some(c), Some(h)) = (comment, &comment_sha256) {
            tx.exec(
                "INSERT INTO private_comments (sha256, comment) VALUES ($1, $2) \
                 ON CONFLICT (sha256) DO NOTHING",
                vec![Val::from(h.as_str()), Val::from(c)],
            )
            .await?;
        }
        let mut batch = Batch::begin(&mut tx).await?;
        let seq = batch.push(
            Source::of("citizen"),
            RecordBody::Report {
                report: Report {
                    table,
                    problem,
                    comment_sha256,
                },
            },
            Some(table),
        );
        batch
            .write(&mut tx, &Default::default(), &self.election, &self.log)
            .await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// The comment of a report, by its SHA-256 (for reviewers).
    pub async fn report_comment(&self, sha256: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .db
            .fetch(
                "SELECT comment FROM private_comments WHERE sha256 = $1",
                vec![Val::from(sha256)],
                &[Kind::T],
            )
            .await?
            .first()
            .and_then(|r| r[0].text().map(str::to_string)))
    }

    /// Everything logged about a table, in order: its photos, versions, decisions and reports
    /// (the records whose table is `table`) and, for photos transcribed by reviewers, the
    /// photo, its entries and their reveal.
    pub async fn history(&self, table: TableId) -> Result<Vec<crate::StoredRecord>, StoreError> {
        let rows = self
            .db
            .fetch(
                "WITH items AS (SELECT item FROM decisions WHERE table_code = $1 \
                 AND item LIKE 'photo:%') \
                 SELECT seq, body FROM records WHERE table_code = $1 \
                 UNION SELECT r.seq, r.body FROM records r JOIN review_entries e \
                 ON r.seq = e.seq OR r.seq = e.revealed WHERE e.item IN (SELECT item FROM items) \
                 UNION SELECT r.seq, r.body FROM records r JOIN images i ON r.seq = i.seq \
                 WHERE 'photo:' || i.sha256 IN (SELECT item FROM items) ORDER BY 1",
                vec![Val::from(table.to_string())],
                &[Kind::I, Kind::T],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| crate::StoredRecord {
                seq: r[0].int().unwrap_or(0) as u64,
                bytes: r[1].text().unwrap_or_default().as_bytes().to_vec(),
            })
            .collect())
    }

    /// Everything logged about a review item, in order. A table's is its [`history`]; a
    /// photo's is its image record, its blind entries (commitments: a transcription shows only
    /// in the reveal, once the photo has two), their reveal, the decisions on it and the
    /// results they accepted.
    ///
    /// [`history`]: Store::history
    pub async fn item_history(&self, item: &Item) -> Result<Vec<crate::StoredRecord>, StoreError> {
        let sha256 = match item {
            Item::Table { table } => return self.history(*table).await,
            Item::Photo { sha256 } => sha256,
        };
        let rows = self
            .db
            .fetch(
                "SELECT r.seq, r.body FROM records r JOIN images i ON r.seq = i.seq \
                 WHERE i.sha256 = $1 \
                 UNION SELECT r.seq, r.body FROM records r JOIN review_entries e \
                 ON r.seq = e.seq OR r.seq = e.revealed WHERE e.item = $2 \
                 UNION SELECT r.seq, r.body FROM records r JOIN decisions d \
                 ON r.seq = d.seq OR (r.seq = d.seq + 1 AND r.kind = 'result' \
                 AND r.table_code = d.table_code AND r.body LIKE $3) WHERE d.item = $2 \
                 ORDER BY 1",
                vec![
                    Val::from(sha256.as_str()),
                    Val::from(item.to_string()),
                    Val::from(format!("%\"sha256\":\"{sha256}\"%")),
                ],
                &[Kind::I, Kind::T],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| crate::StoredRecord {
                seq: r[0].int().unwrap_or(0) as u64,
                bytes: r[1].text().unwrap_or_default().as_bytes().to_vec(),
            })
            .collect())
    }

    /// Who did what, when: every record made by a person (accounts, uploads, entries,
    /// decisions) or a citizen (reports), oldest first.
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = self
            .db
            .fetch(
                "SELECT seq, body, table_code FROM records WHERE kind IN \
                 ('account', 'entry', 'reveal', 'decision', 'report') \
                 OR (kind = 'image' AND body LIKE '%\"by\":%') ORDER BY seq",
                vec![],
                &[Kind::I, Kind::T, Kind::T],
            )
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let seq = r[0].int().unwrap_or(0) as u64;
            let record =
                Record::from_bytes(r[1].text().unwrap_or_default().as_bytes()).map_err(|e| {
                    StoreError::Corrupt {
                        seq: seq as i64,
                        message: e.to_string(),
                    }
                })?;
            let table = r[2].text().map(str::to_string);
            let entry = AuditEntry {
                seq,
                at: record.at.clone(),
                by: record.source.by.clone(),
                kind: record.body.kind(),
                table: table.clone(),
                what: describe(&record),
            };
            if filter
                .who
                .as_deref()
                .is_some_and(|w| entry.by.as_deref() != Some(w))
                || filter
                    .since
                    .as_deref()
                    .is_some_and(|s| entry.at.as_str() < s)
                || filter
                    .table
                    .is_some_and(|t| table.as_deref() != Some(t.to_string().as_str()))
            {
                continue;
            }
            out.push(entry);
        }
        Ok(out)
    }
}

/// A third reviewer's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// One of the two entries, by its commitment record's seq.
    Entry(u64),
    /// A transcription of the decider's own.
    Own(TableResult),
}

/// A few words on what a record did, for the audit trail.
fn describe(record: &Record) -> String {
    match &record.body {
        RecordBody::Account { account } => match &account.token_sha256 {
            Some(_) => format!(
                "account {} set: {}{}",
                account.name,
                account.role.as_str(),
                if account.scopes.is_empty() {
                    String::new()
                } else {
                    format!(" for {}", account.scopes.join(", "))
                }
            ),
            None => format!("account {} revoked", account.name),
        },
        RecordBody::Entry { entry } => format!("blind entry for {}", entry.item),
        RecordBody::Reveal { reveal } => format!(
            "entries {} of {} revealed",
            reveal
                .entries
                .iter()
                .map(|e| e.seq.to_string())
                .collect::<Vec<_>>()
                .join(" and "),
            reveal.item
        ),
        RecordBody::Decision { decision } => {
            let what = match (&decision.accepted, decision.counted) {
                (Some(r), _) => format!("transcription of table {} accepted", r.table),
                (None, Some(seq)) => format!("record {seq} counts"),
                (None, None) => "closed".to_string(),
            };
            format!("{}: {what} ({})", decision.item, decision.reason)
        }
        RecordBody::Report { report } => {
            format!(
                "report on table {}: {}",
                report.table,
                report.problem.as_str()
            )
        }
        RecordBody::Image { image } => format!(
            "photo {} uploaded ({})",
            &image.sha256[..12.min(image.sha256.len())],
            image.status.as_str()
        ),
        other => other.kind().to_string(),
    }
}
