//! Turnout/share fingerprint (Klimek et al. 2012), a simplified Klimek grid fit, and Shpilkin's
//! excess votes by turnout bin.

use serde::Serialize;

use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

use crate::data::Data;
use crate::sim;
use crate::stats;

/// Number of cells per axis of the stored fingerprint and of the Klimek fit.
pub const GRID: usize = 50;

#[derive(Debug, Clone, Serialize)]
pub struct Fingerprint {
    /// Tables with registered voters and valid votes.
    pub n: u64,
    pub pearson_turnout_share: f64,
    pub spearman_turnout_share: f64,
    pub share_mean: f64,
    pub share_sd: f64,
    pub share_skew: f64,
    pub share_kurtosis_excess: f64,
    pub n_turnout_gt95_and_share_gt95: u64,
    pub n_share_gt_0p9: u64,
    pub n_share_lt_0p1: u64,
    /// Lower edges (turnout, share) of the fullest cell of the 100 × 100 histogram.
    pub peak_cell: [f64; 2],
    /// Tables per cell of a 50 × 50 grid on [0, 1]²: `hist[turnout bin][share bin]`.
    pub hist: Vec<Vec<u32>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KlimekParams {
    pub mu_t: f64,
    pub sd_t: f64,
    pub mu_logit_share: f64,
    pub sd_logit_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct KlimekFit {
    /// Fraction of tables with incremental fraud at the best grid point.
    pub f_i: f64,
    /// Fraction with extreme fraud.
    pub f_e: f64,
    /// Squared L2 distance between the normalised 50 × 50 histograms at the best point.
    pub l2: f64,
    /// Smallest and largest f_i (with f_e = 0) whose distance is within 1 % of the best: the
    /// simulation cannot tell these apart, so a wide range means the fit is flat.
    pub f_i_within_1pct: [f64; 2],
    pub grid: Vec<f64>,
    /// `l2_grid[i][e]` for f_i = grid[i], f_e = grid[e].
    pub l2_grid: Vec<Vec<f64>>,
    /// Turnout ~ N(median, IQR/1.349); logit share ~ N(median, IQR/1.349) of the observed.
    pub model_params: KlimekParams,
    /// Scale of the exponential incremental-fraud fraction.
    pub alpha: f64,
    /// Spread of the extreme-fraud fraction, x = 1 − |N(0, θ)|.
    pub theta: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Shpilkin {
    /// Lower edge (%) of the 1-point turnout bin with most valid votes.
    pub mode_turnout_bin_pct: u32,
    /// Candidate / everyone else over the bins at or below the mode.
    pub clean_ratio: f64,
    pub clean_share: f64,
    /// Σ over bins above the mode of max(0, W_b − r·O_b).
    pub excess_votes_positive_bins: f64,
    pub net_excess_votes_above_mode: f64,
    pub total_cand_votes: u64,
    pub excess_pct_of_cand: f64,
    /// Candidate's share of valid votes in each turnout decile of tables (quantile cut).
    pub share_by_turnout_decile: Vec<f64>,
    /// Candidate votes and valid votes per 1-point turnout bin.
    pub cand_votes_by_bin: Vec<u64>,
    pub valid_votes_by_bin: Vec<u64>,
}

/// (table, turnout, share) for tables with registered voters and valid votes.
fn points(d: &Data, c: usize) -> Vec<(usize, f64, f64)> {
    d.with_registered()
        .filter(|&(i, _)| d.valid[i] > 0)
        .map(|(i, r)| {
            (
                i,
                d.cast(i) as f64 / r as f64,
                d.votes[c][i] as f64 / d.valid[i] as f64,
            )
        })
        .collect()
}

fn hist2d(t: &[f64], s: &[f64], bins: usize) -> Vec<u32> {
    let mut h = vec![0u32; bins * bins];
    for (&a, &b) in t.iter().zip(s) {
        if let (Some(i), Some(j)) = (
            stats::np_hist_index(a, 0.0, 1.0, bins),
            stats::np_hist_index(b, 0.0, 1.0, bins),
        ) {
            h[i * bins + j] += 1;
        }
    }
    h
}

pub(crate) fn fingerprint(d: &Data, c: usize) -> Option<Fingerprint> {
    let p = points(d, c);
    if p.len() < 3 {
        return None;
    }
    let t: Vec<f64> = p.iter().map(|x| x.1).collect();
    let s: Vec<f64> = p.iter().map(|x| x.2).collect();
    let h100 = hist2d(&t, &s, 100);
    let peak = (0..h100.len())
        .max_by(|&a, &b| h100[a].cmp(&h100[b]).then(b.cmp(&a)))
        .unwrap_or(0);
    let h50 = hist2d(&t, &s, GRID);
    Some(Fingerprint {
        n: p.len() as u64,
        pearson_turnout_share: stats::pearson(&t, &s),
        spearman_turnout_share: stats::spearman(&t, &s),
        share_mean: stats::mean(&s),
        share_sd: stats::sd(&s, 1),
        share_skew: stats::skew(&s),
        share_kurtosis_excess: stats::kurtosis_excess(&s),
        n_turnout_gt95_and_share_gt95: t
            .iter()
            .zip(&s)
            .filter(|&(&a, &b)| a > 0.95 && b > 0.95)
            .count() as u64,
        n_share_gt_0p9: s.iter().filter(|&&x| x > 0.9).count() as u64,
        n_share_lt_0p1: s.iter().filter(|&&x| x < 0.1).count() as u64,
        peak_cell: [(peak / 100) as f64 * 0.01, (peak % 100) as f64 * 0.01],
        hist: h50.chunks(GRID).map(|r| r.to_vec()).collect(),
    })
}

fn robust(v: &[f64]) -> (f64, f64) {
    let s = stats::sorted(v);
    let iqr = stats::quantile_sorted(&s, 0.75) - stats::quantile_sorted(&s, 0.25);
    (stats::median_sorted(&s), iqr / 1.349)
}

pub(crate) fn klimek(d: &Data, c: usize, seed: u64) -> Option<KlimekFit> {
    let p = points(d, c);
    if p.len() < 10 {
        return None;
    }
    let t: Vec<f64> = p.iter().map(|x| x.1).collect();
    let s: Vec<f64> = p.iter().map(|x| x.2).collect();
    let logit: Vec<f64> = s.iter().map(|&v| (v / (1.0 - v)).ln()).collect();
    let (mu_t, sd_t) = robust(&t);
    let (mu_l, sd_l) = robust(&logit);
    if !(sd_t.is_finite() && sd_l.is_finite() && mu_l.is_finite()) {
        return None;
    }
    let (alpha, theta) = (0.1, 0.075);
    let obs = hist2d(&t, &s, GRID);
    let obs_total: f64 = obs.iter().map(|&v| v as f64).sum();
    // Common random numbers: the same draws serve every grid point.
    let mut rng = sim::rng(seed, &format!("klimek/{}", d.ids[c]), 0);
    let n = p.len();
    let mut draws = Vec::with_capacity(n);
    for _ in 0..n {
        let z1: f64 = StandardNormal.sample(&mut rng);
        let z2: f64 = StandardNormal.sample(&mut rng);
        let u: f64 = rng.random();
        let ex: f64 = Exp1.sample(&mut rng);
        let z3: f64 = StandardNormal.sample(&mut rng);
        let ts = (mu_t + sd_t * z1).clamp(0.0, 1.0);
        let vs = 1.0 / (1.0 + (-(mu_l + sd_l * z2)).exp());
        let xi = (alpha * ex).min(1.0);
        let xe = (1.0 - (theta * z3).abs()).clamp(0.0, 1.0);
        draws.push((ts, vs, u, xi, xe));
    }
    let grid: Vec<f64> = (0..=10).map(|k| k as f64 / 100.0).collect();
    let mut l2_grid = vec![vec![0.0; grid.len()]; grid.len()];
    let mut best = (f64::INFINITY, 0.0, 0.0);
    for (a, &fi) in grid.iter().enumerate() {
        for (b, &fe) in grid.iter().enumerate() {
            let mut h = vec![0u32; GRID * GRID];
            let mut tot = 0.0;
            for &(ts, vs, u, xi, xe) in &draws {
                let x = if u < fi {
                    xi
                } else if u < fi + fe {
                    xe
                } else {
                    0.0
                };
                let tn = ts + x * (1.0 - ts);
                if tn <= 0.0 {
                    continue;
                }
                let win = vs * ts + x * (1.0 - ts) + x * (1.0 - vs) * ts;
                let vn = win / tn;
                if let (Some(i), Some(j)) = (
                    stats::np_hist_index(tn, 0.0, 1.0, GRID),
                    stats::np_hist_index(vn, 0.0, 1.0, GRID),
                ) {
                    h[i * GRID + j] += 1;
                    tot += 1.0;
                }
            }
            let l2: f64 = h
                .iter()
                .zip(&obs)
                .map(|(&x, &o)| (x as f64 / tot - o as f64 / obs_total).powi(2))
                .sum();
            l2_grid[a][b] = l2;
            if l2 < best.0 {
                best = (l2, fi, fe);
            }
        }
    }
    let flat: Vec<f64> = grid
        .iter()
        .enumerate()
        .filter(|&(a, _)| l2_grid[a][0] <= 1.01 * best.0)
        .map(|(_, &g)| g)
        .collect();
    let f_i_within_1pct = [
        flat.first().copied().unwrap_or(best.1),
        flat.last().copied().unwrap_or(best.1),
    ];
    Some(KlimekFit {
        f_i: best.1,
        f_e: best.2,
        l2: best.0,
        f_i_within_1pct,
        grid,
        l2_grid,
        model_params: KlimekParams {
            mu_t,
            sd_t,
            mu_logit_share: mu_l,
            sd_logit_share: sd_l,
        },
        alpha,
        theta,
    })
}

pub(crate) fn shpilkin(d: &Data, c: usize) -> Option<Shpilkin> {
    let rows: Vec<(usize, f64)> = d
        .with_registered()
        .map(|(i, r)| (i, d.cast(i) as f64 / r as f64))
        .collect();
    if rows.len() < 10 {
        return None;
    }
    let mut wb = vec![0u64; 100];
    let mut vb = vec![0u64; 100];
    for &(i, t) in &rows {
        if let Some(b) = stats::np_hist_index(t, 0.0, 1.0, 100) {
            wb[b] += d.votes[c][i];
            vb[b] += d.valid[i];
        }
    }
    let mode = (0..100)
        .max_by(|&a, &b| vb[a].cmp(&vb[b]).then(b.cmp(&a)))
        .unwrap_or(0);
    let (cw, co): (u64, u64) = (0..=mode).fold((0, 0), |(w, o), b| (w + wb[b], o + vb[b] - wb[b]));
    let r = cw as f64 / co as f64;
    let (mut pos, mut net) = (0.0, 0.0);
    for b in mode + 1..100 {
        let ex = wb[b] as f64 - r * (vb[b] - wb[b]) as f64;
        net += ex;
        pos += ex.max(0.0);
    }
    // Turnout deciles as quantile cuts (right-closed, like pandas.qcut).
    let ts: Vec<f64> = rows.iter().map(|x| x.1).collect();
    let sorted = stats::sorted(&ts);
    let edges: Vec<f64> = (1..10)
        .map(|k| stats::quantile_sorted(&sorted, k as f64 / 10.0))
        .collect();
    let mut dw = [0u64; 10];
    let mut dv = [0u64; 10];
    for &(i, t) in &rows {
        let k = edges.iter().filter(|&&e| e < t).count();
        dw[k] += d.votes[c][i];
        dv[k] += d.valid[i];
    }
    let total = d.total_votes[c];
    Some(Shpilkin {
        mode_turnout_bin_pct: mode as u32,
        clean_ratio: r,
        clean_share: r / (1.0 + r),
        excess_votes_positive_bins: pos,
        net_excess_votes_above_mode: net,
        total_cand_votes: total,
        excess_pct_of_cand: 100.0 * pos / total as f64,
        share_by_turnout_decile: dw
            .iter()
            .zip(&dv)
            .map(|(&w, &v)| w as f64 / v as f64)
            .collect(),
        cand_votes_by_bin: wb,
        valid_votes_by_bin: vb,
    })
}
