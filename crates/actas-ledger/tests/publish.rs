//! Export to a directory, verification of what was exported, and detection of tampering.

mod common;

use std::fs;
use std::path::Path;

use actas_ledger::{
    Checkpoint, DirSource, Log, LogSigner, LogSource, LogVerifier, export_dir, generate_keys,
    verify_published,
};
use common::TempDir;

const ORIGIN: &str = "actas.example/test-log";

fn entries(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("{{\"record\":{i},\"pad\":\"{}\"}}", "x".repeat(i % 37)).into_bytes())
        .collect()
}

fn keys() -> (LogSigner, LogVerifier) {
    let (skey, vkey) = generate_keys(ORIGIN).unwrap();
    (
        LogSigner::from_key(&skey).unwrap(),
        LogVerifier::new(&vkey).unwrap(),
    )
}

fn publish(dir: &Path, entries: &[Vec<u8>], signer: &LogSigner) -> String {
    let log = Log::from_entries(entries).unwrap();
    let cp = log.checkpoint(ORIGIN, signer).unwrap();
    export_dir(dir, entries, &cp, &[]).unwrap();
    cp
}

fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn export_writes_the_c2sp_layout_and_verifies() {
    let dir = TempDir::new("layout");
    let (signer, verifier) = keys();
    let es = entries(300);
    publish(&dir.0, &es, &signer);
    assert_eq!(
        files(&dir.0),
        [
            "checkpoint",
            "tile/0/000",
            "tile/0/001.p/44",
            "tile/1/000.p/1",
            "tile/entries/000",
            "tile/entries/001.p/44",
        ]
    );
    let bundle = fs::read(dir.0.join("tile/entries/001.p/44")).unwrap();
    assert_eq!(&bundle[..2], &(es[256].len() as u16).to_be_bytes());
    assert_eq!(&bundle[2..2 + es[256].len()], es[256].as_slice());

    let v = verify_published(&DirSource::new(&dir.0), &verifier, None).unwrap();
    assert_eq!(v.checkpoint.size, 300);
    assert_eq!(v.checkpoint.origin, ORIGIN);
    assert_eq!(v.entries, es);
    assert_eq!(v.log, Log::from_entries(&es).unwrap());
    assert_eq!(v.files_checked, 6);
}

#[test]
fn empty_log_exports_and_verifies() {
    let dir = TempDir::new("empty");
    let (signer, verifier) = keys();
    publish(&dir.0, &[], &signer);
    assert_eq!(files(&dir.0), ["checkpoint"]);
    let v = verify_published(&DirSource::new(&dir.0), &verifier, None).unwrap();
    assert_eq!(v.checkpoint.size, 0);
}

#[test]
fn growing_log_keeps_old_tiles_and_proves_consistency() {
    let dir = TempDir::new("grow");
    let (signer, verifier) = keys();
    let es = entries(700);
    let old_cp = publish(&dir.0, &es[..300], &signer);

    let log = Log::from_entries(&es).unwrap();
    let cp = log.checkpoint(ORIGIN, &signer).unwrap();
    let stats = export_dir(&dir.0, &es, &cp, &[]).unwrap();
    // tile/0/000 and tile/entries/000 were complete already.
    assert_eq!(stats.unchanged, 2, "{stats:?}");
    // Old partial tiles stay, so clients holding the old checkpoint can still read them.
    assert!(dir.0.join("tile/0/001.p/44").exists());

    let v = verify_published(&DirSource::new(&dir.0), &verifier, Some(old_cp.as_bytes())).unwrap();
    assert_eq!(v.old_checkpoint.unwrap().size, 300);
    assert_eq!(v.checkpoint.size, 700);

    // Re-exporting the same log rewrites nothing.
    let again = export_dir(&dir.0, &es, &cp, &[]).unwrap();
    assert_eq!(again.written, 0);
}

#[test]
fn rewritten_history_is_detected() {
    let dir = TempDir::new("rewrite");
    let (signer, verifier) = keys();
    let mut es = entries(400);
    let old_cp = publish(&dir.0, &es[..100], &signer);
    es[42] = b"a different record 42".to_vec();
    publish(&dir.0, &es, &signer);
    // The new log is valid on its own...
    verify_published(&DirSource::new(&dir.0), &verifier, None).unwrap();
    // ...but not an extension of what was signed before.
    let err = verify_published(&DirSource::new(&dir.0), &verifier, Some(old_cp.as_bytes()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("not consistent with the old checkpoint (size 100)"),
        "{err}"
    );

    // A newer checkpoint given as "since" means the published log was truncated.
    let later = Log::from_entries(entries(500))
        .unwrap()
        .checkpoint(ORIGIN, &signer)
        .unwrap();
    let err = verify_published(&DirSource::new(&dir.0), &verifier, Some(later.as_bytes()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn every_flipped_byte_is_detected_and_the_file_named() {
    let dir = TempDir::new("tamper");
    let (signer, verifier) = keys();
    publish(&dir.0, &entries(300), &signer);
    let source = DirSource::new(&dir.0);
    verify_published(&source, &verifier, None).unwrap();

    for name in files(&dir.0) {
        let path = dir.0.join(&name);
        let original = fs::read(&path).unwrap();
        let len = original.len();
        let mut positions = vec![0, 1, len / 3, len / 2, len - 1];
        if name == "checkpoint" {
            // Every byte of the checkpoint: body, separator, signature line.
            positions = (0..len).collect();
        }
        for pos in positions {
            let mut bad = original.clone();
            bad[pos] ^= 0x01;
            fs::write(&path, &bad).unwrap();
            let err = match verify_published(&source, &verifier, None) {
                Ok(_) => panic!("{name} byte {pos} flipped: still verifies"),
                Err(e) => e.to_string(),
            };
            assert!(
                err.contains(&name),
                "{name} byte {pos} flipped: error does not name the file: {err}"
            );
        }
        fs::write(&path, &original).unwrap();
    }
    verify_published(&source, &verifier, None).unwrap();
}

#[test]
fn error_messages_say_what_and_where() {
    let dir = TempDir::new("messages");
    let (signer, verifier) = keys();
    let es = entries(300);
    publish(&dir.0, &es, &signer);
    let source = DirSource::new(&dir.0);

    // An entry changed in its bundle, lengths kept.
    let path = dir.0.join("tile/entries/000");
    let original = fs::read(&path).unwrap();
    let mut bad = original.clone();
    let offset: usize = es[..17].iter().map(|e| e.len() + 2).sum::<usize>() + 2;
    bad[offset] ^= 0x20;
    fs::write(&path, &bad).unwrap();
    let err = verify_published(&source, &verifier, None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "tile/entries/000 entry 17: leaf hash does not match tile/0/000 hash 17 (log entry 17)"
    );
    fs::write(&path, &original).unwrap();

    // A missing tile.
    fs::remove_file(dir.0.join("tile/1/000.p/1")).unwrap();
    let err = verify_published(&source, &verifier, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tile/1/000.p/1: missing") && err.contains("tree size 300"),
        "{err}"
    );

    // The wrong key.
    let (_, other) = keys();
    let err = verify_published(&source, &other, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no signature by key") && err.contains(other.key()),
        "{err}"
    );

    // Signed by the right key name but another key.
    let (skey2, _) = generate_keys(ORIGIN).unwrap();
    let forged = Log::from_entries(&es)
        .unwrap()
        .checkpoint(ORIGIN, &LogSigner::from_key(&skey2).unwrap())
        .unwrap();
    fs::write(dir.0.join("checkpoint"), forged).unwrap();
    let err = verify_published(&source, &verifier, None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("checkpoint "), "{err}");
}

#[test]
fn partial_tiles_may_be_replaced_by_full_ones() {
    // A publisher may delete partial tiles once the full tile exists; a reader of an older
    // checkpoint then uses a prefix of the full tile.
    let dir = TempDir::new("fallback");
    let (signer, verifier) = keys();
    let es = entries(600);
    let old_cp = publish(&dir.0, &es[..300], &signer);
    publish(&dir.0, &es, &signer);
    fs::remove_file(dir.0.join("tile/0/001.p/44")).unwrap();
    fs::remove_file(dir.0.join("tile/entries/001.p/44")).unwrap();
    fs::write(dir.0.join("checkpoint"), &old_cp).unwrap();
    let v = verify_published(&DirSource::new(&dir.0), &verifier, None).unwrap();
    assert_eq!(v.entries.len(), 300);
}

#[test]
fn export_refuses_a_checkpoint_of_other_entries() {
    let dir = TempDir::new("mismatch");
    let (signer, _) = keys();
    let es = entries(10);
    let cp = Log::from_entries(&es[..5])
        .unwrap()
        .checkpoint(ORIGIN, &signer)
        .unwrap();
    // More entries than checkpointed: only the checkpointed prefix is published.
    export_dir(&dir.0, &es, &cp, &[]).unwrap();
    let parsed = Checkpoint::parse_unverified(cp.as_bytes()).unwrap();
    assert_eq!(parsed.size, 5);
    assert!(dir.0.join("tile/entries/000.p/5").exists());
    assert!(!dir.0.join("tile/entries/000.p/10").exists());

    let mut other = es.clone();
    other[3] = b"changed".to_vec();
    let err = export_dir(&dir.0, &other, &cp, &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not match root"), "{err}");
    let err = export_dir(&dir.0, &es[..4], &cp, &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("only 4 were given"), "{err}");
    // Nothing of the refused exports was written over the good one.
    assert_eq!(
        fs::read_to_string(dir.0.join("checkpoint")).unwrap(),
        cp.as_str()
    );
}

#[test]
fn dir_source_stays_inside_its_directory() {
    let dir = TempDir::new("source");
    let s = DirSource::new(&dir.0);
    assert!(s.get("../etc/passwd").is_err());
    assert!(s.get("/etc/passwd").is_err());
    assert_eq!(s.get("checkpoint").unwrap(), None);
    assert_eq!(s.get("tile/0/000").unwrap(), None);
}

#[test]
fn no_temporary_files_are_left_behind() {
    let dir = TempDir::new("tmpfiles");
    let (signer, _) = keys();
    publish(&dir.0, &entries(1000), &signer);
    assert!(
        files(&dir.0).iter().all(|f| !f.contains(".tmp.")),
        "{:?}",
        files(&dir.0)
    );
}

#[test]
fn no_hidden_temporary_files_are_left_behind() {
    let dir = TempDir::new("hidden");
    let (signer, _) = keys();
    let es = entries(1000);
    publish(&dir.0, &es[..600], &signer);
    publish(&dir.0, &es, &signer);
    let hidden: Vec<String> = files(&dir.0)
        .into_iter()
        .filter(|f| f.split('/').any(|part| part.starts_with('.')))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn a_failed_write_stops_the_export_before_the_checkpoint() {
    let dir = TempDir::new("unwritable");
    let (signer, _) = keys();
    let es = entries(3000);
    // `tile` is a file, so no tile can be written.
    fs::write(dir.0.join("tile"), b"in the way").unwrap();
    let log = Log::from_entries(&es).unwrap();
    let cp = log.checkpoint(ORIGIN, &signer).unwrap();
    let err = export_dir(&dir.0, &es, &cp, &[]).unwrap_err().to_string();
    assert!(err.contains("tile"), "{err}");
    assert!(!dir.0.join("checkpoint").exists());
}
