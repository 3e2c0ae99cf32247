//! C2SP tlog-tiles paths and entry bundles.

use std::fmt;

use crate::error::{LedgerError, Result};

/// Tree levels per tile, fixed by C2SP tlog-tiles.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes (or entries) in a full tile: `2^TILE_HEIGHT`.
pub const TILE_WIDTH: usize = 1 << TILE_HEIGHT;
/// Largest entry an entry bundle can hold (16-bit big-endian length prefix).
pub const MAX_ENTRY_LEN: usize = u16::MAX as usize;

/// A resource of the tiled log other than the checkpoint, named as C2SP tlog-tiles names it.
/// `width` is 1..=256; 256 is a full tile, written without the `.p/<W>` suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TilePath {
    /// `tile/<level>/<index>[.p/<width>]`: hashes of tree level `8 * level`.
    Hash { level: u8, index: u64, width: u16 },
    /// `tile/entries/<index>[.p/<width>]`: entries `index * 256 ..`, length-prefixed.
    Entries { index: u64, width: u16 },
}

/// The `x001/x234/067` encoding of a tile index (at most 1000 names per directory).
fn encode_index(mut n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    while n >= 1000 {
        n /= 1000;
        parts.push(format!("x{:03}", n % 1000));
    }
    parts.reverse();
    parts.join("/")
}

impl fmt::Display for TilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, index, width) = match *self {
            TilePath::Hash {
                level,
                index,
                width,
            } => (level.to_string(), index, width),
            TilePath::Entries { index, width } => ("entries".to_string(), index, width),
        };
        write!(f, "tile/{kind}/{}", encode_index(index))?;
        if usize::from(width) != TILE_WIDTH {
            write!(f, ".p/{width}")?;
        }
        Ok(())
    }
}

impl TilePath {
    /// Parses a request path (without leading slash), for a server routing tile requests.
    /// Only the canonical spelling is accepted, so one resource has exactly one name.
    pub fn parse(path: &str) -> Option<TilePath> {
        let rest = path.strip_prefix("tile/")?;
        let (kind, rest) = rest.split_once('/')?;
        let (digits, width) = match rest.split_once(".p/") {
            Some((digits, w)) => {
                let w: u16 = w.parse().ok()?;
                if w == 0 || usize::from(w) >= TILE_WIDTH {
                    return None;
                }
                (digits, w)
            }
            None => (rest, TILE_WIDTH as u16),
        };
        let mut index: u64 = 0;
        for part in digits.split('/') {
            let d = part.strip_prefix('x').unwrap_or(part);
            if d.len() != 3 || !d.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            index = index
                .checked_mul(1000)?
                .checked_add(d.parse::<u64>().ok()?)?;
        }
        let tile = if kind == "entries" {
            TilePath::Entries { index, width }
        } else {
            let level: u8 = kind.parse().ok()?;
            if level >= 64 / TILE_HEIGHT {
                return None;
            }
            TilePath::Hash {
                level,
                index,
                width,
            }
        };
        (tile.to_string() == path).then_some(tile)
    }

    /// Number of hashes or entries the tile holds.
    pub fn width(&self) -> u16 {
        match *self {
            TilePath::Hash { width, .. } | TilePath::Entries { width, .. } => width,
        }
    }

    /// The full tile at the same place. A partial tile is a prefix of it: C2SP lets clients
    /// read the full tile when the partial one is gone, and lets publishers delete partial
    /// tiles once the full one exists.
    pub fn full(self) -> TilePath {
        let width = TILE_WIDTH as u16;
        match self {
            TilePath::Hash { level, index, .. } => TilePath::Hash {
                level,
                index,
                width,
            },
            TilePath::Entries { index, .. } => TilePath::Entries { index, width },
        }
    }
}

/// The partial tiles that logs of `older_sizes` entries published and a log of `size` entries
/// still serves so that clients holding an old checkpoint can read its proofs (Go's
/// `tlog.TileHashReader` asks for them): those not among `size`'s own tiles and not superseded
/// by a full tile.
pub fn older_partial_tiles(size: u64, older_sizes: &[u64]) -> Vec<TilePath> {
    let now: std::collections::BTreeSet<TilePath> = tiles_for_size(size).into_iter().collect();
    let wanted: std::collections::BTreeSet<TilePath> = older_sizes
        .iter()
        .filter(|&&s| s < size)
        .flat_map(|&s| tiles_for_size(s))
        .filter(|t| usize::from(t.width()) < TILE_WIDTH)
        .filter(|t| !now.contains(t) && !now.contains(&t.full()))
        .collect();
    wanted.into_iter().collect()
}

/// Every tile and entry bundle a log of `size` entries publishes: full ones, plus one partial
/// per level at the right edge. Hash tiles come level by level, then entry bundles.
pub fn tiles_for_size(size: u64) -> Vec<TilePath> {
    let mut out = Vec::new();
    let w = TILE_WIDTH as u64;
    let split = |count: u64| {
        let full = count / w;
        let rest = (count % w) as u16;
        (0..full)
            .map(|i| (i, TILE_WIDTH as u16))
            .chain((rest > 0).then_some((full, rest)))
    };
    let mut level = 0u8;
    while level < 64 / TILE_HEIGHT && (size >> (u32::from(level) * u32::from(TILE_HEIGHT))) > 0 {
        let count = size >> (u32::from(level) * u32::from(TILE_HEIGHT));
        out.extend(split(count).map(|(index, width)| TilePath::Hash {
            level,
            index,
            width,
        }));
        level += 1;
    }
    out.extend(split(size).map(|(index, width)| TilePath::Entries { index, width }));
    out
}

/// Encodes an entry bundle: each entry as a big-endian u16 length then its bytes. Callers pass
/// the entries `index * 256 ..` of one bundle; the error's index is the position in the bundle.
pub fn entry_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>> {
    let total: usize = entries.iter().map(|e| e.as_ref().len() + 2).sum();
    let mut out = Vec::with_capacity(total);
    for (i, e) in entries.iter().enumerate() {
        let e = e.as_ref();
        let len = u16::try_from(e.len()).map_err(|_| LedgerError::EntryTooLarge {
            index: i as u64,
            len: e.len(),
            max: MAX_ENTRY_LEN,
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Splits an entry bundle into its entries; the error says where the data stops making sense.
pub fn decode_entry_bundle(data: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let offset = data.len() - rest.len();
        if rest.len() < 2 {
            return Err(format!(
                "entry {} at byte {offset}: truncated length prefix",
                out.len()
            ));
        }
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        if rest.len() - 2 < len {
            return Err(format!(
                "entry {} at byte {offset}: length {len} runs past the end of the bundle ({} bytes)",
                out.len(),
                data.len()
            ));
        }
        out.push(&rest[2..2 + len]);
        rest = &rest[2 + len..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_c2sp() {
        let h = |level, index, width| TilePath::Hash {
            level,
            index,
            width,
        };
        assert_eq!(h(0, 0, 256).to_string(), "tile/0/000");
        assert_eq!(h(1, 0, 7).to_string(), "tile/1/000.p/7");
        assert_eq!(h(0, 1234067, 256).to_string(), "tile/0/x001/x234/067");
        assert_eq!(h(2, 1234067, 8).to_string(), "tile/2/x001/x234/067.p/8");
        assert_eq!(h(0, 1000, 256).to_string(), "tile/0/x001/000");
        assert_eq!(h(0, 999, 256).to_string(), "tile/0/999");
        let e = TilePath::Entries {
            index: 1234067,
            width: 1,
        };
        assert_eq!(e.to_string(), "tile/entries/x001/x234/067.p/1");
        for t in [
            h(0, 0, 256),
            h(1, 0, 7),
            h(2, 1234067, 8),
            e,
            h(3, u64::MAX, 256),
        ] {
            assert_eq!(TilePath::parse(&t.to_string()), Some(t), "{t}");
        }
    }

    #[test]
    fn non_canonical_paths_are_refused() {
        for p in [
            "tile/0/0",
            "tile/0/x000/001",
            "tile/0/001.p/256",
            "tile/0/001.p/0",
            "tile/0/001.p/007",
            "tile/8/000",
            "tile/0/x1000/000",
            "tile/0/000/",
            "tile/entries/123/456",
            "tile/data/000",
            "checkpoint",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
        ] {
            assert_eq!(TilePath::parse(p), None, "{p}");
        }
    }

    #[test]
    fn tiles_for_sizes() {
        let names =
            |n| -> Vec<String> { tiles_for_size(n).iter().map(|t| t.to_string()).collect() };
        assert!(names(0).is_empty());
        assert_eq!(names(1), ["tile/0/000.p/1", "tile/entries/000.p/1"]);
        assert_eq!(
            names(256),
            ["tile/0/000", "tile/1/000.p/1", "tile/entries/000"]
        );
        assert_eq!(
            names(300),
            [
                "tile/0/000",
                "tile/0/001.p/44",
                "tile/1/000.p/1",
                "tile/entries/000",
                "tile/entries/001.p/44"
            ]
        );
        let big = tiles_for_size(65536);
        assert!(big.contains(&TilePath::Hash {
            level: 2,
            index: 0,
            width: 1
        }));
        assert!(big.contains(&TilePath::Hash {
            level: 1,
            index: 0,
            width: 256
        }));
    }

    #[test]
    fn older_partial_tiles_are_kept_until_a_full_tile_replaces_them() {
        let names = |size, older: &[u64]| -> Vec<String> {
            older_partial_tiles(size, older)
                .iter()
                .map(|t| t.to_string())
                .collect()
        };
        assert_eq!(
            names(300, &[10, 290, 300, 400]),
            ["tile/0/001.p/34", "tile/entries/001.p/34"]
        );
        assert_eq!(names(600, &[10, 290]), ["tile/1/000.p/1"]);
        assert_eq!(
            TilePath::Entries { index: 3, width: 7 }.full(),
            TilePath::Entries {
                index: 3,
                width: 256
            }
        );
    }

    #[test]
    fn bundles_round_trip() {
        let entries: Vec<Vec<u8>> = vec![vec![], b"a".to_vec(), vec![9; 65535]];
        let data = entry_bundle(&entries).unwrap();
        assert_eq!(&data[..5], &[0, 0, 0, 1, b'a']);
        assert_eq!(decode_entry_bundle(&data).unwrap(), entries);
        assert!(entry_bundle(&[vec![0u8; 65536]]).is_err());
        assert!(decode_entry_bundle(&data[..data.len() - 1]).is_err());
        assert!(decode_entry_bundle(&[0]).is_err());
    }
}
