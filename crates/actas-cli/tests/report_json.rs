//! `actas report --format json` on the real V1 actas imported through the CLI: figures named by
//! method and candidate id, equal to `forensics-reference-v1.json`.

mod report_support;

use report_support::{actas, artefacts, close, ok, reference, same_int, v1_data};
use serde_json::Value;

/// The report written with --out, shared by the tests of this file.
fn report() -> Option<&'static Value> {
    static R: std::sync::OnceLock<Option<Value>> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        let data = v1_data()?;
        let out = artefacts().join("report-v1.json");
        let _ = std::fs::remove_file(&out);
        ok(actas(
            data,
            &["report", "--quick", "--out", out.to_str().unwrap()],
        ));
        Some(serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap())
    })
    .as_ref()
}

#[test]
fn totals_and_coverage_equal_the_reference() {
    let Some(r) = report() else { return };
    let rf = reference();
    let (t, rt) = (&r["totals"], &rf["v1_totals"]);
    same_int("tables", &t["tables"], &rt["n_actas"]);
    same_int("centres", &t["centres"], &rt["n_centros"]);
    for id in ["EG", "NM", "LM", "BERA"] {
        same_int(id, &t["votes"][id], &rt["votes"][id]);
        close(id, &t["pct_of_valid"][id], &rt["pct_of_valid"][id]);
    }
    same_int("valid", &t["valid"], &rt["votes"]["VOTOS_VALIDOS"]);
    same_int("margin", &t["margin"], &rt["margin_EG_minus_NM"]);
    same_int("registered", &t["registered_sum"], &rt["RE_sum"]);
    close(
        "coverage of tables",
        &t["coverage_tables_pct"],
        &rt["coverage_tables_pct"],
    );
    close(
        "turnout",
        &t["turnout_cast_over_registered"],
        &rt["turnout_aggregate_emitidos_over_RE"],
    );
    assert_eq!(
        (&t["leader"], &t["runner_up"]),
        (&"EG".into(), &"NM".into())
    );
}

#[test]
fn worst_cases_equal_the_reference_for_both_universes() {
    let Some(r) = report() else { return };
    let rf = reference();
    let ws = r["worst_case"].as_array().unwrap();
    for (ours, theirs) in [
        ("registered_total", "v1_re_total"),
        ("registered_in_country", "v1_re_in_country"),
    ] {
        let w = ws
            .iter()
            .find(|w| w["universe"] == ours)
            .unwrap_or_else(|| panic!("worst case {ours} missing"));
        let b = &rf["worst_case"][theirs];
        same_int("missing tables", &w["missing_tables"], &b["missing_tables"]);
        same_int("missing RE", &w["missing_registered"], &b["missing_RE"]);
        let a = &w["a_all_missing_registered_for_runner_up"];
        same_int(
            "A NM",
            &a["votes"]["NM"],
            &b["A_all_missing_RE_vote_NM"]["NM"],
        );
        same_int(
            "A lead",
            &a["leader_lead"],
            &b["A_all_missing_RE_vote_NM"]["EG_lead"],
        );
        assert_eq!(a["overturned"], false, "{ours}");
        close(
            "C",
            &w["c_runner_up_share_needed_full_turnout"],
            &b["C_needed_NM_share_at_100pct_turnout"],
        );
        close(
            "E",
            &w["e_tables_needed_at_mean_missing_registered"],
            &b["E_tables_needed_at_mean_missing_RE"],
        );
        close(
            "G lead",
            &w["g_missing_like_runner_up_best_decile"]["leader_lead"],
            &b["G_missing_like_top_decile_NM"]["EG_lead"],
        );
    }
}

#[test]
fn projections_equal_the_reference() {
    let Some(r) = report() else { return };
    let rf = reference();
    let p = &r["projection"];
    assert_eq!(p["assumption"], "missing_at_random");
    let rp = &rf["ratio_projection_v1"];
    for id in ["EG", "NM"] {
        let a = &p["per_registered"][id];
        close(id, &a["projected_total"], &rp[id]["projected_total"]);
        close(id, &a["se_r_cluster"], &rp[id]["se_R_cluster"]);
        close(id, &a["ci95_cluster"][0], &rp[id]["ci95_cluster"][0]);
        close(id, &a["ci95_cluster"][1], &rp[id]["ci95_cluster"][1]);
        let share = &rp[format!("{id}_share")];
        close(id, &p["shares"][id]["se_cluster"], &share["se_cluster"]);
    }
    close(
        "stratified EG share",
        &p["stratified_shares"]["EG"]["estimate"],
        &rf["stratified_share_v1"]["EG_share_stratified"],
    );
}

#[test]
fn official_bulletins_and_the_round_decimal_test_equal_the_reference() {
    let Some(r) = report() else { return };
    let rf = reference();
    let off = r["official"].as_array().unwrap();
    assert_eq!(off.len(), 2, "the two bulletins of the election definition");
    let cc = &rf["cne_comparison"];
    same_int(
        "CNE 1 NM − actas",
        &off[0]["diff_bulletin_minus_actas"]["NM"],
        &cc["cne1_NM_minus_actas_NM"],
    );
    same_int(
        "CNE 2 EG − actas",
        &off[1]["diff_bulletin_minus_actas"]["EG"],
        &cc["cne2_EG_minus_actas_EG"],
    );
    // The bulletin's own table share (0.8) reaches the per-table comparison.
    close(
        "CNE 1 NM per table",
        &off[0]["per_table"]["bulletin_top_per_table"],
        &cc["cne1_NM_per_table_at_80pct"],
    );
    let rd = &off[0]["round_decimal"];
    let rr = &rf["cne_round_decimals"];
    for (ours, theirs) in [("NM", "NM"), ("EG", "EG"), ("others", "OTHERS")] {
        let c = rd["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == ours)
            .unwrap();
        assert_eq!(c["exact_pct"], rr["exact_pct"][theirs], "{ours}");
        close(
            ours,
            &c["count_minus_round_pct_times_total"],
            &rr["count_minus_round_pct_times_T"][theirs],
        );
    }
    close(
        "one in three nearest",
        &rd["analytic"]["one_in_three_nearest"],
        &rr["analytic"]["one_in_three_nearest"],
    );
}

#[test]
fn forensics_equal_the_reference() {
    let Some(r) = report() else { return };
    let rf = reference();
    let f = &r["forensics"];
    for id in ["EG", "NM"] {
        let (a, b) = (&f["digits"]["series"][id], &rf["digits_v1"][id]);
        assert_eq!(a["last_digit"]["counts"], b["last_digit"]["counts"], "{id}");
        close(id, &a["last_digit"]["chi2"], &b["last_digit"]["chi2"]);
        close(id, &a["last_digit"]["p_chi2"], &b["last_digit"]["p_chi2"]);
        assert_eq!(a["second_digit"]["counts"], b["second_digit"]["counts"]);
        close(
            id,
            &a["second_digit"]["z_mean"],
            &b["second_digit"]["z_mean"],
        );
        close(
            id,
            &a["beber_scacco"]["repeated_share"],
            &b["beber_scacco"]["repeated_share"],
        );
    }
    let ip = &f["integer_percent"]["turnout"];
    same_int(
        "integer turnout",
        &ip["observed"],
        &rf["integer_percent_v1"]["turnout"]["observed"],
    );
    close(
        "integer turnout z",
        &ip["z"],
        &rf["integer_percent_v1"]["turnout"]["z"],
    );
    close(
        "Shpilkin NM excess",
        &f["shpilkin"]["NM"]["excess_votes_positive_bins"],
        &rf["shpilkin_v1"]["NM"]["excess_votes_positive_bins"],
    );
    close(
        "fingerprint EG",
        &f["fingerprint"]["EG"]["pearson_turnout_share"],
        &rf["fingerprint_v1"]["EG"]["pearson_turnout_share"],
    );
}

#[test]
fn the_report_is_reproducible_and_stdout_equals_the_file() {
    let Some(r) = report() else { return };
    let data = v1_data().unwrap();
    // Same data, options and seed: the same bytes, simulations included.
    let file = std::fs::read_to_string(artefacts().join("report-v1.json")).unwrap();
    let stdout = ok(actas(data, &["report", "--format", "json", "--quick"]));
    assert!(stdout == file, "stdout and --out differ");
    assert_eq!(r["options"]["seed"], 20_240_728);
    assert_eq!(r["schema"], "actas-analysis/1");
}
