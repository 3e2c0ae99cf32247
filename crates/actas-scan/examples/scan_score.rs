//! Score scanner output against ground truth.
//! Usage: scan_score TRUTH RESULTS
//! TRUTH: shared/data/ve2024/actas/expected.tsv, or a gen_corpus manifest.tsv
//! (`file<TAB>kind<TAB>payload`). RESULTS: `file<TAB>payload` lines (payload
//! empty when nothing was read); files are matched by base name.
//! Prints `correct=N total=M wrong=W unread=U rate=R`, where for expected.tsv
//! `total` counts the readable images, a row without a payload is correct when
//! the acta id, the sum of the 38 cards and the null count agree, and the
//! unreadable image is reported as `unreadable_ok` (true when nothing was read).
use std::collections::HashMap;

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

enum Truth {
    Exact(String),
    Checks {
        centre: String,
        mesa: u32,
        valid: u64,
        null: u64,
    },
    Unreadable,
}

fn ok_checks(payload: &str, centre: &str, mesa: u32, valid: u64, null: u64) -> bool {
    let f: Vec<&str> = payload.split('!').collect();
    if f.len() != 4 {
        return false;
    }
    let mut id = f[0].split('.');
    let votes: Option<Vec<u64>> = f[1].split(',').map(|n| n.parse().ok()).collect();
    id.next() == Some(centre)
        && id.next().and_then(|m| m.parse::<u32>().ok()) == Some(mesa)
        && votes.is_some_and(|v| v.len() == 38 && v.iter().sum::<u64>() == valid)
        && f[2].parse::<u64>().ok() == Some(null)
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 3 {
        eprintln!("usage: scan_score TRUTH RESULTS");
        std::process::exit(2);
    }
    let truth_text = std::fs::read_to_string(&a[1]).expect("read TRUTH");
    let mut truth: HashMap<String, Truth> = HashMap::new();
    let mut lines = truth_text.lines().peekable();
    if lines.peek().is_some_and(|h| h.starts_with("file\tsha256")) {
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).expect("column");
        let (cf, cs, cp, cc, cm, cv, cn) = (
            col("file"),
            col("status"),
            col("qr_payload"),
            col("centre"),
            col("mesa"),
            col("valid"),
            col("null"),
        );
        for l in lines {
            let f: Vec<&str> = l.split('\t').collect();
            let g = |i: usize| f.get(i).copied().unwrap_or("");
            let t = if g(cs) != "readable" {
                Truth::Unreadable
            } else if !g(cp).is_empty() {
                Truth::Exact(g(cp).to_string())
            } else {
                Truth::Checks {
                    centre: g(cc).to_string(),
                    mesa: g(cm).parse().unwrap_or(0),
                    valid: g(cv).parse().unwrap_or(u64::MAX),
                    null: g(cn).parse().unwrap_or(u64::MAX),
                }
            };
            truth.insert(g(cf).to_string(), t);
        }
    } else {
        for l in lines {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() >= 3 {
                truth.insert(f[0].to_string(), Truth::Exact(f[2].to_string()));
            }
        }
    }
    let results = std::fs::read_to_string(&a[2]).expect("read RESULTS");
    let got: HashMap<&str, &str> = results
        .lines()
        .filter_map(|l| l.split_once('\t').or(Some((l, ""))))
        .map(|(f, p)| (base(f), p.trim_end()))
        .collect();
    let (mut correct, mut total, mut wrong, mut unread) = (0, 0, 0, 0);
    let mut unreadable_ok: Option<bool> = None;
    for (file, t) in &truth {
        let p = got.get(file.as_str()).copied().unwrap_or("");
        match t {
            Truth::Unreadable => {
                unreadable_ok = Some(unreadable_ok.unwrap_or(true) && p.is_empty());
            }
            Truth::Exact(want) => {
                total += 1;
                if p == want {
                    correct += 1;
                } else if p.is_empty() {
                    unread += 1;
                } else {
                    wrong += 1;
                }
            }
            Truth::Checks {
                centre,
                mesa,
                valid,
                null,
            } => {
                total += 1;
                if ok_checks(p, centre, *mesa, *valid, *null) {
                    correct += 1;
                } else if p.is_empty() {
                    unread += 1;
                } else {
                    wrong += 1;
                }
            }
        }
    }
    let rate = correct as f64 / (total.max(1)) as f64;
    print!("correct={correct} total={total} wrong={wrong} unread={unread} rate={rate:.4}");
    if let Some(ok) = unreadable_ok {
        print!(" unreadable_ok={ok}");
    }
    println!();
}
