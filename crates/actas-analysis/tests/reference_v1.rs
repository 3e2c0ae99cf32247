//! Every part-C figure of `forensics-reference-v1.json` that the report covers, checked on the
//! real V1 actas: exact integers exactly, floats to 1e-9 relative, simulations within their
//! statistical tolerance (the RNG streams differ from the NumPy reference).

mod common;

use std::sync::OnceLock;

use actas_analysis::{Options, Report, report};
use serde_json::Value;

const REL: f64 = 1e-9;

struct Fixture {
    report: Report,
    reference: Value,
    opts: Options,
}

/// Simulation sizes for the test (the benchmark uses the full defaults).
fn test_options() -> Options {
    let mut o = Options {
        smooth_draws: 4_000_000,
        bootstrap_draws: 1_000,
        benford_null_reps: 100,
        ..Options::default()
    };
    o.bulletin_tables_fraction
        .insert("CNE boletín 1".into(), 0.8);
    o.bulletin_tables_fraction
        .insert("CNE boletín 2".into(), 0.9687);
    o
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        if !common::shared_available() {
            return None;
        }
        let election = actas_core::ve2024::election();
        let results = common::v1_results(&election);
        let opts = test_options();
        let report = report(&election, &results, &opts);
        let reference: Value = serde_json::from_str(
            &std::fs::read_to_string(actas_testkit::shared::forensics_reference()).unwrap(),
        )
        .unwrap();
        Some(Fixture {
            report,
            reference,
            opts,
        })
    })
    .as_ref()
}

/// The report as JSON, to address figures by path like the reference.
fn json(f: &Fixture) -> Value {
    serde_json::to_value(&f.report).unwrap()
}

#[track_caller]
fn close(what: &str, actual: f64, expected: f64) {
    let ok = if expected == 0.0 {
        actual.abs() < 1e-12
    } else {
        ((actual - expected) / expected).abs() <= REL
    };
    assert!(ok, "{what}: got {actual:e}, reference {expected:e}");
}

fn f(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"))
}

fn u(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("expected an integer, got {v}"))
}

fn i(v: &Value) -> i64 {
    v.as_i64()
        .unwrap_or_else(|| panic!("expected an integer, got {v}"))
}

#[track_caller]
fn close_v(what: &str, actual: &Value, expected: &Value) {
    let (Some(a), Some(e)) = (actual.as_f64(), expected.as_f64()) else {
        panic!("{what}: expected numbers, got {actual} and reference {expected}");
    };
    close(what, a, e);
}

#[track_caller]
fn same_int(what: &str, actual: &Value, expected: &Value) {
    assert_eq!(u(actual), u(expected), "{what}");
}

#[test]
fn c1_totals() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    let t = &r["totals"];
    let rf = &fx.reference["v1_totals"];
    same_int("n_actas", &t["tables"], &rf["n_actas"]);
    same_int("n_centros", &t["centres"], &rf["n_centros"]);
    same_int("n_parroquias", &t["parishes"], &rf["n_parroquias"]);
    for id in [
        "EG", "NM", "LM", "JABE", "JOBR", "AE", "CF", "DC", "EM", "BERA",
    ] {
        same_int(id, &t["votes"][id], &rf["votes"][id]);
        close_v(id, &t["pct_of_valid"][id], &rf["pct_of_valid"][id]);
    }
    same_int("OTROS", &t["others"], &rf["votes"]["OTROS"]);
    close_v(
        "OTROS pct",
        &t["others_pct_of_valid"],
        &rf["pct_of_valid"]["OTROS"],
    );
    same_int("valid", &t["valid"], &rf["votes"]["VOTOS_VALIDOS"]);
    same_int("null", &t["null"], &rf["votes"]["VOTOS_NULOS"]);
    same_int("cast", &t["cast"], &rf["votes"]["EMITIDOS"]);
    assert_eq!(i(&t["margin"]), i(&rf["margin_EG_minus_NM"]));
    assert_eq!(t["leader"], "EG");
    assert_eq!(t["runner_up"], "NM");
    close_v(
        "coverage tables",
        &t["coverage_tables_pct"],
        &rf["coverage_tables_pct"],
    );
    same_int("RE_sum", &t["registered_sum"], &rf["RE_sum"]);
    close_v(
        "coverage RE total",
        &t["coverage_registered_pct_of_total"],
        &rf["coverage_RE_pct_of_total"],
    );
    close_v(
        "coverage RE in country",
        &t["coverage_registered_pct_of_in_country"],
        &rf["coverage_RE_pct_of_in_country"],
    );
    close_v(
        "turnout cast",
        &t["turnout_cast_over_registered"],
        &rf["turnout_aggregate_emitidos_over_RE"],
    );
    close_v(
        "turnout valid",
        &t["turnout_valid_over_registered"],
        &rf["turnout_aggregate_valid_over_RE"],
    );
    let ig = &t["integrity"];
    same_int(
        "valid≠sum",
        &ig["rows_valid_ne_sum"],
        &rf["integrity"]["rows_valid_ne_sum"],
    );
    same_int(
        "dups",
        &ig["duplicate_tables"],
        &rf["integrity"]["dup_centro_mesa"],
    );
    same_int(
        "cast>RE",
        &ig["rows_cast_gt_registered"],
        &rf["rows_emitidos_gt_RE"],
    );
    assert_eq!(u(&ig["rows_without_registered"]), 0);
}

#[test]
fn c1_by_state() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    let states = r["by_state"].as_array().unwrap();
    let refs = fx.reference["v1_by_state"].as_array().unwrap();
    assert_eq!(states.len(), refs.len());
    for rs in refs {
        let code = format!("{:02}", u(&rs["cod"]));
        let s = states
            .iter()
            .find(|s| s["code"] == code.as_str())
            .unwrap_or_else(|| panic!("state {code} missing"));
        same_int(&code, &s["tables"], &rs["n_actas"]);
        same_int(&code, &s["votes"]["EG"], &rs["EG"]);
        same_int(&code, &s["votes"]["NM"], &rs["NM"]);
        same_int(&code, &s["others"], &rs["OTROS"]);
        same_int(&code, &s["valid"], &rs["VALIDOS"]);
        same_int(&code, &s["registered"], &rs["RE"]);
        close_v(&code, &s["pct_of_valid"]["EG"], &rs["EG_pct"]);
        close_v(&code, &s["pct_of_valid"]["NM"], &rs["NM_pct"]);
        close_v(&code, &s["turnout_valid_over_registered"], &rs["turnout"]);
    }
}

#[test]
fn c2_turnout() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    let t = &r["turnout"];
    let rf = &fx.reference["turnout_v1"];
    for k in [
        "mean",
        "median",
        "sd",
        "min",
        "max",
        "skew",
        "kurtosis_excess",
    ] {
        close_v(k, &t[k], &rf[k]);
    }
    for (k, v) in rf["quantiles"].as_object().unwrap() {
        close_v(k, &t["quantiles"][k], v);
    }
    for k in ["n_gt_0p9", "n_gt_0p95", "n_eq_1", "n_lt_0p2"] {
        same_int(k, &t[k], &rf[k]);
    }
    assert_eq!(t["hist_1pct_bins"], rf["hist_1pct_bins"]);
    close_v(
        "mode",
        &t["mode_bin_lower_edge"],
        &rf["mode_bin_lower_edge"],
    );
}

#[test]
fn c3_fingerprint_and_klimek() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    for id in ["EG", "NM"] {
        let fp = &r["forensics"]["fingerprint"][id];
        let rf = &fx.reference["fingerprint_v1"][id];
        for k in [
            "pearson_turnout_share",
            "spearman_turnout_share",
            "share_mean",
            "share_sd",
            "share_skew",
            "share_kurtosis_excess",
        ] {
            close_v(&format!("{id} {k}"), &fp[k], &rf[k]);
        }
        for k in [
            "n_turnout_gt95_and_share_gt95",
            "n_share_gt_0p9",
            "n_share_lt_0p1",
        ] {
            same_int(&format!("{id} {k}"), &fp[k], &rf[k]);
        }
        close_v("peak t", &fp["peak_cell"][0], &rf["peak_cell"][0]);
        close_v("peak v", &fp["peak_cell"][1], &rf["peak_cell"][1]);

        // Klimek grid fit: the model parameters are deterministic; the fit is simulated.
        let kl = &r["forensics"]["klimek_fit"][id];
        let rk = &fx.reference["klimek_fit_v1"][id];
        for (k, v) in rk["model_params"].as_object().unwrap() {
            close_v(&format!("{id} klimek {k}"), &kl["model_params"][k], v);
        }
        assert_eq!(kl["grid"], rk["grid"]);
        // The reference fit (EG 0/0, NM 0.07/0) must be among the points our simulation cannot
        // tell apart from the best (within 1 % of the best distance), and no extreme fraud.
        let (fi, fe, l2) = (f(&kl["f_i"]), f(&kl["f_e"]), f(&kl["l2"]));
        assert_eq!(fe, 0.0, "{id} f_e");
        let (rfi, rfe) = (f(&rk["f_i"]), f(&rk["f_e"]));
        let at = |a: f64, b: f64| {
            f(&kl["l2_grid"][(a * 100.0).round() as usize][(b * 100.0).round() as usize])
        };
        assert!(
            at(rfi, rfe) <= 1.01 * l2,
            "{id}: reference point not within noise"
        );
        let range = &kl["f_i_within_1pct"];
        assert!(
            f(&range[0]) <= rfi && rfi <= f(&range[1]),
            "{id} range {range}"
        );
        if id == "EG" {
            assert!(
                fi <= 0.02 && f(&range[1]) <= 0.03,
                "EG f_i {fi} (reference 0)"
            );
        }
        let rl2 = f(&rk["l2"]);
        assert!(l2 > 0.5 * rl2 && l2 < 2.0 * rl2, "{id} l2 {l2} vs {rl2}");
    }
}

#[test]
fn c4_shpilkin() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    for id in ["EG", "NM"] {
        let s = &r["forensics"]["shpilkin"][id];
        let rf = &fx.reference["shpilkin_v1"][id];
        same_int(
            "mode",
            &s["mode_turnout_bin_pct"],
            &rf["mode_turnout_bin_pct"],
        );
        same_int("total", &s["total_cand_votes"], &rf["total_cand_votes"]);
        for k in [
            "clean_ratio",
            "clean_share",
            "excess_votes_positive_bins",
            "net_excess_votes_above_mode",
            "excess_pct_of_cand",
        ] {
            close_v(&format!("{id} {k}"), &s[k], &rf[k]);
        }
        let (a, b) = (
            s["share_by_turnout_decile"].as_array().unwrap(),
            rf["share_by_turnout_decile"].as_array().unwrap(),
        );
        assert_eq!(a.len(), 10);
        for (x, y) in a.iter().zip(b) {
            close_v(&format!("{id} decile"), x, y);
        }
    }
}

fn check_last_digit(what: &str, a: &Value, b: &Value) {
    same_int(what, &a["n"], &b["n"]);
    same_int(what, &a["min_count"], &b["min_count"]);
    assert_eq!(a["counts"], b["counts"], "{what} counts");
    for k in [
        "chi2", "p_chi2", "mean", "z_mean", "p_mean", "C05s", "z_C05s", "p_C05s",
    ] {
        close_v(&format!("{what} {k}"), &a[k], &b[k]);
    }
}

#[test]
fn c5_digits() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    let dg = &r["forensics"]["digits"];
    let rf = &fx.reference["digits_v1"];
    for (k, v) in dg["benford2_expected_probs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(rf["benford2_expected_probs"].as_array().unwrap())
    {
        close_v("benford p", k, v);
    }
    for (ours, theirs) in [("EG", "EG"), ("NM", "NM"), ("valid", "VOTOS_VALIDOS")] {
        let s = &dg["series"][ours];
        let rs = &rf[theirs];
        let (a, b) = (&s["second_digit"], &rs["second_digit"]);
        same_int(theirs, &a["n"], &b["n"]);
        assert_eq!(a["counts"], b["counts"], "{theirs} 2BL counts");
        for (x, y) in a["expected"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["expected"].as_array().unwrap())
        {
            close_v("expected", x, y);
        }
        for k in [
            "chi2",
            "p_chi2",
            "mean",
            "expected_mean",
            "z_mean",
            "p_mean",
        ] {
            close_v(&format!("{theirs} 2BL {k}"), &a[k], &b[k]);
        }
        close_v("ci lo", &a["mean_ci95"][0], &b["mean_ci95"][0]);
        close_v("ci hi", &a["mean_ci95"][1], &b["mean_ci95"][1]);
        check_last_digit(
            &format!("{theirs} last"),
            &s["last_digit"],
            &rs["last_digit"],
        );
        if ours == "valid" {
            continue;
        }
        check_last_digit(
            &format!("{theirs} last all"),
            &s["last_digit_all"],
            &rs["last_digit_all"],
        );
        let (a, b) = (&s["beber_scacco"], &rs["beber_scacco"]);
        same_int("bs n", &a["n"], &b["n"]);
        for k in [
            "repeated_share",
            "p_repeated",
            "adjacent_share",
            "p_adjacent",
        ] {
            close_v(&format!("{theirs} {k}"), &a[k], &b[k]);
        }
        let (a, b) = (&s["P05s_share"], &rs["P05s_share"]);
        same_int("P05s n", &a["n"], &b["n"]);
        close_v("P05s share", &a["share"], &b["share"]);
        close_v("P05s z", &a["z"], &b["z"]);

        // Simulation null: the reference used 200 NumPy replications, we use our own stream.
        let (a, b) = (&s["second_digit_sim_null"], &rs["second_digit_sim_null"]);
        let reps = fx.opts.benford_null_reps as f64;
        let (m, sd, z) = (f(&a["null_mean"]), f(&a["null_sd"]), f(&a["z"]));
        let (rm, rsd, rz) = (f(&b["null_mean"]), f(&b["null_sd"]), f(&b["z"]));
        let tol = 5.0 * (sd * sd / reps + rsd * rsd / 200.0).sqrt();
        assert!(
            (m - rm).abs() <= tol,
            "{theirs} null mean {m} vs {rm} (tol {tol})"
        );
        assert!(
            (sd / rsd - 1.0).abs() < 0.3,
            "{theirs} null sd {sd} vs {rsd}"
        );
        assert!(
            (z - rz).abs() <= 0.35 * rz.abs() + 1.0,
            "{theirs} null z {z} vs {rz}"
        );
        close_v("observed", &a["observed"], &b["observed"]);
    }
    let (a, b) = (&dg["P05s_turnout"], &rf["P05s_turnout"]);
    same_int("P05s turnout n", &a["n"], &b["n"]);
    close_v("P05s turnout", &a["share"], &b["share"]);
    close_v("P05s turnout z", &a["z"], &b["z"]);
}

#[test]
fn c6_integer_percent() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    for key in ["turnout", "NM_share", "EG_share"] {
        let a = &r["forensics"]["integer_percent"][key];
        let b = &fx.reference["integer_percent_v1"][key];
        same_int(key, &a["observed"], &b["observed"]);
        for k in ["expected", "z", "p_one_sided"] {
            close_v(&format!("{key} {k}"), &a[k], &b[k]);
        }
    }
}

#[test]
fn c7_worst_case() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    let ws = r["worst_case"].as_array().unwrap();
    for (ours, theirs) in [
        ("registered_total", "v1_re_total"),
        ("registered_in_country", "v1_re_in_country"),
    ] {
        let w = ws.iter().find(|w| w["universe"] == ours).unwrap();
        let b = &fx.reference["worst_case"][theirs];
        same_int("re_total", &w["registered_total"], &b["re_total"]);
        same_int("tables_total", &w["tables_total"], &b["tables_total"]);
        same_int("missing_tables", &w["missing_tables"], &b["missing_tables"]);
        same_int("missing_RE", &w["missing_registered"], &b["missing_RE"]);
        assert_eq!(i(&w["gap"]), i(&b["gap_EG_minus_NM"]));
        close_v(
            "mean missing",
            &w["mean_registered_missing_table"],
            &b["mean_RE_missing_table"],
        );
        close_v("turnout", &w["observed_turnout"], &b["observed_turnout"]);
        let a = &w["a_all_missing_registered_for_runner_up"];
        let ra = &b["A_all_missing_RE_vote_NM"];
        same_int("A NM", &a["votes"]["NM"], &ra["NM"]);
        same_int("A EG", &a["votes"]["EG"], &ra["EG"]);
        assert_eq!(i(&a["leader_lead"]), i(&ra["EG_lead"]));
        assert_eq!(a["overturned"], ra["overturned"]);
        let bb = &w["b_observed_turnout_all_for_runner_up"];
        let rb = &b["B_observed_turnout_all_NM"];
        close_v("B missing", &bb["missing_votes"], &rb["missing_votes"]);
        close_v("B NM", &bb["votes"]["NM"], &rb["NM"]);
        close_v("B EG", &bb["votes"]["EG"], &rb["EG"]);
        close_v("B lead", &bb["leader_lead"], &rb["EG_lead"]);
        for (k, rk) in [
            (
                "c_runner_up_share_needed_full_turnout",
                "C_needed_NM_share_at_100pct_turnout",
            ),
            (
                "c_runner_up_share_needed_observed_turnout",
                "C_needed_NM_share_at_obs_turnout",
            ),
            (
                "d_turnout_needed_all_for_runner_up",
                "D_turnout_needed_if_100pct_NM",
            ),
            (
                "e_tables_needed_at_mean_missing_registered",
                "E_tables_needed_at_mean_missing_RE",
            ),
            (
                "e_tables_needed_at_mean_observed_registered",
                "E_tables_needed_at_mean_observed_RE",
            ),
            (
                "e_share_of_missing_tables_needed",
                "E_share_of_missing_tables_needed",
            ),
            (
                "f_runner_up_share_needed_observed_turnout_and_others",
                "F_needed_NM_share_obs_turnout_obs_others",
            ),
        ] {
            close_v(&format!("{theirs} {k}"), &w[k], &b[rk]);
        }
        let g = &w["g_missing_like_runner_up_best_decile"];
        let rg = &b["G_missing_like_top_decile_NM"];
        close_v("G NM/RE", &g["per_registered"]["NM"], &rg["NM_per_RE"]);
        close_v("G EG/RE", &g["per_registered"]["EG"], &rg["EG_per_RE"]);
        close_v("G NM", &g["votes"]["NM"], &rg["NM"]);
        close_v("G EG", &g["votes"]["EG"], &rg["EG"]);
        close_v("G lead", &g["leader_lead"], &rg["EG_lead"]);
    }
}

#[test]
fn c8_ratio_projection() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    let p = &r["projection"];
    assert_eq!(p["assumption"], "missing_at_random");
    let rf = &fx.reference["ratio_projection_v1"];
    for (ours, theirs) in [
        ("EG", "EG"),
        ("NM", "NM"),
        ("others", "OTROS"),
        ("valid", "VOTOS_VALIDOS"),
    ] {
        let a = &p["per_registered"][ours];
        let b = &rf[theirs];
        for (k, rk) in [
            ("se_r_srs", "se_R_srs"),
            ("se_r_cluster", "se_R_cluster"),
            ("projected_total", "projected_total"),
        ] {
            close_v(&format!("{theirs} {k}"), &a[k], &b[rk]);
        }
        close_v("R", &a["r_per_registered"], &b["R_per_registered"]);
        for ci in ["ci95_srs", "ci95_cluster"] {
            close_v(ci, &a[ci][0], &b[ci][0]);
            close_v(ci, &a[ci][1], &b[ci][1]);
        }
    }
    for id in ["EG", "NM"] {
        let a = &p["shares"][id];
        let b = &rf[format!("{id}_share")];
        for k in ["p", "se_srs", "se_cluster"] {
            close_v(&format!("{id} share {k}"), &a[k], &b[k]);
        }
        close_v("share ci", &a["ci95_cluster"][0], &b["ci95_cluster"][0]);
        close_v("share ci", &a["ci95_cluster"][1], &b["ci95_cluster"][1]);
    }
    let st = &p["stratified_shares"]["EG"];
    let rs = &fx.reference["stratified_share_v1"];
    close_v("stratified", &st["estimate"], &rs["EG_share_stratified"]);
    close_v("stratified se", &st["se_srs_no_fpc"], &rs["se"]);
}

#[test]
fn c9_official_and_round_decimals() {
    let Some(fx) = fixture() else { return };
    let r = json(fx);
    let off = r["official"].as_array().unwrap();
    let (b1, b2) = (&off[0], &off[1]);
    let cc = &fx.reference["cne_comparison"];
    assert_eq!(
        i(&b1["diff_bulletin_minus_actas"]["NM"]),
        i(&cc["cne1_NM_minus_actas_NM"])
    );
    assert_eq!(
        i(&b2["diff_bulletin_minus_actas"]["NM"]),
        i(&cc["cne2_NM_minus_actas_NM"])
    );
    assert_eq!(
        i(&b2["diff_bulletin_minus_actas"]["EG"]),
        i(&cc["cne2_EG_minus_actas_EG"])
    );
    assert_eq!(b2["bulletin_top"], "NM");
    assert_eq!(
        i(&b2["actas_leader_minus_bulletin_top"]),
        i(&cc["actas_EG_exceeds_cne2_NM_by"])
    );
    let pt = &b1["per_table"];
    close_v(
        "cne1 NM/table",
        &pt["bulletin_top_per_table"],
        &cc["cne1_NM_per_table_at_80pct"],
    );
    close_v(
        "actas NM/table",
        &pt["actas_top_per_table"],
        &cc["actas_NM_per_table"],
    );
    close_v(
        "cne1 total/table",
        &pt["bulletin_total_per_table"],
        &cc["cne1_total_per_table_at_80pct"],
    );
    close_v(
        "actas valid/table",
        &pt["actas_valid_per_table"],
        &cc["actas_valid_per_table"],
    );

    let rd = &b1["round_decimal"];
    let rr = &fx.reference["cne_round_decimals"];
    same_int("T", &rd["total"], &rr["inputs"]["TOTAL"]);
    assert_eq!(rd["sum_check"], rr["sum_check"]);
    let comps = rd["components"].as_array().unwrap();
    for (ours, theirs) in [("NM", "NM"), ("EG", "EG"), ("others", "OTHERS")] {
        let c = comps.iter().find(|c| c["id"] == ours).unwrap();
        same_int(theirs, &c["count"], &rr["inputs"][theirs]);
        assert_eq!(c["exact_pct"], rr["exact_pct"][theirs]);
        close_v(
            "dev",
            &c["dev_from_one_decimal_pp"],
            &rr["dev_from_one_decimal_pp"][theirs],
        );
        close_v(
            "count − p·T",
            &c["count_minus_round_pct_times_total"],
            &rr["count_minus_round_pct_times_T"][theirs],
        );
        assert_eq!(
            c["nearest_integer"],
            rr["nearest_integer_to_round_pct"][theirs]
        );
    }
    assert_eq!(u(&rd["hits_nearest_integer"]), 3);
    let (a, b) = (&rd["analytic"], &rr["analytic"]);
    for (k, v) in b.as_object().unwrap() {
        close_v(&format!("analytic {k}"), &a[k], v);
    }

    // Smooth-prior simulation: binomial/Poisson tolerances around the reference rates.
    let s = &rd["sim_smooth"];
    let rs = &rr["sim_smooth"];
    let n = u(&s["n"]) as f64;
    assert_eq!(n as u64, fx.opts.smooth_draws);
    let nr = f(&rs["n"]);
    for (x, y) in s["hit_rate_each"]
        .as_array()
        .unwrap()
        .iter()
        .zip(rs["hit_rate_each"].as_array().unwrap())
    {
        let (x, y) = (f(x), f(y));
        let tol = 5.0 * (y / n + y / nr).sqrt();
        assert!((x - y).abs() <= tol, "smooth hit rate {x} vs {y}");
    }
    let lambda = f(&rs["rate_all_three"]) * n;
    let hits = f(&s["hits_all_within_tol"]);
    assert!(
        (hits - lambda).abs() <= 5.0 * lambda.sqrt() + 3.0,
        "all-three hits {hits} vs expected {lambda}"
    );
    let lambda_near = f(&a["p_three_nearest_integer"]) * n;
    assert!(f(&s["hits_all_nearest_integer"]) <= lambda_near + 5.0 * lambda_near.sqrt() + 3.0);

    // Table bootstrap.
    let s = &rd["sim_table_bootstrap"];
    let rs = &rr["sim_table_bootstrap"];
    same_int(
        "tables per sim",
        &s["tables_per_sim"],
        &rs["tables_per_sim"],
    );
    let n = u(&s["n"]) as f64;
    for (x, y) in s["hit_rate_each"]
        .as_array()
        .unwrap()
        .iter()
        .zip(rs["hit_rate_each"].as_array().unwrap())
    {
        let (x, y) = (f(x), f(y).max(1e-3));
        assert!(
            x <= y + 5.0 * (y / n).sqrt() + 3.0 / n,
            "bootstrap hit rate {x} vs {y}"
        );
    }
    assert!(u(&s["joint_top_two"]) <= 3);
    let sd = f(&s["sd_top_pct"]);
    let rsd = f(&rs["sd_NM_pct"]);
    assert!(
        (sd / rsd - 1.0).abs() < 5.0 / (2.0 * n).sqrt() + 0.02,
        "sd {sd} vs {rsd}"
    );
    assert!(f(&s["ks_uniform_fractional_part_top"]["p"]) > 1e-3);
    // The second bulletin has no round-decimal pattern: no simulation is run for it.
    assert!(b2["round_decimal"]["sim_smooth"].is_null());
}
