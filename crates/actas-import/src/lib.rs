//! Structured inputs: CSV files of per-table results in the layouts real users bring, and
//! geography files. Everything here turns bytes into validated [`actas_core::TableResult`]s and
//! [`actas_core::Place`]s, or into an error that names the file, line and column.
//!
//! Architecture invariant: parsing is complete before anything is stored. The store receives
//! either every row of a file or (with quarantine) the good rows plus the bad ones with their
//! reasons, so an import can never leave a partial write behind.

pub mod csv_results;
pub mod geo;
pub mod layout;
pub mod synthetic;
pub mod text;

pub use csv_results::{BadRow, ImportError, ParsedFile, Row, parse_results};
pub use layout::Layout;
