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
    #[error("bulletin {name:?}: {error}")]
    Bulletin { name: String, error: BulletinError },
}

/// Why a bulletin cannot be recorded. Arithmetic disagreements between its own figures are not
/// errors (see [`Bulletin::inconsistencies`]): they are part of what the authority said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BulletinError {
    #[error("name: empty; give the bulletin's title, e.g. \"CNE boletín 3\"")]
    EmptyName,
    #[error("name {0:?}: control characters are not allowed")]
    BadName(String),
    #[error("date {0:?}: expected a calendar date YYYY-MM-DD, e.g. 2024-07-29")]
    BadDate(String),
    #[error("votes: none given; list the votes per candidate id, e.g. EG=5326104,NM=6408844")]
    NoVotes,
    #[error("votes: unknown candidate id {id:?} (this election's ids: {known})")]
    UnknownCandidate { id: String, known: String },
    /// The fraction as written, since `f64` has no `Eq`.
    #[error(
        "tables_fraction {0}: expected the share of tables the bulletin covered, above 0 and at \
         most 1 (0.8 for 80 %)"
    )]
    BadTablesFraction(String),
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

impl Bulletin {
    /// The rules a bulletin must meet to be recorded against `election`.
    pub fn check(&self, election: &Election) -> Result<(), BulletinError> {
        if self.name.trim().is_empty() {
            return Err(BulletinError::EmptyName);
        }
        if self.name.chars().any(char::is_control) {
            return Err(BulletinError::BadName(self.name.clone()));
        }
        if !is_iso_date(&self.date) {
            return Err(BulletinError::BadDate(self.date.clone()));
        }
        if self.votes.is_empty() {
            return Err(BulletinError::NoVotes);
        }
        if let Some(id) = self
            .votes
            .keys()
            .find(|id| election.candidate_index(id).is_none())
        {
            return Err(BulletinError::UnknownCandidate {
                id: id.clone(),
                known: election.candidate_ids().collect::<Vec<_>>().join(", "),
            });
        }
        if let Some(f) = self.tables_fraction
            && !(f > 0.0 && f <= 1.0)
        {
            return Err(BulletinError::BadTablesFraction(f.to_string()));
        }
        Ok(())
    }

    /// Where the bulletin's own figures disagree with each other, in words. Such a bulletin is
    /// still recorded: the disagreement is evidence about the claim, not an input error.
    pub fn inconsistencies(&self, election: &Election) -> Vec<String> {
        let mut out = Vec::new();
        let named: u64 = self.votes.values().sum();
        let parts = named + self.others.unwrap_or(0);
        let complete = self.others.is_some()
            || election
                .candidate_ids()
                .all(|id| self.votes.contains_key(id));
        if let Some(valid) = self.valid {
            if parts > valid {
                out.push(format!(
                    "the candidates' votes{} add up to {parts}, more than the {valid} valid votes",
                    if self.others.is_some() {
                        " and others"
                    } else {
                        ""
                    }
                ));
            } else if complete && parts != valid {
                out.push(format!(
                    "the votes of every candidate{} add up to {parts}, not to the {valid} valid votes",
                    if self.others.is_some() { " and others" } else { "" }
                ));
            }
        }
        if let (Some(valid), Some(null), Some(voters)) = (self.valid, self.null, self.voters)
            && valid + null != voters
        {
            out.push(format!(
                "valid ({valid}) plus null ({null}) votes make {}, not the {voters} voters",
                valid + null
            ));
        }
        if let (Some(voters), Some(registered)) = (self.voters, self.registered)
            && voters > registered
        {
            out.push(format!(
                "{voters} voters is more than the {registered} registered voters"
            ));
        }
        out
    }
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
        for b in &self.bulletins {
            b.check(self).map_err(|error| DefinitionError::Bulletin {
                name: b.name.clone(),
                error,
            })?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ve2024;

    fn cne2() -> Bulletin {
        ve2024::election().bulletins[1].clone()
    }

    #[test]
    fn the_built_in_bulletins_pass_and_agree_with_themselves() {
        let e = ve2024::election();
        for b in &e.bulletins {
            b.check(&e).unwrap();
            assert_eq!(b.inconsistencies(&e), Vec::<String>::new(), "{}", b.name);
        }
    }

    #[test]
    fn a_bulletin_needs_a_name() {
        let e = ve2024::election();
        let b = Bulletin {
            name: "  ".into(),
            ..cne2()
        };
        assert_eq!(b.check(&e), Err(BulletinError::EmptyName));
        let b = Bulletin {
            name: "CNE\nboletín".into(),
            ..cne2()
        };
        assert!(matches!(b.check(&e), Err(BulletinError::BadName(_))));
    }

    #[test]
    fn a_bulletin_date_is_a_real_calendar_date() {
        for ok in ["2024-07-29", "2024-02-29", "2000-02-29", "1999-12-31"] {
            assert!(is_iso_date(ok), "{ok}");
        }
        for bad in [
            "2024-7-29",
            "29/07/2024",
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-07-00",
            "2024-07-2x",
            "２024-07-29",
            "",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
        let e = ve2024::election();
        let b = Bulletin {
            date: "29/07/2024".into(),
            ..cne2()
        };
        let err = b.check(&e).unwrap_err();
        assert_eq!(err, BulletinError::BadDate("29/07/2024".into()));
        assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
    }

    #[test]
    fn a_bulletin_names_only_candidates_of_the_election() {
        let e = ve2024::election();
        let mut b = cne2();
        b.votes.insert("XX".into(), 5);
        let err = b.check(&e).unwrap_err();
        assert!(
            matches!(&err, BulletinError::UnknownCandidate { id, .. } if id == "XX"),
            "{err:?}"
        );
        assert!(err.to_string().contains("EG"), "lists the known ids: {err}");
        let b = Bulletin {
            votes: BTreeMap::new(),
            ..cne2()
        };
        assert_eq!(b.check(&e), Err(BulletinError::NoVotes));
    }

    #[test]
    fn a_bulletin_covers_a_share_of_the_tables_in_0_1() {
        let e = ve2024::election();
        for ok in [0.0001, 0.8, 1.0] {
            let b = Bulletin {
                tables_fraction: Some(ok),
                ..cne2()
            };
            b.check(&e).unwrap();
        }
        for bad in [0.0, -0.5, 1.5, 80.0, f64::NAN] {
            let b = Bulletin {
                tables_fraction: Some(bad),
                ..cne2()
            };
            assert!(
                matches!(b.check(&e), Err(BulletinError::BadTablesFraction(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn inconsistent_figures_are_described_not_refused() {
        let e = ve2024::election();
        let b = Bulletin {
            valid: Some(12_000_000),
            voters: Some(30_000_000),
            ..cne2()
        };
        b.check(&e).unwrap();
        let notes = b.inconsistencies(&e);
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("more than the 12000000 valid votes"));
        assert!(notes[1].contains("not the 30000000 voters"));
        assert!(notes[2].contains("registered"));
        // Every candidate named: the parts must make the valid votes exactly.
        let b = Bulletin {
            valid: Some(12_335_885),
            ..cne2()
        };
        assert_eq!(b.inconsistencies(&e).len(), 2);
        // Some candidates grouped away and no `others`: a smaller sum is fine.
        let mut b = cne2();
        b.votes.remove("DC");
        b.voters = None;
        assert_eq!(b.inconsistencies(&e), Vec::<String>::new());
    }

    #[test]
    fn an_election_with_a_bad_bulletin_is_refused() {
        let mut e = ve2024::election();
        e.bulletins[0].votes.insert("ZZ".into(), 1);
        let err = e.check().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("bulletin \"CNE boletín 1\": votes: unknown candidate"),
            "{err}"
        );
    }
}
