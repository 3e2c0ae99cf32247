//! Property tests: the tree against a direct transcription of RFC 6962 section 2.1, every
//! generated proof verifies, and no modified proof does.

use actas_ledger::{
    Hash, Log, TilePath, leaf_hash, node_hash, verify_consistency, verify_inclusion,
};
use proptest::prelude::*;

/// MTH(D[n]) exactly as written in RFC 6962 section 2.1 (k: largest power of 2 below n).
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => actas_ledger::EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// PATH(m, D[n]), RFC 6962 section 2.1.1.
fn path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return vec![];
    }
    let k = split(n);
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(mth(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(mth(&leaves[..k]));
        p
    }
}

/// PROOF(m, D[n]) = SUBPROOF(m, D[n], true), RFC 6962 section 2.1.2.
fn subproof(m: usize, leaves: &[Hash], b: bool) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if b { vec![] } else { vec![mth(leaves)] };
    }
    let k = split(n);
    if m <= k {
        let mut p = subproof(m, &leaves[..k], b);
        p.push(mth(&leaves[k..]));
        p
    } else {
        let mut p = subproof(m - k, &leaves[k..], false);
        p.push(mth(&leaves[..k]));
        p
    }
}

fn leaves(n: usize, salt: u8) -> Vec<Hash> {
    (0..n as u64)
        .map(|i| {
            let mut e = i.to_be_bytes().to_vec();
            e.push(salt);
            leaf_hash(&e)
        })
        .collect()
}

/// Ways to spoil a non-empty proof; each must make verification fail.
fn spoil(proof: &[Hash], which: usize, byte: usize) -> Vec<Vec<Hash>> {
    let mut out = Vec::new();
    if !proof.is_empty() {
        let mut flipped = proof.to_vec();
        flipped[which % proof.len()][byte % 32] ^= 1;
        out.push(flipped);
        out.push(proof[..proof.len() - 1].to_vec());
        let mut swapped = proof.to_vec();
        if proof.len() > 1 && proof[0] != proof[1] {
            swapped.swap(0, 1);
            out.push(swapped);
        }
    }
    let mut longer = proof.to_vec();
    longer.push([7; 32]);
    out.push(longer);
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn roots_match_rfc6962(n in 0usize..700) {
        let ls = leaves(n, 1);
        let log = Log::from_leaf_hashes(ls.iter().copied());
        prop_assert_eq!(log.size(), n as u64);
        prop_assert_eq!(log.root(), mth(&ls));
        for m in [0, n / 3, n / 2, n.saturating_sub(1)] {
            prop_assert_eq!(log.root_at(m as u64).unwrap(), mth(&ls[..m]));
        }
    }

    #[test]
    fn inclusion_proofs_verify_and_spoiled_ones_do_not(
        size in 1usize..700,
        index_seed in any::<usize>(),
        extra in 0usize..300,
        which in any::<usize>(),
        byte in any::<usize>(),
    ) {
        let ls = leaves(size + extra, 2);
        let log = Log::from_leaf_hashes(ls.iter().copied());
        let index = index_seed % size;
        let root = log.root_at(size as u64).unwrap();
        let proof = log.inclusion_proof(index as u64, size as u64).unwrap();
        prop_assert_eq!(&proof, &path(index, &ls[..size]));
        verify_inclusion(&ls[index], index as u64, size as u64, &root, &proof).unwrap();

        for bad in spoil(&proof, which, byte) {
            prop_assert!(verify_inclusion(&ls[index], index as u64, size as u64, &root, &bad).is_err());
        }
        let mut other_leaf = ls[index];
        other_leaf[byte % 32] ^= 0x80;
        prop_assert!(verify_inclusion(&other_leaf, index as u64, size as u64, &root, &proof).is_err());
        let mut other_root = root;
        other_root[0] ^= 1;
        prop_assert!(verify_inclusion(&ls[index], index as u64, size as u64, &other_root, &proof).is_err());
        if size > 1 {
            let other_index = (index + 1 + which % (size - 1)) % size;
            prop_assert!(verify_inclusion(&ls[index], other_index as u64, size as u64, &root, &proof).is_err());
        }
        // (A wrong tree size is not always caught: the proof for index 0 of size 3 is also
        // well-shaped for size 4. The size is bound by the signed checkpoint, not the proof.)
    }

    #[test]
    fn consistency_proofs_verify_and_spoiled_ones_do_not(
        new in 1usize..700,
        old_seed in any::<usize>(),
        which in any::<usize>(),
        byte in any::<usize>(),
    ) {
        let ls = leaves(new, 3);
        let log = Log::from_leaf_hashes(ls.iter().copied());
        let old = 1 + old_seed % new;
        let (old_root, new_root) = (mth(&ls[..old]), mth(&ls));
        let proof = log.consistency_proof(old as u64, new as u64).unwrap();
        prop_assert_eq!(&proof, &subproof(old, &ls, true));
        verify_consistency(old as u64, &old_root, new as u64, &new_root, &proof).unwrap();

        for bad in spoil(&proof, which, byte) {
            prop_assert!(verify_consistency(old as u64, &old_root, new as u64, &new_root, &bad).is_err());
        }
        let mut other = old_root;
        other[byte % 32] ^= 1;
        prop_assert!(verify_consistency(old as u64, &other, new as u64, &new_root, &proof).is_err());
        let mut other = new_root;
        other[byte % 32] ^= 1;
        prop_assert!(verify_consistency(old as u64, &old_root, new as u64, &other, &proof).is_err());
        // A log that rewrote one early entry cannot prove consistency with the old root.
        let mut forked = ls.clone();
        forked[which % old][0] ^= 1;
        let forked_log = Log::from_leaf_hashes(forked.iter().copied());
        if old < new {
            let p = forked_log.consistency_proof(old as u64, new as u64).unwrap();
            prop_assert!(verify_consistency(old as u64, &old_root, new as u64, &forked_log.root(), &p).is_err());
        }
    }

    #[test]
    fn tiles_agree_with_the_tree(n in 1usize..2000) {
        let ls = leaves(n, 4);
        let log = Log::from_leaf_hashes(ls.iter().copied());
        for t in actas_ledger::tiles_for_size(n as u64) {
            if let TilePath::Hash { level, index, width } = t {
                let data = log.tile(level, index, width).unwrap();
                prop_assert_eq!(data.len(), usize::from(width) * 32);
                let span = 1usize << (8 * level);
                for (k, h) in data.chunks_exact(32).enumerate() {
                    let start = (index as usize * 256 + k) * span;
                    let want = mth(&ls[start..start + span]);
                    prop_assert_eq!(h, want.as_slice());
                }
            }
        }
    }
}
