//! Growing a tiled log kept by someone else (a database): only its right edge is needed.
//!
//! Every hash tile left of the right edge is full and never changes, so a writer that stores
//! tiles does not need the whole tree to append: it loads the partial tile of each tile level
//! ([`TileEdge::partial_tiles`] says which), appends leaves, and stores the tiles the edge hands
//! back ([`TileEdge::changed_tiles`]). Its cost is proportional to the new leaves, not to the log.

use crate::error::{LedgerError, Result};
use crate::tiles::{TILE_HEIGHT, TILE_WIDTH};
use crate::tree::{EMPTY_ROOT, Hash, Log, node_hash};

/// Tile levels a tree of 64-bit size can have.
const MAX_TILE_LEVELS: u32 = 64 / TILE_HEIGHT as u32;

/// One hash tile as a store keeps it: `hashes` are the hashes of tree level `8 * level`
/// starting at hash `index * 256` (256 of them for a full tile, fewer at the right edge).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTile {
    pub level: u8,
    pub index: u64,
    pub hashes: Vec<Hash>,
}

/// The right edge of the tree: at each tile level, the partial tile (fewer than 256 hashes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TileEdge {
    size: u64,
    levels: Vec<Partial>,
    /// Tiles completed since loading, to be stored.
    completed: Vec<StoredTile>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Partial {
    index: u64,
    hashes: Vec<Hash>,
    changed: bool,
}

/// Root of a complete subtree given its `2^k` hashes one level down.
fn subtree_root(hashes: &[Hash]) -> Hash {
    Log::from_leaf_hashes(hashes.iter().copied()).root()
}

impl TileEdge {
    /// The partial tiles a log of `size` entries has at its right edge, one per tile level
    /// that has one: `(level, index, width)`. These are what [`TileEdge::load`] needs.
    pub fn partial_tiles(size: u64) -> Vec<(u8, u64, u16)> {
        (0..MAX_TILE_LEVELS)
            .map(|level| (level, size >> (level * u32::from(TILE_HEIGHT))))
            .take_while(|&(_, count)| count > 0)
            .filter_map(|(level, count)| {
                let width = (count % TILE_WIDTH as u64) as u16;
                (width > 0).then_some((level as u8, count / TILE_WIDTH as u64, width))
            })
            .collect()
    }

    /// The edge of a log of `size` entries, from the hashes of its partial tiles in the order
    /// of [`TileEdge::partial_tiles`]. A tile of the wrong width is refused with its name.
    pub fn load(size: u64, partials: Vec<Vec<Hash>>) -> Result<TileEdge> {
        let wanted = Self::partial_tiles(size);
        if partials.len() != wanted.len() {
            return Err(LedgerError::OutOfRange(format!(
                "a log of {size} entries has {} partial tiles at its right edge, {} were given",
                wanted.len(),
                partials.len()
            )));
        }
        let mut levels = Vec::new();
        let mut given = wanted.iter().zip(partials).peekable();
        for level in 0..MAX_TILE_LEVELS {
            let count = size >> (level * u32::from(TILE_HEIGHT));
            if count == 0 {
                break;
            }
            let index = count / TILE_WIDTH as u64;
            let hashes = match given.peek() {
                Some(((l, _, _), _)) if u32::from(*l) == level => {
                    let ((_, _, width), hashes) = given.next().expect("peeked");
                    if hashes.len() != usize::from(*width) {
                        return Err(LedgerError::OutOfRange(format!(
                            "log tile {level}/{index} (right edge of a log of {size} entries) \
                             holds {} hashes, expected {width}",
                            hashes.len()
                        )));
                    }
                    hashes
                }
                _ => Vec::new(),
            };
            levels.push(Partial {
                index,
                hashes,
                changed: false,
            });
        }
        Ok(TileEdge {
            size,
            levels,
            completed: Vec::new(),
        })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash.
    pub fn append(&mut self, leaf: Hash) {
        self.size += 1;
        let mut hash = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Partial::default());
            }
            let p = &mut self.levels[level];
            p.hashes.push(hash);
            p.changed = true;
            if p.hashes.len() < TILE_WIDTH {
                return;
            }
            let full = std::mem::take(&mut p.hashes);
            hash = subtree_root(&full);
            self.completed.push(StoredTile {
                level: level as u8,
                index: p.index,
                hashes: full,
            });
            p.index += 1;
            level += 1;
        }
    }

    /// RFC 6962 root: the complete subtrees along the right edge, largest (leftmost) first,
    /// folded from the right.
    pub fn root(&self) -> Hash {
        let mut nodes = Vec::new();
        for p in self.levels.iter().rev() {
            let mut start = 0;
            for bit in (0..TILE_HEIGHT).rev() {
                let n = 1usize << bit;
                if p.hashes.len() & n != 0 {
                    nodes.push(subtree_root(&p.hashes[start..start + n]));
                    start += n;
                }
            }
        }
        let Some(mut root) = nodes.pop() else {
            return EMPTY_ROOT;
        };
        while let Some(left) = nodes.pop() {
            root = node_hash(&left, &root);
        }
        root
    }

    /// The tiles to store after appending: every tile completed and every partial tile that
    /// changed since loading. Storing them over the old rows keeps the stored tiles equal to
    /// those of the whole tree.
    pub fn changed_tiles(&self) -> Vec<StoredTile> {
        let mut out = self.completed.clone();
        for (level, p) in self.levels.iter().enumerate() {
            if p.changed && !p.hashes.is_empty() {
                out.push(StoredTile {
                    level: level as u8,
                    index: p.index,
                    hashes: p.hashes.clone(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::{TilePath, tiles_for_size};
    use crate::tree::leaf_hash;

    fn leaf(i: u64) -> Hash {
        leaf_hash(&i.to_be_bytes())
    }

    /// The edge, grown in uneven batches and reloaded from its stored tiles each time, has the
    /// root and tiles of the full tree at every size, across three tile levels.
    #[test]
    fn edge_matches_the_full_tree() {
        let n = 256 * 256 + 700;
        let full = Log::from_leaf_hashes((0..n).map(leaf));
        let mut stored: std::collections::BTreeMap<(u8, u64), Vec<Hash>> = Default::default();
        let mut i = 0;
        let mut batch = 1;
        while i < n {
            let partials = TileEdge::partial_tiles(i)
                .iter()
                .map(|(l, x, _)| stored[&(*l, *x)].clone())
                .collect();
            let mut edge = TileEdge::load(i, partials).unwrap();
            let end = (i + batch).min(n);
            for k in i..end {
                edge.append(leaf(k));
            }
            i = end;
            for t in edge.changed_tiles() {
                stored.insert((t.level, t.index), t.hashes);
            }
            assert_eq!(edge.size(), i);
            if batch < 40 || i == n || i % 997 < batch {
                assert_eq!(edge.root(), full.root_at(i).unwrap(), "root at size {i}");
            }
            batch = batch * 3 % 1001 + 1;
        }
        for tile in tiles_for_size(n) {
            if let TilePath::Hash {
                level,
                index,
                width,
            } = tile
            {
                assert_eq!(
                    stored[&(level, index)].concat(),
                    full.tile(level, index, width).unwrap(),
                    "{tile}"
                );
            }
        }
        assert_eq!(TileEdge::default().root(), EMPTY_ROOT);
    }

    #[test]
    fn partial_tiles_and_bad_widths() {
        assert!(TileEdge::partial_tiles(0).is_empty());
        assert_eq!(TileEdge::partial_tiles(1), [(0, 0, 1)]);
        assert_eq!(TileEdge::partial_tiles(256), [(1, 0, 1)]);
        assert_eq!(TileEdge::partial_tiles(300), [(0, 1, 44), (1, 0, 1)]);
        let err = TileEdge::load(300, vec![vec![[0; 32]; 43], vec![[0; 32]]]).unwrap_err();
        assert!(err.to_string().contains("log tile 0/1"), "{err}");
        assert!(TileEdge::load(300, vec![]).is_err());
    }
}
