//! Hand-written SVG charts drawn from a [`Report`]; each function returns one `<svg>` element.

use std::fmt::Write;

use actas_analysis::{Report, digits};

use crate::{Lang, num, tr};

pub const LEADER: &str = "#2b6cb0";
pub const RUNNER: &str = "#c53030";
pub const OTHERS: &str = "#a0aec0";
const AXIS: &str = "#4a5568";
const GRIDC: &str = "#e2e8f0";

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn open(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\" font-family=\"system-ui, sans-serif\" font-size=\"11\"><title>{t}</title>",
        t = esc(title)
    )
}

fn text(s: &mut String, x: f64, y: f64, anchor: &str, body: &str) {
    let _ = write!(
        s,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" fill=\"{AXIS}\">{}</text>",
        esc(body)
    );
}

fn rect(s: &mut String, x: f64, y: f64, w: f64, h: f64, fill: &str) {
    let _ = write!(
        s,
        "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{fill}\"/>",
        w.max(0.0),
        h.max(0.0)
    );
}

fn line(s: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, dash: bool) {
    let _ = write!(
        s,
        "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\" stroke-width=\"1\"{}/>",
        if dash {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        }
    );
}

fn legend(s: &mut String, x: f64, y: f64, items: &[(&str, String)]) {
    let mut cx = x;
    for (color, label) in items {
        rect(s, cx, y - 9.0, 10.0, 10.0, color);
        text(s, cx + 14.0, y, "start", label);
        cx += 24.0 + 6.5 * label.chars().count() as f64;
    }
}

fn state_label(r: &Report, i: usize) -> String {
    let st = &r.by_state[i];
    st.name.clone().unwrap_or_else(|| st.code.clone())
}

/// Stacked horizontal bars: leader, runner-up and others as shares of valid votes, per state.
pub fn results_by_state(r: &Report, lang: Lang) -> String {
    let leader = &r.totals.leader;
    let runner = r.totals.runner_up.clone().unwrap_or_default();
    let rows = r.by_state.len();
    let (lw, bw, rh) = (130.0, 520.0, 18.0);
    let h = 40.0 + rh * rows as f64 + 30.0;
    let w = lw + bw + 70.0;
    let title = tr(
        lang,
        "Resultados por estado (% de válidos)",
        "Results by state (% of valid votes)",
    );
    let mut s = open(w, h, title);
    let _ = write!(
        s,
        "<text x=\"4\" y=\"16\" font-weight=\"bold\" fill=\"{AXIS}\">{}</text>",
        esc(title)
    );
    legend(
        &mut s,
        lw + 250.0,
        16.0,
        &[
            (LEADER, leader.clone()),
            (RUNNER, runner.clone()),
            (OTHERS, tr(lang, "otros", "others").to_string()),
        ],
    );
    for k in 0..=10 {
        let x = lw + bw * k as f64 / 10.0;
        line(&mut s, x, 26.0, x, 30.0 + rh * rows as f64, GRIDC, false);
        text(
            &mut s,
            x,
            42.0 + rh * rows as f64,
            "middle",
            &format!("{}%", k * 10),
        );
    }
    for (i, st) in r.by_state.iter().enumerate() {
        let y = 30.0 + rh * i as f64;
        text(&mut s, lw - 6.0, y + 12.5, "end", &state_label(r, i));
        let pl = st.pct_of_valid.get(leader).copied().unwrap_or(0.0);
        let pr = st.pct_of_valid.get(&runner).copied().unwrap_or(0.0);
        let po = (100.0 - pl - pr).max(0.0);
        rect(&mut s, lw, y + 2.0, bw * pl / 100.0, rh - 4.0, LEADER);
        rect(
            &mut s,
            lw + bw * pl / 100.0,
            y + 2.0,
            bw * pr / 100.0,
            rh - 4.0,
            RUNNER,
        );
        rect(
            &mut s,
            lw + bw * (pl + pr) / 100.0,
            y + 2.0,
            bw * po / 100.0,
            rh - 4.0,
            OTHERS,
        );
        text(
            &mut s,
            lw + bw + 6.0,
            y + 12.5,
            "start",
            &format!("{} %", num(lang, pl, 1)),
        );
    }
    line(
        &mut s,
        lw + bw / 2.0,
        26.0,
        lw + bw / 2.0,
        30.0 + rh * rows as f64,
        AXIS,
        true,
    );
    s.push_str("</svg>");
    s
}

/// Horizontal bars: share of the official tables with an acta, per state.
pub fn coverage_by_state(r: &Report, lang: Lang) -> String {
    let rows = r.by_state.len();
    let (lw, bw, rh) = (130.0, 520.0, 18.0);
    let top = 36.0;
    let h = top + rh * rows as f64 + 30.0;
    let w = lw + bw + 160.0;
    let title = tr(
        lang,
        "Cobertura: mesas con acta / mesas oficiales",
        "Coverage: tables with an acta / official tables",
    );
    let mut s = open(w, h, title);
    let _ = write!(
        s,
        "<text x=\"4\" y=\"14\" font-weight=\"bold\" fill=\"{AXIS}\">{}</text>",
        esc(title)
    );
    for k in 0..=10 {
        let x = lw + bw * k as f64 / 10.0;
        line(
            &mut s,
            x,
            top - 4.0,
            x,
            top + rh * rows as f64,
            GRIDC,
            false,
        );
        text(
            &mut s,
            x,
            top + 12.0 + rh * rows as f64,
            "middle",
            &format!("{}%", k * 10),
        );
    }
    for (i, st) in r.by_state.iter().enumerate() {
        let y = top + rh * i as f64;
        text(&mut s, lw - 6.0, y + 12.5, "end", &state_label(r, i));
        let c = st.coverage_tables_pct.unwrap_or(0.0).min(100.0);
        rect(&mut s, lw, y + 2.0, bw, rh - 4.0, "#edf2f7");
        rect(&mut s, lw, y + 2.0, bw * c / 100.0, rh - 4.0, "#2f855a");
        let label = match st.tables_official {
            Some(e) => format!("{} % ({}/{})", num(lang, c, 1), st.tables, e),
            None => format!("{}", st.tables),
        };
        text(&mut s, lw + bw + 6.0, y + 12.5, "start", &label);
    }
    if let Some(c) = r.totals.coverage_tables_pct {
        let x = lw + bw * c.min(100.0) / 100.0;
        line(&mut s, x, top - 6.0, x, top + rh * rows as f64, AXIS, true);
        text(
            &mut s,
            x,
            top - 8.0,
            "middle",
            &format!("{} {} %", tr(lang, "nacional", "national"), num(lang, c, 1)),
        );
    }
    s.push_str("</svg>");
    s
}

/// Histogram of table turnout in 1-point bins.
pub fn turnout_histogram(r: &Report, lang: Lang) -> String {
    let Some(t) = &r.turnout else {
        return String::new();
    };
    let (w, h, l, b, top) = (720.0, 260.0, 50.0, 30.0, 20.0);
    let pw = w - l - 20.0;
    let ph = h - b - top;
    let max = *t.hist_1pct_bins.iter().max().unwrap_or(&1).max(&1) as f64;
    let mut s = open(
        w,
        h,
        tr(lang, "Participación por mesa", "Turnout per table"),
    );
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let y = top + ph - ph * k as f64 / 4.0;
        line(&mut s, l, y, l + pw, y, GRIDC, false);
        text(
            &mut s,
            l - 4.0,
            y + 4.0,
            "end",
            &format!("{}", v.round() as u64),
        );
    }
    let bw = pw / 100.0;
    for (i, &c) in t.hist_1pct_bins.iter().enumerate() {
        let bh = ph * c as f64 / max;
        rect(
            &mut s,
            l + bw * i as f64 + 0.5,
            top + ph - bh,
            bw - 1.0,
            bh,
            "#4a5568",
        );
    }
    for k in 0..=10 {
        let x = l + pw * k as f64 / 10.0;
        text(&mut s, x, h - 12.0, "middle", &format!("{}%", k * 10));
    }
    let mx = l + pw * t.mean;
    line(&mut s, mx, top, mx, top + ph, RUNNER, true);
    text(
        &mut s,
        mx + 4.0,
        top + 10.0,
        "start",
        &format!(
            "{} {} %",
            tr(lang, "media", "mean"),
            num(lang, 100.0 * t.mean, 1)
        ),
    );
    s.push_str("</svg>");
    s
}

/// Heat map of tables by (turnout, share) for one candidate.
pub fn fingerprint(r: &Report, id: &str, lang: Lang) -> String {
    let Some(f) = r.forensics.fingerprint.get(id) else {
        return String::new();
    };
    let g = f.hist.len();
    let (l, b, size) = (44.0, 34.0, 300.0);
    let w = l + size + 16.0;
    let h = 20.0 + size + b;
    let cell = size / g as f64;
    let max = f.hist.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    let mut s = open(
        w,
        h,
        &format!(
            "{} {id}",
            tr(lang, "Huella electoral", "Election fingerprint")
        ),
    );
    rect(&mut s, l, 20.0, size, size, "#ffffff");
    for (i, row) in f.hist.iter().enumerate() {
        for (j, &c) in row.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let v = (1.0 + c as f64).ln() / (1.0 + max).ln();
            let light = 95.0 - 75.0 * v;
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"hsl(220,60%,{:.0}%)\"/>",
                l + cell * i as f64,
                20.0 + size - cell * (j + 1) as f64,
                cell + 0.1,
                cell + 0.1,
                light
            );
        }
    }
    let _ = write!(
        s,
        "<rect x=\"{l}\" y=\"20\" width=\"{size}\" height=\"{size}\" fill=\"none\" stroke=\"{AXIS}\"/>"
    );
    for k in 0..=5 {
        let v = k as f64 / 5.0;
        text(
            &mut s,
            l + size * v,
            20.0 + size + 14.0,
            "middle",
            &format!("{}%", k * 20),
        );
        text(
            &mut s,
            l - 4.0,
            20.0 + size - size * v + 4.0,
            "end",
            &format!("{}%", k * 20),
        );
    }
    text(
        &mut s,
        l + size / 2.0,
        h - 4.0,
        "middle",
        tr(lang, "participación", "turnout"),
    );
    text(
        &mut s,
        l + 4.0,
        14.0,
        "start",
        &format!("{} {id}", tr(lang, "proporción de", "share of")),
    );
    s.push_str("</svg>");
    s
}

fn bars_vs_expected(
    title: &str,
    observed: &[f64],
    expected: &[f64],
    null: Option<&[f64]>,
    lang: Lang,
) -> String {
    let (w, h, l, b, top) = (330.0, 200.0, 44.0, 40.0, 22.0);
    let pw = w - l - 10.0;
    let ph = h - b - top;
    let max = observed
        .iter()
        .chain(expected)
        .chain(null.unwrap_or(&[]))
        .fold(0.0f64, |a, &b| a.max(b))
        * 1.1;
    let mut s = open(w, h, title);
    text(&mut s, l, 14.0, "start", title);
    for k in 0..=3 {
        let v = max * k as f64 / 3.0;
        let y = top + ph - ph * k as f64 / 3.0;
        line(&mut s, l, y, l + pw, y, GRIDC, false);
        text(&mut s, l - 4.0, y + 4.0, "end", &num(lang, v, 3));
    }
    let bw = pw / 10.0;
    for d in 0..10 {
        let x = l + bw * d as f64;
        let bh = ph * observed[d] / max;
        rect(&mut s, x + 3.0, top + ph - bh, bw - 6.0, bh, "#718096");
        let ey = top + ph - ph * expected[d] / max;
        line(&mut s, x + 1.0, ey, x + bw - 1.0, ey, RUNNER, false);
        if let Some(n) = null {
            let ny = top + ph - ph * n[d] / max;
            line(&mut s, x + 1.0, ny, x + bw - 1.0, ny, LEADER, true);
        }
        text(
            &mut s,
            x + bw / 2.0,
            top + ph + 13.0,
            "middle",
            &d.to_string(),
        );
    }
    let mut items = vec![
        ("#718096", tr(lang, "observado", "observed").to_string()),
        (RUNNER, tr(lang, "teórico", "theoretical").to_string()),
    ];
    if null.is_some() {
        items.push((LEADER, tr(lang, "simulación", "simulation").to_string()));
    }
    legend(&mut s, l, h - 6.0, &items);
    s.push_str("</svg>");
    s
}

/// Small multiples: second-digit and last-digit distributions per series.
pub fn digit_charts(r: &Report, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let benford = digits::benford2_probs();
    let order = series_order(r);
    for key in &order {
        let Some(sr) = r.forensics.digits.series.get(key) else {
            continue;
        };
        let label = if key == "valid" {
            tr(lang, "válidos", "valid").to_string()
        } else {
            key.clone()
        };
        if let Some(sd) = &sr.second_digit {
            let obs: Vec<f64> = sd.counts.iter().map(|&c| c as f64 / sd.n as f64).collect();
            let null = sr
                .second_digit_sim_null
                .as_ref()
                .map(|n| n.null_digit_shares.as_slice());
            out.push(bars_vs_expected(
                &format!("{} — {label}", tr(lang, "2.º dígito", "2nd digit")),
                &obs,
                &benford,
                null,
                lang,
            ));
        }
        if let Some(ld) = &sr.last_digit {
            let obs: Vec<f64> = ld.counts.iter().map(|&c| c as f64 / ld.n as f64).collect();
            out.push(bars_vs_expected(
                &format!("{} — {label}", tr(lang, "Último dígito", "Last digit")),
                &obs,
                &[0.1; 10],
                None,
                lang,
            ));
        }
    }
    out
}

pub fn series_order(r: &Report) -> Vec<String> {
    let mut v = vec![r.totals.leader.clone()];
    if let Some(ru) = &r.totals.runner_up {
        v.push(ru.clone());
    }
    v.push("valid".into());
    v
}

/// Candidate's share of valid votes by 1-point turnout bin, with the Shpilkin clean share.
pub fn shpilkin(r: &Report, lang: Lang) -> String {
    let sp = &r.forensics.shpilkin;
    if sp.is_empty() {
        return String::new();
    }
    let (w, h, l, b, top) = (720.0, 260.0, 50.0, 44.0, 20.0);
    let pw = w - l - 20.0;
    let ph = h - b - top;
    // Valid votes per bin, as bars (scaled), and each candidate's votes as lines.
    let first = sp.values().next().expect("not empty");
    let max = first
        .valid_votes_by_bin
        .iter()
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let mut s = open(
        w,
        h,
        tr(
            lang,
            "Votos por participación (Shpilkin)",
            "Votes by turnout (Shpilkin)",
        ),
    );
    for k in 0..=4 {
        let y = top + ph - ph * k as f64 / 4.0;
        line(&mut s, l, y, l + pw, y, GRIDC, false);
        text(
            &mut s,
            l - 4.0,
            y + 4.0,
            "end",
            &format!("{}k", (max * k as f64 / 4.0 / 1000.0).round() as u64),
        );
    }
    let bw = pw / 100.0;
    for (i, &v) in first.valid_votes_by_bin.iter().enumerate() {
        let bh = ph * v as f64 / max;
        rect(
            &mut s,
            l + bw * i as f64 + 0.5,
            top + ph - bh,
            bw - 1.0,
            bh,
            "#e2e8f0",
        );
    }
    let mut items = vec![("#cbd5e0", tr(lang, "válidos", "valid").to_string())];
    let ids = series_order(r);
    for (n, id) in ids.iter().filter(|id| sp.contains_key(*id)).enumerate() {
        let spk = &sp[id];
        let color = if n == 0 { LEADER } else { RUNNER };
        let pts: Vec<String> = spk
            .cand_votes_by_bin
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                format!(
                    "{:.1},{:.1}",
                    l + bw * (i as f64 + 0.5),
                    top + ph - ph * v as f64 / max
                )
            })
            .collect();
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"/>",
            pts.join(" ")
        );
        items.push((color, id.clone()));
        if spk.excess_votes_positive_bins > 0.0 {
            // What the clean ratio predicts: r × (valid − candidate) per bin.
            let pts: Vec<String> = spk
                .cand_votes_by_bin
                .iter()
                .zip(&spk.valid_votes_by_bin)
                .enumerate()
                .map(|(i, (&w, &v))| {
                    let e = spk.clean_ratio * (v - w) as f64;
                    format!(
                        "{:.1},{:.1}",
                        l + bw * (i as f64 + 0.5),
                        top + ph - ph * e / max
                    )
                })
                .collect();
            let _ = write!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1\" stroke-dasharray=\"3 2\"/>",
                pts.join(" ")
            );
            items.push((
                color,
                format!(
                    "{id} {}",
                    tr(lang, "esperado (razón limpia)", "expected (clean ratio)")
                ),
            ));
        }
    }
    let mx = l + bw * first.mode_turnout_bin_pct as f64;
    line(&mut s, mx, top, mx, top + ph, AXIS, true);
    text(
        &mut s,
        mx + 4.0,
        top + 10.0,
        "start",
        &format!(
            "{} {} %",
            tr(lang, "moda", "mode"),
            first.mode_turnout_bin_pct
        ),
    );
    for k in 0..=10 {
        let x = l + pw * k as f64 / 10.0;
        text(
            &mut s,
            x,
            top + ph + 14.0,
            "middle",
            &format!("{}%", k * 10),
        );
    }
    legend(&mut s, l, h - 6.0, &items);
    s.push_str("</svg>");
    s
}
