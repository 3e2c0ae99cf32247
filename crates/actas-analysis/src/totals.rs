//! Section 1: totals, coverage and the turnout distribution.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::Data;
use crate::stats;

#[derive(Debug, Clone, Serialize)]
pub struct Integrity {
    /// Results whose vote vector does not have one count per candidate (left out).
    pub rows_bad_shape: u64,
    /// Results whose stated valid votes differ from the sum of the candidates.
    pub rows_valid_ne_sum: u64,
    /// Tables present more than once in the input.
    pub duplicate_tables: u64,
    /// Tables with more ballots cast than registered voters.
    pub rows_cast_gt_registered: u64,
    /// Tables without a stated (positive) number of registered voters.
    pub rows_without_registered: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub tables: u64,
    pub centres: u64,
    pub parishes: u64,
    pub tables_official: Option<u64>,
    pub centres_official: Option<u64>,
    /// 100 × tables / official tables.
    pub coverage_tables_pct: Option<f64>,
    pub votes: BTreeMap<String, u64>,
    pub pct_of_valid: BTreeMap<String, f64>,
    /// The most voted candidate in the actas.
    pub leader: String,
    /// The second most voted candidate in the actas.
    pub runner_up: Option<String>,
    /// Votes of every candidate but the leader and the runner-up.
    pub others: u64,
    pub others_pct_of_valid: f64,
    /// Leader minus runner-up.
    pub margin: i64,
    pub valid: u64,
    pub null: u64,
    pub cast: u64,
    pub tables_with_registered: u64,
    /// Registered voters of the tables that state them.
    pub registered_sum: u64,
    pub registered_official: Option<u64>,
    pub registered_in_country: Option<u64>,
    pub coverage_registered_pct_of_total: Option<f64>,
    pub coverage_registered_pct_of_in_country: Option<f64>,
    /// Σ cast / Σ registered over the tables with registered voters.
    pub turnout_cast_over_registered: Option<f64>,
    pub turnout_valid_over_registered: Option<f64>,
    pub integrity: Integrity,
}

#[derive(Debug, Clone, Serialize)]
pub struct StateRow {
    pub code: String,
    pub name: Option<String>,
    pub tables: u64,
    pub tables_official: Option<u64>,
    pub coverage_tables_pct: Option<f64>,
    pub registered: u64,
    pub valid: u64,
    pub null: u64,
    pub votes: BTreeMap<String, u64>,
    pub pct_of_valid: BTreeMap<String, f64>,
    pub others: u64,
    /// Σ valid / Σ registered over the state's tables with registered voters.
    pub turnout_valid_over_registered: Option<f64>,
    pub leader: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TurnoutStats {
    /// Tables with registered voters; turnout t = (valid + null) / registered.
    pub n: u64,
    pub mean: f64,
    pub median: f64,
    /// Sample standard deviation (ddof = 1).
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    pub quantiles: BTreeMap<String, f64>,
    pub skew: f64,
    pub kurtosis_excess: f64,
    pub n_gt_0p9: u64,
    pub n_gt_0p95: u64,
    pub n_eq_1: u64,
    pub n_gt_1: u64,
    pub n_lt_0p2: u64,
    /// Tables per 1-point turnout bin [k/100, (k+1)/100), the last bin closed; turnouts above 1
    /// are left out of the histogram (they are counted in `n_gt_1`).
    pub hist_1pct_bins: Vec<u64>,
    pub mode_bin_lower_edge: f64,
}

fn pct(a: u64, b: u64) -> f64 {
    100.0 * a as f64 / b as f64
}

pub(crate) fn totals(d: &Data) -> Totals {
    let e = d.election;
    let focus = d.focus();
    let valid: u64 = d.valid.iter().sum();
    let null: u64 = d.null.iter().sum();
    let mut with_re = 0u64;
    let mut re_sum = 0u64;
    let mut cast_re = 0u64;
    let mut valid_re = 0u64;
    let mut cast_gt = 0u64;
    for (i, r) in d.with_registered() {
        with_re += 1;
        re_sum += r;
        cast_re += d.cast(i);
        valid_re += d.valid[i];
        if d.cast(i) > r {
            cast_gt += 1;
        }
    }
    let others: u64 = (0..d.n()).map(|i| d.others_of(i, &focus)).sum();
    let in_country = e
        .official
        .registered
        .map(|r| r - e.official.registered_abroad.unwrap_or(0));
    let leader = d.leader();
    let runner = d.runner_up();
    Totals {
        tables: d.n() as u64,
        centres: d.n_centres as u64,
        parishes: d.n_parishes as u64,
        tables_official: e.official.tables,
        centres_official: e.official.centres,
        coverage_tables_pct: e
            .official
            .tables
            .filter(|&t| t > 0)
            .map(|t| pct(d.n() as u64, t)),
        votes: d
            .ids
            .iter()
            .cloned()
            .zip(d.total_votes.iter().copied())
            .collect(),
        pct_of_valid: d
            .ids
            .iter()
            .cloned()
            .zip(d.total_votes.iter().map(|&v| pct(v, valid)))
            .collect(),
        leader: d.ids[leader].clone(),
        runner_up: runner.map(|c| d.ids[c].clone()),
        others,
        others_pct_of_valid: pct(others, valid),
        margin: d.total_votes[leader] as i64 - runner.map_or(0, |c| d.total_votes[c] as i64),
        valid,
        null,
        cast: valid + null,
        tables_with_registered: with_re,
        registered_sum: re_sum,
        registered_official: e.official.registered,
        registered_in_country: in_country,
        coverage_registered_pct_of_total: e.official.registered.map(|r| pct(re_sum, r)),
        coverage_registered_pct_of_in_country: in_country.map(|r| pct(re_sum, r)),
        turnout_cast_over_registered: (re_sum > 0).then(|| cast_re as f64 / re_sum as f64),
        turnout_valid_over_registered: (re_sum > 0).then(|| valid_re as f64 / re_sum as f64),
        integrity: Integrity {
            rows_bad_shape: d.bad_shape,
            rows_valid_ne_sum: d.valid_ne_sum,
            duplicate_tables: d.duplicates,
            rows_cast_gt_registered: cast_gt,
            rows_without_registered: d.n() as u64 - with_re,
        },
    }
}

pub(crate) fn by_state(d: &Data) -> Vec<StateRow> {
    let focus = d.focus();
    let k = d.ids.len();
    let s = d.states.len();
    let mut tables = vec![0u64; s];
    let mut registered = vec![0u64; s];
    let mut valid = vec![0u64; s];
    let mut valid_re = vec![0u64; s];
    let mut null = vec![0u64; s];
    let mut others = vec![0u64; s];
    let mut votes = vec![vec![0u64; k]; s];
    for i in 0..d.n() {
        let h = d.state[i];
        tables[h] += 1;
        valid[h] += d.valid[i];
        null[h] += d.null[i];
        others[h] += d.others_of(i, &focus);
        for (v, col) in votes[h].iter_mut().zip(&d.votes) {
            *v += col[i];
        }
        if let Some(r) = d.registered[i].filter(|&r| r > 0) {
            registered[h] += r;
            valid_re[h] += d.valid[i];
        }
    }
    (0..s)
        .map(|h| {
            let place = d.election.state(&d.states[h]);
            let expected = place.and_then(|p| p.expected_tables);
            let lead = (0..k)
                .max_by(|&a, &b| votes[h][a].cmp(&votes[h][b]).then(b.cmp(&a)))
                .unwrap_or(0);
            StateRow {
                code: d.states[h].clone(),
                name: place.map(|p| p.name.clone()),
                tables: tables[h],
                tables_official: expected,
                coverage_tables_pct: expected.filter(|&e| e > 0).map(|e| pct(tables[h], e)),
                registered: registered[h],
                valid: valid[h],
                null: null[h],
                votes: d.ids.iter().cloned().zip(votes[h].clone()).collect(),
                pct_of_valid: d
                    .ids
                    .iter()
                    .cloned()
                    .zip(votes[h].iter().map(|&v| pct(v, valid[h])))
                    .collect(),
                others: others[h],
                turnout_valid_over_registered: (registered[h] > 0)
                    .then(|| valid_re[h] as f64 / registered[h] as f64),
                leader: d.ids[lead].clone(),
            }
        })
        .collect()
}

/// Per-table turnout (valid + null) / registered, for tables with registered voters.
pub(crate) fn turnouts(d: &Data) -> Vec<(usize, f64)> {
    d.with_registered()
        .map(|(i, r)| (i, d.cast(i) as f64 / r as f64))
        .collect()
}

pub(crate) fn turnout_stats(d: &Data) -> Option<TurnoutStats> {
    let t: Vec<f64> = turnouts(d).into_iter().map(|(_, t)| t).collect();
    if t.len() < 2 {
        return None;
    }
    let s = stats::sorted(&t);
    let mut quantiles = BTreeMap::new();
    for (name, q) in [
        ("p01", 0.01),
        ("p05", 0.05),
        ("p25", 0.25),
        ("p50", 0.5),
        ("p75", 0.75),
        ("p95", 0.95),
        ("p99", 0.99),
    ] {
        quantiles.insert(name.to_string(), stats::quantile_sorted(&s, q));
    }
    let mut hist = vec![0u64; 100];
    for &x in &t {
        if let Some(b) = stats::np_hist_index(x, 0.0, 1.0, 100) {
            hist[b] += 1;
        }
    }
    let mode = (0..100)
        .max_by(|&a, &b| hist[a].cmp(&hist[b]).then(b.cmp(&a)))
        .unwrap_or(0);
    let count = |f: &dyn Fn(f64) -> bool| t.iter().filter(|&&x| f(x)).count() as u64;
    Some(TurnoutStats {
        n: t.len() as u64,
        mean: stats::mean(&t),
        median: stats::median_sorted(&s),
        sd: stats::sd(&t, 1),
        min: s[0],
        max: s[s.len() - 1],
        quantiles,
        skew: stats::skew(&t),
        kurtosis_excess: stats::kurtosis_excess(&t),
        n_gt_0p9: count(&|x| x > 0.9),
        n_gt_0p95: count(&|x| x > 0.95),
        n_eq_1: count(&|x| x == 1.0),
        n_gt_1: count(&|x| x > 1.0),
        n_lt_0p2: count(&|x| x < 0.2),
        hist_1pct_bins: hist,
        mode_bin_lower_edge: mode as f64 * 0.01,
    })
}
