//! People deciding what machines cannot: accounts and their roles, the review queue's items,
//! blind double entry, decisions and citizens' reports. Pure rules and record payloads; the
//! store keeps the state and the log.
//!
//! Blind double entry with a public log: a reviewer's transcription is logged as a commitment
//! (`SHA-256(nonce ":" transcription)`) and kept private until the item has its second entry,
//! when both are revealed in one record that anyone can check against the commitments. So
//! nobody, reading the log or the site, sees an entry before making theirs, and nobody (the
//! operator included) can change an entry after seeing the other.

use serde::{Deserialize, Serialize};

use crate::ids::TableId;
use crate::tally::TableResult;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages accounts; may also review.
    Admin,
    /// Transcribes and decides review items.
    Reviewer,
    /// Uploads acta photos, of the places in its scope.
    Witness,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Witness => "witness",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "reviewer" => Some(Role::Reviewer),
            "witness" => Some(Role::Witness),
            _ => None,
        }
    }

    /// Whether this role may transcribe and decide.
    pub fn reviews(self) -> bool {
        matches!(self, Role::Admin | Role::Reviewer)
    }
}

/// An account as the log records it. The token is never logged: only its SHA-256 (a random
/// 256-bit token cannot be recovered from it), so the accounts can be rebuilt from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// A handle, not a person's name: the log is public.
    pub name: String,
    pub role: Role,
    /// Place codes (state, municipality, parish or centre) a witness may upload for; empty:
    /// everywhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// SHA-256 of the account's token, hex; absent once revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_sha256: Option<String>,
}

impl AccountRecord {
    pub fn active(&self) -> bool {
        self.token_sha256.is_some()
    }

    /// Whether a witness of this account may send the acta of `table`.
    pub fn covers(&self, table: TableId) -> bool {
        let centre = table.centre.to_string();
        self.scopes.is_empty() || self.scopes.iter().any(|s| centre.starts_with(s.as_str()))
    }
}

/// Checks an account name: a short handle of letters, digits, `.`, `_` and `-`.
pub fn check_account_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "account name {name:?}: expected 1 to 40 letters, digits, '.', '_' or '-' (a handle, not a person's name: the log is public)"
        ))
    }
}

/// Checks a scope: a place code of 2 (state), 4 (municipality), 6 (parish) or 9 (centre)
/// digits.
pub fn check_scope(code: &str) -> Result<(), String> {
    if matches!(code.len(), 2 | 4 | 6 | 9) && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "scope {code:?}: expected a place code of 2 (state), 4 (municipality), 6 (parish) or 9 (centre) digits"
        ))
    }
}

/// Something in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// A photo no machine could turn into a valid acta: it needs a transcription.
    Photo { sha256: String },
    /// A table with conflicting versions, or reported by citizens: it needs a decision.
    Table { table: TableId },
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::Photo { sha256 } => write!(f, "photo:{sha256}"),
            Item::Table { table } => write!(f, "table:{table}"),
        }
    }
}

impl std::str::FromStr for Item {
    type Err = String;
    fn from_str(s: &str) -> Result<Item, String> {
        let bad = || {
            format!(
                "review item {s:?}: expected photo:<SHA-256 of the photo> or table:<table id, e.g. 010113042.01>"
            )
        };
        match s.split_once(':') {
            Some(("photo", sha))
                if sha.len() == 64
                    && sha
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) =>
            {
                Ok(Item::Photo {
                    sha256: sha.to_string(),
                })
            }
            Some(("table", t)) => Ok(Item::Table {
                table: t.parse().map_err(|_| bad())?,
            }),
            _ => Err(bad()),
        }
    }
}

impl Serialize for Item {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Item, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A reviewer's transcription, as logged before it is revealed: the item and the commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryCommitment {
    pub item: Item,
    /// [`commitment`] of the nonce and the transcription, hex.
    pub commitment: String,
}

/// The commitment to a transcription: `SHA-256(nonce ":" canonical JSON of the result)`, hex.
pub fn commitment(nonce: &str, transcription: &TableResult) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(nonce.as_bytes());
    h.update(b":");
    h.update(serde_json::to_vec(transcription).expect("results serialise"));
    hex::encode(h.finalize())
}

/// One revealed entry: the record that committed to it, and what it committed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealedEntry {
    /// Log index of the entry's commitment record.
    pub seq: u64,
    pub nonce: String,
    pub transcription: TableResult,
}

/// The entries of an item, revealed together once it has two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reveal {
    pub item: Item,
    pub entries: Vec<RevealedEntry>,
}

/// A decision on a review item, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub item: Item,
    /// The transcription accepted as the photo's result (a photo item): it follows this
    /// record as a `result` record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<TableResult>,
    /// The log index of the table's version that counts from now on (a conflict resolved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<u64>,
    pub reason: String,
}

/// What a citizen says is wrong with a table's acta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The photo is of another table, or not an acta.
    WrongPhoto,
    /// The numbers shown differ from the photo.
    NumbersDiffer,
    /// The photo cannot be read.
    Illegible,
    Other,
}

impl ReportKind {
    pub const ALL: [ReportKind; 4] = [
        ReportKind::WrongPhoto,
        ReportKind::NumbersDiffer,
        ReportKind::Illegible,
        ReportKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::WrongPhoto => "wrong_photo",
            ReportKind::NumbersDiffer => "numbers_differ",
            ReportKind::Illegible => "illegible",
            ReportKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A citizen's report, as logged. The comment itself is kept for reviewers only (a public,
/// permanent log is no place for free text from anyone); its SHA-256 is logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub table: TableId,
    pub problem: ReportKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_sha256: Option<String>,
}

/// Longest comment a report may carry.
pub const MAX_COMMENT: usize = 1000;

/// Where a photo item stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoStage {
    /// Fewer than two entries: `by` lists who has entered.
    Entering {
        by: Vec<String>,
    },
    /// Two entries that differ: a third reviewer decides.
    Disagreed {
        by: Vec<String>,
    },
    Decided,
}

/// Why a review action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("{0} is not in the review queue")]
    NotOpen(String),
    #[error(
        "{who} already entered a transcription of {item}: entries must come from two different reviewers"
    )]
    SecondEntry { who: String, item: String },
    #[error("{item} has two different entries; a third reviewer decides between them")]
    NeedsDecision { item: String },
    #[error("{item} still needs {missing} blind entr{plural} before a decision", plural = if *missing == 1 { "y" } else { "ies" })]
    NeedsEntries { item: String, missing: usize },
    #[error(
        "{who} entered a transcription of {item}: the decision between the two entries is a third reviewer's"
    )]
    OwnEntry { who: String, item: String },
    #[error("a decision needs a reason")]
    NoReason,
}

impl PhotoStage {
    /// May `who` enter a transcription now?
    pub fn check_entry(&self, item: &Item, who: &str) -> Result<(), ReviewError> {
        match self {
            PhotoStage::Entering { by } if by.iter().any(|b| b == who) => {
                Err(ReviewError::SecondEntry {
                    who: who.into(),
                    item: item.to_string(),
                })
            }
            PhotoStage::Entering { .. } => Ok(()),
            PhotoStage::Disagreed { .. } => Err(ReviewError::NeedsDecision {
                item: item.to_string(),
            }),
            PhotoStage::Decided => Err(ReviewError::NotOpen(item.to_string())),
        }
    }

    /// May `who` decide between the entries now?
    pub fn check_decision(&self, item: &Item, who: &str) -> Result<(), ReviewError> {
        match self {
            PhotoStage::Disagreed { by } if by.iter().any(|b| b == who) => {
                Err(ReviewError::OwnEntry {
                    who: who.into(),
                    item: item.to_string(),
                })
            }
            PhotoStage::Disagreed { .. } => Ok(()),
            PhotoStage::Entering { by } => Err(ReviewError::NeedsEntries {
                item: item.to_string(),
                missing: 2 - by.len().min(2),
            }),
            PhotoStage::Decided => Err(ReviewError::NotOpen(item.to_string())),
        }
    }
}

/// Whether two transcriptions say the same: the same table and the same count on every card,
/// null and blank.
pub fn same_transcription(a: &TableResult, b: &TableResult) -> bool {
    a.table == b.table
        && a.cards == b.cards
        && a.null == b.null
        && a.blank == b.blank
        && a.votes == b.votes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> TableId {
        s.parse().unwrap()
    }

    #[test]
    fn items_round_trip_and_bad_ones_are_named() {
        let sha = "a".repeat(64);
        for item in [
            Item::Photo {
                sha256: sha.clone(),
            },
            Item::Table {
                table: t("010113042.01"),
            },
        ] {
            let text = item.to_string();
            assert_eq!(text.parse::<Item>().unwrap(), item);
            let json = serde_json::to_string(&item).unwrap();
            assert_eq!(serde_json::from_str::<Item>(&json).unwrap(), item);
        }
        for bad in [
            "photo:xyz",
            "table:1",
            "nothing",
            "photo:",
            &format!("photo:{}", "A".repeat(64)),
        ] {
            let err = bad.parse::<Item>().unwrap_err();
            assert!(err.contains("expected photo:"), "{err}");
        }
    }

    #[test]
    fn scopes_names_and_coverage() {
        assert!(check_scope("01").is_ok() && check_scope("010113042").is_ok());
        assert!(check_scope("1").is_err() && check_scope("01a1").is_err());
        assert!(check_account_name("testigo-01").is_ok());
        assert!(check_account_name("María Pérez").is_err());
        assert!(check_account_name("").is_err());
        let a = AccountRecord {
            name: "w".into(),
            role: Role::Witness,
            scopes: vec!["0101".into(), "240111017".into()],
            token_sha256: Some("x".into()),
        };
        assert!(a.covers(t("010113042.01")));
        assert!(a.covers(t("240111017.02")));
        assert!(!a.covers(t("020101001.01")));
        assert!(
            AccountRecord {
                scopes: vec![],
                ..a.clone()
            }
            .covers(t("020101001.01"))
        );
    }

    #[test]
    fn double_entry_rules() {
        let item = Item::Photo {
            sha256: "b".repeat(64),
        };
        let open = PhotoStage::Entering { by: vec![] };
        assert!(open.check_entry(&item, "r1").is_ok());
        let one = PhotoStage::Entering {
            by: vec!["r1".into()],
        };
        assert!(matches!(
            one.check_entry(&item, "r1"),
            Err(ReviewError::SecondEntry { .. })
        ));
        assert!(one.check_entry(&item, "r2").is_ok());
        assert!(matches!(
            one.check_decision(&item, "r3"),
            Err(ReviewError::NeedsEntries { missing: 1, .. })
        ));
        let split = PhotoStage::Disagreed {
            by: vec!["r1".into(), "r2".into()],
        };
        assert!(split.check_entry(&item, "r3").is_err());
        assert!(matches!(
            split.check_decision(&item, "r2"),
            Err(ReviewError::OwnEntry { .. })
        ));
        assert!(split.check_decision(&item, "r3").is_ok());
        assert!(PhotoStage::Decided.check_entry(&item, "r4").is_err());
    }

    #[test]
    fn commitments_bind_the_transcription() {
        let r = TableResult {
            table: t("010113042.01"),
            registered: None,
            valid: 10,
            null: 1,
            blank: Some(0),
            votes: vec![10],
            cards: Some(vec![10]),
        };
        let c = commitment("n1", &r);
        assert_eq!(c.len(), 64);
        assert_eq!(c, commitment("n1", &r));
        assert_ne!(c, commitment("n2", &r));
        let mut other = r.clone();
        other.null = 2;
        assert_ne!(c, commitment("n1", &other));
        assert!(same_transcription(&r, &r.clone()));
        assert!(!same_transcription(&r, &other));
    }
}
