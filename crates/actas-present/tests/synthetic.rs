//! The renderings of small made-up elections (the same as `actas-analysis/tests/synthetic.rs`):
//! the JSON with its notes, both HTML pages, tiny inputs, and the languages.

use std::collections::BTreeMap;

use actas_analysis::{Options, report};
use actas_core::election::Bulletin;
use actas_core::{Candidate, Election, Level, OfficialTotals, Place, TableId, TableResult};
use actas_present::{Lang, notes, report_html, report_json};

fn election(bulletins: Vec<Bulletin>) -> Election {
    Election {
        id: "test".into(),
        name: "Elección de prueba".into(),
        date: "2030-01-01".into(),
        candidates: ["A", "B", "C"]
            .iter()
            .map(|id| Candidate {
                id: id.to_string(),
                name: format!("Candidate {id}"),
            })
            .collect(),
        cards: Vec::new(),
        states: vec![
            Place {
                level: Level::State,
                code: "01".into(),
                name: "Uno".into(),
                expected_tables: Some(40),
            },
            Place {
                level: Level::State,
                code: "02".into(),
                name: "Dos".into(),
                expected_tables: Some(30),
            },
        ],
        official: OfficialTotals {
            tables: Some(70),
            centres: Some(20),
            registered: Some(40_000),
            registered_abroad: Some(1_000),
        },
        bulletins,
        payload_format: None,
    }
}

/// Deterministic pseudo-random tables: 50 of the 70, two states, 5 tables per centre.
fn tables(n: usize, registered: impl Fn(usize) -> Option<u64>) -> Vec<TableResult> {
    let mut s = 12345u64;
    let mut next = move |m: u64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) % m
    };
    (0..n)
        .map(|i| {
            let state = if i < 30 { 1 } else { 2 };
            let centre = format!("{state:02}0101{:03}", i / 5 + 1);
            let re = 400 + next(300);
            let cast = re * (45 + next(30)) / 100;
            let a = cast * (50 + next(20)) / 100;
            let b = (cast - a) * (70 + next(20)) / 100;
            let c = cast - a - b;
            TableResult {
                table: TableId::new(centre.parse().unwrap(), (i % 5 + 1) as u8).unwrap(),
                registered: registered(i).map(|_| re),
                valid: cast,
                null: 0,
                blank: None,
                votes: vec![a, b, c],
                cards: None,
            }
        })
        .collect()
}

fn quick() -> Options {
    Options {
        smooth_draws: 200_000,
        bootstrap_draws: 200,
        benford_null_reps: 20,
        ..Options::default()
    }
}

fn exact_bulletin() -> Bulletin {
    // 51.2 %, 44.2 % and 4.6 % of 1,000,003, each rounded to the nearest integer.
    let t = 1_000_003u64;
    let c = |p: u64| ((p * t) as f64 / 1000.0).round() as u64;
    let (a, b) = (c(512), c(442));
    Bulletin {
        name: "Boletín".into(),
        date: "2030-01-02".into(),
        votes: BTreeMap::from([("A".to_string(), a), ("B".to_string(), b)]),
        others: Some(t - a - b),
        valid: None,
        null: None,
        voters: None,
        registered: None,
        tables_fraction: None,
    }
}

#[test]
fn renders_with_missing_registered_voters() {
    let e = election(vec![exact_bulletin()]);
    let res = tables(50, |i| (i % 7 != 0).then_some(1));
    let r = report(&e, &res, &quick());

    let json = report_json(&r);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema"], "actas-analysis/1");
    assert!(
        v["notes"]["worst_case"]["reading"]["es"]
            .as_str()
            .unwrap()
            .len()
            > 20
    );
    for lang in [Lang::Es, Lang::En] {
        let html = report_html(&r, lang);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&format!("<html lang=\"{lang}\">")));
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        assert!(html.matches("<svg").count() >= 8);
        assert!(!html.contains("http://") || html.contains("http://www.w3.org/2000/svg"));
        assert!(!html.contains("NaN"));
    }
    assert!(report_html(&r, Lang::Es).contains("Peor caso"));
    assert!(report_html(&r, Lang::En).contains("Worst cases"));
}

#[test]
fn the_note_says_when_the_missing_tables_can_decide() {
    let e = election(Vec::new());
    let mut res = tables(50, |_| Some(1));
    // Make it close: move votes from A to B.
    for t in &mut res {
        let m = t.votes[0] * 2 / 10;
        t.votes[0] -= m;
        t.votes[1] += m;
    }
    let r = report(&e, &res, &quick());
    let notes = notes(&r);
    let en = &notes["worst_case"].reading.en;
    assert!(en.contains("can decide"), "{en}");
}

#[test]
fn empty_and_tiny_inputs_do_not_panic() {
    let e = election(Vec::new());
    for n in [0, 1, 2, 3] {
        let r = report(&e, &tables(n, |_| Some(1)), &quick());
        let _ = report_json(&r);
        let _ = report_html(&r, Lang::Es);
        let _ = report_html(&r, Lang::En);
    }
}

#[test]
fn languages_parse() {
    assert_eq!("es".parse::<Lang>().unwrap(), Lang::Es);
    assert_eq!("EN".parse::<Lang>().unwrap(), Lang::En);
    assert!("fr".parse::<Lang>().is_err());
    assert_eq!(Lang::default(), Lang::Es);
}

#[test]
fn names_are_escaped_in_the_page_and_its_charts() {
    let mut e = election(vec![exact_bulletin()]);
    e.name = "Elección <i>\"A & B\"</i>".into();
    e.states[0].name = "Uno <b>&\"x\"</b>".into();
    let r = report(&e, &tables(50, |_| Some(1)), &quick());
    for lang in [Lang::Es, Lang::En] {
        let html = report_html(&r, lang);
        assert!(!html.contains("<i>") && !html.contains("<b>&"), "{lang}");
        assert!(html.contains("Elección &lt;i&gt;&quot;A &amp; B&quot;&lt;/i&gt;"));
        // The state's label in the two charts by state and in the table of states.
        let state = "Uno &lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;";
        assert_eq!(html.matches(state).count(), 3, "{lang}");
        assert!(html.contains(&format!(
            "text-anchor=\"end\" fill=\"#4a5568\">{state}</text>"
        )));
    }
}
