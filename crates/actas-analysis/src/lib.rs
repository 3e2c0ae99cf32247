//! The analysis of a set of table results: totals and coverage, worst-case bounds for the missing
//! tables, ratio projections, comparison with official bulletins (including the round-decimal
//! test) and election forensics. Figures only: the words, the page and the charts that present
//! them to people are `actas-present`'s.
//!
//! Methods and formulas: `forensics.md` (part B) in the project's shared docs. Every figure in the
//! [`Report`] is keyed by method and candidate id, so two runs' JSON can be diffed.
//!
//! Architecture: [`report`] is a pure function of the election, the results and the [`Options`]
//! (simulations are seeded, cut into fixed chunks, and do not depend on the thread count).

use std::collections::BTreeMap;

use actas_core::{Election, TableResult};
use serde::Serialize;

mod data;
pub mod digits;
pub mod fingerprint;
pub mod intpct;
pub mod official;
pub mod projection;
mod sim;
pub mod stats;
pub mod totals;
pub mod worst;

pub use digits::{BeberScacco, DigitSeries, Digits, LastDigit, P05s, SecondDigit, SecondDigitNull};
pub use fingerprint::{Fingerprint, KlimekFit, KlimekParams, Shpilkin};
pub use intpct::IntegerPercent;
pub use official::{BulletinComparison, RoundComponent, RoundDecimal, SimBootstrap, SimSmooth};
pub use projection::{Projection, RatioEstimate, ShareEstimate, StratifiedShare};
pub use totals::{Integrity, StateRow, Totals, TurnoutStats};
pub use worst::WorstCase;

/// Version of the report's JSON layout.
pub const SCHEMA: &str = "actas-analysis/1";

#[derive(Debug, Clone, Serialize)]
pub struct Options {
    /// Seed of every simulation.
    pub seed: u64,
    /// Smallest count used by the digit tests (second digit always needs ≥ 10).
    pub min_count: u64,
    /// Replications of the 2BL binomial null.
    pub benford_null_reps: usize,
    /// Draws of the smooth-prior round-decimal simulation.
    pub smooth_draws: u64,
    /// Draws of the table-bootstrap round-decimal simulation.
    pub bootstrap_draws: usize,
    /// Share of tables per bootstrap draw when the bulletin's own coverage is unknown.
    pub bootstrap_fraction: f64,
    /// Whether to run the Klimek grid fit.
    pub klimek: bool,
    /// Worker threads for the simulations (0: all available). Results do not depend on it.
    pub threads: usize,
    /// Share of tables each bulletin said it had counted, by bulletin name, for bulletins that do
    /// not state their own `tables_fraction`.
    pub bulletin_tables_fraction: BTreeMap<String, f64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: 20_240_728,
            min_count: 10,
            benford_null_reps: 200,
            smooth_draws: 100_000_000,
            bootstrap_draws: 20_000,
            bootstrap_fraction: 0.8,
            klimek: true,
            threads: 0,
            bulletin_tables_fraction: BTreeMap::new(),
        }
    }
}

impl Options {
    /// Smaller simulations, for previews and tests (seconds instead of tens of seconds).
    pub fn quick() -> Self {
        Self {
            smooth_draws: 2_000_000,
            bootstrap_draws: 1_000,
            benford_null_reps: 50,
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateInfo {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ElectionInfo {
    pub id: String,
    pub name: String,
    pub date: String,
    pub candidates: Vec<CandidateInfo>,
}

/// Forensic tests, each keyed by candidate id (the leader and the runner-up of the actas).
#[derive(Debug, Clone, Serialize)]
pub struct Forensics {
    pub digits: Digits,
    /// Keys `turnout` and `<id>_share`.
    pub integer_percent: BTreeMap<String, IntegerPercent>,
    pub fingerprint: BTreeMap<String, Fingerprint>,
    pub klimek_fit: BTreeMap<String, KlimekFit>,
    pub shpilkin: BTreeMap<String, Shpilkin>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: String,
    pub election: ElectionInfo,
    pub options: Options,
    pub totals: Totals,
    pub by_state: Vec<StateRow>,
    pub turnout: Option<TurnoutStats>,
    /// One per universe of registered voters (total; in-country when voters abroad are known).
    pub worst_case: Vec<WorstCase>,
    pub projection: Option<Projection>,
    pub official: Vec<BulletinComparison>,
    pub forensics: Forensics,
}

/// Computes the whole report.
pub fn report(election: &Election, results: &[TableResult], options: &Options) -> Report {
    let d = data::Data::new(election, results);
    let threads = sim::threads(options.threads);
    let focus = d.focus();
    let official = election
        .bulletins
        .iter()
        .map(|b| {
            let so = official::SimOptions {
                seed: options.seed,
                threads,
                smooth_draws: options.smooth_draws,
                bootstrap_draws: options.bootstrap_draws,
                tables_fraction: b
                    .tables_fraction
                    .or_else(|| options.bulletin_tables_fraction.get(&b.name).copied()),
                default_fraction: options.bootstrap_fraction,
            };
            official::compare(&d, b, &so)
        })
        .collect();
    let mut fp = BTreeMap::new();
    let mut kl = BTreeMap::new();
    let mut sh = BTreeMap::new();
    for &c in &focus {
        let id = d.ids[c].clone();
        if let Some(f) = fingerprint::fingerprint(&d, c) {
            fp.insert(id.clone(), f);
        }
        if options.klimek
            && let Some(k) = fingerprint::klimek(&d, c, options.seed)
        {
            kl.insert(id.clone(), k);
        }
        if let Some(s) = fingerprint::shpilkin(&d, c) {
            sh.insert(id, s);
        }
    }
    Report {
        schema: SCHEMA.to_string(),
        election: ElectionInfo {
            id: election.id.clone(),
            name: election.name.clone(),
            date: election.date.clone(),
            candidates: election
                .candidates
                .iter()
                .map(|c| CandidateInfo {
                    id: c.id.clone(),
                    name: c.name.clone(),
                })
                .collect(),
        },
        options: options.clone(),
        totals: totals::totals(&d),
        by_state: totals::by_state(&d),
        turnout: totals::turnout_stats(&d),
        worst_case: worst::worst_cases(&d),
        projection: projection::projection(&d),
        official,
        forensics: Forensics {
            digits: digits::digits(
                &d,
                options.benford_null_reps,
                options.seed,
                threads,
                options.min_count,
            ),
            integer_percent: intpct::integer_percents(&d),
            fingerprint: fp,
            klimek_fit: kl,
            shpilkin: sh,
        },
    }
}
