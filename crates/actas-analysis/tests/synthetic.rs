//! Behaviour on small made-up elections: missing registered voters, a flippable result, an exact
//! round-decimal bulletin and determinism across thread counts. The renderings of the same
//! elections are tested in `actas-present/tests/synthetic.rs`.

mod common;

use actas_analysis::{Options, report};
use common::fixtures::*;

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
