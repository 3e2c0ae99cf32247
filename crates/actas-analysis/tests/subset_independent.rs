//! On a seeded random subset of the real tables, the report's figures equal values computed here
//! by direct formulas: the report computes from its input and stores nothing.

mod common;

use std::collections::{HashMap, HashSet};

use actas_analysis::{Options, report};
use actas_core::{Level, TableResult};

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[track_caller]
fn close(what: &str, a: f64, b: f64, rel: f64) {
    let ok = if b == 0.0 {
        a.abs() < 1e-12
    } else {
        ((a - b) / b).abs() <= rel
    };
    assert!(ok, "{what}: report {a:e}, direct {b:e}");
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn random_subset_matches_direct_formulas() {
    if !common::shared_available() {
        return;
    }
    let election = actas_core::ve2024::election();
    let all = common::v1_results(&election);
    let mut st = 0x5EED_2024u64;
    let sub: Vec<TableResult> = all
        .iter()
        .filter(|_| splitmix(&mut st) % 100 < 12)
        .cloned()
        .collect();
    assert!(sub.len() > 2000 && sub.len() < 4000, "{}", sub.len());
    let opts = Options {
        smooth_draws: 0,
        bootstrap_draws: 0,
        benford_null_reps: 0,
        klimek: false,
        ..Options::default()
    };
    let r = report(&election, &sub, &opts);
    let ci = |id: &str| election.candidate_index(id).unwrap();
    let (eg, nm) = (ci("EG"), ci("NM"));

    // Totals.
    let n = sub.len();
    assert_eq!(r.totals.tables, n as u64);
    assert_ne!(r.totals.tables, all.len() as u64);
    let centres: HashSet<_> = sub.iter().map(|t| t.table.centre).collect();
    assert_eq!(r.totals.centres, centres.len() as u64);
    for (c, cand) in election.candidates.iter().enumerate() {
        let s: u64 = sub.iter().map(|t| t.votes[c]).sum();
        assert_eq!(r.totals.votes[&cand.id], s, "{}", cand.id);
    }
    let valid: u64 = sub.iter().map(|t| t.valid).sum();
    let null: u64 = sub.iter().map(|t| t.null).sum();
    let re: u64 = sub.iter().map(|t| t.registered.unwrap()).sum();
    assert_eq!(
        (r.totals.valid, r.totals.null, r.totals.registered_sum),
        (valid, null, re)
    );
    close(
        "coverage",
        r.totals.coverage_tables_pct.unwrap(),
        100.0 * n as f64 / 30_026.0,
        1e-12,
    );
    let egv: u64 = sub.iter().map(|t| t.votes[eg]).sum();
    let nmv: u64 = sub.iter().map(|t| t.votes[nm]).sum();
    assert_eq!(r.totals.leader, "EG");
    assert_eq!(r.totals.margin, egv as i64 - nmv as i64);

    // By state.
    let mut by: HashMap<String, (u64, u64, u64)> = HashMap::new();
    for t in &sub {
        let e = by
            .entry(t.table.centre.place_code(Level::State))
            .or_default();
        e.0 += 1;
        e.1 += t.votes[eg];
        e.2 += t.registered.unwrap();
    }
    assert_eq!(r.by_state.len(), by.len());
    for s in &r.by_state {
        let (k, v, reg) = by[&s.code];
        assert_eq!(
            (s.tables, s.votes["EG"], s.registered),
            (k, v, reg),
            "{}",
            s.code
        );
    }

    // Turnout.
    let t: Vec<f64> = sub
        .iter()
        .map(|x| (x.valid + x.null) as f64 / x.registered.unwrap() as f64)
        .collect();
    let m = mean(&t);
    let sd = (t.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let tu = r.turnout.as_ref().unwrap();
    close("turnout mean", tu.mean, m, 1e-12);
    close("turnout sd", tu.sd, sd, 1e-9);
    assert_eq!(tu.n_gt_0p9, t.iter().filter(|&&x| x > 0.9).count() as u64);
    close(
        "turnout max",
        tu.max,
        t.iter().cloned().fold(0.0, f64::max),
        0.0,
    );

    // Worst case A, B and D.
    let w = &r.worst_case[0];
    let missing = 21_392_464 - re;
    assert_eq!(w.missing_registered, missing);
    assert_eq!(w.missing_tables, 30_026 - n as u64);
    let a = &w.a_all_missing_registered_for_runner_up;
    assert_eq!(a.votes["NM"], nmv + missing);
    assert_eq!(a.leader_lead, egv as i64 - (nmv + missing) as i64);
    let turnout = (valid + null) as f64 / re as f64;
    close(
        "B lead",
        w.b_observed_turnout_all_for_runner_up.leader_lead,
        egv as f64 - nmv as f64 - missing as f64 * turnout,
        1e-12,
    );
    close(
        "D",
        w.d_turnout_needed_all_for_runner_up,
        (egv - nmv) as f64 / missing as f64,
        1e-12,
    );

    // Ratio projection for EG per registered voter, simple and clustered standard errors.
    let p = r.projection.as_ref().unwrap();
    let rr = egv as f64 / re as f64;
    let f = n as f64 / 30_026.0;
    let e: Vec<f64> = sub
        .iter()
        .map(|x| x.votes[eg] as f64 - rr * x.registered.unwrap() as f64)
        .collect();
    let me = mean(&e);
    let s2 = e.iter().map(|v| (v - me).powi(2)).sum::<f64>() / (n - 1) as f64;
    let xbar = re as f64 / n as f64;
    let se_srs = ((1.0 - f) / (n as f64 * xbar * xbar) * s2).sqrt();
    let mut cl: HashMap<_, f64> = HashMap::new();
    for (x, ei) in sub.iter().zip(&e) {
        *cl.entry(x.table.centre).or_default() += ei;
    }
    let mc = cl.len() as f64;
    let se_cl = ((1.0 - f) * mc / (mc - 1.0) * cl.values().map(|v| v * v).sum::<f64>()
        / (re as f64).powi(2))
    .sqrt();
    let pe = &p.per_registered["EG"];
    close("R", pe.r_per_registered, rr, 1e-12);
    close("se srs", pe.se_r_srs, se_srs, 1e-9);
    close("se cluster", pe.se_r_cluster, se_cl, 1e-9);
    close("projected", pe.projected_total, rr * 21_392_464.0, 1e-12);

    // Digits: second digit read from the decimal string, last digit, Beber-Scacco.
    let counts: Vec<u64> = sub
        .iter()
        .map(|x| x.votes[nm])
        .filter(|&v| v >= 10)
        .collect();
    let mut second = [0u64; 10];
    let mut last = [0u64; 10];
    let mut repeated = 0u64;
    for &c in &counts {
        let s = c.to_string();
        let b = s.as_bytes();
        second[(b[1] - b'0') as usize] += 1;
        last[(b[b.len() - 1] - b'0') as usize] += 1;
        repeated += (b[b.len() - 1] == b[b.len() - 2]) as u64;
    }
    let ds = &r.forensics.digits.series["NM"];
    assert_eq!(ds.second_digit.as_ref().unwrap().counts, second);
    let ld = ds.last_digit.as_ref().unwrap();
    assert_eq!(ld.counts, last);
    let nn = counts.len() as f64;
    let chi2: f64 = last
        .iter()
        .map(|&o| (o as f64 - nn / 10.0).powi(2) / (nn / 10.0))
        .sum();
    close("last chi2", ld.chi2, chi2, 1e-12);
    close(
        "repeated",
        ds.beber_scacco.as_ref().unwrap().repeated_share,
        repeated as f64 / nn,
        1e-12,
    );

    // Integer percentages of turnout: observed count, and expected from a log-space recurrence
    // of the binomial probabilities (independent of the report's log-gamma).
    let mut obs = 0u64;
    let mut expct = 0.0;
    for x in &sub {
        let (k, nt) = (x.valid + x.null, x.registered.unwrap());
        if k > nt {
            continue;
        }
        obs += ((100 * k) % nt == 0) as u64;
        let pr = k as f64 / nt as f64;
        if k == 0 || k == nt {
            expct += 1.0;
            continue;
        }
        let mut lp = nt as f64 * (1.0 - pr).ln();
        let step_odds = (pr / (1.0 - pr)).ln();
        for j in 0..=nt {
            if (100 * j) % nt == 0 {
                expct += lp.exp();
            }
            lp += ((nt - j) as f64 / (j + 1) as f64).ln() + step_odds;
        }
    }
    let ip = &r.forensics.integer_percent["turnout"];
    assert_eq!(ip.observed, obs);
    close("integer % expected", ip.expected, expct, 1e-8);

    // Fingerprint: Pearson correlation of turnout and EG share.
    let s: Vec<f64> = sub
        .iter()
        .map(|x| x.votes[eg] as f64 / x.valid as f64)
        .collect();
    let (mt, ms) = (mean(&t), mean(&s));
    let cov: f64 = t.iter().zip(&s).map(|(a, b)| (a - mt) * (b - ms)).sum();
    let vt: f64 = t.iter().map(|a| (a - mt).powi(2)).sum();
    let vs: f64 = s.iter().map(|b| (b - ms).powi(2)).sum();
    close(
        "pearson",
        r.forensics.fingerprint["EG"].pearson_turnout_share,
        cov / (vt * vs).sqrt(),
        1e-9,
    );

    // Shpilkin: 1-point bins with edges k × 0.01 (the reference's convention), mode by valid
    // votes, clean ratio over the bins up to the mode.
    let mut wb = [0u64; 100];
    let mut vb = [0u64; 100];
    for (x, &ti) in sub.iter().zip(&t) {
        if ti > 1.0 {
            continue;
        }
        let b = (0..100).rev().find(|&k| ti >= k as f64 * 0.01).unwrap();
        wb[b] += x.votes[nm];
        vb[b] += x.valid;
    }
    let mode = (0..100)
        .max_by_key(|&b| (vb[b], std::cmp::Reverse(b)))
        .unwrap();
    let cw: u64 = wb[..=mode].iter().sum();
    let cv: u64 = vb[..=mode].iter().sum();
    let sp = &r.forensics.shpilkin["NM"];
    assert_eq!(sp.mode_turnout_bin_pct as usize, mode);
    close(
        "clean ratio",
        sp.clean_ratio,
        cw as f64 / (cv - cw) as f64,
        1e-12,
    );
}
