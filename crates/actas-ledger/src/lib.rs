//! The transparency log of `actas`: the one Merkle implementation, its C2SP tiles, signed
//! checkpoints, proofs, export and verification. It knows no database and no record format:
//! entries are opaque bytes (record `i` is entry `i`).
//!
//! Anyone can check that a record is in the log and that the published history was never
//! rewritten, with tools that already exist.
//!
//! Formats (all C2SP, so Go's `golang.org/x/mod/sumdb/{note,tlog}`, `litetlog`, Sunlight's
//! clients and the like can check an `actas` log without our code):
//!
//! - Merkle tree per RFC 6962 (leaf `SHA-256(0x00 || entry)`, node `SHA-256(0x01 || l || r)`),
//!   with RFC 6962 / RFC 9162 inclusion and consistency proofs ([`Log`], [`verify_inclusion`],
//!   [`verify_consistency`]).
//! - [tlog-tiles](https://c2sp.org/tlog-tiles): hash tiles of height 8 and entry bundles
//!   ([`TilePath`], [`Log::tile`], [`entry_bundle`]).
//! - [tlog-checkpoint](https://c2sp.org/tlog-checkpoint) signed as a
//!   [signed-note](https://c2sp.org/signed-note) with Ed25519 ([`LogSigner`], [`LogVerifier`],
//!   [`Checkpoint`]).
//! - The static layout any web server can serve ([`export_dir`]) and its full verification
//!   ([`verify_published`]).
//!
//! The tree hashing and proof algorithms come from the `tlog_tiles` crate (a port of Go's
//! `sumdb/tlog`), the note format and keys from `signed_note`; this crate adds the C2SP tile
//! paths, entry bundles, export and verification.

mod audit;
mod edge;
mod error;
mod note;
mod proof;
mod publish;
mod tiles;
mod tree;

pub use audit::{Audit, StoredCheckpointRef, leaf_mismatch};
pub use edge::{StoredTile, TileEdge};
pub use error::{LedgerError, Result};
pub use note::{Checkpoint, LogSigner, LogVerifier, generate_keys, open_checkpoint};
pub use proof::InclusionProof;
pub use publish::{
    DirSource, ExportStats, LogSource, VerifiedLog, export_dir, tile_bytes, verify_published,
};
pub use tiles::{
    MAX_ENTRY_LEN, TILE_HEIGHT, TILE_WIDTH, TilePath, decode_entry_bundle, entry_bundle,
    older_partial_tiles, tiles_for_size,
};
pub use tree::{
    EMPTY_ROOT, Hash, Log, hash_from_base64, hash_to_base64, leaf_hash, node_hash,
    verify_consistency, verify_inclusion,
};
