//! The election domain: what an election is, what a table's result is, which rules a result must
//! satisfy, and how results are encoded (QR payloads, canonical record bodies).
//! It owns every validation rule; it reads no file, no clock and no network.
//!
//! Architecture invariant: this crate does no I/O. Everything here is a pure function of its
//! inputs so that every rule can be unit-tested and reused by every ingestion path.

pub mod election;
pub mod ids;
pub mod incoming;
pub mod payload;
pub mod record;
pub mod results;
pub mod review;
pub mod tally;
pub mod validate;
pub mod ve2024;

pub use election::{Candidate, Card, Election, Level, OfficialTotals, Place};
pub use ids::{ActaId, CentreCode, IdError, TableId};
pub use incoming::{Incoming, QuarantinedRow};
pub use record::{ImageRecord, ImageStatus, Record, RecordBody, Source};
pub use results::{ResultRow, Results};
pub use tally::TableResult;
pub use validate::{Problem, Severity};

/// An election defined in this crate.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub id: &'static str,
    pub definition: fn() -> Election,
}

/// The elections defined in this crate: what `actas init --election ID` can name without a
/// definition file.
pub const BUILTIN: &[Builtin] = &[Builtin {
    id: "ve2024",
    definition: ve2024::election,
}];

/// The built-in election `id`, if there is one.
pub fn builtin(id: &str) -> Option<Election> {
    BUILTIN
        .iter()
        .find(|b| b.id == id)
        .map(|b| (b.definition)())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_builtin_is_a_checked_definition_under_its_own_id() {
        for b in BUILTIN {
            let e = (b.definition)();
            e.check().unwrap();
            assert_eq!(e.id, b.id);
            assert_eq!(builtin(b.id), Some(e));
        }
        assert_eq!(builtin("ve2024").map(|e| e.id), Some("ve2024".into()));
        assert_eq!(builtin("ve2023"), None);
    }
}
