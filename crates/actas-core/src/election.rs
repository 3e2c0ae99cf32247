//! What an election is: its ballot, its places and the totals it officially has.
//!
//! An election is data (serialisable, loaded from a JSON file or built in, see [`crate::ve2024`]),
//! never code paths: every rule elsewhere reads the ballot and levels from here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A candidate, identified by a short stable id (`EG`, `NM`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub name: String,
}

/// A party card on the ballot. Votes are cast per card; each card counts for one candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub sigla: String,
    pub candidate: String,
}

/// The levels of the geography, coarse to fine. A table belongs to a centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    National,
    State,
    Municipality,
    Parish,
    Centre,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::National,
        Level::State,
        Level::Municipality,
        Level::Parish,
        Level::Centre,
    ];

    /// Length of a place code at this level (a prefix of the nine-digit centre code).
    pub fn code_len(self) -> usize {
        match self {
            Level::National => 0,
            Level::State => 2,
            Level::Municipality => 4,
            Level::Parish => 6,
            Level::Centre => 9,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::State => "state",
            Level::Municipality => "municipality",
            Level::Parish => "parish",
            Level::Centre => "centre",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The level whose code has this length, if any.
    pub fn from_code(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code_len() == code.len())
    }

    pub fn parent(self) -> Option<Level> {
        match self {
            Level::National => None,
            Level::State => Some(Level::National),
            Level::Municipality => Some(Level::State),
            Level::Parish => Some(Level::Municipality),
            Level::Centre => Some(Level::Parish),
        }
    }
}

/// A named place at some level, with what is known of its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub level: Level,
    pub code: String,
    pub name: String,
    /// Number of tables the place has in the whole election (counted or not), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_tables: Option<u64>,
}

/// Nationwide figures published by the authority, used for coverage and worst-case bounds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficialTotals {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centres: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<u64>,
    /// Registered voters abroad, who vote in no table of the national territory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_abroad: Option<u64>,
}

/// An official bulletin: totals announced by the authority, to compare with the actas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bulletin {
    pub name: String,
    pub date: String,
    /// Votes per candidate id; candidates the bulletin groups together may be missing.
    pub votes: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub others: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub null: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voters: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<u64>,
    /// Share of the tables the authority said the bulletin covered (0.8 for "80 % of actas").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables_fraction: Option<f64>,
}

/// The definition of one election.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Election {
    /// Short stable id, e.g. `ve2024`.
    pub id: String,
    pub name: String,
    pub date: String,
    /// Candidates in the order used for results columns.
    pub candidates: Vec<Candidate>,
    /// Party cards in ballot order (the order of the votes in the QR payload).
    pub cards: Vec<Card>,
    /// First-level places (states), with their official table counts where known.
    pub states: Vec<Place>,
    #[serde(default)]
    pub official: OfficialTotals,
    #[serde(default)]
    pub bulletins: Vec<Bulletin>,
    /// Name of the QR payload codec in [`crate::payload`]; `None` if actas carry no QR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("the election has no candidates")]
    NoCandidates,
    #[error("candidate id {0:?} appears twice")]
    DuplicateCandidate(String),
    #[error("candidate id {0:?} must be 1 to 16 letters, digits or '_'")]
    BadCandidateId(String),
    #[error("card {sigla:?} belongs to unknown candidate {candidate:?}")]
    UnknownCardCandidate { sigla: String, candidate: String },
    #[error("state {0:?}: code must be two digits")]
    BadStateCode(String),
    #[error("unknown payload format {0:?} (known: ve2024-qr)")]
    UnknownPayloadFormat(String),
}

impl Election {
    /// Checks the definition's internal consistency; every loaded definition goes through here.
    pub fn check(&self) -> Result<(), DefinitionError> {
        if self.candidates.is_empty() {
            return Err(DefinitionError::NoCandidates);
        }
        for (i, c) in self.candidates.iter().enumerate() {
            let ok = !c.id.is_empty()
                && c.id.len() <= 16
                && c.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ok {
                return Err(DefinitionError::BadCandidateId(c.id.clone()));
            }
            if self.candidates[..i].iter().any(|o| o.id == c.id) {
                return Err(DefinitionError::DuplicateCandidate(c.id.clone()));
            }
        }
        for card in &self.cards {
            if self.candidate_index(&card.candidate).is_none() {
                return Err(DefinitionError::UnknownCardCandidate {
                    sigla: card.sigla.clone(),
                    candidate: card.candidate.clone(),
                });
            }
        }
        for s in &self.states {
            if s.code.len() != 2 || !s.code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DefinitionError::BadStateCode(s.code.clone()));
            }
        }
        if let Some(f) = &self.payload_format
            && f != crate::payload::VE2024_QR
        {
            return Err(DefinitionError::UnknownPayloadFormat(f.clone()));
        }
        Ok(())
    }

    pub fn candidate_index(&self, id: &str) -> Option<usize> {
        self.candidates.iter().position(|c| c.id == id)
    }

    pub fn candidate_ids(&self) -> impl Iterator<Item = &str> {
        self.candidates.iter().map(|c| c.id.as_str())
    }

    /// For each card in ballot order, the index of its candidate.
    pub fn card_candidates(&self) -> Vec<usize> {
        self.cards
            .iter()
            .map(|c| {
                self.candidate_index(&c.candidate)
                    .expect("checked definition")
            })
            .collect()
    }

    pub fn state(&self, code: &str) -> Option<&Place> {
        self.states.iter().find(|s| s.code == code)
    }
}
