//! Section 3: ratio projections from the observed tables (Cochran, ch. 6), valid only if the
//! missing tables are missing at random.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::Data;
use crate::stats::Z95;

#[derive(Debug, Clone, Serialize)]
pub struct RatioEstimate {
    /// R̂ = Σy / Σx with x = registered voters.
    pub r_per_registered: f64,
    pub se_r_srs: f64,
    /// Centres as primary sampling units.
    pub se_r_cluster: f64,
    /// R̂ × official registered voters.
    pub projected_total: f64,
    pub ci95_srs: [f64; 2],
    pub ci95_cluster: [f64; 2],
}

#[derive(Debug, Clone, Serialize)]
pub struct ShareEstimate {
    /// Share of valid votes, Σy / Σvalid.
    pub p: f64,
    pub se_srs: f64,
    pub se_cluster: f64,
    pub ci95_srs: [f64; 2],
    pub ci95_cluster: [f64; 2],
}

#[derive(Debug, Clone, Serialize)]
pub struct StratifiedShare {
    /// Σ_h W_h R̂_h with states as strata, W_h = observed registered voters of the state / total.
    pub estimate: f64,
    /// √Σ W_h² V(R̂_h) with V(R̂_h) the simple (SRS) ratio variance without finite-population
    /// correction.
    pub se_srs_no_fpc: f64,
    /// The same with centres as clusters inside each state and the state's own sampling fraction
    /// (observed / official tables of the state).
    pub se_cluster: f64,
    pub ci95: [f64; 2],
    pub ci95_cluster: [f64; 2],
    pub strata: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Projection {
    /// Always `missing_at_random`: the estimates assume the missing tables vote like the observed.
    pub assumption: String,
    /// Observed tables used (those with registered voters).
    pub n_tables: u64,
    pub n_centres: u64,
    pub tables_total: u64,
    /// Sampling fraction f = n / N.
    pub f: f64,
    pub registered_total: u64,
    /// Per registered voter: every candidate id, `others` (all but the leader and runner-up)
    /// and `valid`.
    pub per_registered: BTreeMap<String, RatioEstimate>,
    /// Shares of valid votes per candidate id (all observed tables, x = valid votes).
    pub shares: BTreeMap<String, ShareEstimate>,
    pub stratified_shares: BTreeMap<String, StratifiedShare>,
}

/// Ratio estimate over the tables `idx` with y and x given per table: (R̂, V_srs, V_cluster).
/// `f` is the finite-population fraction (0 for none); clusters are the tables' centres.
fn ratio(y: &[f64], x: &[f64], cluster: &[usize], f: f64) -> (f64, f64, f64) {
    let n = y.len() as f64;
    let sy: f64 = y.iter().sum();
    let sx: f64 = x.iter().sum();
    let r = sy / sx;
    let e: Vec<f64> = y.iter().zip(x).map(|(y, x)| y - r * x).collect();
    let me = e.iter().sum::<f64>() / n;
    let s2 = e.iter().map(|v| (v - me) * (v - me)).sum::<f64>() / (n - 1.0);
    let xbar = sx / n;
    let v_srs = (1.0 - f) / (n * xbar * xbar) * s2;
    let mut sums: BTreeMap<usize, f64> = BTreeMap::new();
    for (c, v) in cluster.iter().zip(&e) {
        *sums.entry(*c).or_insert(0.0) += v;
    }
    let m = sums.len() as f64;
    let ss: f64 = sums.values().map(|v| v * v).sum();
    let v_cl = if m > 1.0 {
        (1.0 - f) * m / (m - 1.0) * ss / (sx * sx)
    } else {
        f64::NAN
    };
    (r, v_srs, v_cl)
}

fn ci(est: f64, se: f64) -> [f64; 2] {
    [est - Z95 * se, est + Z95 * se]
}

pub(crate) fn projection(d: &Data) -> Option<Projection> {
    let e = d.election;
    let big_n = e.official.tables?;
    let x_total = e.official.registered?;
    let rows: Vec<(usize, u64)> = d.with_registered().collect();
    if rows.len() < 2 || big_n == 0 {
        return None;
    }
    let n = rows.len();
    let f = n as f64 / big_n as f64;
    let x: Vec<f64> = rows.iter().map(|&(_, r)| r as f64).collect();
    let cl: Vec<usize> = rows.iter().map(|&(i, _)| d.centre[i]).collect();
    let focus = d.focus();
    let mut series: Vec<(String, Vec<f64>)> = (0..d.ids.len())
        .map(|c| {
            (
                d.ids[c].clone(),
                rows.iter().map(|&(i, _)| d.votes[c][i] as f64).collect(),
            )
        })
        .collect();
    series.push((
        "others".into(),
        rows.iter()
            .map(|&(i, _)| d.others_of(i, &focus) as f64)
            .collect(),
    ));
    series.push((
        "valid".into(),
        rows.iter().map(|&(i, _)| d.valid[i] as f64).collect(),
    ));
    let xt = x_total as f64;
    let per_registered = series
        .into_iter()
        .map(|(id, y)| {
            let (r, vs, vc) = ratio(&y, &x, &cl, f);
            let (ss, sc) = (vs.sqrt(), vc.sqrt());
            (
                id,
                RatioEstimate {
                    r_per_registered: r,
                    se_r_srs: ss,
                    se_r_cluster: sc,
                    projected_total: r * xt,
                    ci95_srs: ci(r * xt, ss * xt),
                    ci95_cluster: ci(r * xt, sc * xt),
                },
            )
        })
        .collect();

    // Shares of valid votes over every observed table.
    let all = d.n();
    let fa = all as f64 / big_n as f64;
    let xv: Vec<f64> = d.valid.iter().map(|&v| v as f64).collect();
    let mut shares = BTreeMap::new();
    let mut stratified_shares = BTreeMap::new();
    for c in 0..d.ids.len() {
        let y: Vec<f64> = d.votes[c].iter().map(|&v| v as f64).collect();
        let (p, vs, vc) = ratio(&y, &xv, &d.centre, fa);
        let (ss, sc) = (vs.sqrt(), vc.sqrt());
        shares.insert(
            d.ids[c].clone(),
            ShareEstimate {
                p,
                se_srs: ss,
                se_cluster: sc,
                ci95_srs: ci(p, ss),
                ci95_cluster: ci(p, sc),
            },
        );
        if focus.contains(&c) {
            stratified_shares.insert(d.ids[c].clone(), stratified(d, c));
        }
    }
    Some(Projection {
        assumption: "missing_at_random".into(),
        n_tables: n as u64,
        n_centres: {
            let mut c = cl.clone();
            c.sort_unstable();
            c.dedup();
            c.len() as u64
        },
        tables_total: big_n,
        f,
        registered_total: x_total,
        per_registered,
        shares,
        stratified_shares,
    })
}

fn stratified(d: &Data, c: usize) -> StratifiedShare {
    let s = d.states.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); s];
    let mut re = vec![0u64; s];
    for i in 0..d.n() {
        members[d.state[i]].push(i);
        re[d.state[i]] += d.registered[i].unwrap_or(0);
    }
    let re_total: u64 = re.iter().sum();
    let valid_total: u64 = d.valid.iter().sum();
    let (mut est, mut v1, mut v2, mut strata) = (0.0, 0.0, 0.0, 0u64);
    for h in 0..s {
        let idx = &members[h];
        let valid_h: u64 = idx.iter().map(|&i| d.valid[i]).sum();
        if idx.is_empty() || valid_h == 0 {
            continue;
        }
        strata += 1;
        // Weights by registered voters; by valid votes if no table states registered voters.
        let w = if re_total > 0 {
            re[h] as f64 / re_total as f64
        } else {
            valid_h as f64 / valid_total as f64
        };
        let y: Vec<f64> = idx.iter().map(|&i| d.votes[c][i] as f64).collect();
        let x: Vec<f64> = idx.iter().map(|&i| d.valid[i] as f64).collect();
        let cl: Vec<usize> = idx.iter().map(|&i| d.centre[i]).collect();
        let expected = d
            .election
            .state(&d.states[h])
            .and_then(|p| p.expected_tables)
            .filter(|&t| t >= idx.len() as u64);
        let fh = expected.map_or(0.0, |t| idx.len() as f64 / t as f64);
        let (r, vs, _) = ratio(&y, &x, &cl, 0.0);
        let (_, _, vc) = ratio(&y, &x, &cl, fh);
        est += w * r;
        if idx.len() > 1 {
            v1 += w * w * vs;
        }
        if vc.is_finite() {
            v2 += w * w * vc;
        }
    }
    let (se1, se2) = (v1.sqrt(), v2.sqrt());
    StratifiedShare {
        estimate: est,
        se_srs_no_fpc: se1,
        se_cluster: se2,
        ci95: ci(est, se1),
        ci95_cluster: ci(est, se2),
        strata,
    }
}
