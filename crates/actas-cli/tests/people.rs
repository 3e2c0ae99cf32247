//! People on the command line: accounts whose token is shown once and never again.

mod common;

use std::path::Path;

use common::*;

fn token_in(out: &str) -> String {
    let tokens: Vec<&str> = out
        .split_whitespace()
        .filter(|w| w.starts_with("actas_") && w.len() == 70)
        .collect();
    assert_eq!(tokens.len(), 1, "one token, printed once: {out}");
    tokens[0].to_string()
}

/// Every byte under `dir`, to look for a token that must not be stored.
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(all_bytes(&p));
        } else {
            out.extend(std::fs::read(&p).unwrap());
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn accounts_show_their_token_once_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    let out = ok(&data, &["users", "add", "--role", "admin", "--name", "ana"]);
    let admin = token_in(&out);
    assert!(
        out.contains("shown only now")
            && out.contains("Authorization: Bearer")
            && out.contains("/entrar"),
        "{out}"
    );
    let out = ok(
        &data,
        &[
            "users",
            "add",
            "--role",
            "witness",
            "--name",
            "testigo-1",
            "--scope",
            "0101",
            "--scope",
            "240111017",
        ],
    );
    let witness = token_in(&out);
    assert!(out.contains("witness for 0101, 240111017"), "{out}");

    let err = fails(
        &data,
        &[
            "users", "add", "--role", "reviewer", "--name", "r", "--scope", "01",
        ],
    );
    assert!(err.contains("only witnesses have scopes"), "{err}");
    let err = fails(
        &data,
        &[
            "users",
            "add",
            "--role",
            "reviewer",
            "--name",
            "María Pérez",
        ],
    );
    assert!(err.contains("a handle, not a person's name"), "{err}");
    let err = fails(
        &data,
        &["users", "add", "--role", "witness", "--name", "testigo-1"],
    );
    assert!(err.contains("exists") && err.contains("--replace"), "{err}");
    let err = fails(&data, &["users", "add", "--role", "boss", "--name", "x"]);
    assert!(err.contains("admin, reviewer, witness"), "{err}");

    let listed = [
        ok(&data, &["users", "list"]),
        ok(&data, &["users", "list", "--format", "csv"]),
        ok(&data, &["users", "list", "--format", "json"]),
    ];
    for l in &listed {
        assert!(!l.contains(&admin) && !l.contains(&witness), "{l}");
    }
    assert!(listed[0].contains("2 accounts"), "{}", listed[0]);
    assert!(
        listed[1].starts_with("name,role,scopes,active,record\n"),
        "{}",
        listed[1]
    );
    let accounts = json(&data, &["users", "list", "--format", "json"]);
    assert_eq!(accounts[1]["name"], "testigo-1");
    assert_eq!(accounts[1]["role"], "witness");
    assert_eq!(
        accounts[1]["scopes"],
        serde_json::json!(["0101", "240111017"])
    );
    assert_eq!(accounts[1]["active"], true);
    assert_eq!(accounts[1]["record"], 2);

    // Stored only as a hash: the token is nowhere in the data directory.
    let stored = all_bytes(&data);
    assert!(!contains(&stored, &admin) && !contains(&stored, &witness));

    let out = ok(&data, &["users", "revoke", "testigo-1"]);
    assert!(out.contains("revoked"), "{out}");
    let accounts = json(&data, &["users", "list", "--format", "json"]);
    assert_eq!(accounts[1]["active"], false);
    assert_eq!(accounts[1]["record"], 3);
    let err = fails(&data, &["users", "revoke", "testigo-1"]);
    assert!(err.contains("already revoked"), "{err}");
    let err = fails(&data, &["users", "revoke", "nadie"]);
    assert!(err.contains("no account named nadie"), "{err}");

    // A new token for the same name: the old one is gone, the new one shown once.
    let out = ok(
        &data,
        &[
            "users",
            "add",
            "--role",
            "witness",
            "--name",
            "testigo-1",
            "--replace",
        ],
    );
    let renewed = token_in(&out);
    assert_ne!(renewed, witness);
    assert_eq!(
        json(&data, &["users", "list", "--format", "json"])[1]["active"],
        true
    );
    assert!(ok(&data, &["verify"]).contains("ok"));
}
