//! Behaviour on small made-up elections: missing registered voters, a flippable result, an exact
//! round-decimal bulletin and determinism across thread counts. The renderings of the same
//! elections are tested in `actas-present/tests/synthetic.rs`.

use std::collections::BTreeMap;

use actas_analysis::{Options, report};
use actas_core::election::Bulletin;
use actas_core::{Candidate, Election, Level, OfficialTotals, Place, TableId, TableResult};

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
fn works_with_missing_registered_voters() {
    let e = election(vec![exact_bulletin()]);
    let res = tables(50, |i| (i % 7 != 0).then_some(1));
    let r = report(&e, &res, &quick());
    assert_eq!(r.totals.tables, 50);
    assert_eq!(r.totals.integrity.rows_without_registered, 8);
    assert_eq!(r.totals.tables_with_registered, 42);
    assert_eq!(r.turnout.as_ref().unwrap().n, 42);
    assert_eq!(r.projection.as_ref().unwrap().n_tables, 42);
    assert_eq!(r.by_state.len(), 2);
    assert_eq!(r.by_state[0].name.as_deref(), Some("Uno"));
    assert_eq!(r.worst_case.len(), 2);
    // Registered voters of tables that do not state them count as missing (conservative).
    let re_known: u64 = res.iter().filter_map(|t| t.registered).sum();
    assert_eq!(r.worst_case[0].missing_registered, 40_000 - re_known);
    assert_eq!(r.worst_case[1].missing_registered, 39_000 - re_known);

    let rd = &r.official[0].round_decimal;
    assert_eq!(rd.hits_nearest_integer, 3);
    assert!(rd.components.iter().all(|c| c.nearest_integer));
    assert!(rd.sim_smooth.is_some() && rd.sim_table_bootstrap.is_some());
}

#[test]
fn the_missing_tables_can_overturn_a_close_result() {
    let e = election(Vec::new());
    let mut res = tables(50, |_| Some(1));
    // Make it close: move votes from A to B.
    for t in &mut res {
        let m = t.votes[0] * 2 / 10;
        t.votes[0] -= m;
        t.votes[1] += m;
    }
    let r = report(&e, &res, &quick());
    let w = &r.worst_case[0];
    assert!(w.a_all_missing_registered_for_runner_up.overturned);
    assert!(w.c_runner_up_share_needed_full_turnout < 1.0);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let e = election(vec![exact_bulletin()]);
    let res = tables(50, |_| Some(1));
    let one = report(
        &e,
        &res,
        &Options {
            threads: 1,
            ..quick()
        },
    );
    let two = report(
        &e,
        &res,
        &Options {
            threads: 3,
            ..quick()
        },
    );
    let strip = |r: &actas_analysis::Report| {
        let mut v = serde_json::to_value(r).unwrap();
        v["options"]["threads"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(&one), strip(&two));
    // A different seed changes the simulations.
    let other = report(&e, &res, &Options { seed: 7, ..quick() });
    assert_ne!(
        serde_json::to_value(&other.forensics.digits).unwrap(),
        serde_json::to_value(&one.forensics.digits).unwrap()
    );
}

#[test]
fn empty_and_tiny_inputs_do_not_panic() {
    let e = election(Vec::new());
    for n in [0, 1, 2, 3] {
        let _ = report(&e, &tables(n, |_| Some(1)), &quick());
    }
}
