//! Section 2: what the missing tables could change, without any assumption on how they voted.
//!
//! The runner-up is the second most voted candidate in the actas; every scenario gives the missing
//! tables as much as possible to the runner-up and asks whether the leader still leads.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::Data;
use crate::stats;

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInt {
    pub votes: BTreeMap<String, u64>,
    pub leader_lead: i64,
    pub overturned: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioF {
    /// Votes the scenario gives to the missing tables.
    pub missing_votes: f64,
    pub votes: BTreeMap<String, f64>,
    pub leader_lead: f64,
    pub overturned: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecileScenario {
    /// Observed tables in the runner-up's best decile (share of valid votes ≥ its 90th percentile).
    pub tables_in_decile: u64,
    /// Votes per registered voter in those tables.
    pub per_registered: BTreeMap<String, f64>,
    pub votes: BTreeMap<String, f64>,
    pub leader_lead: f64,
    pub overturned: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorstCase {
    /// `registered_total` or `registered_in_country`.
    pub universe: String,
    pub registered_total: u64,
    pub tables_total: u64,
    pub leader: String,
    pub runner_up: String,
    pub missing_tables: u64,
    /// Official registered voters minus those of the observed tables (the registered voters of
    /// observed tables that do not state them count as missing: a conservative choice).
    pub missing_registered: u64,
    pub mean_registered_missing_table: f64,
    pub mean_registered_observed_table: f64,
    /// Leader minus runner-up in the actas.
    pub gap: i64,
    /// Σ cast / Σ registered of the observed tables.
    pub observed_turnout: f64,
    /// A: every missing registered voter votes, all for the runner-up.
    pub a_all_missing_registered_for_runner_up: ScenarioInt,
    /// B: the missing tables vote at the observed turnout, all for the runner-up.
    pub b_observed_turnout_all_for_runner_up: ScenarioF,
    /// C: runner-up share of the missing votes needed to tie, the rest to the leader
    /// (others nothing), at 100 % turnout and at the observed turnout; > 1 is impossible.
    pub c_runner_up_share_needed_full_turnout: f64,
    pub c_runner_up_share_needed_observed_turnout: f64,
    /// D: turnout the missing tables would need if every vote went to the runner-up.
    pub d_turnout_needed_all_for_runner_up: f64,
    /// E: missing tables needed at 100 % turnout, all for the runner-up.
    pub e_tables_needed_at_mean_missing_registered: f64,
    pub e_tables_needed_at_mean_observed_registered: f64,
    pub e_share_of_missing_tables_needed: f64,
    /// F: like C at the observed turnout, with the others keeping their observed share.
    pub f_runner_up_share_needed_observed_turnout_and_others: f64,
    /// G: the missing registered voters vote like the runner-up's best decile of observed tables.
    pub g_missing_like_runner_up_best_decile: DecileScenario,
}

pub(crate) fn worst_cases(d: &Data) -> Vec<WorstCase> {
    let e = d.election;
    let (Some(total), Some(tables_total), Some(runner)) =
        (e.official.registered, e.official.tables, d.runner_up())
    else {
        return Vec::new();
    };
    let mut out = vec![("registered_total", total)];
    if let Some(abroad) = e.official.registered_abroad.filter(|&a| a > 0) {
        out.push(("registered_in_country", total.saturating_sub(abroad)));
    }
    let leader = d.leader();
    let (lid, rid) = (d.ids[leader].clone(), d.ids[runner].clone());
    let lv = d.total_votes[leader];
    let rv = d.total_votes[runner];
    let gap = lv as i64 - rv as i64;
    let mut re_sum = 0u64;
    let mut cast_re = 0u64;
    let mut n_re = 0u64;
    for (i, r) in d.with_registered() {
        re_sum += r;
        cast_re += d.cast(i);
        n_re += 1;
    }
    let valid: u64 = d.valid.iter().sum();
    let turnout = cast_re as f64 / re_sum as f64;
    let others_share = (valid - lv - rv) as f64 / valid as f64;

    // Runner-up's best decile by share of valid votes, among tables with registered voters.
    let shares: Vec<(usize, u64, f64)> = d
        .with_registered()
        .filter(|&(i, _)| d.valid[i] > 0)
        .map(|(i, r)| (i, r, d.votes[runner][i] as f64 / d.valid[i] as f64))
        .collect();
    let sorted = stats::sorted(&shares.iter().map(|s| s.2).collect::<Vec<_>>());
    let q90 = stats::quantile_sorted(&sorted, 0.9);
    let (mut dec_n, mut dec_re, mut dec_r, mut dec_l) = (0u64, 0u64, 0u64, 0u64);
    for &(i, r, s) in &shares {
        if s >= q90 {
            dec_n += 1;
            dec_re += r;
            dec_r += d.votes[runner][i];
            dec_l += d.votes[leader][i];
        }
    }
    let r_per = dec_r as f64 / dec_re as f64;
    let l_per = dec_l as f64 / dec_re as f64;

    out.into_iter()
        .map(|(universe, registered)| {
            let missing_tables = tables_total.saturating_sub(d.n() as u64);
            let missing_re = registered.saturating_sub(re_sum);
            let m = missing_re as f64;
            let mean_missing = m / missing_tables as f64;
            let mean_observed = re_sum as f64 / n_re as f64;
            let a_r = rv + missing_re;
            let b_missing = m * turnout;
            let b_r = rv as f64 + b_missing;
            let g_r = rv as f64 + r_per * m;
            let g_l = lv as f64 + l_per * m;
            WorstCase {
                universe: universe.to_string(),
                registered_total: registered,
                tables_total,
                leader: lid.clone(),
                runner_up: rid.clone(),
                missing_tables,
                missing_registered: missing_re,
                mean_registered_missing_table: mean_missing,
                mean_registered_observed_table: mean_observed,
                gap,
                observed_turnout: turnout,
                a_all_missing_registered_for_runner_up: ScenarioInt {
                    votes: [(rid.clone(), a_r), (lid.clone(), lv)].into(),
                    leader_lead: lv as i64 - a_r as i64,
                    overturned: a_r >= lv,
                },
                b_observed_turnout_all_for_runner_up: ScenarioF {
                    missing_votes: b_missing,
                    votes: [(rid.clone(), b_r), (lid.clone(), lv as f64)].into(),
                    leader_lead: lv as f64 - b_r,
                    overturned: b_r >= lv as f64,
                },
                c_runner_up_share_needed_full_turnout: (gap as f64 + m) / (2.0 * m),
                c_runner_up_share_needed_observed_turnout: (gap as f64 + b_missing)
                    / (2.0 * b_missing),
                d_turnout_needed_all_for_runner_up: gap as f64 / m,
                e_tables_needed_at_mean_missing_registered: gap as f64 / mean_missing,
                e_tables_needed_at_mean_observed_registered: gap as f64 / mean_observed,
                e_share_of_missing_tables_needed: gap as f64 / mean_missing / missing_tables as f64,
                f_runner_up_share_needed_observed_turnout_and_others: (gap as f64
                    + (1.0 - others_share) * b_missing)
                    / (2.0 * b_missing),
                g_missing_like_runner_up_best_decile: DecileScenario {
                    tables_in_decile: dec_n,
                    per_registered: [(rid.clone(), r_per), (lid.clone(), l_per)].into(),
                    votes: [(rid.clone(), g_r), (lid.clone(), g_l)].into(),
                    leader_lead: g_l - g_r,
                    overturned: g_r >= g_l,
                },
            }
        })
        .collect()
}
