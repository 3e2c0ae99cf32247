//! The index file: encoding, streaming validated decoding, atomic writing.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use actas_core::{CentreCode, TableId};
use atomic_write_file::AtomicWriteFile;
use sha2::{Digest, Sha256};

use crate::{MAX_CEDULA, Registry, RegistryError, TableArray, WORDS_PER_BLOCK};

/// The first eight bytes of every index file.
pub const MAGIC: [u8; 8] = *b"ACTASREG";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes of the fixed header.
pub const HEADER_LEN: usize = 80;
/// Header bytes covered by the checksum (everything before it).
const HASHED_HEADER: usize = 48;

struct Layout {
    voters: u64,
    tables: u64,
    words: u64,
    dir_words: u64,
    width: u64,
    total: u64,
}

fn layout(voters: u64, tables: u64, bits: u64, width: u64) -> Option<Layout> {
    let words = bits.div_ceil(64);
    let dir_words = 2 * (words.div_ceil(WORDS_PER_BLOCK as u64) + 1);
    let total = (HEADER_LEN as u64)
        .checked_add(tables.checked_mul(8)?)?
        .checked_add(words.checked_mul(8)?)?
        .checked_add(dir_words * 8)?
        .checked_add(voters.checked_mul(width)?)?;
    Some(Layout {
        voters,
        tables,
        words,
        dir_words,
        width,
        total,
    })
}

pub(crate) fn encode(reg: &Registry) -> Vec<u8> {
    let (base, bits, words, dir, tables, table_of) = reg.parts();
    let width = table_of.width() as u64;
    let lay = layout(reg.voters(), tables.len() as u64, bits, width)
        .expect("an in-memory index has a representable size");
    let mut out = Vec::with_capacity(lay.total as usize);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&lay.voters.to_le_bytes());
    out.extend_from_slice(&lay.tables.to_le_bytes());
    out.extend_from_slice(&base.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    out.extend_from_slice(&[0; 32]);
    for t in tables {
        out.extend_from_slice(&t.centre.value().to_le_bytes());
        out.extend_from_slice(&[t.mesa, 0, 0, 0]);
    }
    for w in words {
        out.extend_from_slice(&w.to_le_bytes());
    }
    for d in dir {
        out.extend_from_slice(&d.to_le_bytes());
    }
    match table_of {
        TableArray::U16(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        TableArray::U32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
    }
    debug_assert_eq!(out.len() as u64, lay.total);
    let mut h = Sha256::new();
    h.update(&out[..HASHED_HEADER]);
    h.update(&out[HEADER_LEN..]);
    out[HASHED_HEADER..HEADER_LEN].copy_from_slice(&h.finalize());
    out
}

/// Reads sections, hashing every byte, decoding into typed vectors chunk by chunk.
struct Source<R> {
    r: R,
    hash: Sha256,
    buf: Vec<u8>,
}

impl<R: Read> Source<R> {
    fn read_elems<const N: usize, T>(
        &mut self,
        count: u64,
        what: &str,
        decode: impl Fn([u8; N]) -> T,
    ) -> Result<Vec<T>, RegistryError> {
        let mut out = Vec::with_capacity(count as usize);
        let mut remaining = count as usize * N;
        while remaining > 0 {
            let k = remaining.min(self.buf.len());
            let chunk = &mut self.buf[..k];
            self.r.read_exact(chunk).map_err(|e| read_error(e, what))?;
            self.hash.update(&*chunk);
            let (elems, _) = chunk.as_chunks::<N>();
            out.extend(elems.iter().map(|e| decode(*e)));
            remaining -= k;
        }
        Ok(out)
    }
}

fn read_error(e: io::Error, what: &str) -> RegistryError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        RegistryError::corrupt(format!("file ends inside the {what} (truncated)"))
    } else {
        RegistryError::Io {
            path: PathBuf::new(),
            source: e,
        }
    }
}

fn corrupt(message: impl Into<String>) -> RegistryError {
    RegistryError::corrupt(message)
}

fn u64_at(h: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&h[at..at + 8]);
    u64::from_le_bytes(b)
}

fn u32_at(h: &[u8], at: usize) -> u32 {
    let mut b = [0; 4];
    b.copy_from_slice(&h[at..at + 4]);
    u32::from_le_bytes(b)
}

/// Decodes and validates an index of `len` bytes read from `r`.
pub(crate) fn decode<R: Read>(mut r: R, len: u64) -> Result<Registry, RegistryError> {
    if len < HEADER_LEN as u64 {
        return Err(corrupt(format!(
            "file is {len} bytes, shorter than the {HEADER_LEN}-byte header (truncated or not an index)"
        )));
    }
    let mut header = [0u8; HEADER_LEN];
    r.read_exact(&mut header)
        .map_err(|e| read_error(e, "header"))?;
    if header[..8] != MAGIC {
        return Err(corrupt(format!(
            "wrong magic {:?}, expected {:?} (not an actas registry index)",
            String::from_utf8_lossy(&header[..8]),
            std::str::from_utf8(&MAGIC).unwrap_or_default()
        )));
    }
    let version = u32_at(&header, 8);
    if version != FORMAT_VERSION {
        return Err(corrupt(format!(
            "format version {version}, this program reads version {FORMAT_VERSION}"
        )));
    }
    let width = u32_at(&header, 12) as u64;
    let voters = u64_at(&header, 16);
    let tables = u64_at(&header, 24);
    let base = u64_at(&header, 32);
    let bits = u64_at(&header, 40);
    if width != 2 && width != 4 {
        return Err(corrupt(format!("table width {width}, expected 2 or 4")));
    }
    if (width == 2) != (tables <= 1 << 16) {
        return Err(corrupt(format!(
            "table width {width} does not match {tables} tables"
        )));
    }
    if base
        .checked_add(bits)
        .is_none_or(|end| end > MAX_CEDULA + 1)
    {
        return Err(corrupt(format!(
            "cédula range starts at {base} and spans {bits}, beyond the maximum {MAX_CEDULA}"
        )));
    }
    if voters > bits || tables > voters {
        return Err(corrupt(format!(
            "inconsistent counts: {voters} voters, {tables} tables, {bits} cédulas in range"
        )));
    }
    let lay = layout(voters, tables, bits, width)
        .ok_or_else(|| corrupt("header counts overflow".to_string()))?;
    if lay.total != len {
        return Err(corrupt(format!(
            "file is {len} bytes but its header describes {} bytes ({})",
            lay.total,
            if len < lay.total {
                "truncated"
            } else {
                "trailing data"
            }
        )));
    }

    let mut src = Source {
        r,
        hash: Sha256::new(),
        buf: vec![0; 1 << 16],
    };
    src.hash.update(&header[..HASHED_HEADER]);
    let raw_tables = src.read_elems(lay.tables, "table list", |b: [u8; 8]| {
        (
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            b[4],
            [b[5], b[6], b[7]],
        )
    })?;
    let words = src.read_elems(lay.words, "bitmap", u64::from_le_bytes)?;
    let dir = src.read_elems(lay.dir_words, "rank directory", u64::from_le_bytes)?;
    let table_of = if lay.width == 2 {
        TableArray::U16(src.read_elems(lay.voters, "table array", u16::from_le_bytes)?)
    } else {
        TableArray::U32(src.read_elems(lay.voters, "table array", u32::from_le_bytes)?)
    };
    let computed = src.hash.finalize();
    if computed[..] != header[HASHED_HEADER..HEADER_LEN] {
        return Err(corrupt(format!(
            "checksum mismatch (stored {}, computed {}): the file is damaged",
            hex::encode(&header[HASHED_HEADER..HEADER_LEN]),
            hex::encode(computed)
        )));
    }

    // Structure. A file with a good checksum written by a faulty writer is still refused.
    let mut list = Vec::with_capacity(raw_tables.len());
    for (k, (centre, mesa, padding)) in raw_tables.into_iter().enumerate() {
        let t = CentreCode::new(centre)
            .and_then(|c| TableId::new(c, mesa).ok())
            .filter(|_| padding == [0; 3])
            .ok_or_else(|| corrupt(format!("table list entry {k} is not a valid table")))?;
        if list.last().is_some_and(|prev| *prev >= t) {
            return Err(corrupt(format!(
                "table list is not strictly ascending at entry {k}"
            )));
        }
        list.push(t);
    }
    if !bits.is_multiple_of(64) && words.last().is_some_and(|w| w >> (bits % 64) != 0) {
        return Err(corrupt("bitmap has bits set past the end of its range"));
    }
    if dir != crate::rank_directory(&words) {
        return Err(corrupt("rank directory does not match the bitmap"));
    }
    let set = dir[dir.len() - 2];
    if set != voters {
        return Err(corrupt(format!(
            "bitmap has {set} cédulas set, header says {voters}"
        )));
    }
    let out_of_range = match &table_of {
        TableArray::U16(v) => v.iter().any(|&x| x as u64 >= tables),
        TableArray::U32(v) => v.iter().any(|&x| x as u64 >= tables),
    };
    if out_of_range {
        return Err(corrupt("table array refers to a table past the table list"));
    }
    Ok(Registry {
        base,
        bits,
        words,
        dir,
        tables: list,
        table_of,
    })
}

/// Writes `bytes` to `path` all-or-nothing and durably (temporary file beside it, fsync,
/// rename, fsync of the directory). On failure `path` is untouched.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RegistryError> {
    let io = |e| RegistryError::io(path, e);
    let mut file = AtomicWriteFile::open(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.commit().map_err(io)
}
