//! The result of one table: what every source (CSV row, QR payload, transcription) reduces to.

use serde::{Deserialize, Serialize};

use crate::election::Election;
use crate::ids::TableId;

/// One table's counts. Votes are per candidate in the election's candidate order; `cards` keeps
/// the per-card detail when the source has it (a QR payload), so nothing read is thrown away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableResult {
    pub table: TableId,
    /// Registered voters of the table, when the source states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<u64>,
    /// Valid votes as stated by the source; must equal the sum of `votes`.
    pub valid: u64,
    pub null: u64,
    /// Blank votes (QR "vacíos"), when the source states them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank: Option<u64>,
    pub votes: Vec<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cards: Option<Vec<u64>>,
}

impl TableResult {
    /// Builds a result from per-card votes, summing cards into candidates.
    pub fn from_cards(
        election: &Election,
        table: TableId,
        cards: Vec<u64>,
        null: u64,
        blank: Option<u64>,
    ) -> Self {
        let mut votes = vec![0u64; election.candidates.len()];
        for (card, candidate) in cards.iter().zip(election.card_candidates()) {
            votes[candidate] += card;
        }
        Self {
            table,
            registered: None,
            valid: votes.iter().sum(),
            null,
            blank,
            votes,
            cards: Some(cards),
        }
    }

    /// Whether two results report the same counts. Registered voters are a property of the table
    /// rather than of the count, so a source that omits them does not disagree with one that
    /// states them; the same goes for card detail and blank votes.
    pub fn same_counts(&self, other: &TableResult) -> bool {
        self.table == other.table
            && self.valid == other.valid
            && self.null == other.null
            && self.votes == other.votes
            && agree(&self.registered, &other.registered)
            && agree(&self.blank, &other.blank)
            && agree(&self.cards, &other.cards)
    }
}

fn agree<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}
