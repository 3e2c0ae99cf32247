//! Small made-up elections shared by the tests of `actas-analysis` (their figures) and
//! `actas-present` (their renderings, which include this file by path).

#![allow(dead_code)]

use std::collections::BTreeMap;

use actas_analysis::Options;
use actas_core::election::Bulletin;
use actas_core::{Candidate, Election, Level, OfficialTotals, Place, TableId, TableResult};

pub fn election(bulletins: Vec<Bulletin>) -> Election {
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
pub fn tables(n: usize, registered: impl Fn(usize) -> Option<u64>) -> Vec<TableResult> {
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

pub fn quick() -> Options {
    Options {
        smooth_draws: 200_000,
        bootstrap_draws: 200,
        benford_null_reps: 20,
        ..Options::default()
    }
}

pub fn exact_bulletin() -> Bulletin {
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
