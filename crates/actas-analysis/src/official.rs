//! Section 4: official bulletins against the actas, and the round-decimal test (Gelman, Tao 2024).

use std::collections::BTreeMap;

use actas_core::election::Bulletin;
use rand::{Rng as _, RngExt};
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

use crate::data::Data;
use crate::sim;
use crate::stats;

/// Tolerance (percentage points) of the "share within ε of a one-decimal value" event.
pub const TOL_PP: f64 = 5e-5;

#[derive(Debug, Clone, Serialize)]
pub struct PerTable {
    /// Share of the tables the bulletin said it had counted (from the options).
    pub tables_fraction: f64,
    pub tables_implied: f64,
    /// Votes per counted table the bulletin implies for its top candidate, and in total.
    pub bulletin_top_per_table: f64,
    pub bulletin_total_per_table: f64,
    /// The same candidate's votes and the valid votes per table in the actas.
    pub actas_top_per_table: f64,
    pub actas_valid_per_table: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundComponent {
    /// Candidate id or `others`.
    pub id: String,
    pub count: u64,
    /// 100 × count / total with seven decimals.
    pub exact_pct: String,
    /// Percentage minus the nearest one-decimal value, in points.
    pub dev_from_one_decimal_pp: f64,
    /// count − p·T with p the nearest one-decimal percentage as a fraction.
    pub count_minus_round_pct_times_total: f64,
    /// Whether the count is the nearest integer to p·T.
    pub nearest_integer: bool,
    /// Whether the percentage is within `tol_pp` of a one-decimal value.
    pub within_tol: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundAnalytic {
    pub tol_pp: f64,
    /// 2ε / 0.1.
    pub p_one_within_tol: f64,
    /// p_one² × 3/4: three shares summing to 100.
    pub p_three_within_tol: f64,
    /// 1000 / T.
    pub p_one_nearest_integer: f64,
    pub p_two_nearest_integer: f64,
    pub p_three_nearest_integer: f64,
    pub one_in_three_within_tol: f64,
    pub one_in_two_nearest: f64,
    pub one_in_three_nearest: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimSmooth {
    pub n: u64,
    pub model: String,
    /// Range of the simulated total T (±5 % around the bulletin's).
    pub total_range: [u64; 2],
    /// Per component, in the order of `components`.
    pub hit_rate_each: Vec<f64>,
    pub hits_all_within_tol: u64,
    pub rate_all_within_tol: f64,
    pub hits_all_nearest_integer: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct KsTest {
    pub stat: f64,
    pub p: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimBootstrap {
    pub n: u64,
    pub tables_per_sim: u64,
    pub model: String,
    pub hit_rate_each: Vec<f64>,
    /// Draws where the two largest components are both within tolerance.
    pub joint_top_two: u64,
    pub joint_all: u64,
    /// Standard deviation of the top component's aggregate percentage.
    pub sd_top_pct: f64,
    /// KS test of the fractional part of 10 × the top component's percentage against U(0, 1).
    pub ks_uniform_fractional_part_top: KsTest,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundDecimal {
    pub total: u64,
    /// Whether the components add up to the stated total (true when no total is stated).
    pub sum_check: bool,
    pub components: Vec<RoundComponent>,
    pub hits_nearest_integer: u64,
    pub hits_within_tol: u64,
    pub analytic: RoundAnalytic,
    /// Run only when at least two components are exact nearest integers.
    pub sim_smooth: Option<SimSmooth>,
    pub sim_table_bootstrap: Option<SimBootstrap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulletinComparison {
    pub name: String,
    pub date: String,
    pub votes: BTreeMap<String, u64>,
    pub others: Option<u64>,
    pub valid: Option<u64>,
    /// Bulletin minus actas, per candidate the bulletin names.
    pub diff_bulletin_minus_actas: BTreeMap<String, i64>,
    /// The candidate the bulletin puts first.
    pub bulletin_top: Option<String>,
    /// Actas leader's votes minus the bulletin top candidate's votes.
    pub actas_leader_minus_bulletin_top: Option<i64>,
    pub per_table: Option<PerTable>,
    pub round_decimal: RoundDecimal,
}

pub(crate) struct SimOptions {
    pub seed: u64,
    pub threads: usize,
    pub smooth_draws: u64,
    pub bootstrap_draws: usize,
    pub tables_fraction: Option<f64>,
    pub default_fraction: f64,
}

fn components(b: &Bulletin) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = b.votes.iter().map(|(k, v)| (k.clone(), *v)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if let Some(o) = b.others {
        v.push(("others".into(), o));
    }
    v
}

fn round_component(id: &str, c: u64, t: u64) -> RoundComponent {
    let pct = 100.0 * c as f64 / t as f64;
    let q = (1000.0 * c as f64 / t as f64).round();
    let p = q / 1000.0;
    let diff = 1000 * c as i128 - q as i128 * t as i128;
    RoundComponent {
        id: id.to_string(),
        count: c,
        exact_pct: format!("{pct:.7}"),
        dev_from_one_decimal_pp: pct - (pct * 10.0).round() / 10.0,
        count_minus_round_pct_times_total: c as f64 - p * t as f64,
        nearest_integer: 2 * diff.abs() <= 1000,
        within_tol: (pct - (pct * 10.0).round() / 10.0).abs() <= TOL_PP,
    }
}

fn within(c: f64, t: f64) -> bool {
    let pct = 100.0 * c / t;
    (pct - (pct * 10.0).round() / 10.0).abs() <= TOL_PP
}

fn nearest(c: u64, t: u64) -> bool {
    let q = (1000.0 * c as f64 / t as f64).round() as i128;
    2 * (1000 * c as i128 - q * t as i128).abs() <= 1000
}

const CHUNK: u64 = 1 << 20;

fn sim_smooth(comp: &[(String, u64)], t0: u64, o: &SimOptions) -> SimSmooth {
    let k = comp.len();
    let shares: Vec<f64> = comp.iter().map(|c| c.1 as f64 / t0 as f64).collect();
    let (lo, hi) = (
        (t0 as f64 * 0.95).round() as u64,
        (t0 as f64 * 1.05).round() as u64,
    );
    let chunks = o.smooth_draws.div_ceil(CHUNK) as usize;
    let res = sim::par_map(chunks, o.threads, |ch| {
        let mut rng = sim::rng(o.seed, "round-decimal/smooth", ch as u64);
        let n = CHUNK.min(o.smooth_draws - ch as u64 * CHUNK);
        let mut each = vec![0u64; k];
        let (mut all, mut all_near) = (0u64, 0u64);
        let mut counts = vec![0u64; k];
        // Screening threshold on |1000 c / T − nearest integer|, with a margin for rounding;
        // the rare draws that pass are confirmed with the exact tests.
        let thr = 1.01 * (10.0 * TOL_PP).max(500.0 / lo as f64);
        let span = (hi - lo + 1) as u128;
        for _ in 0..n {
            // Multiply-shift draw of T in [lo, hi] (bias below 2^-40 for spans under 2^24).
            let t = lo + ((rng.next_u64() as u128 * span) >> 64) as u64;
            let tf = t as f64;
            let inv = 1000.0 / tf;
            let mut rest = t as i64;
            let mut ok = true;
            for j in 0..k - 1 {
                let z: f64 = StandardNormal.sample(&mut rng);
                let x = (shares[j] + 0.01 * z) * tf;
                ok &= x >= 0.0;
                // Round half up by truncation (x ≥ 0; ties have probability zero).
                let c = (x + 0.5) as i64;
                counts[j] = c as u64;
                rest -= c;
            }
            if !ok || rest < 0 {
                continue;
            }
            counts[k - 1] = rest as u64;
            let mut a = true;
            let mut b = true;
            for j in 0..k {
                let x = counts[j] as f64 * inv;
                let r = (x + 0.5) as u64 as f64;
                let (w, e) = if (x - r).abs() <= thr {
                    (within(counts[j] as f64, tf), nearest(counts[j], t))
                } else {
                    (false, false)
                };
                each[j] += w as u64;
                a &= w;
                b &= e;
            }
            all += a as u64;
            all_near += b as u64;
        }
        (each, all, all_near)
    });
    let mut each = vec![0u64; k];
    let (mut all, mut near) = (0, 0);
    for (e, a, b) in res {
        for j in 0..k {
            each[j] += e[j];
        }
        all += a;
        near += b;
    }
    let n = o.smooth_draws;
    let names: Vec<&str> = comp.iter().map(|c| c.0.as_str()).collect();
    SimSmooth {
        n,
        model: format!(
            "T ~ U[{lo}, {hi}]; shares of {} ~ N(bulletin share, 0.01); {} = remainder; counts = round(share × T)",
            names[..k - 1].join(", "),
            names[k - 1]
        ),
        total_range: [lo, hi],
        hit_rate_each: each.iter().map(|&h| h as f64 / n as f64).collect(),
        hits_all_within_tol: all,
        rate_all_within_tol: all as f64 / n as f64,
        hits_all_nearest_integer: near,
    }
}

/// Bootstrap sums: `draws` samples of `per_sim` rows drawn with replacement, each row padded to
/// `W` columns so the inner loop has a fixed width.
fn boot<const W: usize>(rows: &[Vec<u32>], per_sim: usize, o: &SimOptions) -> Vec<[u64; W]> {
    let table: Vec<[u32; W]> = rows
        .iter()
        .map(|r| {
            let mut a = [0u32; W];
            a[..r.len()].copy_from_slice(r);
            a
        })
        .collect();
    let n = table.len() as u32;
    const B: usize = 64;
    let chunks = o.bootstrap_draws.div_ceil(B);
    sim::par_map(chunks, o.threads, |ch| {
        let mut rng = sim::rng(o.seed, "round-decimal/bootstrap", ch as u64);
        let reps = B.min(o.bootstrap_draws - ch * B);
        (0..reps)
            .map(|_| {
                let mut s = [0u64; W];
                for _ in 0..per_sim {
                    let row = &table[rng.random_range(0..n) as usize];
                    for (a, &b) in s.iter_mut().zip(row) {
                        *a += b as u64;
                    }
                }
                s
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

fn sim_bootstrap(d: &Data, comp: &[(String, u64)], o: &SimOptions) -> Option<SimBootstrap> {
    let tables_total = d.election.official.tables?;
    let frac = o.tables_fraction.unwrap_or(o.default_fraction);
    let per_sim = (frac * tables_total as f64).round() as usize;
    if per_sim == 0 || d.n() == 0 || o.bootstrap_draws == 0 {
        return None;
    }
    let k = comp.len();
    // Per table: the count of each component and the valid votes (others = valid − named).
    let named: Vec<Option<usize>> = comp
        .iter()
        .map(|c| d.ids.iter().position(|id| *id == c.0))
        .collect();
    let rows: Vec<Vec<u32>> = (0..d.n())
        .map(|i| {
            let mut r: Vec<u32> = named
                .iter()
                .map(|c| c.map_or(0, |c| d.votes[c][i] as u32))
                .collect();
            let sum_named: u32 = r.iter().sum();
            for (j, c) in named.iter().enumerate() {
                if c.is_none() {
                    r[j] = (d.valid[i] as u32).saturating_sub(sum_named);
                }
            }
            r.push(d.valid[i] as u32);
            r
        })
        .collect();
    let w = k + 1;
    fn trim<const W: usize>(v: Vec<[u64; W]>, w: usize) -> Vec<Vec<u64>> {
        v.into_iter().map(|s| s[..w].to_vec()).collect()
    }
    let sums: Vec<Vec<u64>> = match w {
        0..=4 => trim(boot::<4>(&rows, per_sim, o), w),
        5..=8 => trim(boot::<8>(&rows, per_sim, o), w),
        9..=16 => trim(boot::<16>(&rows, per_sim, o), w),
        17..=64 => trim(boot::<64>(&rows, per_sim, o), w),
        _ => return None,
    };
    let mut each = vec![0u64; k];
    let (mut joint2, mut joint_all) = (0u64, 0u64);
    let mut top_pct = Vec::with_capacity(sums.len());
    for s in &sums {
        let t = s[k] as f64;
        let hits: Vec<bool> = (0..k).map(|j| within(s[j] as f64, t)).collect();
        for j in 0..k {
            each[j] += hits[j] as u64;
        }
        joint2 += (k >= 2 && hits[0] && hits[1]) as u64;
        joint_all += hits.iter().all(|&h| h) as u64;
        top_pct.push(100.0 * s[0] as f64 / t);
    }
    let frac_part: Vec<f64> = top_pct.iter().map(|p| (p * 10.0).rem_euclid(1.0)).collect();
    let (stat, p) = stats::ks_uniform(&frac_part);
    let nd = sums.len() as f64;
    Some(SimBootstrap {
        n: sums.len() as u64,
        tables_per_sim: per_sim as u64,
        model: "tables drawn with replacement from the actas; shares of the aggregate".into(),
        hit_rate_each: each.iter().map(|&h| h as f64 / nd).collect(),
        joint_top_two: joint2,
        joint_all,
        sd_top_pct: stats::sd(&top_pct, 1),
        ks_uniform_fractional_part_top: KsTest { stat, p },
    })
}

pub(crate) fn compare(d: &Data, b: &Bulletin, o: &SimOptions) -> BulletinComparison {
    let comp = components(b);
    let sum: u64 = comp.iter().map(|c| c.1).sum();
    let total = b.valid.unwrap_or(sum);
    let leader = d.leader();
    let top = comp.iter().find(|c| c.0 != "others").cloned();
    let rc: Vec<RoundComponent> = comp
        .iter()
        .map(|(id, c)| round_component(id, *c, total))
        .collect();
    let hits_near = rc.iter().filter(|c| c.nearest_integer).count() as u64;
    let hits_tol = rc.iter().filter(|c| c.within_tol).count() as u64;
    let p1 = 2.0 * TOL_PP / 0.1;
    let pn = 1000.0 / total as f64;
    let run = hits_near >= 2 && comp.len() >= 2 && total > 0;
    let per_table = match (o.tables_fraction, d.election.official.tables, &top) {
        (Some(f), Some(n), Some((id, v))) if f > 0.0 && n > 0 && d.n() > 0 => {
            let tables = f * n as f64;
            let ci = d.ids.iter().position(|x| x == id);
            Some(PerTable {
                tables_fraction: f,
                tables_implied: tables,
                bulletin_top_per_table: *v as f64 / tables,
                bulletin_total_per_table: total as f64 / tables,
                actas_top_per_table: ci
                    .map_or(f64::NAN, |c| d.total_votes[c] as f64 / d.n() as f64),
                actas_valid_per_table: d.valid.iter().sum::<u64>() as f64 / d.n() as f64,
            })
        }
        _ => None,
    };
    BulletinComparison {
        name: b.name.clone(),
        date: b.date.clone(),
        votes: b.votes.clone(),
        others: b.others,
        valid: b.valid,
        diff_bulletin_minus_actas: b
            .votes
            .iter()
            .filter_map(|(id, v)| {
                let c = d.ids.iter().position(|x| x == id)?;
                Some((id.clone(), *v as i64 - d.total_votes[c] as i64))
            })
            .collect(),
        bulletin_top: top.as_ref().map(|t| t.0.clone()),
        actas_leader_minus_bulletin_top: top
            .as_ref()
            .map(|t| d.total_votes[leader] as i64 - t.1 as i64),
        per_table,
        round_decimal: RoundDecimal {
            total,
            sum_check: sum == total,
            components: rc,
            hits_nearest_integer: hits_near,
            hits_within_tol: hits_tol,
            analytic: RoundAnalytic {
                tol_pp: TOL_PP,
                p_one_within_tol: p1,
                p_three_within_tol: p1 * p1 * 0.75,
                p_one_nearest_integer: pn,
                p_two_nearest_integer: pn * pn,
                p_three_nearest_integer: pn * pn * 0.75,
                one_in_three_within_tol: 1.0 / (p1 * p1 * 0.75),
                one_in_two_nearest: 1.0 / (pn * pn),
                one_in_three_nearest: 1.0 / (pn * pn * 0.75),
            },
            sim_smooth: (run && o.smooth_draws > 0).then(|| sim_smooth(&comp, total, o)),
            sim_table_bootstrap: if run {
                sim_bootstrap(d, &comp, o)
            } else {
                None
            },
        },
    }
}
