//! The rules a table result must satisfy. Every ingestion path (CSV, QR, transcription) calls
//! [`check_result`]; no rule is written anywhere else.
//!
//! A `Reject` problem keeps the result out of the counts (it goes to quarantine or review); a
//! `Flag` problem is accepted and counted but shown to reviewers and on the acta's page.

use serde::{Deserialize, Serialize};

use crate::election::Election;
use crate::ids::ActaId;
use crate::tally::TableResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Reject,
    Flag,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Stable rule name, e.g. `valid-sum`; used in filters and translations.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    fn new(rule: &str, severity: Severity, message: String) -> Self {
        Self {
            rule: rule.to_string(),
            severity,
            message,
        }
    }
}

pub fn has_reject(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.severity == Severity::Reject)
}

/// Checks one table result against the election. `known_registered` is the table's registered
/// voters from the geography, when loaded. The same as [`check_own`] followed by
/// [`check_against_geography`].
pub fn check_result(
    election: &Election,
    r: &TableResult,
    known_registered: Option<u64>,
) -> Vec<Problem> {
    let mut out = check_own(election, r);
    for p in check_against_geography(r, known_registered) {
        if !out.iter().any(|q| q.rule == p.rule) {
            out.push(p);
        }
    }
    out
}

/// The rules a result can be judged by on its own: what a parser can check before anything
/// is stored (see [`crate::Incoming::checked`]).
pub fn check_own(election: &Election, r: &TableResult) -> Vec<Problem> {
    let mut out = Vec::new();
    let n = election.candidates.len();
    if r.votes.len() != n {
        out.push(Problem::new(
            "candidate-count",
            Severity::Reject,
            format!("{} vote counts for {} candidates", r.votes.len(), n),
        ));
        return out;
    }
    let sum: u64 = r.votes.iter().sum();
    if sum != r.valid {
        out.push(Problem::new(
            "valid-sum",
            Severity::Reject,
            format!(
                "valid votes {} but the candidates add up to {}",
                r.valid, sum
            ),
        ));
    }
    if let Some(cards) = &r.cards {
        if cards.len() != election.cards.len() {
            out.push(Problem::new(
                "card-count",
                Severity::Reject,
                format!(
                    "{} card counts for {} cards",
                    cards.len(),
                    election.cards.len()
                ),
            ));
        } else {
            let mut by_candidate = vec![0u64; n];
            for (v, c) in cards.iter().zip(election.card_candidates()) {
                by_candidate[c] += v;
            }
            if by_candidate != r.votes {
                out.push(Problem::new(
                    "card-sum",
                    Severity::Reject,
                    "the cards do not add up to the candidates' votes".to_string(),
                ));
            }
        }
    }
    if let Some(reg) = r.registered
        && let Some(p) = over_registered(r, reg)
    {
        out.push(p);
    }
    let state = r.table.centre.place_code(crate::Level::State);
    if !election.states.is_empty() && election.state(&state).is_none() {
        out.push(Problem::new(
            "unknown-state",
            Severity::Flag,
            format!("state code {state} is not one of the election's states"),
        ));
    }
    out
}

/// The rules that need the table's registered voters from the geography (the store knows
/// them): more votes than the geography's registered voters when the result states none, and
/// a stated number that differs from the geography's.
pub fn check_against_geography(r: &TableResult, known_registered: Option<u64>) -> Vec<Problem> {
    let Some(known) = known_registered else {
        return Vec::new();
    };
    match r.registered {
        None => over_registered(r, known).into_iter().collect(),
        Some(stated) if stated != known => vec![Problem::new(
            "registered-mismatch",
            Severity::Flag,
            format!("states {stated} registered voters; the geography says {known}"),
        )],
        Some(_) => Vec::new(),
    }
}

fn over_registered(r: &TableResult, registered: u64) -> Option<Problem> {
    let cast = r.valid + r.null + r.blank.unwrap_or(0);
    (cast > registered).then(|| {
        Problem::new(
            "over-registered",
            Severity::Reject,
            format!(
                "{cast} votes cast (valid + null + blank) but only {registered} registered voters"
            ),
        )
    })
}

/// Flags acta id parts that were constant in every real acta seen (`qr-format.md`): a different
/// value may be a contingency reprint or a forgery, and deserves a human look.
pub fn check_acta_id(id: &ActaId) -> Vec<Problem> {
    let mut out = Vec::new();
    if id.f3 != "1" {
        out.push(Problem::new(
            "acta-id-f3",
            Severity::Flag,
            format!("acta id part 3 is {:?}; every known acta has \"1\"", id.f3),
        ));
    }
    if id.f4 != "0001" {
        out.push(Problem::new(
            "acta-id-f4",
            Severity::Flag,
            format!(
                "acta id part 4 is {:?}; every known acta has \"0001\"",
                id.f4
            ),
        ));
    }
    out
}

/// A decoded QR text read against the election: the payload if it parses, and every problem
/// found (a payload that does not parse is one `Reject` problem, so a misread code is never
/// accepted). Registered voters come from the geography when known.
pub fn check_payload(
    election: &Election,
    text: &str,
    known_registered: Option<u64>,
) -> (Option<crate::payload::Payload>, Vec<Problem>) {
    match parse_payload(election, text) {
        Err(problem) => (None, vec![problem]),
        Ok(p) => {
            let problems = check_parsed_payload(election, &p, known_registered);
            (Some(p), problems)
        }
    }
}

/// The first half of [`check_payload`], for a caller that must know the table before it can
/// know its registered voters: the payload, or the `Reject` problem that it does not parse.
pub fn parse_payload(election: &Election, text: &str) -> Result<crate::payload::Payload, Problem> {
    crate::payload::parse(text, election)
        .map_err(|e| Problem::new("payload", Severity::Reject, e.to_string()))
}

/// The second half of [`check_payload`]: every rule on a parsed payload.
pub fn check_parsed_payload(
    election: &Election,
    payload: &crate::payload::Payload,
    known_registered: Option<u64>,
) -> Vec<Problem> {
    let mut problems = check_acta_id(&payload.acta_id);
    problems.extend(check_result(
        election,
        &payload.to_result(election),
        known_registered,
    ));
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{payload, ve2024};

    #[test]
    fn payloads_are_checked_with_every_rule() {
        let e = ve2024::election();
        let text = "240111017.01.1.0002!130,9,5,5,7,2,0,7,7,2,0,2,6,1,1,0,1,1,1,0,2,0,0,0,0,0,0,0,1,1,3,1,1,5,16,274,1,1!0!0";
        let (p, problems) = check_payload(&e, text, Some(400));
        assert!(p.is_some());
        assert_eq!(rules(&problems), ["acta-id-f4", "over-registered"]);
        let (p, problems) = check_payload(&e, "http://example.com", None);
        assert!(p.is_none());
        assert_eq!(rules(&problems), ["payload"]);
        assert!(has_reject(&problems));
    }

    fn example() -> TableResult {
        let e = ve2024::election();
        payload::parse(
            "240111017.01.1.0001!130,9,5,5,7,2,0,7,7,2,0,2,6,1,1,0,1,1,1,0,2,0,0,0,0,0,0,0,1,1,3,1,1,5,16,274,1,1!0!0",
            &e,
        )
        .unwrap()
        .to_result(&e)
    }

    fn rules(p: &[Problem]) -> Vec<&str> {
        p.iter().map(|p| p.rule.as_str()).collect()
    }

    #[test]
    fn a_real_acta_passes() {
        let e = ve2024::election();
        assert!(check_result(&e, &example(), Some(799)).is_empty());
    }

    #[test]
    fn valid_must_equal_the_sum_of_candidates() {
        let e = ve2024::election();
        let mut r = example();
        r.valid += 1;
        assert_eq!(rules(&check_result(&e, &r, None)), ["valid-sum"]);
    }

    #[test]
    fn cards_must_add_up_to_candidates() {
        let e = ve2024::election();
        let mut r = example();
        r.votes[0] += 1;
        r.valid += 1;
        assert_eq!(rules(&check_result(&e, &r, None)), ["card-sum"]);
        r.cards.as_mut().unwrap().pop();
        assert_eq!(rules(&check_result(&e, &r, None)), ["card-count"]);
    }

    #[test]
    fn wrong_number_of_candidates_is_rejected() {
        let e = ve2024::election();
        let mut r = example();
        r.votes.pop();
        assert_eq!(rules(&check_result(&e, &r, None)), ["candidate-count"]);
    }

    #[test]
    fn votes_cannot_exceed_registered_voters() {
        let e = ve2024::election();
        let r = example(); // 493 valid, 0 null
        assert!(check_result(&e, &r, Some(493)).is_empty());
        assert_eq!(rules(&check_result(&e, &r, Some(492))), ["over-registered"]);
        let mut stated = r.clone();
        stated.registered = Some(400);
        assert_eq!(
            rules(&check_result(&e, &stated, Some(799))),
            ["over-registered", "registered-mismatch"]
        );
    }

    #[test]
    fn unknown_states_are_flagged_not_rejected() {
        let e = ve2024::election();
        let mut r = example();
        r.table.centre = "990101001".parse().unwrap();
        let p = check_result(&e, &r, None);
        assert_eq!(rules(&p), ["unknown-state"]);
        assert!(!has_reject(&p));
    }

    #[test]
    fn unusual_acta_id_parts_are_flagged() {
        assert!(check_acta_id(&"240111017.01.1.0001".parse().unwrap()).is_empty());
        let p = check_acta_id(&"240111017.01.2.0002".parse().unwrap());
        assert_eq!(rules(&p), ["acta-id-f3", "acta-id-f4"]);
    }
}
