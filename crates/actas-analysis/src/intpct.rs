//! Integer-percentage test (Kobak, Shpilkin & Pshenichnikov 2016) with its analytic binomial null.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::Data;
use crate::stats;

#[derive(Debug, Clone, Serialize)]
pub struct IntegerPercent {
    /// Units (tables) tested.
    pub n: u64,
    /// Units where 100 k / n is an integer.
    pub observed: u64,
    /// Σ_i P_i with P_i = Σ_{j: step | j} Bin(j; n_i, k_i / n_i), step = n_i / gcd(n_i, 100).
    pub expected: f64,
    pub variance: f64,
    pub z: f64,
    pub p_one_sided: f64,
}

/// The test over (k, n) pairs with n > 0.
pub fn integer_percent(pairs: impl Iterator<Item = (u64, u64)>) -> IntegerPercent {
    let (mut n_units, mut obs, mut e, mut v) = (0u64, 0u64, 0.0, 0.0);
    for (k, n) in pairs.filter(|&(k, n)| n > 0 && k <= n) {
        n_units += 1;
        if (100 * k) % n == 0 {
            obs += 1;
        }
        let step = n / stats::gcd(n, 100);
        let p = k as f64 / n as f64;
        let pi: f64 = if k == 0 || k == n {
            // Degenerate binomial: the resampled count is k itself, whose percentage is 0 or 100.
            1.0
        } else {
            (0..=n)
                .step_by(step as usize)
                .map(|j| stats::ln_binom_pmf(j, n, p).exp())
                .sum()
        };
        e += pi;
        v += pi * (1.0 - pi);
    }
    let z = (obs as f64 - e) / v.sqrt();
    IntegerPercent {
        n: n_units,
        observed: obs,
        expected: e,
        variance: v,
        z,
        p_one_sided: stats::norm_sf(z),
    }
}

/// Keys: `turnout` (ballots cast over registered voters) and `<id>_share` for the leader and
/// runner-up (votes over valid votes).
pub(crate) fn integer_percents(d: &Data) -> BTreeMap<String, IntegerPercent> {
    let mut out = BTreeMap::new();
    if d.with_registered().next().is_some() {
        out.insert(
            "turnout".to_string(),
            integer_percent(d.with_registered().map(|(i, r)| (d.cast(i), r))),
        );
    }
    for c in d.focus() {
        out.insert(
            format!("{}_share", d.ids[c]),
            integer_percent(d.votes[c].iter().copied().zip(d.valid.iter().copied())),
        );
    }
    out
}
