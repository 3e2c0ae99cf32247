//! The transparency log through the `actas` binary: key, checkpoints, export, proofs, and
//! `actas verify` of the data directory, an exported directory and an http:// mirror.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use actas_core::Record;
use actas_ledger::{LogVerifier, hash_from_base64, leaf_hash, open_checkpoint, verify_inclusion};
use common::*;

/// A synthetic results CSV (about 250 tables) and the same file cut to its first `head` rows.
fn synthetic_csv(dir: &Path, head: usize) -> (PathBuf, PathBuf) {
    let s = actas_import::synthetic::generate(&actas_core::ve2024::election(), 7, 0.014, 0.82);
    let full = dir.join("results.csv");
    std::fs::write(&full, &s.csv).unwrap();
    let part = dir.join("results-part.csv");
    let cut: Vec<&str> = s.csv.lines().take(head + 1).collect();
    std::fs::write(&part, cut.join("\n") + "\n").unwrap();
    (part, full)
}

/// Serves `root` over HTTP/1.0 on a local port, one connection at a time, until the test ends.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let file = root.join(path.trim_start_matches('/'));
            let reply = match std::fs::read(&file) {
                Ok(body) if !path.contains("..") => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&reply);
        }
    });
    format!("http://{addr}")
}

#[test]
fn key_checkpoints_export_proofs_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (part, full) = synthetic_csv(dir.path(), 120);

    let out = ok(&data, &["init"]);
    assert!(out.contains("signing key created in"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("log.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "log.key is readable by its owner only");
    }
    let vkey = ok(&data, &["log", "key"]);
    assert_eq!(vkey.lines().count(), 1, "{vkey}");
    assert!(vkey.starts_with("actas.local/ve2024+"), "{vkey}");
    let verifier = LogVerifier::new(vkey.trim()).unwrap();
    assert!(
        out.contains(vkey.trim()),
        "init prints the verifier key: {out}"
    );
    // Running init again keeps the key.
    ok(&data, &["init"]);
    assert_eq!(ok(&data, &["log", "key"]), vkey);
    let err = fails(&data, &["init", "--log-name", "other.example/log"]);
    assert!(err.contains("cannot be renamed"), "{err}");

    // Each import signs a checkpoint of every record so far.
    let cp0 = ok(&data, &["log", "checkpoint"]);
    assert_eq!(open_checkpoint(cp0.as_bytes(), &verifier).unwrap().size, 1);
    ok(&data, &["import", "csv", part.to_str().unwrap()]);
    let cp1 = ok(&data, &["log", "checkpoint"]);
    let c1 = open_checkpoint(cp1.as_bytes(), &verifier).unwrap();
    assert_eq!(c1.size, 121);
    ok(&data, &["import", "csv", full.to_str().unwrap()]);
    let cp2 = ok(&data, &["log", "checkpoint"]);
    let c2 = open_checkpoint(cp2.as_bytes(), &verifier).unwrap();
    assert!(c2.size > 250, "{}", c2.size);
    assert_eq!(c2.origin, "actas.local/ve2024");
    let cp1_file = dir.path().join("checkpoint-1");
    std::fs::write(&cp1_file, &cp1).unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, &vkey).unwrap();

    // The local check.
    let out = ok(&data, &["verify"]);
    assert!(
        out.starts_with(&format!("ok: {} records, all in the log", c2.size)),
        "{out}"
    );
    let out = ok(&data, &["verify", "--since", cp1_file.to_str().unwrap()]);
    assert!(out.contains("consistent with --since"), "{out}");

    // Export, and verify the export with the key string and with a key file.
    let export = dir.path().join("published");
    let out = ok(&data, &["log", "export", export.to_str().unwrap()]);
    assert!(
        out.contains(&format!("log of {} entries", c2.size)),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(export.join("checkpoint")).unwrap(),
        cp2
    );
    assert!(export.join("tile/entries/000").exists());
    let out = ok(
        &data,
        &["verify", export.to_str().unwrap(), "--key", vkey.trim()],
    );
    assert!(
        out.starts_with(&format!(
            "ok: {}: log actas.local/ve2024 of {} entries",
            export.display(),
            c2.size
        )),
        "{out}"
    );
    let out = ok(
        &data,
        &[
            "verify",
            export.to_str().unwrap(),
            "--key",
            key_file.to_str().unwrap(),
            "--since",
            cp1_file.to_str().unwrap(),
        ],
    );
    assert!(out.contains("extends the checkpoint of size 121"), "{out}");
    // Nothing changed: exporting again rewrites nothing.
    let out = ok(&data, &["log", "export", export.to_str().unwrap()]);
    assert!(out.contains("(0 files written"), "{out}");

    // Over HTTP, as a mirror would serve it.
    let url = serve(export.clone());
    let out = ok(&data, &["verify", &url, "--key", vkey.trim()]);
    assert!(
        out.starts_with(&format!("ok: {url}: log actas.local/ve2024")),
        "{out}"
    );
    let err = fails(
        &data,
        &[
            "verify",
            &format!("{url}/nothing-here"),
            "--key",
            vkey.trim(),
        ],
    );
    assert!(err.contains("checkpoint: missing"), "{err}");
    let err = fails(
        &data,
        &["verify", "https://example.org/log", "--key", vkey.trim()],
    );
    // HTTPS is built in (rustls): the address is tried, and this machine cannot reach it.
    assert!(
        err.contains("https://example.org/log") && err.contains("checkpoint"),
        "{err}"
    );
    let err = fails(&data, &["verify", "/no/such/dir", "--key", vkey.trim()]);
    assert!(err.contains("not a directory nor an http:// URL"), "{err}");

    // A proof for a table's counted record, in each spelling of the table.
    let line = std::fs::read_to_string(&full)
        .unwrap()
        .lines()
        .nth(5)
        .unwrap()
        .to_string();
    let f: Vec<&str> = line.split(',').collect();
    let (centre, mesa) = (f[6], f[7]);
    let table = format!(
        "{:09}.{:02}",
        centre.parse::<u32>().unwrap(),
        mesa.parse::<u8>().unwrap()
    );
    let proof = json(&data, &["log", "proof", &table]);
    assert_eq!(json(&data, &["log", "proof", centre, mesa]), proof);
    assert_eq!(
        json(&data, &["log", "proof", &format!("{table}.1.0001")]),
        proof
    );
    assert_eq!(proof["table"], table.as_str());
    let inclusion = &proof["inclusion_proof"];
    assert_eq!(inclusion["tree_size"], c2.size);
    assert_eq!(inclusion["checkpoint"], cp2.as_str());
    let entry = proof["entry"].as_str().unwrap().as_bytes();
    let record = Record::from_bytes(entry).unwrap();
    assert!(
        serde_json::to_string(&record.body)
            .unwrap()
            .contains(&table),
        "the entry is the table's record"
    );
    let leaf = hash_from_base64(inclusion["leaf_hash"].as_str().unwrap()).unwrap();
    assert_eq!(leaf, leaf_hash(entry));
    let path: Vec<_> = inclusion["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hash_from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    let root = hash_from_base64(inclusion["root_hash"].as_str().unwrap()).unwrap();
    assert_eq!(root, c2.root);
    verify_inclusion(
        &leaf,
        inclusion["log_index"].as_u64().unwrap(),
        c2.size,
        &root,
        &path,
    )
    .unwrap();

    let err = fails(&data, &["log", "proof", "999999999.01"]);
    assert!(
        err.contains("table 999999999.01 has no counted result"),
        "{err}"
    );
    let err = fails(&data, &["log", "proof", "abc"]);
    assert!(err.contains("expected a table id (010113042.01)"), "{err}");
    let err = fails(&data, &["log", "proof", "10113042", "100"]);
    assert!(err.contains("table number \"100\""), "{err}");
}

#[test]
fn init_names_the_log_and_commands_explain_a_missing_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init", "--log-name", "resultados.example/ve2024"]);
    assert!(ok(&data, &["log", "key"]).starts_with("resultados.example/ve2024+"));
    assert!(ok(&data, &["log", "checkpoint"]).starts_with("resultados.example/ve2024\n1\n"));
    let err = fails(
        &dir.path().join("bad"),
        &["init", "--log-name", "has space"],
    );
    assert!(err.contains("log name \"has space\""), "{err}");

    let nokey = dir.path().join("nokey");
    ok(&nokey, &["init"]);
    std::fs::remove_file(nokey.join("log.key")).unwrap();
    let err = fails(&nokey, &["log", "key"]);
    assert!(
        err.contains("has no log signing key") && err.contains("actas init"),
        "{err}"
    );
    let err = fails(&nokey, &["verify", dir.path().to_str().unwrap()]);
    assert!(err.contains("needs its verifier key: pass --key"), "{err}");
    // The data directory's checkpoints cannot be checked without the key, and verify says so.
    let err = fails(&nokey, &["verify"]);
    assert!(err.contains("no verifier key was given"), "{err}");
}

#[test]
fn with_postgresql_the_key_stays_in_the_data_directory() {
    let Some(url) = actas_testkit::pg::database("log") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, full) = synthetic_csv(dir.path(), 0);
    ok(&data, &["init", "--database-url", &url]);
    assert!(data.join("log.key").exists());
    assert!(!data.join("actas.db").exists());
    ok(&data, &["import", "csv", full.to_str().unwrap()]);
    let vkey = ok(&data, &["log", "key"]);
    let cp = ok(&data, &["log", "checkpoint"]);
    let c = open_checkpoint(cp.as_bytes(), &LogVerifier::new(vkey.trim()).unwrap()).unwrap();
    assert!(c.size > 256, "{}", c.size);
    assert!(ok(&data, &["verify"]).starts_with(&format!("ok: {} records", c.size)));
    let export = dir.path().join("published");
    ok(&data, &["log", "export", export.to_str().unwrap()]);
    ok(
        &data,
        &["verify", export.to_str().unwrap(), "--key", vkey.trim()],
    );
}
