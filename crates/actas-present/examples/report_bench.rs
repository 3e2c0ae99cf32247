//! Benchmark: computes the full report (default simulation sizes) on the real V1 actas and prints
//! the time of each stage and a few figures. Usage: `report_bench [--json OUT] [--html OUT]`;
//! `ACTAS_THREADS`, `ACTAS_SMOOTH_DRAWS`, `ACTAS_BOOTSTRAP_DRAWS`, `ACTAS_NULL_REPS` override
//! the options.

#[path = "../../actas-analysis/tests/common/mod.rs"]
mod common;

use std::time::Instant;

use actas_analysis::{Options, report};
use actas_present::{Lang, report_html, report_json};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut json_out = None;
    let mut html_out = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json_out = it.next().cloned(),
            "--html" => html_out = it.next().cloned(),
            other => eprintln!("ignored argument {other}"),
        }
    }
    let election = actas_core::ve2024::election();
    let t0 = Instant::now();
    let results = common::v1_results(&election);
    let t_load = t0.elapsed();
    let mut opts = Options::default();
    opts.bulletin_tables_fraction
        .insert("CNE boletín 1".into(), 0.8);
    opts.bulletin_tables_fraction
        .insert("CNE boletín 2".into(), 0.9687);
    if let Ok(t) = std::env::var("ACTAS_THREADS") {
        opts.threads = t.parse().expect("ACTAS_THREADS is a number");
    }
    let env = |k: &str| {
        std::env::var(k)
            .ok()
            .map(|v| v.parse::<u64>().expect("number"))
    };
    if let Some(v) = env("ACTAS_SMOOTH_DRAWS") {
        opts.smooth_draws = v;
    }
    if let Some(v) = env("ACTAS_BOOTSTRAP_DRAWS") {
        opts.bootstrap_draws = v as usize;
    }
    if let Some(v) = env("ACTAS_NULL_REPS") {
        opts.benford_null_reps = v as usize;
    }
    let t1 = Instant::now();
    let r = report(&election, &results, &opts);
    let t_report = t1.elapsed();
    let t2 = Instant::now();
    let json = report_json(&r);
    let html = report_html(&r, Lang::Es);
    let t_render = t2.elapsed();
    if let Some(p) = json_out {
        std::fs::write(p, &json).expect("write json");
    }
    if let Some(p) = html_out {
        std::fs::write(p, &html).expect("write html");
    }
    let rd = &r.official[0].round_decimal;
    println!(
        "tables {} | smooth draws {} | bootstrap {}x{} | 2BL null reps {} | threads {}",
        r.totals.tables,
        opts.smooth_draws,
        opts.bootstrap_draws,
        rd.sim_table_bootstrap
            .as_ref()
            .map_or(0, |b| b.tables_per_sim),
        opts.benford_null_reps,
        if opts.threads == 0 {
            "all".to_string()
        } else {
            opts.threads.to_string()
        },
    );
    let f = &r.forensics;
    let z = |id: &str| {
        f.digits.series[id]
            .second_digit_sim_null
            .as_ref()
            .map_or(f64::NAN, |n| n.z)
    };
    let ip = &f.integer_percent["turnout"];
    println!(
        "rust figures: margin {}; worst A lead {}; EG share {:.6} (SE cl {:.6}); smooth all-three {}; NM 2BL null z {:.2}; EG 2BL null z {:.2}; Kobak turnout {}/{:.4}; Shpilkin NM excess {:.1}; Klimek NM f_i {}",
        r.totals.margin,
        r.worst_case[0]
            .a_all_missing_registered_for_runner_up
            .leader_lead,
        r.projection.as_ref().unwrap().shares["EG"].p,
        r.projection.as_ref().unwrap().shares["EG"].se_cluster,
        rd.sim_smooth.as_ref().map_or(0, |s| s.hits_all_within_tol),
        z("NM"),
        z("EG"),
        ip.observed,
        ip.expected,
        f.shpilkin["NM"].excess_votes_positive_bins,
        f.klimek_fit.get("NM").map_or(f64::NAN, |k| k.f_i),
    );
    println!("rust_load_s {:.3}", t_load.as_secs_f64());
    println!("rust_report_s {:.3}", t_report.as_secs_f64());
    println!("rust_render_s {:.3}", t_render.as_secs_f64());
    println!(
        "rust_total_s {:.3}",
        (t_load + t_report + t_render).as_secs_f64()
    );
}
