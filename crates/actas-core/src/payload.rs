//! QR payload codecs. The Venezuelan 2024 format (`qr-format.md`):
//! `ACTA_ID!v1,v2,...,v38!NULOS!VACIOS`, votes per card in ballot order.

use crate::election::Election;
use crate::ids::ActaId;
use crate::tally::TableResult;

/// Name of the ve2024 codec in [`Election::payload_format`].
pub const VE2024_QR: &str = "ve2024-qr";

/// Longest payload accepted; real ones are ~130 bytes, so anything far larger is not an acta.
pub const MAX_PAYLOAD_LEN: usize = 4096;

/// Largest count accepted for one field. A table has at most a few thousand voters; this bound
/// only keeps sums far from overflow.
const MAX_COUNT: u64 = 10_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("payload is {0} bytes long; an acta payload is at most {MAX_PAYLOAD_LEN}")]
    TooLong(usize),
    #[error("expected 4 fields separated by '!' (ACTA_ID!VOTES!NULOS!VACIOS), found {0}")]
    Fields(usize),
    #[error("field 1 (acta id): {0}")]
    ActaId(String),
    #[error(
        "field 2 (votes): expected {expected} comma-separated counts, one per card, found {found}"
    )]
    CardCount { expected: usize, found: usize },
    #[error("field {field} ({name}): {value:?} is not a count (digits only, at most {MAX_COUNT})")]
    Count {
        field: usize,
        name: String,
        value: String,
    },
    #[error("the election defines no QR payload format")]
    NoFormat,
}

/// A decoded acta payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub acta_id: ActaId,
    pub cards: Vec<u64>,
    pub null: u64,
    pub blank: u64,
}

impl Payload {
    pub fn to_result(&self, election: &Election) -> TableResult {
        TableResult::from_cards(
            election,
            self.acta_id.table,
            self.cards.clone(),
            self.null,
            Some(self.blank),
        )
    }

    /// The payload an acta of `result` would carry: its cards when the result has them,
    /// otherwise each candidate's votes on the candidate's first card (a per-candidate source
    /// such as a results CSV does not say how votes split across cards). For rendering test
    /// and demo photos of known results; the acta id's last parts are those of a first print.
    pub fn from_result(election: &Election, result: &TableResult) -> Payload {
        let cards = result.cards.clone().unwrap_or_else(|| {
            let mut cards = vec![0u64; election.cards.len()];
            let card_candidates = election.card_candidates();
            for (candidate, &votes) in result.votes.iter().enumerate() {
                if let Some(first) = card_candidates.iter().position(|&c| c == candidate) {
                    cards[first] = votes;
                }
            }
            cards
        });
        Payload {
            acta_id: ActaId {
                table: result.table,
                f3: "1".into(),
                f4: "0001".into(),
            },
            cards,
            null: result.null,
            blank: result.blank.unwrap_or(0),
        }
    }

    pub fn encode(&self) -> String {
        let cards: Vec<String> = self.cards.iter().map(u64::to_string).collect();
        format!(
            "{}!{}!{}!{}",
            self.acta_id,
            cards.join(","),
            self.null,
            self.blank
        )
    }
}

fn count(field: usize, name: &str, s: &str) -> Result<u64, PayloadError> {
    let bad = || PayloadError::Count {
        field,
        name: name.to_string(),
        value: s.to_string(),
    };
    if s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let v: u64 = s.parse().map_err(|_| bad())?;
    if v > MAX_COUNT {
        return Err(bad());
    }
    Ok(v)
}

/// Parses a payload in the election's format. Strict: no whitespace, no signs, exact field
/// counts, so that a misread QR is refused rather than half-accepted.
pub fn parse(text: &str, election: &Election) -> Result<Payload, PayloadError> {
    match election.payload_format.as_deref() {
        Some(VE2024_QR) => parse_ve2024(text, election.cards.len()),
        _ => Err(PayloadError::NoFormat),
    }
}

fn parse_ve2024(text: &str, cards_expected: usize) -> Result<Payload, PayloadError> {
    if text.len() > MAX_PAYLOAD_LEN {
        return Err(PayloadError::TooLong(text.len()));
    }
    let fields: Vec<&str> = text.split('!').collect();
    if fields.len() != 4 {
        return Err(PayloadError::Fields(fields.len()));
    }
    let acta_id = fields[0]
        .parse::<ActaId>()
        .map_err(|e| PayloadError::ActaId(e.to_string()))?;
    let raw_cards: Vec<&str> = fields[1].split(',').collect();
    if raw_cards.len() != cards_expected {
        return Err(PayloadError::CardCount {
            expected: cards_expected,
            found: raw_cards.len(),
        });
    }
    let cards = raw_cards
        .iter()
        .enumerate()
        .map(|(i, v)| count(2, &format!("card {}", i + 1), v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Payload {
        acta_id,
        cards,
        null: count(3, "nulos", fields[2])?,
        blank: count(4, "vacíos", fields[3])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ve2024;
    use proptest::prelude::*;

    const EXAMPLE_1: &str = "240111017.01.1.0001!130,9,5,5,7,2,0,7,7,2,0,2,6,1,1,0,1,1,1,0,2,0,0,0,0,0,0,0,1,1,3,1,1,5,16,274,1,1!0!0";

    #[test]
    fn a_result_without_cards_round_trips_through_a_payload() {
        let e = ve2024::election();
        let mut votes = vec![0u64; e.candidates.len()];
        votes[e.candidate_index("EG").unwrap()] = 300;
        votes[e.candidate_index("NM").unwrap()] = 120;
        votes[e.candidate_index("BERA").unwrap()] = 4;
        let result = TableResult {
            table: "240111017.01".parse().unwrap(),
            registered: Some(700),
            valid: 424,
            null: 3,
            blank: None,
            votes: votes.clone(),
            cards: None,
        };
        let text = Payload::from_result(&e, &result).encode();
        assert!(text.starts_with("240111017.01.1.0001!"), "{text}");
        let back = parse(&text, &e).unwrap().to_result(&e);
        assert_eq!((back.votes, back.valid, back.null), (votes, 424, 3));
        // A result with cards keeps them.
        let with_cards = parse(EXAMPLE_1, &e).unwrap().to_result(&e);
        assert_eq!(Payload::from_result(&e, &with_cards).encode(), EXAMPLE_1);
    }

    #[test]
    fn parses_the_documented_example() {
        let e = ve2024::election();
        let p = parse(EXAMPLE_1, &e).unwrap();
        assert_eq!(p.acta_id.to_string(), "240111017.01.1.0001");
        let r = p.to_result(&e);
        let by_id = |id: &str| r.votes[e.candidate_index(id).unwrap()];
        assert_eq!(by_id("NM"), 182);
        assert_eq!(by_id("EG"), 295);
        assert_eq!(by_id("LM"), 5);
        assert_eq!(r.valid, 493);
        assert_eq!(r.null, 0);
        assert_eq!(p.encode(), EXAMPLE_1);
    }

    #[test]
    fn refuses_malformed_payloads_with_the_field_named() {
        let e = ve2024::election();
        let cases = [
            ("", "expected 4 fields"),
            ("240111017.01.1.0001!1,2!0!0", "expected 38"),
            (&EXAMPLE_1.replace("!0!0", "!0"), "expected 4 fields"),
            (&EXAMPLE_1.replace("130,", "1x0,"), "card 1"),
            (&EXAMPLE_1.replace("130,", "-1,"), "card 1"),
            (&EXAMPLE_1.replace("!0!0", "! 0!0"), "nulos"),
            (&EXAMPLE_1.replace("240111017", "24011101"), "acta id"),
        ];
        for (text, needle) in cases {
            let err = parse(text, &e).unwrap_err().to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,400}") {
            let _ = parse(&s, &ve2024::election());
        }

        #[test]
        fn encode_parse_round_trip(cards in proptest::collection::vec(0u64..2000, 38),
                                   null in 0u64..100, blank in 0u64..10,
                                   centre in 10_000_000u32..250_000_000, mesa in 1u8..16) {
            let e = ve2024::election();
            let id = format!("{:09}.{:02}.1.0001", centre, mesa);
            let p = Payload { acta_id: id.parse().unwrap(), cards, null, blank };
            prop_assert_eq!(parse(&p.encode(), &e).unwrap(), p);
        }

        #[test]
        fn mutated_payloads_never_panic(pos in 0usize..140, byte in any::<u8>()) {
            let mut b = EXAMPLE_1.as_bytes().to_vec();
            let i = pos % b.len();
            b[i] = byte;
            if let Ok(s) = std::str::from_utf8(&b) {
                let _ = parse(s, &ve2024::election());
            }
        }
    }
}
