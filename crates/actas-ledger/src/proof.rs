//! The one inclusion proof every `actas` tool hands out (CLI, API, pages), and its one JSON
//! shape.

use serde::{Serialize, Serializer};

use crate::error::Result;
use crate::tree::{Hash, Log, hash_to_base64, verify_inclusion};

/// Proof that entry `log_index` is in the tree of `tree_size` entries whose root a signed
/// checkpoint commits to. Serialises as
/// `{log_index, tree_size, root_hash, leaf_hash, hashes, checkpoint}`, hashes in base64 as in
/// checkpoints, `hashes` the RFC 6962 audit path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InclusionProof {
    pub log_index: u64,
    pub tree_size: u64,
    #[serde(serialize_with = "base64")]
    pub root_hash: Hash,
    /// `SHA-256(0x00 || entry)`.
    #[serde(serialize_with = "base64")]
    pub leaf_hash: Hash,
    #[serde(serialize_with = "base64_list")]
    pub hashes: Vec<Hash>,
    /// The signed checkpoint (C2SP tlog-checkpoint note) whose root the proof leads to.
    pub checkpoint: String,
}

fn base64<S: Serializer>(h: &Hash, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hash_to_base64(h))
}

fn base64_list<S: Serializer>(hs: &[Hash], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(hs.iter().map(hash_to_base64))
}

impl InclusionProof {
    /// Proves entry `index` of `log` in the checkpoint of `size` entries with `root` (its note
    /// is `checkpoint`). The proof is checked before it is returned, so a log that does not
    /// match its checkpoint yields an error, never a proof that fails elsewhere.
    pub fn prove(
        log: &Log,
        index: u64,
        size: u64,
        root: Hash,
        checkpoint: &str,
    ) -> Result<InclusionProof> {
        let hashes = log.inclusion_proof(index, size)?;
        let leaf_hash = log
            .leaf_hash(index)
            .expect("an entry with an inclusion proof exists");
        let proof = InclusionProof {
            log_index: index,
            tree_size: size,
            root_hash: root,
            leaf_hash,
            hashes,
            checkpoint: checkpoint.to_string(),
        };
        proof.verify()?;
        Ok(proof)
    }

    /// Checks the audit path leads from the leaf to the root.
    pub fn verify(&self) -> Result<()> {
        verify_inclusion(
            &self.leaf_hash,
            self.log_index,
            self.tree_size,
            &self.root_hash,
            &self.hashes,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::leaf_hash;

    #[test]
    fn proves_checks_and_serialises_in_one_shape() {
        let log = Log::from_entries((0..10u8).map(|i| vec![i])).unwrap();
        let p = InclusionProof::prove(&log, 3, 10, log.root(), "note\n").unwrap();
        assert_eq!(p.leaf_hash, leaf_hash(&[3]));
        let json = serde_json::to_string(&p).unwrap();
        let at = |k: &str| json.find(&format!("\"{k}\":")).unwrap();
        let keys = [
            "log_index",
            "tree_size",
            "root_hash",
            "leaf_hash",
            "hashes",
            "checkpoint",
        ];
        assert!(keys.windows(2).all(|w| at(w[0]) < at(w[1])), "{json}");
        assert!(json.contains(&format!(
            "\"root_hash\":\"{}\"",
            hash_to_base64(&log.root())
        )));
        assert!(InclusionProof::prove(&log, 3, 10, [0; 32], "note\n").is_err());
    }
}
