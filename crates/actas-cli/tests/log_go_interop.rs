//! An independent implementation checks our log of the real V1 file: the ledger's Go program
//! (crates/actas-ledger/tests/go/main.go, on Go's golang.org/x/mod/sumdb/note and
//! .../sumdb/tlog) opens the checkpoint with our verifier key, recomputes the root from the
//! exported entry bundles, compares every hash tile with its own, checks inclusion proofs
//! printed by `actas log proof`, and proves that the checkpoint taken after the first 10,000
//! rows of V1 is a prefix of the one taken after all of it.
//!
//! Needs `go` and the x/mod sources in GOPATH layout (Debian: golang-go and
//! golang-golang-x-mod-dev, under /usr/share/gocode; another GOPATH can be given in
//! ACTAS_GOPATH) and ../shared. Without them the test is skipped, except under CI (env `CI`
//! set), where it fails.

mod common;

use std::path::Path;
use std::process::Command;

use actas_ledger::{DirSource, LogVerifier, hash_to_base64, verify_published};
use common::*;

fn run_go(bin: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin)
        .args(args)
        .output()
        .expect("run tlogcheck")
}

#[test]
fn go_sumdb_verifies_our_log_of_v1() {
    let Some(v1) = v1() else { return };
    let dir = tempfile::tempdir().unwrap();
    let Some(go) = actas_testkit::go::tlogcheck(dir.path()) else {
        return;
    };
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    let vkey = ok(&data, &["log", "key"]).trim().to_string();

    // Checkpoint 1 after the first 10,000 rows, checkpoint 2 after the whole file.
    let text = std::fs::read_to_string(&v1).unwrap();
    let head: Vec<&str> = text.lines().take(10_001).collect();
    let part = dir.path().join("v1-first-10000.csv");
    std::fs::write(&part, head.join("\n") + "\n").unwrap();
    ok(&data, &["import", "csv", part.to_str().unwrap()]);
    let cp1 = ok(&data, &["log", "checkpoint"]);
    ok(&data, &["import", "csv", v1.to_str().unwrap()]);
    let cp2 = ok(&data, &["log", "checkpoint"]);
    let cp1_file = dir.path().join("checkpoint-1");
    std::fs::write(&cp1_file, &cp1).unwrap();
    let export = dir.path().join("published");
    ok(&data, &["log", "export", export.to_str().unwrap()]);

    // Our own verifier first, for the sizes and the tree to draw the consistency proof from.
    let verifier = LogVerifier::new(&vkey).unwrap();
    let ours = verify_published(&DirSource::new(&export), &verifier, Some(cp1.as_bytes())).unwrap();
    let (old, new) = (ours.old_checkpoint.unwrap().size, ours.checkpoint.size);
    assert_eq!(
        (old, new),
        (10_001, 24_533),
        "V1 has 24,532 tables, plus the definition"
    );

    // Inclusion proofs from `actas log proof`: the first and last rows of V1 and one in the
    // middle (row 12,000); and one against checkpoint 1.
    let mut claims = format!("checkpoint {}\n", cp1_file.display());
    for table in ["010113042.01", "240102041.01", "140201049.01"] {
        let p = json(&data, &["log", "proof", table]);
        let p = &p["inclusion_proof"];
        assert_eq!(p["tree_size"], new);
        let hashes: Vec<&str> = p["hashes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        claims += &format!("inclusion {} {new} {}\n", p["log_index"], hashes.join(" "));
    }
    let b64 =
        |hs: Vec<actas_ledger::Hash>| hs.iter().map(hash_to_base64).collect::<Vec<_>>().join(" ");
    claims += &format!(
        "inclusion 9999 {old} {}\n",
        b64(ours.log.inclusion_proof(9999, old).unwrap())
    );
    let consistency = ours.log.consistency_proof(old, new).unwrap();
    claims += &format!("consistency {old} {new} {}\n", b64(consistency.clone()));
    let mut bad = consistency;
    bad[0][0] ^= 1;
    claims += &format!("bad-consistency {old} {new} {}\n", b64(bad));
    let claims_file = dir.path().join("claims");
    std::fs::write(&claims_file, &claims).unwrap();

    let out = run_go(
        &go,
        &[
            "verify",
            export.to_str().unwrap(),
            &vkey,
            claims_file.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Go refused our log: {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("ok: actas.local/ve2024 size 24533, ")
            && stdout.contains(" 5 proofs checked"),
        "{stdout}"
    );
    eprintln!("{}", stdout.trim());
    assert_eq!(
        std::fs::read_to_string(export.join("checkpoint")).unwrap(),
        cp2
    );

    // Go refuses the same log under another key, and a tampered entry bundle.
    let (_, other) = actas_ledger::generate_keys("actas.local/ve2024").unwrap();
    let out = run_go(
        &go,
        &[
            "verify",
            export.to_str().unwrap(),
            &other,
            claims_file.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let bundle = export.join("tile/entries/050");
    let mut bytes = std::fs::read(&bundle).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&bundle, &bytes).unwrap();
    let out = run_go(
        &go,
        &[
            "verify",
            export.to_str().unwrap(),
            &vkey,
            claims_file.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "Go accepted a tampered entry bundle");
    let err = fails(&data, &["verify", export.to_str().unwrap(), "--key", &vkey]);
    assert!(err.contains("tile/entries/050 entry"), "{err}");
}
