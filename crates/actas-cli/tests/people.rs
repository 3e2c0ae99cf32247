//! People on the command line: accounts whose token is shown once and never again, a full
//! review round (two agreeing blind entries counted, two different ones decided by a third
//! reviewer, a conflict resolved with a reason), the audit trail of every step with who did it,
//! and `--help` that describes every argument with examples valid as printed.

mod common;

use std::path::{Path, PathBuf};

use actas_core::ve2024;
use actas_scan::{Ballot, Degradation, DegradationKind};
use actas_testkit::shared;
use common::*;

/// The 38 cards of the acta of 240111017.01 (the QR payload of the ingest tests).
const CARDS: &str =
    "130,9,5,5,7,2,0,7,7,2,0,2,6,1,1,0,1,1,1,0,2,0,0,0,0,0,0,0,1,1,3,1,1,5,16,274,1,1";

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

/// A synthetic photo of an acta whose QR code is not an acta: a photo a person must read.
fn unreadable_render(payload: &str, seed: u64) -> Vec<u8> {
    let election = ve2024::election();
    let ballot = Ballot::new(&election, &ve2024::CARD_CODES);
    actas_scan::render_acta(
        ballot,
        payload,
        seed,
        Degradation::of_kind(DegradationKind::Clean, seed),
    )
}

/// Two photos that need people: the real acta whose QR is cut (when ../shared has it) or a
/// rendered one, and a rendered acta whose code is not an acta.
fn photos(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let folder = dir.join("photos");
    std::fs::create_dir_all(&folder).unwrap();
    let real = shared::ve2024("actas").join("qr-unreadable-incomplete-1.jpg");
    let a = folder.join("a.jpg");
    if real.exists() {
        std::fs::copy(&real, &a).unwrap();
    } else {
        std::fs::write(&a, unreadable_render("https://example.org/acta", 1)).unwrap();
    }
    let b = folder.join("b.jpg");
    std::fs::write(&b, unreadable_render("acta 010101001.01, véase la foto", 2)).unwrap();
    (folder, vec![a, b])
}

fn sha256_of(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

fn national(data: &Path) -> serde_json::Value {
    json(data, &["results", "--format", "json"])["rows"][0].clone()
}

/// `actas review enter ITEM --as WHO --table T --cards C --null N --blank 0`.
fn enter(data: &Path, item: &str, who: &str, table: &str, cards: &str, null: &str) -> String {
    ok(
        data,
        &[
            "review", "enter", item, "--as", who, "--table", table, "--cards", cards, "--null",
            null, "--blank", "0",
        ],
    )
}

#[test]
fn a_review_round_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    for name in ["r1", "r2", "r3"] {
        ok(
            &data,
            &["users", "add", "--role", "reviewer", "--name", name],
        );
    }
    ok(
        &data,
        &["users", "add", "--role", "witness", "--name", "w1"],
    );
    let (folder, files) = photos(dir.path());
    let out = ok(
        &data,
        &["ingest", "--threads", "1", folder.to_str().unwrap()],
    );
    assert!(out.contains("2 new photos"), "{out}");
    let (sha_a, sha_b) = (sha256_of(&files[0]), sha256_of(&files[1]));

    let queue = json(&data, &["review", "list", "--format", "json"]);
    assert_eq!(queue.as_array().unwrap().len(), 2, "{queue}");
    assert_eq!(queue[0]["item"], format!("photo:{sha_a}"));
    assert_eq!(queue[0]["stage"], "entering");
    assert_eq!(queue[1]["reasons"], serde_json::json!(["invalid"]));
    let table = ok(&data, &["review", "list"]);
    assert!(
        table.contains(&format!("photo:{}", &sha_b[..12])) && table.contains("2 items waiting"),
        "{table}"
    );
    let csv = ok(&data, &["review", "list", "--format", "csv"]);
    assert!(
        csv.starts_with("item,reasons,table,since,stage,file\n"),
        "{csv}"
    );
    // The output before --format, for the scripts that read it.
    for line in ok(&data, &["review", "list", "--json"]).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for field in ["record", "sha256", "status", "table", "file"] {
            assert!(v.get(field).is_some(), "{field} in {line}");
        }
    }

    // Photo A: two agreeing blind entries, by a short prefix of its hash: counted.
    let a = format!("photo:{}", &sha_a[..12]);
    let out = enter(&data, &a, "r1", "240111017.01", CARDS, "0");
    assert!(out.contains("blind entry by r1"), "{out}");
    let err = fails(
        &data,
        &[
            "review",
            "enter",
            &a,
            "--as",
            "r1",
            "--table",
            "240111017.01",
            "--cards",
            CARDS,
            "--null",
            "0",
            "--blank",
            "0",
        ],
    );
    assert!(err.contains("two different reviewers"), "{err}");
    for (who, why) in [
        ("w1", "only reviewers and admins review"),
        ("nadie", "no account named nadie"),
    ] {
        let err = fails(
            &data,
            &[
                "review",
                "enter",
                &a,
                "--as",
                who,
                "--table",
                "240111017.01",
                "--cards",
                CARDS,
                "--null",
                "0",
                "--blank",
                "0",
            ],
        );
        assert!(err.contains(why), "{err}");
    }
    let err = fails(
        &data,
        &[
            "review",
            "enter",
            &a,
            "--as",
            "r2",
            "--table",
            "240111017.01",
            "--cards",
            "1,2,x",
            "--null",
            "0",
            "--blank",
            "0",
        ],
    );
    assert!(err.contains("card 3 is \"x\""), "{err}");
    let err = fails(
        &data,
        &[
            "review",
            "enter",
            &a,
            "--as",
            "r2",
            "--table",
            "240111017.01",
            "--cards",
            "1,2,3",
            "--null",
            "0",
            "--blank",
            "0",
        ],
    );
    assert!(err.contains("3 card counts for 38 cards"), "{err}");
    let out = enter(&data, &sha_a[..10], "r2", "240111017.01", CARDS, "0");
    assert!(out.contains("agree") && out.contains("counted"), "{out}");
    let n = national(&data);
    assert_eq!(n["tables"]["counted"], 1);
    assert_eq!(n["votes"]["EG"], 295);
    assert_eq!(n["votes"]["NM"], 182);

    // Photo B: the entries differ; neither of the two decides; a third does.
    let b = format!("photo:{sha_b}");
    let cards_r1 = CARDS.replacen("130,", "50,", 1);
    let cards_r2 = CARDS.replacen("130,", "51,", 1);
    enter(&data, &b, "r1", "010101001.01", &cards_r1, "1");
    let show = ok(&data, &["review", "show", &b]);
    assert!(
        show.contains("blind entry") && !show.contains(&cards_r1),
        "an entry never shows before it is revealed: {show}"
    );
    assert!(show.contains("1 more blind entry"), "{show}");
    let out = enter(&data, &b, "r2", "010101001.01", &cards_r2, "1");
    assert!(out.contains("differ"), "{out}");
    let show = ok(&data, &["review", "show", &b]);
    assert!(
        show.contains(&cards_r1) && show.contains(&cards_r2) && show.contains("third reviewer"),
        "{show}"
    );
    let audit = json(&data, &["audit", "--who", "r2", "--format", "json"]);
    let r2_entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "entry" && e["what"].as_str().unwrap().contains(&sha_b))
        .unwrap()["record"]
        .as_u64()
        .unwrap()
        .to_string();
    assert!(show.contains(&format!("entry {r2_entry} by r2")), "{show}");
    let err = fails(
        &data,
        &[
            "review", "decide", &b, "--as", "r2", "--entry", &r2_entry, "--reason", "mine",
        ],
    );
    assert!(err.contains("third reviewer"), "{err}");
    let err = fails(
        &data,
        &[
            "review", "decide", &b, "--as", "r3", "--entry", &r2_entry, "--reason", " ",
        ],
    );
    assert!(err.contains("needs a reason"), "{err}");
    let out = ok(
        &data,
        &[
            "review",
            "decide",
            &b,
            "--as",
            "r3",
            "--entry",
            &r2_entry,
            "--reason",
            "card 1 reads 51",
        ],
    );
    assert!(out.contains("counted"), "{out}");
    let n = national(&data);
    assert_eq!(n["tables"]["counted"], 2);
    assert_eq!(n["votes"]["NM"], 182 + 182 - 130 + 51);
    assert!(
        ok(&data, &["review", "list"]).contains("0 items waiting"),
        "both photos decided"
    );

    // A conflict: two files with different numbers for one table, resolved with a reason.
    let header = "CENTRO,MESA,RE,VOTOS_VALIDOS,VOTOS_NULOS,EG,NM,LM,JABE,JOBR,AE,CF,DC,EM,BERA";
    for (file, eg, nm) in [("a.csv", 232, 120), ("b.csv", 222, 130)] {
        let path = dir.path().join(file);
        std::fs::write(
            &path,
            format!("{header}\n10113042,1,666,364,0,{eg},{nm},5,0,0,3,1,1,0,2\n"),
        )
        .unwrap();
        ok(&data, &["import", "csv", path.to_str().unwrap()]);
    }
    let before = national(&data);
    let queue = json(&data, &["review", "list", "--format", "json"]);
    assert_eq!(queue[0]["item"], "table:010113042.01");
    assert_eq!(queue[0]["reasons"], serde_json::json!(["conflict"]));
    let show = ok(&data, &["review", "show", "table:010113042.01"]);
    assert!(
        show.contains("(counted)") && show.contains("EG 222"),
        "{show}"
    );
    let conflicts = ok(&data, &["conflicts"]);
    let versions: Vec<String> = conflicts
        .lines()
        .next()
        .unwrap()
        .split("records ")
        .nth(1)
        .unwrap()
        .split(' ')
        .take(2)
        .map(|s| s.trim_end_matches(',').to_string())
        .collect();
    let err = fails(
        &data,
        &[
            "review",
            "resolve",
            "010113042.01",
            "--as",
            "r1",
            "--version",
            "9999",
            "--reason",
            "typo",
        ],
    );
    assert!(err.contains("is not a version of table"), "{err}");
    let out = ok(
        &data,
        &[
            "review",
            "resolve",
            "010113042.01",
            "--as",
            "r1",
            "--version",
            &versions[1],
            "--reason",
            "the photo shows 222 for EG",
        ],
    );
    assert!(
        out.contains(&format!("record {} counts from now on", versions[1])),
        "{out}"
    );
    let after = national(&data);
    assert_eq!(
        after["votes"]["EG"].as_u64().unwrap() + 10,
        before["votes"]["EG"].as_u64().unwrap()
    );
    assert_eq!(after["tables"]["counted"], before["tables"]["counted"]);
    assert!(ok(&data, &["review", "list"]).contains("0 items waiting"));
    let err = fails(
        &data,
        &[
            "review",
            "close",
            "010113042.01",
            "--as",
            "r2",
            "--reason",
            "again",
        ],
    );
    assert!(err.contains("nothing open to close"), "{err}");

    // Every step in the audit trail, with who did it.
    let audit = json(&data, &["audit", "--format", "json"]);
    let steps: Vec<(String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["by"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let step = |by: &str, kind: &str| (by.to_string(), kind.to_string());
    assert_eq!(
        steps,
        [
            step("operator", "account"),
            step("operator", "account"),
            step("operator", "account"),
            step("operator", "account"),
            step("r1", "entry"),
            step("r2", "entry"),
            step("r2", "reveal"),
            step("r2", "decision"),
            step("r1", "entry"),
            step("r2", "entry"),
            step("r2", "reveal"),
            step("r3", "decision"),
            step("r1", "decision"),
        ]
    );
    assert!(
        audit[12]["what"]
            .as_str()
            .unwrap()
            .contains("the photo shows 222 for EG"),
        "{audit}"
    );
    let r3 = json(&data, &["audit", "--who", "r3", "--format", "json"]);
    assert_eq!(r3.as_array().unwrap().len(), 1);
    assert_eq!(r3[0]["table"], "010101001.01");
    let on_table = json(
        &data,
        &["audit", "--table", "010113042.01", "--format", "json"],
    );
    assert_eq!(on_table.as_array().unwrap().len(), 1);
    assert_eq!(on_table[0]["by"], "r1");
    assert_eq!(
        json(&data, &["audit", "--since", "1h", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        13
    );
    assert_eq!(
        json(
            &data,
            &["audit", "--since", "2999-01-01", "--format", "json"]
        ),
        serde_json::json!([])
    );
    let err = fails(&data, &["audit", "--since", "yesterday"]);
    assert!(err.contains("expected a UTC time"), "{err}");
    let table = ok(&data, &["audit"]);
    assert!(table.contains("13 records"), "{table}");
    let csv = ok(&data, &["audit", "--format", "csv"]);
    assert!(csv.starts_with("record,at,by,kind,table,what\n"), "{csv}");

    let verified = ok(&data, &["verify"]);
    assert!(
        verified.contains("stored results equal a recomputation")
            && verified.contains("2 stored photos re-hashed"),
        "{verified}"
    );
}

/// Splits an example command line as a shell would: words, "quoted words".
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// The example commands of a help text, continuation lines joined.
fn examples(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = help.lines().skip_while(|l| !l.starts_with("Example"));
    while let Some(l) = lines.next() {
        let Some(mut cmd) = l.strip_prefix("  actas ").map(str::to_string) else {
            continue;
        };
        while let Some(head) = cmd.trim_end().strip_suffix('\\') {
            cmd = format!("{head} {}", lines.next().unwrap_or_default().trim());
        }
        out.push(cmd);
    }
    out
}

/// Arguments in a help text without a description.
fn undescribed(help: &str) -> Vec<String> {
    let lines: Vec<&str> = help.lines().collect();
    let mut in_args = false;
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if *l == "Arguments:" || *l == "Options:" {
            in_args = true;
            continue;
        }
        if !l.is_empty() && !l.starts_with(' ') {
            in_args = false;
        }
        let t = l.trim_start();
        let indent = l.len() - t.len();
        if !in_args || indent > 6 || !(t.starts_with('-') || t.starts_with('<')) {
            continue;
        }
        let same_line = t
            .split_once("  ")
            .is_some_and(|(_, d)| !d.trim().is_empty());
        let next_line = lines
            .get(i + 1)
            .is_some_and(|n| !n.trim().is_empty() && n.len() - n.trim_start().len() > indent);
        if !same_line && !next_line {
            out.push(t.to_string());
        }
    }
    out
}

#[test]
fn help_describes_every_argument_and_its_examples_run_as_printed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    let top = ok(&data, &["--help"]);
    for c in ["users", "review", "audit"] {
        assert!(
            top.lines()
                .any(|l| l.trim_start().starts_with(c) && l.split_whitespace().count() > 2),
            "{c} described in {top}"
        );
    }
    let mut ran = 0;
    for command in [
        &["users", "add"][..],
        &["users", "list"],
        &["users", "revoke"],
        &["review", "list"],
        &["review", "show"],
        &["review", "enter"],
        &["review", "decide"],
        &["review", "resolve"],
        &["review", "close"],
        &["audit"],
    ] {
        let help = ok(&data, &[command, &["--help"]].concat());
        assert!(
            undescribed(&help).is_empty(),
            "{command:?}: {:?} undescribed in\n{help}",
            undescribed(&help)
        );
        let examples = examples(&help);
        assert!(!examples.is_empty(), "{command:?} has examples: {help}");
        for example in examples {
            let args = words(&example);
            assert!(args.starts_with(&command.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = actas(&data, &args);
            // A usage error exits with 2; a refusal of the store (no such photo, ...) with 1.
            assert_ne!(
                out.status.code(),
                Some(2),
                "`actas {example}` is not valid as printed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 16, "{ran} examples");
    for subcommands in [&["users"][..], &["review"]] {
        let help = ok(&data, &[subcommands, &["--help"]].concat());
        assert!(undescribed(&help).is_empty(), "{help}");
    }
}
