//! The Merkle tree (RFC 6962) and its proofs.

use std::fmt;

use tlog_tiles::{self as tl, HashReader};

use crate::error::{LedgerError, Result};
use crate::tiles::{MAX_ENTRY_LEN, TILE_HEIGHT, TILE_WIDTH};

/// A SHA-256 hash: leaf, interior node or tree root. A plain array so that callers can store,
/// compare, hex- or base64-encode it without depending on our dependencies' types.
pub type Hash = [u8; 32];

/// Root of the empty tree (SHA-256 of the empty string), per RFC 6962.
pub const EMPTY_ROOT: Hash = tl::EMPTY_HASH.0;

/// Leaf hash of an entry: `SHA-256(0x00 || entry)`. This is what inclusion proofs are about.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    tl::record_hash(entry).0
}

/// Interior node hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    tl::node_hash(tl::Hash(*left), tl::Hash(*right)).0
}

/// Standard base64, the encoding checkpoints and most tlog tools use for hashes.
pub fn hash_to_base64(hash: &Hash) -> String {
    tl::Hash(*hash).to_string()
}

/// Inverse of [`hash_to_base64`]; `None` unless it decodes to exactly 32 bytes.
pub fn hash_from_base64(text: &str) -> Option<Hash> {
    tl::Hash::parse_hash(text).ok().map(|h| h.0)
}

/// The log's Merkle tree, without the entries themselves (the store keeps those).
///
/// Keeps every complete-subtree hash in the "stored hash" order of Go's `sumdb/tlog` (about two
/// hashes, 64 bytes, per entry): appending is amortised O(1), and any past root, proof or tile
/// is read without rehashing entries.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Log {
    hashes: Vec<Hash>,
    size: u64,
}

/// Lets `tlog_tiles` read our stored hashes.
struct Reader<'a>(&'a [Hash]);

impl HashReader for Reader<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> std::result::Result<Vec<tl::Hash>, tl::Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.0.get(i))
                    .map(|h| tl::Hash(*h))
                    .ok_or(tl::Error::IndexesNotInTree)
            })
            .collect()
    }
}

fn to_tl(proof: &[Hash]) -> Vec<tl::Hash> {
    proof.iter().map(|h| tl::Hash(*h)).collect()
}

fn from_tl(proof: Vec<tl::Hash>) -> Vec<Hash> {
    proof.into_iter().map(|h| h.0).collect()
}

impl fmt::Debug for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Log")
            .field("size", &self.size)
            .field("root", &hash_to_base64(&self.root()))
            .finish()
    }
}

impl Log {
    /// An empty log.
    pub fn new() -> Log {
        Log::default()
    }

    /// Rebuilds the tree from all entries in order, e.g. at start-up from the store.
    pub fn from_entries<I>(entries: I) -> Result<Log>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let iter = entries.into_iter();
        let mut log = Log::new();
        log.hashes.reserve(2 * iter.size_hint().0);
        for entry in iter {
            log.append(entry.as_ref())?;
        }
        Ok(log)
    }

    /// Rebuilds the tree from leaf hashes alone (a store that keeps them needs no rehashing).
    /// The caller vouches that each entry fits in an entry bundle.
    pub fn from_leaf_hashes<I: IntoIterator<Item = Hash>>(leaves: I) -> Log {
        let mut log = Log::new();
        for h in leaves {
            log.append_leaf_hash(h);
        }
        log
    }

    /// Appends an entry and returns its index. Refuses entries that C2SP entry bundles cannot
    /// hold (over 65535 bytes), so that everything in the tree can also be published.
    pub fn append(&mut self, entry: &[u8]) -> Result<u64> {
        if entry.len() > MAX_ENTRY_LEN {
            return Err(LedgerError::EntryTooLarge {
                index: self.size,
                len: entry.len(),
                max: MAX_ENTRY_LEN,
            });
        }
        Ok(self.append_leaf_hash(leaf_hash(entry)))
    }

    /// Appends by leaf hash and returns the index; see [`Log::from_leaf_hashes`].
    pub fn append_leaf_hash(&mut self, leaf: Hash) -> u64 {
        let index = self.size;
        let new = tl::stored_hashes_for_record_hash(index, tl::Hash(leaf), &Reader(&self.hashes))
            .expect("every earlier stored hash is present");
        self.hashes.extend(new.into_iter().map(|h| h.0));
        self.size += 1;
        index
    }

    /// Number of entries.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Root hash of the whole tree (what the next checkpoint signs).
    pub fn root(&self) -> Hash {
        self.root_at(self.size).expect("own size is in range")
    }

    /// Root hash of the tree as it was with its first `size` entries, for serving old
    /// checkpoints and proofs against them.
    pub fn root_at(&self, size: u64) -> Result<Hash> {
        self.check_size(size)?;
        tl::tree_hash(size, &Reader(&self.hashes))
            .map(|h| h.0)
            .map_err(|e| LedgerError::OutOfRange(format!("root of size {size}: {e}")))
    }

    /// Leaf hash of entry `index`, if it exists.
    pub fn leaf_hash(&self, index: u64) -> Option<Hash> {
        self.hash_at(0, index)
    }

    /// Hash of the complete subtree of `2^level` leaves starting at leaf `index << level`.
    fn hash_at(&self, level: u8, index: u64) -> Option<Hash> {
        // The subtree's last leaf must be in the tree: (index + 1) << level <= size.
        if level >= 64 || index.checked_add(1)? > self.size >> level {
            return None;
        }
        let i = usize::try_from(tl::stored_hash_index(level, index)).ok()?;
        self.hashes.get(i).copied()
    }

    fn check_size(&self, size: u64) -> Result<()> {
        if size > self.size {
            return Err(LedgerError::OutOfRange(format!(
                "tree size {size} is beyond the log's {} entries",
                self.size
            )));
        }
        Ok(())
    }

    /// Audit path proving that entry `index` is in the tree of the first `size` entries
    /// (RFC 6962 section 2.1.1), to be checked with [`verify_inclusion`].
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        self.check_size(size)?;
        if index >= size {
            return Err(LedgerError::OutOfRange(format!(
                "entry {index} is not in a tree of size {size}"
            )));
        }
        tl::prove_record(size, index, &Reader(&self.hashes))
            .map(from_tl)
            .map_err(|e| LedgerError::OutOfRange(format!("inclusion proof {index}/{size}: {e}")))
    }

    /// Proof that the tree of `old` entries is a prefix of the tree of `new` entries
    /// (RFC 6962 section 2.1.2), to be checked with [`verify_consistency`]. Empty when
    /// `old` is 0 or equals `new`: there is nothing to prove.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>> {
        self.check_size(new)?;
        if old > new {
            return Err(LedgerError::OutOfRange(format!(
                "old tree size {old} is larger than new tree size {new}"
            )));
        }
        if old == 0 {
            return Ok(Vec::new());
        }
        tl::prove_tree(new, old, &Reader(&self.hashes))
            .map(from_tl)
            .map_err(|e| LedgerError::OutOfRange(format!("consistency proof {old}->{new}: {e}")))
    }

    /// Contents of the hash tile `tile/<level>/<index>[.p/<width>]`: `width` consecutive hashes
    /// of tree level `8 * level`, starting at hash `index * 256`. Only tiles that exist for
    /// the current size can be produced (a tile never changes once written).
    pub fn tile(&self, level: u8, index: u64, width: u16) -> Result<Vec<u8>> {
        let out_of_range = || {
            LedgerError::OutOfRange(format!(
                "tile level {level} index {index} width {width} is not in a tree of size {}",
                self.size
            ))
        };
        if width == 0 || usize::from(width) > TILE_WIDTH {
            return Err(out_of_range());
        }
        let tree_level = level.checked_mul(TILE_HEIGHT).ok_or_else(out_of_range)?;
        let first = index
            .checked_mul(TILE_WIDTH as u64)
            .ok_or_else(out_of_range)?;
        let mut data = Vec::with_capacity(usize::from(width) * 32);
        for i in 0..u64::from(width) {
            let h = first
                .checked_add(i)
                .and_then(|x| self.hash_at(tree_level, x))
                .ok_or_else(out_of_range)?;
            data.extend_from_slice(&h);
        }
        Ok(data)
    }
}

/// Longest possible proof (a consistency proof in a tree of 2^64 entries has at most
/// 2 * 64 hashes); anything longer is refused before doing any work.
const MAX_PROOF_LEN: usize = 128;

/// Checks an inclusion proof: `leaf` is entry `index` of the tree of `size` entries whose root
/// is `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    root: &Hash,
    proof: &[Hash],
) -> Result<()> {
    if index >= size {
        return Err(LedgerError::Proof(format!(
            "inclusion proof: entry {index} cannot be in a tree of size {size}"
        )));
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(LedgerError::Proof(format!(
            "inclusion proof has {} hashes; no proof in a 64-bit tree has more than {MAX_PROOF_LEN}",
            proof.len()
        )));
    }
    tl::check_record(&to_tl(proof), size, tl::Hash(*root), index, tl::Hash(*leaf)).map_err(|_| {
        LedgerError::Proof(format!(
            "inclusion proof of entry {index} in tree size {size} does not lead to root {}",
            hash_to_base64(root)
        ))
    })
}

/// Checks a consistency proof: the tree of `old_size` entries with root `old_root` is a prefix
/// of the tree of `new_size` entries with root `new_root`, i.e. history was not rewritten.
pub fn verify_consistency(
    old_size: u64,
    old_root: &Hash,
    new_size: u64,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<()> {
    let fail = |why: &str| {
        LedgerError::Proof(format!(
            "consistency proof from size {old_size} (root {}) to size {new_size} (root {}) {why}",
            hash_to_base64(old_root),
            hash_to_base64(new_root)
        ))
    };
    if old_size > new_size {
        return Err(fail("is impossible: the old tree is larger"));
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(fail("is too long"));
    }
    if old_size == 0 {
        return if *old_root == EMPTY_ROOT && proof.is_empty() {
            Ok(())
        } else {
            Err(fail(
                "does not verify: an empty tree has the empty root and an empty proof",
            ))
        };
    }
    tl::check_tree(
        &to_tl(proof),
        new_size,
        tl::Hash(*new_root),
        old_size,
        tl::Hash(*old_root),
    )
    .map_err(|_| fail("does not verify"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(h: &Hash) -> String {
        h.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Leaves of the RFC 6962 test tree used by Certificate Transparency's reference
    /// implementations (certificate-transparency-go merkletree tests, trillian's rfc6962 tests).
    fn rfc_leaves() -> Vec<Vec<u8>> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|s| {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect()
    }

    #[test]
    fn empty_tree_root() {
        assert_eq!(
            hex(&Log::new().root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn rfc6962_roots_of_every_prefix() {
        // Expected roots for the first 1..=8 leaves (same vectors in CT's and trillian's tests).
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let mut log = Log::new();
        for (i, leaf) in rfc_leaves().iter().enumerate() {
            log.append(leaf).unwrap();
            assert_eq!(hex(&log.root()), roots[i], "root of size {}", i + 1);
        }
        for (i, root) in roots.iter().enumerate() {
            assert_eq!(hex(&log.root_at(i as u64 + 1).unwrap()), *root);
        }
    }

    #[test]
    fn rfc6962_inclusion_vectors() {
        let log = Log::from_entries(rfc_leaves()).unwrap();
        // (index, size, audit path) from the CT reference test vectors.
        let cases: &[(u64, u64, &[&str])] = &[
            (0, 1, &[]),
            (
                0,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                1,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (index, size, path) in cases {
            let proof = log.inclusion_proof(*index, *size).unwrap();
            let got: Vec<String> = proof.iter().map(hex).collect();
            assert_eq!(got, *path, "inclusion {index}/{size}");
            let leaf = log.leaf_hash(*index).unwrap();
            verify_inclusion(&leaf, *index, *size, &log.root_at(*size).unwrap(), &proof).unwrap();
        }
    }

    #[test]
    fn rfc6962_consistency_vectors() {
        let log = Log::from_entries(rfc_leaves()).unwrap();
        let cases: &[(u64, u64, &[&str])] = &[
            (1, 1, &[]),
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                5,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (old, new, path) in cases {
            let proof = log.consistency_proof(*old, *new).unwrap();
            let got: Vec<String> = proof.iter().map(hex).collect();
            assert_eq!(got, *path, "consistency {old}->{new}");
            verify_consistency(
                *old,
                &log.root_at(*old).unwrap(),
                *new,
                &log.root_at(*new).unwrap(),
                &proof,
            )
            .unwrap();
        }
    }

    #[test]
    fn leaf_and_node_hash_definitions() {
        use sha2::{Digest, Sha256};
        let sha = |parts: &[&[u8]]| -> Hash {
            let mut h = Sha256::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().into()
        };
        let l = leaf_hash(b"abc");
        let r = leaf_hash(b"def");
        assert_eq!(l, sha(&[&[0], b"abc"]));
        assert_eq!(node_hash(&l, &r), sha(&[&[1], &l, &r]));
        let log = Log::from_entries([b"abc".as_slice(), b"def".as_slice()]).unwrap();
        assert_eq!(log.root(), node_hash(&l, &r));
        assert_eq!(
            hash_from_base64(&hash_to_base64(&log.root())),
            Some(log.root())
        );
        assert_eq!(hash_from_base64("AAAA"), None);
    }

    #[test]
    fn oversize_entry_is_refused() {
        let mut log = Log::new();
        log.append(&vec![7u8; MAX_ENTRY_LEN]).unwrap();
        let err = log.append(&vec![7u8; MAX_ENTRY_LEN + 1]).unwrap_err();
        assert!(err.to_string().contains("entry 1 is 65536 bytes"), "{err}");
        assert_eq!(log.size(), 1);
    }

    #[test]
    fn out_of_range_requests_are_errors() {
        let log = Log::from_entries((0..10u8).map(|i| vec![i])).unwrap();
        assert!(log.root_at(11).is_err());
        assert!(log.inclusion_proof(10, 10).is_err());
        assert!(log.inclusion_proof(0, 11).is_err());
        assert!(log.consistency_proof(5, 11).is_err());
        assert!(log.consistency_proof(6, 5).is_err());
        assert!(log.tile(0, 0, 11).is_err());
        assert!(log.tile(0, 0, 0).is_err());
        assert!(log.tile(1, 0, 1).is_err());
        assert_eq!(log.tile(0, 0, 10).unwrap().len(), 320);
        assert!(log.leaf_hash(10).is_none());
        assert!(log.tile(7, u64::MAX, 256).is_err());
        assert!(log.tile(255, 0, 1).is_err());
        let long = vec![[0u8; 32]; 1000];
        assert!(verify_inclusion(&[0; 32], 0, 10, &log.root(), &long).is_err());
        assert!(verify_consistency(5, &[0; 32], 10, &log.root(), &long).is_err());
    }

    #[test]
    fn empty_consistency() {
        let log = Log::from_entries([b"x"]).unwrap();
        let p = log.consistency_proof(0, 1).unwrap();
        assert!(p.is_empty());
        verify_consistency(0, &EMPTY_ROOT, 1, &log.root(), &p).unwrap();
        assert!(verify_consistency(0, &log.root(), 1, &log.root(), &p).is_err());
    }

    #[test]
    fn tiles_hold_level_hashes() {
        let n = 256 * 256 + 300;
        let log = Log::from_leaf_hashes((0..n as u64).map(|i| leaf_hash(&i.to_be_bytes())));
        let t0 = log.tile(0, 1, 256).unwrap();
        assert_eq!(&t0[..32], &leaf_hash(&256u64.to_be_bytes()));
        // Level-1 tile hash k is the root of the full level-0 tile k.
        let t1 = log.tile(1, 0, 256).unwrap();
        let sub = Log::from_leaf_hashes((256..512u64).map(|i| leaf_hash(&i.to_be_bytes())));
        assert_eq!(&t1[32..64], &sub.root());
        // Level 2 has one hash: the root of the first 65536 entries.
        let t2 = log.tile(2, 0, 1).unwrap();
        assert_eq!(t2, log.root_at(65536).unwrap());
        assert_eq!(log.tile(1, 1, 1).unwrap().len(), 32);
        assert!(log.tile(1, 1, 2).is_err());
    }
}
