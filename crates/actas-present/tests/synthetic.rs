//! The renderings of small made-up elections (the same as `actas-analysis/tests/synthetic.rs`):
//! the JSON with its notes, both HTML pages, tiny inputs, and the languages.

// The fixtures of the analysis crate's tests, so both crates test the same elections.
#[path = "../../actas-analysis/tests/common/mod.rs"]
mod common;

use actas_analysis::report;
use actas_present::{Lang, notes, report_html, report_json};
use common::fixtures::*;

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
