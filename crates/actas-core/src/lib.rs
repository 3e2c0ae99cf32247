//! The election domain: what an election is, what a table's result is, which rules a result must
//! satisfy, and how results are encoded (QR payloads, canonical record bodies).
//!
//! Architecture invariant: this crate does no I/O. Everything here is a pure function of its
//! inputs so that every rule can be unit-tested and reused by every ingestion path.

pub mod election;
pub mod ids;
pub mod payload;
pub mod record;
pub mod results;
pub mod tally;
pub mod validate;
pub mod ve2024;

pub use election::{Candidate, Card, Election, Level, OfficialTotals, Place};
pub use ids::{ActaId, CentreCode, IdError, TableId};
pub use record::{ImageRecord, ImageStatus, Record, RecordBody, Source};
pub use results::{ResultRow, Results};
pub use tally::TableResult;
pub use validate::{Problem, Severity};
