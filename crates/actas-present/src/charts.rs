//! SVG charts drawn from a [`Report`]; each function returns one `<svg>` element (or nothing when
//! the report lacks its figures). Written with maud, so every text in a chart is escaped.

use actas_analysis::{Report, digits};
use maud::{Markup, html};

use crate::{Lang, num, tr};

pub const LEADER: &str = "#2b6cb0";
pub const RUNNER: &str = "#c53030";
pub const OTHERS: &str = "#a0aec0";
const AXIS: &str = "#4a5568";
const GRIDC: &str = "#e2e8f0";

/// A coordinate with one decimal.
fn d1(v: f64) -> String {
    format!("{v:.1}")
}

/// A coordinate or size with two decimals.
fn d2(v: f64) -> String {
    format!("{v:.2}")
}

/// The `<svg>` element of a chart: its size, its accessible title, and what it draws.
fn svg(w: f64, h: f64, title: &str, body: Markup) -> Markup {
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}")) width=(w) height=(h)
            role="img" aria-label=(title) font-family="system-ui, sans-serif" font-size="11" {
            title { (title) }
            (body)
        }
    }
}

fn text(x: f64, y: f64, anchor: &str, body: &str) -> Markup {
    html! {
        text x=(d1(x)) y=(d1(y)) text-anchor=(anchor) fill=(AXIS) { (body) }
    }
}

fn rect(x: f64, y: f64, w: f64, h: f64, fill: &str) -> Markup {
    html! {
        rect x=(d2(x)) y=(d2(y)) width=(d2(w.max(0.0))) height=(d2(h.max(0.0))) fill=(fill) {}
    }
}

fn line(x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, dash: bool) -> Markup {
    html! {
        line x1=(d1(x1)) y1=(d1(y1)) x2=(d1(x2)) y2=(d1(y2)) stroke=(stroke) stroke-width="1"
            stroke-dasharray=[dash.then_some("4 3")] {}
    }
}

/// Colour swatches with their labels, left to right from `(x, y)`.
fn legend(x: f64, y: f64, items: &[(&str, String)]) -> Markup {
    let mut next = x;
    let placed = items.iter().map(|(color, label)| {
        let at = next;
        next += 24.0 + 6.5 * label.chars().count() as f64;
        (at, *color, label)
    });
    html! {
        @for (cx, color, label) in placed {
            (rect(cx, y - 9.0, 10.0, 10.0, color))
            (text(cx + 14.0, y, "start", label))
        }
    }
}

fn state_label(r: &Report, i: usize) -> String {
    let st = &r.by_state[i];
    st.name.clone().unwrap_or_else(|| st.code.clone())
}

/// Stacked horizontal bars: leader, runner-up and others as shares of valid votes, per state.
pub fn results_by_state(r: &Report, lang: Lang) -> Markup {
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
    let bottom = 30.0 + rh * rows as f64;
    let body = html! {
        text x="4" y="16" font-weight="bold" fill=(AXIS) { (title) }
        (legend(
            lw + 250.0,
            16.0,
            &[
                (LEADER, leader.clone()),
                (RUNNER, runner.clone()),
                (OTHERS, tr(lang, "otros", "others").to_string()),
            ],
        ))
        @for k in 0..=10 {
            @let x = lw + bw * k as f64 / 10.0;
            (line(x, 26.0, x, bottom, GRIDC, false))
            (text(x, 42.0 + rh * rows as f64, "middle", &format!("{}%", k * 10)))
        }
        @for (i, st) in r.by_state.iter().enumerate() {
            @let y = 30.0 + rh * i as f64;
            @let pl = st.pct_of_valid.get(leader).copied().unwrap_or(0.0);
            @let pr = st.pct_of_valid.get(&runner).copied().unwrap_or(0.0);
            @let po = (100.0 - pl - pr).max(0.0);
            (text(lw - 6.0, y + 12.5, "end", &state_label(r, i)))
            (rect(lw, y + 2.0, bw * pl / 100.0, rh - 4.0, LEADER))
            (rect(lw + bw * pl / 100.0, y + 2.0, bw * pr / 100.0, rh - 4.0, RUNNER))
            (rect(lw + bw * (pl + pr) / 100.0, y + 2.0, bw * po / 100.0, rh - 4.0, OTHERS))
            (text(lw + bw + 6.0, y + 12.5, "start", &format!("{} %", num(lang, pl, 1))))
        }
        (line(lw + bw / 2.0, 26.0, lw + bw / 2.0, bottom, AXIS, true))
    };
    svg(w, h, title, body)
}

/// Horizontal bars: share of the official tables with an acta, per state.
pub fn coverage_by_state(r: &Report, lang: Lang) -> Markup {
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
    let bottom = top + rh * rows as f64;
    let body = html! {
        text x="4" y="14" font-weight="bold" fill=(AXIS) { (title) }
        @for k in 0..=10 {
            @let x = lw + bw * k as f64 / 10.0;
            (line(x, top - 4.0, x, bottom, GRIDC, false))
            (text(x, top + 12.0 + rh * rows as f64, "middle", &format!("{}%", k * 10)))
        }
        @for (i, st) in r.by_state.iter().enumerate() {
            @let y = top + rh * i as f64;
            @let c = st.coverage_tables_pct.unwrap_or(0.0).min(100.0);
            @let label = match st.tables_official {
                Some(e) => format!("{} % ({}/{})", num(lang, c, 1), st.tables, e),
                None => format!("{}", st.tables),
            };
            (text(lw - 6.0, y + 12.5, "end", &state_label(r, i)))
            (rect(lw, y + 2.0, bw, rh - 4.0, "#edf2f7"))
            (rect(lw, y + 2.0, bw * c / 100.0, rh - 4.0, "#2f855a"))
            (text(lw + bw + 6.0, y + 12.5, "start", &label))
        }
        @if let Some(c) = r.totals.coverage_tables_pct {
            @let x = lw + bw * c.min(100.0) / 100.0;
            (line(x, top - 6.0, x, bottom, AXIS, true))
            (text(
                x,
                top - 8.0,
                "middle",
                &format!("{} {} %", tr(lang, "nacional", "national"), num(lang, c, 1)),
            ))
        }
    };
    svg(w, h, title, body)
}

/// Histogram of table turnout in 1-point bins.
pub fn turnout_histogram(r: &Report, lang: Lang) -> Markup {
    let Some(t) = &r.turnout else {
        return html! {};
    };
    let (w, h, l, b, top) = (720.0, 260.0, 50.0, 30.0, 20.0);
    let pw = w - l - 20.0;
    let ph = h - b - top;
    let max = *t.hist_1pct_bins.iter().max().unwrap_or(&1).max(&1) as f64;
    let bw = pw / 100.0;
    let mx = l + pw * t.mean;
    let body = html! {
        @for k in 0..=4 {
            @let v = max * k as f64 / 4.0;
            @let y = top + ph - ph * k as f64 / 4.0;
            (line(l, y, l + pw, y, GRIDC, false))
            (text(l - 4.0, y + 4.0, "end", &format!("{}", v.round() as u64)))
        }
        @for (i, &c) in t.hist_1pct_bins.iter().enumerate() {
            @let bh = ph * c as f64 / max;
            (rect(l + bw * i as f64 + 0.5, top + ph - bh, bw - 1.0, bh, "#4a5568"))
        }
        @for k in 0..=10 {
            (text(l + pw * k as f64 / 10.0, h - 12.0, "middle", &format!("{}%", k * 10)))
        }
        (line(mx, top, mx, top + ph, RUNNER, true))
        (text(
            mx + 4.0,
            top + 10.0,
            "start",
            &format!("{} {} %", tr(lang, "media", "mean"), num(lang, 100.0 * t.mean, 1)),
        ))
    };
    svg(
        w,
        h,
        tr(lang, "Participación por mesa", "Turnout per table"),
        body,
    )
}

/// Heat map of tables by (turnout, share) for one candidate.
pub fn fingerprint(r: &Report, id: &str, lang: Lang) -> Markup {
    let Some(f) = r.forensics.fingerprint.get(id) else {
        return html! {};
    };
    let g = f.hist.len();
    let (l, b, size) = (44.0, 34.0, 300.0);
    let w = l + size + 16.0;
    let h = 20.0 + size + b;
    let cell = size / g as f64;
    let max = f.hist.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    let body = html! {
        (rect(l, 20.0, size, size, "#ffffff"))
        @for (i, row) in f.hist.iter().enumerate() {
            @for (j, &c) in row.iter().enumerate() {
                @if c != 0 {
                    @let v = (1.0 + c as f64).ln() / (1.0 + max).ln();
                    @let light = 95.0 - 75.0 * v;
                    rect x=(d1(l + cell * i as f64)) y=(d1(20.0 + size - cell * (j + 1) as f64))
                        width=(d2(cell + 0.1)) height=(d2(cell + 0.1))
                        fill=(format!("hsl(220,60%,{light:.0}%)")) {}
                }
            }
        }
        rect x=(l) y="20" width=(size) height=(size) fill="none" stroke=(AXIS) {}
        @for k in 0..=5 {
            @let v = k as f64 / 5.0;
            (text(l + size * v, 20.0 + size + 14.0, "middle", &format!("{}%", k * 20)))
            (text(l - 4.0, 20.0 + size - size * v + 4.0, "end", &format!("{}%", k * 20)))
        }
        (text(l + size / 2.0, h - 4.0, "middle", tr(lang, "participación", "turnout")))
        (text(
            l + 4.0,
            14.0,
            "start",
            &format!("{} {id}", tr(lang, "proporción de", "share of")),
        ))
    };
    svg(
        w,
        h,
        &format!(
            "{} {id}",
            tr(lang, "Huella electoral", "Election fingerprint")
        ),
        body,
    )
}

fn bars_vs_expected(
    title: &str,
    observed: &[f64],
    expected: &[f64],
    null: Option<&[f64]>,
    lang: Lang,
) -> Markup {
    let (w, h, l, b, top) = (330.0, 200.0, 44.0, 40.0, 22.0);
    let pw = w - l - 10.0;
    let ph = h - b - top;
    let max = observed
        .iter()
        .chain(expected)
        .chain(null.unwrap_or(&[]))
        .fold(0.0f64, |a, &b| a.max(b))
        * 1.1;
    let bw = pw / 10.0;
    let mut items = vec![
        ("#718096", tr(lang, "observado", "observed").to_string()),
        (RUNNER, tr(lang, "teórico", "theoretical").to_string()),
    ];
    if null.is_some() {
        items.push((LEADER, tr(lang, "simulación", "simulation").to_string()));
    }
    let body = html! {
        (text(l, 14.0, "start", title))
        @for k in 0..=3 {
            @let v = max * k as f64 / 3.0;
            @let y = top + ph - ph * k as f64 / 3.0;
            (line(l, y, l + pw, y, GRIDC, false))
            (text(l - 4.0, y + 4.0, "end", &num(lang, v, 3)))
        }
        @for d in 0..10 {
            @let x = l + bw * d as f64;
            @let bh = ph * observed[d] / max;
            @let ey = top + ph - ph * expected[d] / max;
            (rect(x + 3.0, top + ph - bh, bw - 6.0, bh, "#718096"))
            (line(x + 1.0, ey, x + bw - 1.0, ey, RUNNER, false))
            @if let Some(n) = null {
                @let ny = top + ph - ph * n[d] / max;
                (line(x + 1.0, ny, x + bw - 1.0, ny, LEADER, true))
            }
            (text(x + bw / 2.0, top + ph + 13.0, "middle", &d.to_string()))
        }
        (legend(l, h - 6.0, &items))
    };
    svg(w, h, title, body)
}

/// Small multiples: second-digit and last-digit distributions per series.
pub fn digit_charts(r: &Report, lang: Lang) -> Vec<Markup> {
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

/// Points of a polyline, `x,y` with one decimal each.
fn points(pts: impl Iterator<Item = (f64, f64)>) -> String {
    pts.map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Candidate's share of valid votes by 1-point turnout bin, with the Shpilkin clean share.
pub fn shpilkin(r: &Report, lang: Lang) -> Markup {
    let sp = &r.forensics.shpilkin;
    if sp.is_empty() {
        return html! {};
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
    let bw = pw / 100.0;
    let x_of = |i: usize| l + bw * (i as f64 + 0.5);
    let y_of = |v: f64| top + ph - ph * v / max;
    let mut items = vec![("#cbd5e0", tr(lang, "válidos", "valid").to_string())];
    let mut lines = Vec::new();
    let ids = series_order(r);
    for (n, id) in ids.iter().filter(|id| sp.contains_key(*id)).enumerate() {
        let spk = &sp[id];
        let color = if n == 0 { LEADER } else { RUNNER };
        let votes = points(
            spk.cand_votes_by_bin
                .iter()
                .enumerate()
                .map(|(i, &v)| (x_of(i), y_of(v as f64))),
        );
        lines.push(html! {
            polyline points=(votes) fill="none" stroke=(color) stroke-width="1.5" {}
        });
        items.push((color, id.clone()));
        if spk.excess_votes_positive_bins > 0.0 {
            // What the clean ratio predicts: r × (valid − candidate) per bin.
            let expected = points(
                spk.cand_votes_by_bin
                    .iter()
                    .zip(&spk.valid_votes_by_bin)
                    .enumerate()
                    .map(|(i, (&w, &v))| (x_of(i), y_of(spk.clean_ratio * (v - w) as f64))),
            );
            lines.push(html! {
                polyline points=(expected) fill="none" stroke=(color) stroke-width="1"
                    stroke-dasharray="3 2" {}
            });
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
    let body = html! {
        @for k in 0..=4 {
            @let y = top + ph - ph * k as f64 / 4.0;
            (line(l, y, l + pw, y, GRIDC, false))
            (text(
                l - 4.0,
                y + 4.0,
                "end",
                &format!("{}k", (max * k as f64 / 4.0 / 1000.0).round() as u64),
            ))
        }
        @for (i, &v) in first.valid_votes_by_bin.iter().enumerate() {
            @let bh = ph * v as f64 / max;
            (rect(l + bw * i as f64 + 0.5, top + ph - bh, bw - 1.0, bh, "#e2e8f0"))
        }
        @for p in &lines {
            (p)
        }
        (line(mx, top, mx, top + ph, AXIS, true))
        (text(
            mx + 4.0,
            top + 10.0,
            "start",
            &format!("{} {} %", tr(lang, "moda", "mode"), first.mode_turnout_bin_pct),
        ))
        @for k in 0..=10 {
            (text(l + pw * k as f64 / 10.0, top + ph + 14.0, "middle", &format!("{}%", k * 10)))
        }
        (legend(l, h - 6.0, &items))
    };
    svg(
        w,
        h,
        tr(
            lang,
            "Votos por participación (Shpilkin)",
            "Votes by turnout (Shpilkin)",
        ),
        body,
    )
}
