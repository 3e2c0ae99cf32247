//! Records: the unit of the append-only history. Every accepted fact (the election definition,
//! a table's result from some source, ...) is one record, and one record is one transparency-log
//! entry, so the record's bytes must be canonical.
//!
//! Encoding, version 1: JSON, UTF-8, no insignificant whitespace, keys in the declaration order of
//! these structs (serde preserves it), `"v":1` first. Maps are `BTreeMap`s, so their keys are in
//! byte order. Optional fields that are unknown are absent, never `null`. Floats (a bulletin's
//! `tables_fraction`) are written in serde_json's shortest round-trip form, so one value always
//! has one spelling. Changing a field's name or order is a new version; adding a record kind is
//! not (older readers refuse the unknown kind instead of misreading it). The log stores exactly
//! the bytes of [`Record::to_bytes`].

use serde::{Deserialize, Serialize};

use crate::election::{Bulletin, Election};
use crate::review::{AccountRecord, Decision, EntryCommitment, Report, Reveal};
use crate::tally::TableResult;
use crate::validate::Problem;

pub const RECORD_VERSION: u32 = 1;

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// `csv`, `qr`, `manual`, `builtin`, ...
    pub kind: String,
    /// File name (not the full path: paths say nothing to other readers and can leak).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line in the file, for row-based inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// SHA-256 of the whole input file or image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The account that brought it (an upload, an entry, a decision), by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl Source {
    /// A source of `kind` with nothing else known yet.
    pub fn of(kind: &str) -> Source {
        Source {
            kind: kind.to_string(),
            file: None,
            line: None,
            sha256: None,
            by: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordBody {
    /// The election definition every later record is read against.
    Election { election: Box<Election> },
    /// A table's result as one source states it.
    Result {
        result: TableResult,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        problems: Vec<Problem>,
        /// Where the source says the acta's photo is (a results file's image column): the
        /// table's referenced image, until `actas images fetch` stores and checks it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image_url: Option<String>,
    },
    /// An official bulletin published after the election was defined. The definition (record 0)
    /// never changes, so later claims of the authority are records of their own.
    Bulletin { bulletin: Bulletin },
    /// A photo of an acta: its content hash and what reading it gave. Every distinct photo is
    /// kept, also when its table is already counted, so that no evidence is lost; a readable
    /// one is followed by a `result` record whose source names the same SHA-256.
    Image { image: ImageRecord },
    /// An account created, changed or revoked, by `source.by`.
    Account { account: AccountRecord },
    /// A reviewer's transcription of a review item, committed to but not yet revealed.
    Entry { entry: EntryCommitment },
    /// The entries of a review item, revealed once it has two.
    Reveal { reveal: Reveal },
    /// A reviewer's decision on a review item, with its reason.
    Decision { decision: Decision },
    /// A citizen's report of a problem with a table's acta.
    Report { report: Report },
}

/// What was read from one photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRecord {
    /// SHA-256 of the image file, hex: the key of the stored original.
    pub sha256: String,
    pub bytes: u64,
    pub status: ImageStatus,
    /// The raw QR text, whenever a code was decoded (also when it is not a valid acta).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// The table the payload names, when it parses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<crate::TableId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageStatus {
    /// The QR code was read and is a valid acta of the election.
    Read,
    /// No QR code could be read: needs a human transcription.
    Unreadable,
    /// A QR code was read but it is not a valid acta (wrong format, fails a rule).
    Invalid,
}

impl ImageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImageStatus::Read => "read",
            ImageStatus::Unreadable => "unreadable",
            ImageStatus::Invalid => "invalid",
        }
    }
}

impl RecordBody {
    /// The `kind` tag of the encoding, also stored beside the record for queries.
    pub fn kind(&self) -> &'static str {
        match self {
            RecordBody::Election { .. } => "election",
            RecordBody::Result { .. } => "result",
            RecordBody::Bulletin { .. } => "bulletin",
            RecordBody::Image { .. } => "image",
            RecordBody::Account { .. } => "account",
            RecordBody::Entry { .. } => "entry",
            RecordBody::Reveal { .. } => "reveal",
            RecordBody::Decision { .. } => "decision",
            RecordBody::Report { .. } => "report",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub v: u32,
    /// RFC 3339 UTC time of acceptance, given by the caller (this crate reads no clock).
    pub at: String,
    pub source: Source,
    #[serde(flatten)]
    pub body: RecordBody,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("record is not valid JSON of a known kind: {0}")]
    Decode(#[from] serde_json::Error),
    #[error("record version {0} is not supported (this build reads version {RECORD_VERSION})")]
    Version(u32),
}

impl Record {
    pub fn new(at: String, source: Source, body: RecordBody) -> Self {
        Self {
            v: RECORD_VERSION,
            at,
            source,
            body,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("records contain only serialisable data")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, RecordError> {
        let r: Record = serde_json::from_slice(bytes)?;
        if r.v != RECORD_VERSION {
            return Err(RecordError::Version(r.v));
        }
        Ok(r)
    }

    /// SHA-256 of the canonical bytes, hex.
    pub fn hash_hex(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(self.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{payload, ve2024};

    #[test]
    fn encoding_is_canonical_and_round_trips() {
        let e = ve2024::election();
        let result = payload::parse(
            "240111017.01.1.0001!130,9,5,5,7,2,0,7,7,2,0,2,6,1,1,0,1,1,1,0,2,0,0,0,0,0,0,0,1,1,3,1,1,5,16,274,1,1!0!0",
            &e,
        )
        .unwrap()
        .to_result(&e);
        let rec = Record::new(
            "2024-07-29T00:00:00Z".into(),
            Source {
                kind: "qr".into(),
                file: Some("a.jpg".into()),
                line: None,
                sha256: None,
                by: None,
            },
            RecordBody::Result {
                result,
                problems: vec![],
                image_url: None,
            },
        );
        let bytes = rec.to_bytes();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(
            text.starts_with(r#"{"v":1,"at":"2024-07-29T00:00:00Z","source":{"kind":"qr","file":"a.jpg"},"kind":"result","result":{"table":"240111017.01","valid":493,"null":0,"blank":0,"votes":[182,"#),
            "{text}"
        );
        let back = Record::from_bytes(&bytes).unwrap();
        assert_eq!(back, rec);
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn bulletins_encode_canonically_and_kinds_match_the_tag() {
        let e = ve2024::election();
        let rec = Record::new(
            "2024-08-02T00:00:00Z".into(),
            Source {
                kind: "manual".into(),
                file: None,
                line: None,
                sha256: None,
                by: None,
            },
            RecordBody::Bulletin {
                bulletin: e.bulletins[0].clone(),
            },
        );
        let bytes = rec.to_bytes();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"v":1,"at":"2024-08-02T00:00:00Z","source":{"kind":"manual"},"kind":"bulletin","bulletin":{"name":"CNE boletín 1","date":"2024-07-29","votes":{"EG":4445978,"NM":5150092},"others":462704,"tables_fraction":0.8}}"#
        );
        let back = Record::from_bytes(&bytes).unwrap();
        assert_eq!(back, rec);
        assert_eq!(back.to_bytes(), bytes);
        for body in [
            rec.body.clone(),
            RecordBody::Election {
                election: Box::new(e),
            },
        ] {
            let v: serde_json::Value = serde_json::from_slice(
                &Record::new("t".into(), rec.source.clone(), body.clone()).to_bytes(),
            )
            .unwrap();
            assert_eq!(v["kind"], body.kind());
        }
    }

    #[test]
    fn unknown_versions_and_garbage_are_refused() {
        assert!(Record::from_bytes(b"not json").is_err());
        let e = Record::new(
            "t".into(),
            Source {
                kind: "builtin".into(),
                file: None,
                line: None,
                sha256: None,
                by: None,
            },
            RecordBody::Election {
                election: Box::new(ve2024::election()),
            },
        );
        let text = String::from_utf8(e.to_bytes())
            .unwrap()
            .replacen("\"v\":1", "\"v\":9", 1);
        assert!(matches!(
            Record::from_bytes(text.as_bytes()),
            Err(RecordError::Version(9))
        ));
    }
}
