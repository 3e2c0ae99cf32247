//! Structured inputs: per-table results files in the layouts real users bring, and geography
//! files, to results offered to the store ([`actas_core::Incoming`]) and places, or an error
//! naming file, line and column. It writes nothing and decides no rule (core's run on each row).
//!
//! Architecture invariant: parsing is complete before anything is stored. The store receives
//! either every row of a file or (with quarantine) the good rows plus the bad ones with their
//! reasons, so an import can never leave a partial write behind.

pub mod csv_results;
pub mod geo;
pub mod layout;
pub mod synthetic;
pub mod text;

pub use csv_results::{ImportError, ParsedFile, parse_results};
pub use layout::Layout;
