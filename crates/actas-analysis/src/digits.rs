//! Digit tests: second-digit Benford (2BL, Mebane) with a binomial simulation null, last-digit
//! uniformity and the Beber-Scacco pair tests, and the 0/5 shares of the Election Forensics
//! Toolkit (`C05s`, `P05s`).

use std::collections::BTreeMap;

use rand_distr::{Binomial, Distribution};
use serde::Serialize;

use crate::data::Data;
use crate::sim;
use crate::stats::{self, Z95};

#[derive(Debug, Clone, Serialize)]
pub struct SecondDigit {
    pub n: u64,
    pub counts: [u64; 10],
    pub expected: Vec<f64>,
    pub chi2: f64,
    pub df: u32,
    pub p_chi2: f64,
    pub mean: f64,
    pub expected_mean: f64,
    /// mean ± 1.96 × sample sd / √n.
    pub mean_ci95: [f64; 2],
    /// (mean − Benford mean) / √(Benford variance / n).
    pub z_mean: f64,
    pub p_mean: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LastDigit {
    pub n: u64,
    pub min_count: u64,
    pub counts: [u64; 10],
    pub chi2: f64,
    pub df: u32,
    pub p_chi2: f64,
    pub mean: f64,
    pub expected_mean: f64,
    pub z_mean: f64,
    pub p_mean: f64,
    /// Share of counts ending in 0 or 5 (expected 0.2).
    #[serde(rename = "C05s")]
    pub c05s: f64,
    #[serde(rename = "z_C05s")]
    pub z_c05s: f64,
    #[serde(rename = "p_C05s")]
    pub p_c05s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BeberScacco {
    pub n: u64,
    /// Share of counts whose last two digits are equal (expected 0.10).
    pub repeated_share: f64,
    pub repeated_expected: f64,
    /// Exact two-sided binomial p-value.
    pub p_repeated: f64,
    /// Share of counts whose last two digits differ by one (expected 0.18).
    pub adjacent_share: f64,
    pub adjacent_expected: f64,
    pub p_adjacent: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct P05s {
    pub n: u64,
    /// Share of rounded integer percentages (half to even) ending in 0 or 5.
    pub share: f64,
    pub expected: f64,
    pub z: f64,
    pub p: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecondDigitNull {
    pub model: String,
    pub reps: u64,
    pub null_mean: f64,
    pub null_sd: f64,
    pub observed: f64,
    pub z: f64,
    pub benford_expected: f64,
    /// Mean share of each second digit across the simulations.
    pub null_digit_shares: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DigitSeries {
    pub second_digit: Option<SecondDigit>,
    /// Counts ≥ min_count.
    pub last_digit: Option<LastDigit>,
    /// Every count.
    pub last_digit_all: Option<LastDigit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beber_scacco: Option<BeberScacco>,
    #[serde(rename = "P05s_share", skip_serializing_if = "Option::is_none")]
    pub p05s_share: Option<P05s>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_digit_sim_null: Option<SecondDigitNull>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Digits {
    /// Keys: the leader's and runner-up's ids, and `valid`.
    pub series: BTreeMap<String, DigitSeries>,
    #[serde(rename = "P05s_turnout")]
    pub p05s_turnout: Option<P05s>,
    pub benford2_expected_probs: Vec<f64>,
}

pub fn benford2_probs() -> [f64; 10] {
    let mut p = [0.0; 10];
    for (d, v) in p.iter_mut().enumerate() {
        *v = (1..=9)
            .map(|k| (1.0 + 1.0 / (10 * k + d) as f64).log10())
            .sum();
    }
    p
}

fn second_digit_of(mut x: u64) -> usize {
    while x >= 100 {
        x /= 10;
    }
    (x % 10) as usize
}

fn second_digit(counts: &[u64], min: u64) -> Option<SecondDigit> {
    let digits: Vec<usize> = counts
        .iter()
        .filter(|&&c| c >= min.max(10))
        .map(|&c| second_digit_of(c))
        .collect();
    let n = digits.len();
    if n < 2 {
        return None;
    }
    let p = benford2_probs();
    let mut h = [0u64; 10];
    for &d in &digits {
        h[d] += 1;
    }
    let expected: Vec<f64> = p.iter().map(|q| q * n as f64).collect();
    let chi2 = h
        .iter()
        .zip(&expected)
        .map(|(&o, e)| (o as f64 - e).powi(2) / e)
        .sum();
    let mu: f64 = p.iter().enumerate().map(|(d, q)| d as f64 * q).sum();
    let var_b: f64 = p
        .iter()
        .enumerate()
        .map(|(d, q)| (d * d) as f64 * q)
        .sum::<f64>()
        - mu * mu;
    let xs: Vec<f64> = digits.iter().map(|&d| d as f64).collect();
    let mean = stats::mean(&xs);
    let se = stats::sd(&xs, 1) / (n as f64).sqrt();
    let z = (mean - mu) / (var_b / n as f64).sqrt();
    Some(SecondDigit {
        n: n as u64,
        counts: h,
        expected,
        chi2,
        df: 9,
        p_chi2: stats::chi2_sf(chi2, 9.0),
        mean,
        expected_mean: mu,
        mean_ci95: [mean - Z95 * se, mean + Z95 * se],
        z_mean: z,
        p_mean: stats::norm_p2(z),
    })
}

fn last_digit(counts: &[u64], min: u64) -> Option<LastDigit> {
    let mut h = [0u64; 10];
    let mut n = 0u64;
    for &c in counts.iter().filter(|&&c| c >= min) {
        h[(c % 10) as usize] += 1;
        n += 1;
    }
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let e = nf / 10.0;
    let chi2 = h.iter().map(|&o| (o as f64 - e).powi(2) / e).sum();
    let mean = h
        .iter()
        .enumerate()
        .map(|(d, &o)| d as f64 * o as f64)
        .sum::<f64>()
        / nf;
    let z = (mean - 4.5) / (8.25 / nf).sqrt();
    let c05 = (h[0] + h[5]) as f64 / nf;
    let zc = (c05 - 0.2) / (0.16 / nf).sqrt();
    Some(LastDigit {
        n,
        min_count: min,
        counts: h,
        chi2,
        df: 9,
        p_chi2: stats::chi2_sf(chi2, 9.0),
        mean,
        expected_mean: 4.5,
        z_mean: z,
        p_mean: stats::norm_p2(z),
        c05s: c05,
        z_c05s: zc,
        p_c05s: stats::norm_p2(zc),
    })
}

fn beber_scacco(counts: &[u64], min: u64) -> Option<BeberScacco> {
    let (mut n, mut rep, mut adj) = (0u64, 0u64, 0u64);
    for &c in counts.iter().filter(|&&c| c >= min.max(10)) {
        let (a, b) = ((c / 10) % 10, c % 10);
        n += 1;
        rep += (a == b) as u64;
        adj += (a.abs_diff(b) == 1) as u64;
    }
    (n > 0).then(|| BeberScacco {
        n,
        repeated_share: rep as f64 / n as f64,
        repeated_expected: 0.1,
        p_repeated: stats::binom_test_two_sided(rep, n, 0.1),
        adjacent_share: adj as f64 / n as f64,
        adjacent_expected: 0.18,
        p_adjacent: stats::binom_test_two_sided(adj, n, 0.18),
    })
}

/// P05s of the integer percentages round(100 k / n), half to even.
pub(crate) fn p05s(pairs: impl Iterator<Item = (u64, u64)>) -> Option<P05s> {
    let (mut n, mut hits) = (0u64, 0u64);
    for (k, den) in pairs.filter(|&(_, den)| den > 0) {
        let r = ((100 * k) as f64 / den as f64).round_ties_even() as u64;
        n += 1;
        hits += r.is_multiple_of(5) as u64;
    }
    (n > 0).then(|| {
        let share = hits as f64 / n as f64;
        let z = (share - 0.2) / (0.16 / n as f64).sqrt();
        P05s {
            n,
            share,
            expected: 0.2,
            z,
            p: stats::norm_p2(z),
        }
    })
}

/// 2BL means under W_i ~ Bin(valid_i, share of the candidate in the table's parish).
fn second_digit_null(
    d: &Data,
    c: usize,
    reps: usize,
    seed: u64,
    threads: usize,
    observed: f64,
    min: u64,
) -> Option<SecondDigitNull> {
    if reps < 2 {
        return None;
    }
    let mut pv = vec![0u64; d.n_parishes];
    let mut pw = vec![0u64; d.n_parishes];
    for i in 0..d.n() {
        pv[d.parish[i]] += d.valid[i];
        pw[d.parish[i]] += d.votes[c][i];
    }
    let dists: Vec<Option<Binomial>> = (0..d.n())
        .map(|i| {
            let p = d.parish[i];
            let share = if pv[p] > 0 {
                pw[p] as f64 / pv[p] as f64
            } else {
                0.0
            };
            Binomial::new(d.valid[i], share).ok()
        })
        .collect();
    let name = format!("benford2-null/{}", d.ids[c]);
    let min = min.max(10);
    let per_rep = sim::par_map(reps, threads, |r| {
        let mut rng = sim::rng(seed, &name, r as u64);
        let mut h = [0u64; 10];
        for b in dists.iter().flatten() {
            let w = b.sample(&mut rng);
            if w >= min {
                h[second_digit_of(w)] += 1;
            }
        }
        h
    });
    let means: Vec<f64> = per_rep
        .iter()
        .map(|h| {
            let n: u64 = h.iter().sum();
            h.iter()
                .enumerate()
                .map(|(d, &o)| d as f64 * o as f64)
                .sum::<f64>()
                / n as f64
        })
        .collect();
    let mut shares = vec![0.0; 10];
    for h in &per_rep {
        let n: u64 = h.iter().sum();
        for (s, &o) in shares.iter_mut().zip(h) {
            *s += o as f64 / n as f64 / reps as f64;
        }
    }
    let null_mean = stats::mean(&means);
    let null_sd = stats::sd(&means, 1);
    let p = benford2_probs();
    Some(SecondDigitNull {
        model: "W_i ~ Bin(valid_i, parish share)".into(),
        reps: reps as u64,
        null_mean,
        null_sd,
        observed,
        z: (observed - null_mean) / null_sd,
        benford_expected: p.iter().enumerate().map(|(d, q)| d as f64 * q).sum(),
        null_digit_shares: shares,
    })
}

pub(crate) fn digits(d: &Data, reps: usize, seed: u64, threads: usize, min: u64) -> Digits {
    let mut series = BTreeMap::new();
    for c in d.focus() {
        let counts = &d.votes[c];
        let sd2 = second_digit(counts, min);
        let null = sd2
            .as_ref()
            .and_then(|s| second_digit_null(d, c, reps, seed, threads, s.mean, min));
        series.insert(
            d.ids[c].clone(),
            DigitSeries {
                second_digit: sd2,
                last_digit: last_digit(counts, min),
                last_digit_all: last_digit(counts, 0),
                beber_scacco: beber_scacco(counts, min),
                p05s_share: p05s(counts.iter().copied().zip(d.valid.iter().copied())),
                second_digit_sim_null: null,
            },
        );
    }
    series.insert(
        "valid".into(),
        DigitSeries {
            second_digit: second_digit(&d.valid, min),
            last_digit: last_digit(&d.valid, min),
            last_digit_all: last_digit(&d.valid, 0),
            beber_scacco: None,
            p05s_share: None,
            second_digit_sim_null: None,
        },
    );
    Digits {
        series,
        p05s_turnout: p05s(d.with_registered().map(|(i, r)| (d.cast(i), r))),
        benford2_expected_probs: benford2_probs().to_vec(),
    }
}
