//! Interoperability with an independent implementation: Go's `golang.org/x/mod/sumdb/note`
//! and `golang.org/x/mod/sumdb/tlog` (tests/go/main.go) check a log we exported, our
//! checkpoints, tiles and proofs; and we open a note that Go signed.
//!
//! Needs `go` and the x/mod sources in GOPATH layout (see `actas_testkit::go`). Without them the
//! test is skipped, except under CI (env `CI` set), where it fails.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use actas_ledger::{
    Checkpoint, Hash, Log, LogSigner, LogVerifier, export_dir, generate_keys, hash_to_base64,
    open_checkpoint, verify_published,
};
use common::TempDir;

const ORIGIN: &str = "actas.example/interop";

fn run(bin: &Path, args: &[&str]) -> String {
    let o = Command::new(bin).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{} {:?} failed:\nstdout: {}\nstderr: {}",
        bin.display(),
        args,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn run_expect_failure(bin: &Path, args: &[&str]) -> String {
    let o = Command::new(bin).args(args).output().unwrap();
    assert!(
        !o.status.success(),
        "{} {:?} succeeded but should have failed: {}",
        bin.display(),
        args,
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn b64(proof: &[Hash]) -> String {
    proof
        .iter()
        .map(hash_to_base64)
        .collect::<Vec<_>>()
        .join(" ")
}

fn entries(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| match i {
            0 => Vec::new(),
            5 => vec![0xA5; 65535],
            _ => format!("{{\"acta\":{i},\"votes\":[{},{}]}}", i * 7 % 500, i % 313).into_bytes(),
        })
        .collect()
}

#[test]
fn go_sumdb_checks_our_log() {
    let work = TempDir::new("go-interop");
    let Some(bin) = actas_testkit::go::tlogcheck(&work.0) else {
        return;
    };
    let (skey, vkey) = generate_keys(ORIGIN).unwrap();
    let signer = LogSigner::from_key(&skey).unwrap();

    // An old tree of 1000 entries, published, then grown to 70 000 (three tile levels) and
    // published over it.
    let all = entries(70_000);
    let old_size = 1000;
    let dir = work.0.join("log");
    let old_log = Log::from_entries(&all[..old_size]).unwrap();
    let old_cp = old_log.checkpoint(ORIGIN, &signer).unwrap();
    export_dir(&dir, &all[..old_size], &old_cp, &[]).unwrap();
    let log = Log::from_entries(&all).unwrap();
    let cp = log.checkpoint(ORIGIN, &signer).unwrap();
    export_dir(&dir, &all, &cp, &[]).unwrap();
    assert!(dir.join("tile/2/000.p/1").exists());
    let old_cp_file = work.0.join("old-checkpoint");
    fs::write(&old_cp_file, &old_cp).unwrap();

    let new_size = all.len() as u64;
    let mut claims = format!("checkpoint {}\n", old_cp_file.display());
    for (index, size) in [
        (0, new_size),
        (5, new_size),
        (255, new_size),
        (256, new_size),
        (65_535, new_size),
        (65_536, new_size),
        (new_size - 1, new_size),
        (0, old_size as u64),
        (999, old_size as u64),
        (512, old_size as u64),
    ] {
        let proof = log.inclusion_proof(index, size).unwrap();
        claims += &format!("inclusion {index} {size} {}\n", b64(&proof));
        let mut bad = proof.clone();
        bad[0][3] ^= 0x10;
        claims += &format!("bad-inclusion {index} {size} {}\n", b64(&bad));
    }
    let proof = log.consistency_proof(old_size as u64, new_size).unwrap();
    claims += &format!("consistency {old_size} {new_size} {}\n", b64(&proof));
    let mut bad = proof.clone();
    bad.pop();
    claims += &format!("bad-consistency {old_size} {new_size} {}\n", b64(&bad));
    let claims_file = work.0.join("claims");
    fs::write(&claims_file, &claims).unwrap();
    fs::write(work.0.join("vkey"), &vkey).unwrap();

    let out = run(
        &bin,
        &[
            "verify",
            dir.to_str().unwrap(),
            &vkey,
            claims_file.to_str().unwrap(),
        ],
    );
    assert!(
        out.starts_with(&format!("ok: {ORIGIN} size 70000, ")),
        "{out}"
    );
    assert!(out.contains(" 11 proofs checked"), "{out}");
    eprintln!("{}", out.trim());

    // Our own verifier agrees, with the old checkpoint as the prefix to check.
    let verifier = LogVerifier::new(&vkey).unwrap();
    let v = verify_published(
        &actas_ledger::DirSource::new(&dir),
        &verifier,
        Some(old_cp.as_bytes()),
    )
    .unwrap();
    assert_eq!(v.checkpoint.size, new_size);

    // And Go refuses what it should: a checkpoint under another key, a tampered tile.
    let (_, other_vkey) = generate_keys(ORIGIN).unwrap();
    let err = run_expect_failure(
        &bin,
        &[
            "verify",
            dir.to_str().unwrap(),
            &other_vkey,
            claims_file.to_str().unwrap(),
        ],
    );
    assert!(err.contains("note.Open"), "{err}");
    let tile = dir.join("tile/1/000");
    let mut data = fs::read(&tile).unwrap();
    data[100] ^= 1;
    fs::write(&tile, &data).unwrap();
    let err = run_expect_failure(
        &bin,
        &[
            "verify",
            dir.to_str().unwrap(),
            &vkey,
            claims_file.to_str().unwrap(),
        ],
    );
    assert!(err.contains("tile/1/000"), "{err}");
}

#[test]
fn we_open_notes_signed_by_go() {
    let work = TempDir::new("go-sign");
    let Some(bin) = actas_testkit::go::tlogcheck(&work.0) else {
        return;
    };
    let log = Log::from_entries(entries(300)).unwrap();
    let body = Checkpoint {
        origin: ORIGIN.into(),
        size: log.size(),
        root: log.root(),
    }
    .body();
    let text_file = work.0.join("body");
    fs::write(&text_file, &body).unwrap();
    let out = run(&bin, &["sign", ORIGIN, text_file.to_str().unwrap()]);
    let mut parts = out.splitn(3, '\n');
    let (go_skey, go_vkey, go_note) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );

    // Go's note opens with Go's verifier key, and says what we signed.
    let verifier = LogVerifier::new(go_vkey).unwrap();
    let cp = open_checkpoint(go_note.as_bytes(), &verifier).unwrap();
    assert_eq!((cp.size, cp.root), (300, log.root()));

    // Go's signer key loads, derives Go's verifier key, and (Ed25519 being deterministic)
    // signs the same note byte for byte.
    let signer = LogSigner::from_key(go_skey).unwrap();
    assert_eq!(signer.verifier_key(), go_vkey);
    assert_eq!(log.checkpoint(ORIGIN, &signer).unwrap(), go_note);
}
