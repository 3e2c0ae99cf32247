//! Cédula -> voting table index: building it, looking up, shards for mirrors. It stores which
//! cédulas are registered and at which table, and never anything else about a person; it
//! knows no store and no HTTP.
//!
//! A citizen types their national ID number (cédula) and learns their voting table, and nothing
//! else: the index stores only *which* cédulas are registered and *which table* each votes at —
//! never names, addresses or any other attribute of the person (extra CSV columns are ignored).
//!
//! # Structure
//!
//! * a **rank bitmap** over the cédula range `[base, base + bits)`: bit `c - base` is set when
//!   cédula `c` is registered, with a **rank directory** (rank9) holding for every 512-bit block
//!   the number of set bits before it and the counts within it before each of its words, so
//!   `rank(c)` (the number of registered cédulas below `c`) costs one directory read and one
//!   popcount;
//! * a **table array** indexed by rank, holding for each registered cédula a compact number
//!   (`u16` when there are at most 65,536 tables, `u32` otherwise) into
//! * a sorted **table list** of [`TableId`]s.
//!
//! 21.4 M voters over 32 M possible cédulas take 4 MB of bitmap, 1 MB of directory and
//! 43 MB of table array. See [File format](#file-format) below for the bytes on disk.
//!
//! Loading streams the file into typed vectors while hashing it (about 0.1 s for 21.4 M voters,
//! resident memory about the file's size); there is no `unsafe` and no `mmap`. Every section
//! starts at a multiple of 8 bytes, so a memory-mapped reader could be added without a format
//! change.
//!
//! # File format
//!
//! All integers little-endian. Version 1:
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 8 | magic `ACTASREG` |
//! | 8 | 4 | version (`1`) |
//! | 12 | 4 | table width in bytes: `2` if `tables <= 65536`, else `4` |
//! | 16 | 8 | `voters`: registered cédulas (set bits) |
//! | 24 | 8 | `tables`: entries in the table list |
//! | 32 | 8 | `base`: the cédula of bit 0 |
//! | 40 | 8 | `bits`: length of the covered range; cédulas outside `[base, base+bits)` are absent |
//! | 48 | 32 | SHA-256 of bytes `0..48` followed by bytes `80..end` |
//! | 80 | 8 × tables | table list, strictly ascending: `u32` centre code, `u8` mesa, 3 zero bytes |
//! | | 8 × ⌈bits/64⌉ | bitmap words (`u64`); bit `i % 64` of word `i / 64` is cédula `base + i`; bits past `bits` are zero |
//! | | 16 × (⌈words/8⌉ + 1) | rank directory: per block `k` of 8 words, `u64` set bits in words `0 .. 8k`, then `u64` with the set bits in words `8k .. 8k+j` in 9-bit field `j-1` (`j = 1..=7`; past the last word, counts as if padded with zero words); then a final pair `[voters, 0]` |
//! | | width × voters | table array: index into the table list of the `r`-th registered cédula |
//!
//! The loader checks magic, version, that the header's counts describe exactly the file's
//! length, the checksum, and then the structure (ascending valid tables, directory consistent
//! with the bitmap, table numbers in range), and refuses anything else with a message.

mod build;
mod error;
mod format;
mod shard;
mod synth;

use std::path::Path;

pub use actas_core::{CentreCode, TableId};

pub use build::{BuildSummary, build_index, build_index_of, read_csv, read_csv_of};
pub use error::RegistryError;
pub use format::{FORMAT_VERSION, HEADER_LEN, MAGIC};
pub use shard::{MANIFEST_FILE, ShardInfo, ShardManifest, split, write_shards};
pub use synth::{SYNTH_CEDULA_SPACE, generate_csv, generate_registry, synthetic_tables};

/// The largest cédula number the index accepts.
pub const MAX_CEDULA: u64 = 1_000_000_000;

/// Bits per rank-directory block.
pub(crate) const BLOCK_BITS: u64 = 512;
const WORDS_PER_BLOCK: usize = (BLOCK_BITS / 64) as usize;

/// The cédula -> table index, fully in memory (about 2 bytes per registered cédula plus one bit
/// per possible cédula).
#[derive(Clone, PartialEq, Eq)]
pub struct Registry {
    base: u64,
    bits: u64,
    words: Vec<u64>,
    /// Two `u64` per 512-bit block (see [`rank_directory`]) plus a final pair.
    dir: Vec<u64>,
    tables: Vec<TableId>,
    table_of: TableArray,
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) enum TableArray {
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl TableArray {
    fn len(&self) -> usize {
        match self {
            Self::U16(v) => v.len(),
            Self::U32(v) => v.len(),
        }
    }

    #[inline]
    fn get(&self, rank: usize) -> usize {
        match self {
            Self::U16(v) => v[rank] as usize,
            Self::U32(v) => v[rank] as usize,
        }
    }

    fn width(&self) -> u32 {
        match self {
            Self::U16(_) => 2,
            Self::U32(_) => 4,
        }
    }

    /// An array of `len` zeros of the right width for `tables` tables.
    fn zeroed(tables: usize, len: usize) -> Self {
        if tables <= 1 << 16 {
            Self::U16(vec![0; len])
        } else {
            Self::U32(vec![0; len])
        }
    }

    fn set(&mut self, rank: usize, table: u32) {
        match self {
            // `zeroed` picks U16 only when every table index fits.
            Self::U16(v) => v[rank] = table as u16,
            Self::U32(v) => v[rank] = table,
        }
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("voters", &self.voters())
            .field("tables", &self.tables.len())
            .field("range", &self.range())
            .finish()
    }
}

/// Rank directory for `words` (Vigna's rank9): for each block of eight words, a pair
/// `[before, sub]` where `before` counts the set bits in all earlier blocks and `sub` packs, in
/// 9-bit fields, the set bits in the block's words `0..j` for `j = 1..=7` (field `j` at bit
/// `9 (j - 1)`), followed by a final pair `[total, 0]`. A rank then costs one popcount.
pub(crate) fn rank_directory(words: &[u64]) -> Vec<u64> {
    let mut dir = Vec::with_capacity(2 * (words.len().div_ceil(WORDS_PER_BLOCK) + 1));
    let mut total = 0u64;
    for block in words.chunks(WORDS_PER_BLOCK) {
        let mut sub = 0u64;
        let mut within = 0u64;
        for (j, w) in block.iter().enumerate() {
            if j > 0 {
                sub |= within << (9 * (j - 1));
            }
            within += w.count_ones() as u64;
        }
        // Fields past a short final block repeat its count, as if padded with zero words.
        for j in block.len().max(1)..WORDS_PER_BLOCK {
            sub |= within << (9 * (j - 1));
        }
        dir.push(total);
        dir.push(sub);
        total += within;
    }
    dir.push(total);
    dir.push(0);
    dir
}

/// Number of set bits before bit `i` (which must be inside `words`).
#[inline]
pub(crate) fn rank(words: &[u64], dir: &[u64], i: u64) -> usize {
    let w = (i >> 6) as usize;
    let block = w / WORDS_PER_BLOCK;
    let j = (w % WORDS_PER_BLOCK) as u32;
    let before = dir[2 * block];
    // Field j - 1 of `sub`, or 0 for j = 0, without a branch.
    let within = ((u128::from(dir[2 * block + 1]) << 9) >> (9 * j)) as u64 & 0x1FF;
    let partial = (words[w] & ((1u64 << (i & 63)) - 1)).count_ones() as u64;
    (before + within + partial) as usize
}

impl Registry {
    /// Assembles an index from its parts. `tables` must be sorted and unique; `table_of[r]` is
    /// the index into `tables` of the `r`-th set bit.
    pub(crate) fn from_parts(
        base: u64,
        bits: u64,
        words: Vec<u64>,
        tables: Vec<TableId>,
        table_of: TableArray,
    ) -> Self {
        debug_assert_eq!(words.len() as u64, bits.div_ceil(64));
        debug_assert!(tables.windows(2).all(|w| w[0] < w[1]));
        let dir = rank_directory(&words);
        debug_assert_eq!(dir[dir.len() - 2] as usize, table_of.len());
        Self {
            base,
            bits,
            words,
            dir,
            tables,
            table_of,
        }
    }

    /// An index holding nothing.
    pub fn empty() -> Self {
        Self::from_parts(0, 0, Vec::new(), Vec::new(), TableArray::U16(Vec::new()))
    }

    /// Builds an index from `(cédula, table)` pairs in any order.
    ///
    /// Fails on a cédula outside `1..=MAX_CEDULA` or registered twice.
    pub fn from_pairs<I: IntoIterator<Item = (u64, TableId)>>(
        pairs: I,
    ) -> Result<Self, RegistryError> {
        let mut pairs: Vec<(u64, TableId)> = pairs.into_iter().collect();
        for &(c, _) in &pairs {
            if !(1..=MAX_CEDULA).contains(&c) {
                return Err(RegistryError::Invalid(format!(
                    "cédula {c} is outside 1..={MAX_CEDULA}"
                )));
            }
        }
        pairs.sort_unstable_by_key(|p| p.0);
        if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(RegistryError::Invalid(format!(
                "cédula {} is registered twice (tables {} and {})",
                w[0].0, w[0].1, w[1].1
            )));
        }
        let (Some(first), Some(last)) = (pairs.first(), pairs.last()) else {
            return Ok(Self::empty());
        };
        let base = first.0 / BLOCK_BITS * BLOCK_BITS;
        let end = last.0 + 1;
        Ok(Self::from_sorted(base, end, pairs))
    }

    /// Builds an index over `[start, end)` from pairs sorted by cédula, unique, inside the range.
    pub(crate) fn from_sorted<I: IntoIterator<Item = (u64, TableId)>>(
        start: u64,
        end: u64,
        pairs: I,
    ) -> Self {
        let bits = end - start;
        let mut words = vec![0u64; bits.div_ceil(64) as usize];
        let mut raw: Vec<TableId> = Vec::new();
        for (c, t) in pairs {
            let i = c - start;
            words[(i >> 6) as usize] |= 1 << (i & 63);
            raw.push(t);
        }
        let mut tables = raw.clone();
        tables.sort_unstable();
        tables.dedup();
        let mut table_of = TableArray::zeroed(tables.len(), raw.len());
        for (r, t) in raw.iter().enumerate() {
            // Present by construction.
            let idx = tables.binary_search(t).unwrap_or(0);
            table_of.set(r, idx as u32);
        }
        Self::from_parts(start, bits, words, tables, table_of)
    }

    /// The table where `cedula` votes, or `None` if it is not registered.
    #[inline]
    pub fn lookup(&self, cedula: u64) -> Option<TableId> {
        let i = cedula.wrapping_sub(self.base);
        if i >= self.bits {
            return None;
        }
        if self.words[(i >> 6) as usize] & (1 << (i & 63)) == 0 {
            return None;
        }
        let r = rank(&self.words, &self.dir, i);
        Some(self.tables[self.table_of.get(r)])
    }

    /// Whether `cedula` is registered.
    pub fn contains(&self, cedula: u64) -> bool {
        let i = cedula.wrapping_sub(self.base);
        i < self.bits && self.words[(i >> 6) as usize] & (1 << (i & 63)) != 0
    }

    /// Number of registered cédulas.
    pub fn voters(&self) -> u64 {
        self.table_of.len() as u64
    }

    /// The distinct tables that have at least one voter, sorted.
    pub fn tables(&self) -> &[TableId] {
        &self.tables
    }

    /// The cédula range the index covers; every cédula outside it is absent.
    pub fn range(&self) -> std::ops::Range<u64> {
        self.base..self.base + self.bits
    }

    /// Bytes per entry of the table array (2 or 4).
    pub fn table_width(&self) -> u32 {
        self.table_of.width()
    }

    /// Approximate heap bytes held by the index.
    pub fn heap_bytes(&self) -> usize {
        self.words.len() * 8
            + self.dir.len() * 8
            + self.tables.len() * size_of::<TableId>()
            + self.table_of.len() * self.table_of.width() as usize
    }

    /// All `(cédula, table)` pairs in ascending cédula order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, TableId)> + '_ {
        self.iter_range(self.base, self.base + self.bits)
    }

    /// The `(cédula, table)` pairs with cédula in `[start, end)`, ascending.
    pub fn iter_range(&self, start: u64, end: u64) -> impl Iterator<Item = (u64, TableId)> + '_ {
        let lo = start.clamp(self.base, self.base + self.bits) - self.base;
        let hi = end.clamp(self.base, self.base + self.bits) - self.base;
        let mut r = if lo < self.bits {
            rank(&self.words, &self.dir, lo)
        } else {
            self.table_of.len()
        };
        let first_word = (lo >> 6) as usize;
        let last_word = if hi > lo {
            hi.div_ceil(64) as usize
        } else {
            first_word
        };
        (first_word..last_word)
            .flat_map(move |w| {
                let mut word = self.words[w];
                let word_start = (w as u64) << 6;
                // Mask off bits outside [lo, hi).
                if word_start < lo {
                    word &= !0u64 << (lo - word_start);
                }
                if word_start + 64 > hi {
                    let keep = hi - word_start;
                    word &= if keep == 64 { !0 } else { (1u64 << keep) - 1 };
                }
                std::iter::from_fn(move || {
                    if word == 0 {
                        return None;
                    }
                    let b = word.trailing_zeros() as u64;
                    word &= word - 1;
                    Some(word_start + b)
                })
            })
            .map(move |i| {
                let t = self.tables[self.table_of.get(r)];
                r += 1;
                (self.base + i, t)
            })
    }

    /// The index as file bytes (see the crate docs for the format).
    pub fn to_bytes(&self) -> Vec<u8> {
        format::encode(self)
    }

    /// Parses and validates file bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, RegistryError> {
        format::decode(bytes, bytes.len() as u64)
    }

    /// Loads and validates an index file (streamed into memory: no second copy of the file is
    /// held).
    pub fn load(path: &Path) -> Result<Self, RegistryError> {
        let file = std::fs::File::open(path).map_err(|e| RegistryError::io(path, e))?;
        let len = file
            .metadata()
            .map_err(|e| RegistryError::io(path, e))?
            .len();
        format::decode(file, len).map_err(|e| e.in_file(path))
    }

    /// Writes the index to `path` all-or-nothing: a temporary file beside it is written,
    /// fsynced and renamed over `path`, then the directory is fsynced.
    pub fn write_atomic(&self, path: &Path) -> Result<(), RegistryError> {
        format::write_atomic(path, &self.to_bytes())
    }

    pub(crate) fn parts(&self) -> (u64, u64, &[u64], &[u64], &[TableId], &TableArray) {
        (
            self.base,
            self.bits,
            &self.words,
            &self.dir,
            &self.tables,
            &self.table_of,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(centre: u32, mesa: u8) -> TableId {
        TableId::new(CentreCode::new(centre).unwrap(), mesa).unwrap()
    }

    #[test]
    fn small_lookup_and_iter() {
        let pairs = vec![
            (5, t(10113042, 1)),
            (1000, t(10113042, 2)),
            (1, t(240111017, 1)),
            (1001, t(10113042, 1)),
            (64, t(5, 3)),
        ];
        let reg = Registry::from_pairs(pairs.clone()).unwrap();
        assert_eq!(reg.voters(), 5);
        assert_eq!(reg.tables().len(), 4);
        for (c, tab) in &pairs {
            assert_eq!(reg.lookup(*c), Some(*tab));
        }
        for absent in [0, 2, 63, 65, 999, 1002, u64::MAX, MAX_CEDULA] {
            assert_eq!(reg.lookup(absent), None);
        }
        let mut sorted = pairs.clone();
        sorted.sort();
        assert_eq!(reg.iter().collect::<Vec<_>>(), sorted);
        assert_eq!(
            reg.iter_range(5, 1001).collect::<Vec<_>>(),
            sorted[1..4].to_vec()
        );
        let back = Registry::from_bytes(&reg.to_bytes()).unwrap();
        assert_eq!(back, reg);
    }

    #[test]
    fn empty_round_trips() {
        let reg = Registry::empty();
        assert_eq!(reg.lookup(1), None);
        assert_eq!(Registry::from_bytes(&reg.to_bytes()).unwrap(), reg);
        assert_eq!(reg.iter().count(), 0);
    }

    #[test]
    fn duplicates_and_out_of_range_refused() {
        assert!(Registry::from_pairs([(3, t(1, 1)), (3, t(1, 2))]).is_err());
        assert!(Registry::from_pairs([(0, t(1, 1))]).is_err());
        assert!(Registry::from_pairs([(MAX_CEDULA + 1, t(1, 1))]).is_err());
        assert!(Registry::from_pairs([(MAX_CEDULA, t(1, 1))]).is_ok());
    }

    #[test]
    fn whole_cedula_space() {
        let reg = Registry::from_pairs([(1, t(1, 1)), (MAX_CEDULA, t(2, 1))]).unwrap();
        assert_eq!(reg.range(), 0..MAX_CEDULA + 1);
        let back = Registry::from_bytes(&reg.to_bytes()).unwrap();
        assert_eq!(back.lookup(1), Some(t(1, 1)));
        assert_eq!(back.lookup(MAX_CEDULA), Some(t(2, 1)));
        assert_eq!(back.lookup(MAX_CEDULA - 1), None);
        assert_eq!(back.iter().count(), 2);
    }

    #[test]
    fn wide_table_array_when_many_tables() {
        let pairs: Vec<_> = (0..70_000u64)
            .map(|i| (i * 3 + 1, t(i as u32 / 10 + 1, (i % 10) as u8 + 1)))
            .collect();
        let reg = Registry::from_pairs(pairs.clone()).unwrap();
        assert_eq!(reg.table_width(), 4);
        for (c, tab) in pairs.iter().step_by(97) {
            assert_eq!(reg.lookup(*c), Some(*tab));
        }
        assert_eq!(Registry::from_bytes(&reg.to_bytes()).unwrap(), reg);
    }
}
