//! The self-contained HTML page: inline CSS, inline SVG, no script, no external resource. Written
//! with maud, which escapes everything interpolated.

use std::collections::BTreeMap;

use actas_analysis::{BulletinComparison, Report, WorstCase};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::charts;
use crate::notes::{Note, label};
use crate::{Lang, int, num, pct, prob, tr};

const CSS: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a202c;background:#f7fafc;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:1.6em;margin:.2em 0}
h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #e2e8f0;padding-bottom:.2em}
h3{font-size:1.05em;margin-top:1.4em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{padding:3px 9px;border-bottom:1px solid #e2e8f0;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
thead th{background:#edf2f7}
.reading{background:#fffbea;border-left:4px solid #d69e2e;padding:8px 12px;margin:.8em 0}
.meta{color:#4a5568;font-size:.88em}
.meta b{color:#2d3748}
.charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
.ok{color:#276749}.bad{color:#9b2c2c}
small{color:#718096}
"#;

/// What every section needs: the report, the reader's language and the notes of the sections.
struct Page<'a> {
    r: &'a Report,
    lang: Lang,
    notes: BTreeMap<String, Note>,
}

impl Page<'_> {
    /// A section's reading, then its assumptions and reference.
    fn note(&self, key: &str) -> Markup {
        let Some(n) = self.notes.get(key) else {
            return html! {};
        };
        let l = self.lang;
        html! {
            div.reading { (n.reading.get(l)) }
            p.meta {
                b { (tr(l, "Supuestos:", "Assumptions:")) } " " (n.assumptions.get(l)) br;
                b { (tr(l, "Referencia:", "Reference:")) } " " (n.reference)
            }
        }
    }
}

fn table(head: &[String], rows: &[Vec<String>]) -> Markup {
    html! {
        table {
            thead { tr { @for h in head { th { (h) } } } }
            tbody { @for r in rows { tr { @for c in r { td { (c) } } } } }
        }
    }
}

fn opt_int(l: Lang, v: Option<u64>) -> String {
    v.map_or_else(|| "–".into(), |v| int(l, v))
}

fn yes_no(l: Lang, b: bool) -> String {
    tr(l, if b { "sí" } else { "no" }, if b { "yes" } else { "no" }).to_string()
}

pub(crate) fn render(r: &Report, lang: Lang) -> String {
    let l = lang;
    let p = Page {
        r,
        lang,
        notes: crate::notes(r),
    };
    let title = format!(
        "{} — {}",
        tr(l, "Análisis de las actas", "Analysis of the actas"),
        r.election.name
    );
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body { main {
                h1 { (title) }
                p.meta {
                    (tr(l, "Elección del", "Election of")) " " (r.election.date) " · " (r.election.id)
                    " · " code { (r.schema) } " · " (tr(l, "semilla", "seed")) " " (r.options.seed)
                }
                p.meta { (tr(
                    l,
                    "Secciones: 1 totales y cobertura · 2 peor caso · 3 proyección · 4 cifras oficiales · 5 forense. Todas las cifras vienen de las actas cargadas; el JSON del mismo informe tiene cada número con su método y candidato.",
                    "Sections: 1 totals and coverage · 2 worst case · 3 projection · 4 official figures · 5 forensics. Every figure comes from the loaded actas; the report's JSON carries each number with its method and candidate."
                )) }
                (totals(&p))
                (worst(&p))
                (projection(&p))
                (official(&p))
                (forensics(&p))
                p.meta style="margin-top:3em" {
                    "actas-analysis · "
                    (tr(
                        l,
                        "Generado sin recursos externos; las simulaciones son reproducibles con la misma semilla.",
                        "Generated without external resources; simulations are reproducible with the same seed."
                    ))
                    " "
                }
            } }
        }
    }
    .into_string()
}

fn cand_name(r: &Report, id: &str) -> String {
    r.election
        .candidates
        .iter()
        .find(|c| c.id == id)
        .map_or_else(|| id.to_string(), |c| format!("{} ({id})", c.name))
}

fn totals(p: &Page) -> Markup {
    let (r, l) = (p.r, p.lang);
    let tt = &r.totals;
    let rows = vec![
        vec![
            tr(l, "Actas (mesas)", "Actas (tables)").into(),
            int(l, tt.tables),
            opt_int(l, tt.tables_official),
            tt.coverage_tables_pct.map_or("–".into(), |c| pct(l, c, 2)),
        ],
        vec![
            tr(l, "Centros", "Centres").into(),
            int(l, tt.centres),
            opt_int(l, tt.centres_official),
            match tt.centres_official {
                Some(c) if c > 0 => pct(l, 100.0 * tt.centres as f64 / c as f64, 2),
                _ => "–".into(),
            },
        ],
        vec![
            tr(l, "Electores inscritos", "Registered voters").into(),
            int(l, tt.registered_sum),
            opt_int(l, tt.registered_official),
            tt.coverage_registered_pct_of_total
                .map_or("–".into(), |c| pct(l, c, 2)),
        ],
        vec![
            tr(l, "Inscritos en el país", "Registered in the country").into(),
            int(l, tt.registered_sum),
            opt_int(l, tt.registered_in_country),
            tt.coverage_registered_pct_of_in_country
                .map_or("–".into(), |c| pct(l, c, 2)),
        ],
    ];
    let coverage = table(
        &[
            String::new(),
            tr(l, "en las actas", "in the actas").into(),
            tr(l, "oficial", "official").into(),
            tr(l, "cobertura", "coverage").into(),
        ],
        &rows,
    );
    let mut ids: Vec<&String> = tt.votes.keys().collect();
    ids.sort_by(|a, b| tt.votes[*b].cmp(&tt.votes[*a]));
    let mut rows: Vec<Vec<String>> = ids
        .iter()
        .map(|id| {
            vec![
                cand_name(r, id),
                int(l, tt.votes[*id]),
                pct(l, tt.pct_of_valid[*id], 3),
            ]
        })
        .collect();
    rows.push(vec![
        tr(l, "Válidos", "Valid").into(),
        int(l, tt.valid),
        String::new(),
    ]);
    rows.push(vec![
        tr(l, "Nulos", "Null").into(),
        int(l, tt.null),
        String::new(),
    ]);
    rows.push(vec![
        tr(l, "Emitidos", "Cast").into(),
        int(l, tt.cast),
        String::new(),
    ]);
    rows.push(vec![
        format!(
            "{} {} − {}",
            tr(l, "Diferencia", "Margin"),
            tt.leader,
            tt.runner_up.clone().unwrap_or_default()
        ),
        int(l, tt.margin),
        String::new(),
    ]);
    rows.push(vec![
        tr(
            l,
            "Participación (emitidos / inscritos)",
            "Turnout (cast / registered)",
        )
        .into(),
        String::new(),
        tt.turnout_cast_over_registered
            .map_or("–".into(), |v| pct(l, 100.0 * v, 3)),
    ]);
    let candidates = table(
        &[
            tr(l, "Candidato", "Candidate").into(),
            tr(l, "votos", "votes").into(),
            tr(l, "% de válidos", "% of valid").into(),
        ],
        &rows,
    );
    let ig = &tt.integrity;
    let integrity = format!(
        "{}: {} {}; {} {}; {} {}; {} {}; {} {}.",
        tr(l, "Integridad", "Integrity"),
        ig.rows_valid_ne_sum,
        tr(
            l,
            "actas con válidos ≠ suma de candidatos",
            "actas with valid ≠ sum of candidates"
        ),
        ig.duplicate_tables,
        tr(l, "mesas duplicadas", "duplicate tables"),
        ig.rows_cast_gt_registered,
        tr(
            l,
            "con más votos que inscritos",
            "with more votes than registered"
        ),
        ig.rows_without_registered,
        tr(l, "sin inscritos", "without registered voters"),
        ig.rows_bad_shape,
        tr(
            l,
            "con número de candidatos erróneo (excluidas)",
            "with a wrong number of candidates (left out)"
        ),
    );
    let leader = &tt.leader;
    let runner = tt.runner_up.clone().unwrap_or_default();
    let rows: Vec<Vec<String>> = r
        .by_state
        .iter()
        .map(|s| {
            vec![
                format!("{} {}", s.code, s.name.clone().unwrap_or_default()),
                format!("{} / {}", int(l, s.tables), opt_int(l, s.tables_official)),
                s.coverage_tables_pct.map_or("–".into(), |c| pct(l, c, 1)),
                int(l, s.registered),
                int(l, s.valid),
                pct(
                    l,
                    s.pct_of_valid.get(leader).copied().unwrap_or(f64::NAN),
                    2,
                ),
                pct(
                    l,
                    s.pct_of_valid.get(&runner).copied().unwrap_or(f64::NAN),
                    2,
                ),
                s.turnout_valid_over_registered
                    .map_or("–".into(), |v| pct(l, 100.0 * v, 1)),
            ]
        })
        .collect();
    let states = table(
        &[
            tr(l, "Estado", "State").into(),
            tr(l, "actas / mesas", "actas / tables").into(),
            tr(l, "cobertura", "coverage").into(),
            tr(l, "inscritos", "registered").into(),
            tr(l, "válidos", "valid").into(),
            format!("% {leader}"),
            format!("% {runner}"),
            tr(l, "participación", "turnout").into(),
        ],
        &rows,
    );
    html! {
        h2 id="totales" { (tr(l, "1. Totales y cobertura", "1. Totals and coverage")) }
        (p.note("totals"))
        (coverage)
        (candidates)
        p { (integrity) }
        h3 { (tr(l, "Por estado", "By state")) }
        div.charts {
            (charts::results_by_state(r, l))
            (charts::coverage_by_state(r, l))
        }
        (states)
    }
}

fn worst(p: &Page) -> Markup {
    let (r, l) = (p.r, p.lang);
    if r.worst_case.is_empty() {
        return html! {};
    }
    let w0 = &r.worst_case[0];
    let (ru, le) = (&w0.runner_up, &w0.leader);
    let mut head = vec![String::new()];
    for w in &r.worst_case {
        head.push(format!(
            "{} {}",
            tr(l, "inscritos", "registered"),
            int(l, w.registered_total)
        ));
    }
    let row = |label: String, f: &dyn Fn(&WorstCase) -> String| {
        let mut v = vec![label];
        v.extend(r.worst_case.iter().map(f));
        v
    };
    let lead = |v: f64| int(l, v.round() as i64);
    let rows = vec![
        row(tr(l, "Mesas faltantes", "Missing tables").into(), &|w| {
            int(l, w.missing_tables)
        }),
        row(
            tr(l, "Inscritos faltantes", "Missing registered voters").into(),
            &|w| int(l, w.missing_registered),
        ),
        row(
            tr(
                l,
                "Inscritos por mesa faltante",
                "Registered per missing table",
            )
            .into(),
            &|w| num(l, w.mean_registered_missing_table, 1),
        ),
        row(
            format!(
                "{} {le} − {ru}",
                tr(l, "Diferencia en actas", "Margin in the actas")
            ),
            &|w| int(l, w.gap),
        ),
        row(
            format!(
                "A. {} {ru}: {} {le}",
                tr(
                    l,
                    "todos los inscritos faltantes votan por",
                    "every missing registered voter votes for"
                ),
                tr(l, "ventaja de", "lead of")
            ),
            &|w| int(l, w.a_all_missing_registered_for_runner_up.leader_lead),
        ),
        row(
            format!(
                "B. {} {ru}: {} {le}",
                tr(
                    l,
                    "participación observada, todo para",
                    "observed turnout, all for"
                ),
                tr(l, "ventaja de", "lead of")
            ),
            &|w| lead(w.b_observed_turnout_all_for_runner_up.leader_lead),
        ),
        row(
            format!(
                "C. {} {ru} {}",
                tr(l, "proporción necesaria para", "share needed by"),
                tr(l, "(participación 100 %)", "(100 % turnout)")
            ),
            &|w| pct(l, 100.0 * w.c_runner_up_share_needed_full_turnout, 2),
        ),
        row(
            format!(
                "C. {} {ru} {}",
                tr(l, "proporción necesaria para", "share needed by"),
                tr(l, "(participación observada)", "(observed turnout)")
            ),
            &|w| pct(l, 100.0 * w.c_runner_up_share_needed_observed_turnout, 2),
        ),
        row(
            format!(
                "D. {} {ru}",
                tr(
                    l,
                    "participación necesaria, todo para",
                    "turnout needed, all for"
                )
            ),
            &|w| pct(l, 100.0 * w.d_turnout_needed_all_for_runner_up, 2),
        ),
        row(
            tr(
                l,
                "E. mesas necesarias (100 % y todo al segundo; tamaño medio faltante)",
                "E. tables needed (100 % and all to the runner-up; mean missing size)",
            )
            .into(),
            &|w| {
                format!(
                    "{} ({})",
                    num(l, w.e_tables_needed_at_mean_missing_registered, 1),
                    pct(l, 100.0 * w.e_share_of_missing_tables_needed, 1)
                )
            },
        ),
        row(
            tr(
                l,
                "E. ídem, tamaño medio observado",
                "E. same, mean observed size",
            )
            .into(),
            &|w| num(l, w.e_tables_needed_at_mean_observed_registered, 1),
        ),
        row(
            format!(
                "F. {} {ru} {}",
                tr(l, "proporción necesaria para", "share needed by"),
                tr(
                    l,
                    "(otros con su proporción observada)",
                    "(others keep their observed share)"
                )
            ),
            &|w| {
                pct(
                    l,
                    100.0 * w.f_runner_up_share_needed_observed_turnout_and_others,
                    2,
                )
            },
        ),
        row(
            format!(
                "G. {} {ru}: {} {le}",
                tr(
                    l,
                    "faltantes como el mejor decil de",
                    "missing like the best decile of"
                ),
                tr(l, "ventaja de", "lead of")
            ),
            &|w| lead(w.g_missing_like_runner_up_best_decile.leader_lead),
        ),
        row(
            tr(l, "¿Cambia el ganador en A?", "Does A change the winner?").into(),
            &|w| yes_no(l, w.a_all_missing_registered_for_runner_up.overturned),
        ),
    ];
    html! {
        h2 id="peor-caso" {
            (tr(
                l,
                "2. Peor caso para las mesas faltantes",
                "2. Worst cases for the missing tables",
            ))
        }
        (p.note("worst_case"))
        (table(&head, &rows))
    }
}

fn projection(p: &Page) -> Markup {
    let (r, l) = (p.r, p.lang);
    let Some(pr) = &r.projection else {
        return html! {};
    };
    let mut keys: Vec<&String> = pr.per_registered.keys().collect();
    keys.sort_by(|a, b| {
        pr.per_registered[*b]
            .r_per_registered
            .total_cmp(&pr.per_registered[*a].r_per_registered)
    });
    let rows: Vec<Vec<String>> = keys
        .iter()
        .filter(|k| pr.per_registered[**k].r_per_registered > 0.0)
        .map(|k| {
            let e = &pr.per_registered[*k];
            vec![
                label(l, k),
                num(l, e.r_per_registered, 6),
                num(l, e.se_r_srs, 6),
                num(l, e.se_r_cluster, 6),
                int(l, e.projected_total.round() as i64),
                format!(
                    "{} – {}",
                    int(l, e.ci95_cluster[0].round() as i64),
                    int(l, e.ci95_cluster[1].round() as i64)
                ),
            ]
        })
        .collect();
    let sample = format!(
        "n = {} {}, {} {}, f = {}, X = {} {}.",
        int(l, pr.n_tables),
        tr(l, "mesas", "tables"),
        int(l, pr.n_centres),
        tr(l, "centros", "centres"),
        num(l, pr.f, 4),
        int(l, pr.registered_total),
        tr(l, "inscritos", "registered voters"),
    );
    let per_registered = table(
        &[
            String::new(),
            tr(l, "votos por inscrito", "votes per registered").into(),
            tr(l, "EE (MAS)", "SE (SRS)").into(),
            tr(l, "EE (conglomerados)", "SE (cluster)").into(),
            tr(l, "total proyectado", "projected total").into(),
            tr(l, "IC 95 % (conglomerados)", "95 % CI (cluster)").into(),
        ],
        &rows,
    );
    let mut ids: Vec<&String> = pr.shares.keys().collect();
    ids.sort_by(|a, b| pr.shares[*b].p.total_cmp(&pr.shares[*a].p));
    let rows: Vec<Vec<String>> = ids
        .iter()
        .take(4)
        .map(|id| {
            let s = &pr.shares[*id];
            let st = pr.stratified_shares.get(*id);
            vec![
                id.to_string(),
                pct(l, 100.0 * s.p, 3),
                num(l, 100.0 * s.se_srs, 4),
                num(l, 100.0 * s.se_cluster, 4),
                format!(
                    "{} – {}",
                    pct(l, 100.0 * s.ci95_cluster[0], 2),
                    pct(l, 100.0 * s.ci95_cluster[1], 2)
                ),
                st.map_or("–".into(), |x| pct(l, 100.0 * x.estimate, 3)),
                st.map_or("–".into(), |x| num(l, 100.0 * x.se_cluster, 4)),
            ]
        })
        .collect();
    let shares = table(
        &[
            String::new(),
            tr(l, "% de válidos", "% of valid").into(),
            tr(l, "EE MAS (pp)", "SE SRS (pp)").into(),
            tr(l, "EE cong. (pp)", "SE cluster (pp)").into(),
            tr(l, "IC 95 % cong.", "95 % CI cluster").into(),
            tr(l, "estratificado por estado", "stratified by state").into(),
            tr(l, "EE estr. (pp)", "SE strat. (pp)").into(),
        ],
        &rows,
    );
    html! {
        h2 id="proyeccion" { (tr(l, "3. Proyección por razón", "3. Ratio projection")) }
        p { b { (tr(
            l,
            "Supuesto: las mesas faltantes faltan al azar (MAR). Si no es así, los intervalos no valen; el peor caso (sección 2) no depende de él.",
            "Assumption: the missing tables are missing at random (MAR). If they are not, the intervals do not hold; the worst case (section 2) does not depend on it."
        )) } }
        (p.note("projection"))
        p { (sample) }
        (per_registered)
        (shares)
    }
}

fn official(p: &Page) -> Markup {
    let (r, l) = (p.r, p.lang);
    if r.official.is_empty() {
        return html! {};
    }
    html! {
        h2 id="oficial" {
            (tr(
                l,
                "4. Cifras oficiales frente a las actas",
                "4. Official figures against the actas",
            ))
        }
        (p.note("official"))
        @for b in &r.official {
            (bulletin(r, l, b))
        }
    }
}

/// One bulletin against the actas, and its round-decimal test.
fn bulletin(r: &Report, l: Lang, b: &BulletinComparison) -> Markup {
    let mut items: Vec<(&String, &u64)> = b.votes.iter().collect();
    items.sort_by(|x, y| y.1.cmp(x.1));
    let mut rows: Vec<Vec<String>> = items
        .into_iter()
        .map(|(id, v)| {
            vec![
                cand_name(r, id),
                int(l, *v),
                r.totals.votes.get(id).map_or("–".into(), |a| int(l, *a)),
                b.diff_bulletin_minus_actas
                    .get(id)
                    .map_or("–".into(), |d| int(l, *d)),
            ]
        })
        .collect();
    if let Some(o) = b.others {
        rows.push(vec![
            tr(l, "Otros", "Others").into(),
            int(l, o),
            String::new(),
            String::new(),
        ]);
    }
    let votes = table(
        &[
            String::new(),
            tr(l, "boletín", "bulletin").into(),
            tr(l, "actas", "actas").into(),
            tr(l, "boletín − actas", "bulletin − actas").into(),
        ],
        &rows,
    );
    let per_table = b.per_table.as_ref().map(|pt| {
        format!(
            "{}: {} {} ({} {}); {} {}.",
            tr(l, "Por mesa", "Per table"),
            num(l, pt.bulletin_top_per_table, 1),
            tr(
                l,
                "votos del primero según el boletín",
                "votes for the top candidate per the bulletin"
            ),
            pct(l, 100.0 * pt.tables_fraction, 2),
            tr(l, "de las mesas", "of the tables"),
            num(l, pt.actas_top_per_table, 1),
            tr(l, "en las actas", "in the actas"),
        )
    });
    let rd = &b.round_decimal;
    let rows: Vec<Vec<String>> = rd
        .components
        .iter()
        .map(|c| {
            vec![
                label(l, &c.id),
                int(l, c.count),
                format!(
                    "{} %",
                    if l == Lang::Es {
                        c.exact_pct.replace('.', ",")
                    } else {
                        c.exact_pct.clone()
                    }
                ),
                format!("{:+.3e}", c.dev_from_one_decimal_pp),
                num(l, c.count_minus_round_pct_times_total, 3),
                yes_no(l, c.nearest_integer),
            ]
        })
        .collect();
    let components = table(
        &[
            String::new(),
            tr(l, "cifra", "figure").into(),
            tr(l, "% exacto", "exact %").into(),
            tr(l, "desvío (pp)", "deviation (pp)").into(),
            "c − p·T".into(),
            tr(l, "¿entero más cercano?", "nearest integer?").into(),
        ],
        &rows,
    );
    let a = &rd.analytic;
    let analytic = format!(
        "T = {} ({}: {}). {}: {} {}, {} {} (1 {} {}), {} {} (1 {} {}).",
        int(l, rd.total),
        tr(l, "suma correcta", "sum checks"),
        yes_no(l, rd.sum_check),
        tr(
            l,
            "Probabilidad al azar de ser el entero más cercano",
            "Chance probability of being the nearest integer"
        ),
        tr(l, "una cifra", "one figure"),
        prob(l, a.p_one_nearest_integer),
        tr(l, "dos", "two"),
        prob(l, a.p_two_nearest_integer),
        tr(l, "en", "in"),
        int(l, a.one_in_two_nearest.round() as i64),
        tr(l, "tres", "three"),
        prob(l, a.p_three_nearest_integer),
        tr(l, "en", "in"),
        int(l, a.one_in_three_nearest.round() as i64),
    );
    let smooth = rd.sim_smooth.as_ref().map(|s| {
        let names: Vec<String> = rd.components.iter().map(|c| label(l, &c.id)).collect();
        let k = names.len();
        let model = match l {
            Lang::Es => format!(
                "T ~ U[{}; {}]; proporciones de {} ~ N(la del boletín; 0,01); {} = el resto",
                int(l, s.total_range[0]),
                int(l, s.total_range[1]),
                names[..k - 1].join(", "),
                names[k - 1]
            ),
            Lang::En => format!(
                "T ~ U[{}, {}]; shares of {} ~ N(the bulletin's, 0.01); {} = the rest",
                int(l, s.total_range[0]),
                int(l, s.total_range[1]),
                names[..k - 1].join(", "),
                names[k - 1]
            ),
        };
        format!(
            "{} ({} {}; {}): {} {}; {} {} ({} {}); {} {}.",
            tr(l, "Simulación con previa suave", "Smooth-prior simulation"),
            int(l, s.n),
            tr(l, "sorteos", "draws"),
            model,
            tr(l, "tasas por cifra", "per-figure rates"),
            s.hit_rate_each
                .iter()
                .map(|v| prob(l, *v))
                .collect::<Vec<_>>()
                .join(", "),
            tr(l, "todas dentro de ±0,00005 pp:", "all within ±0.00005 pp:"),
            s.hits_all_within_tol,
            tr(l, "tasa", "rate"),
            prob(l, s.rate_all_within_tol),
            tr(l, "todas exactas:", "all exact:"),
            s.hits_all_nearest_integer,
        )
    });
    let bootstrap = rd.sim_table_bootstrap.as_ref().map(|s| {
        format!(
            "{} ({} × {} {}): {} {}; {} {}; {} {} pp; KS p = {}.",
            tr(l, "Remuestreo de mesas", "Table bootstrap"),
            int(l, s.n),
            int(l, s.tables_per_sim),
            tr(l, "mesas", "tables"),
            tr(l, "tasas por cifra", "per-figure rates"),
            s.hit_rate_each
                .iter()
                .map(|v| prob(l, *v))
                .collect::<Vec<_>>()
                .join(", "),
            tr(
                l,
                "aciertos conjuntos de las dos mayores:",
                "joint hits of the two largest:"
            ),
            s.joint_top_two,
            tr(
                l,
                "desviación típica del porcentaje del primero",
                "sd of the top figure's percentage"
            ),
            num(l, s.sd_top_pct, 4),
            prob(l, s.ks_uniform_fractional_part_top.p),
        )
    });
    html! {
        h3 { (b.name) " (" (b.date) ")" }
        (votes)
        @if let Some(t) = per_table { p { (t) } }
        (components)
        p { (analytic) }
        @if let Some(t) = smooth { p { (t) } }
        @if let Some(t) = bootstrap { p { (t) } }
    }
}

fn forensics(p: &Page) -> Markup {
    let (r, l) = (p.r, p.lang);
    let f = &r.forensics;
    let turnout = r.turnout.as_ref().map(|tu| {
        format!(
            "n = {}; {} {}, {} {}, {} {}; {} {} – {}; {} {}; {} {}; > 90 %: {}; > 95 %: {}; > 100 %: {}.",
            int(l, tu.n),
            tr(l, "media", "mean"),
            pct(l, 100.0 * tu.mean, 2),
            tr(l, "mediana", "median"),
            pct(l, 100.0 * tu.median, 2),
            tr(l, "desv. típica", "sd"),
            num(l, 100.0 * tu.sd, 2),
            tr(l, "rango", "range"),
            pct(l, 100.0 * tu.min, 1),
            pct(l, 100.0 * tu.max, 1),
            tr(l, "asimetría", "skew"),
            num(l, tu.skew, 3),
            tr(l, "curtosis exceso", "excess kurtosis"),
            num(l, tu.kurtosis_excess, 3),
            tu.n_gt_0p9,
            tu.n_gt_0p95,
            tu.n_gt_1,
        )
    });

    let order = charts::series_order(r);
    let mut rows = Vec::new();
    for k in &order {
        let Some(s) = f.digits.series.get(k) else {
            continue;
        };
        if let Some(ld) = &s.last_digit {
            let bs = s.beber_scacco.as_ref();
            rows.push(vec![
                label(l, k),
                int(l, ld.n),
                format!("{} (p = {})", num(l, ld.chi2, 2), prob(l, ld.p_chi2)),
                format!("{} (z = {})", num(l, ld.mean, 3), num(l, ld.z_mean, 2)),
                format!("{} (z = {})", num(l, ld.c05s, 4), num(l, ld.z_c05s, 2)),
                bs.map_or("–".into(), |b| {
                    format!(
                        "{} (p = {})",
                        num(l, b.repeated_share, 4),
                        prob(l, b.p_repeated)
                    )
                }),
                bs.map_or("–".into(), |b| {
                    format!(
                        "{} (p = {})",
                        num(l, b.adjacent_share, 4),
                        prob(l, b.p_adjacent)
                    )
                }),
                s.p05s_share.as_ref().map_or("–".into(), |x| {
                    format!("{} (z = {})", num(l, x.share, 4), num(l, x.z, 2))
                }),
            ]);
        }
    }
    let last_digits = table(
        &[
            tr(l, "serie", "series").into(),
            "n".into(),
            "χ² (9 gl)".replace("gl", tr(l, "gl", "df")),
            tr(l, "media (4,5)", "mean (4.5)").into(),
            "C05s (0.2)".into(),
            tr(l, "repetidos (0,10)", "repeated (0.10)").into(),
            tr(l, "contiguos (0,18)", "adjacent (0.18)").into(),
            tr(l, "P05s de % (0,2)", "P05s of % (0.2)").into(),
        ],
        &rows,
    );
    let p05s_turnout = f.digits.p05s_turnout.as_ref().map(|x| {
        format!(
            "P05s {}: {} (z = {}).",
            tr(l, "de la participación redondeada", "of rounded turnout"),
            num(l, x.share, 4),
            num(l, x.z, 2)
        )
    });

    let mut rows = Vec::new();
    for k in &order {
        let Some(s) = f.digits.series.get(k) else {
            continue;
        };
        if let Some(sd) = &s.second_digit {
            let nl = s.second_digit_sim_null.as_ref();
            rows.push(vec![
                label(l, k),
                int(l, sd.n),
                format!(
                    "{} ({} – {})",
                    num(l, sd.mean, 4),
                    num(l, sd.mean_ci95[0], 3),
                    num(l, sd.mean_ci95[1], 3)
                ),
                format!("{} (p = {})", num(l, sd.chi2, 1), prob(l, sd.p_chi2)),
                nl.map_or("–".into(), |n| {
                    format!("{} ± {}", num(l, n.null_mean, 4), num(l, n.null_sd, 4))
                }),
                nl.map_or("–".into(), |n| num(l, n.z, 2)),
            ]);
        }
    }
    let second_digits = table(
        &[
            tr(l, "serie", "series").into(),
            "n".into(),
            tr(l, "media (Benford 4,187)", "mean (Benford 4.187)").into(),
            "χ² (9)".into(),
            tr(l, "nula simulada", "simulated null").into(),
            tr(l, "z frente a la nula", "z against the null").into(),
        ],
        &rows,
    );

    let rows: Vec<Vec<String>> = f
        .integer_percent
        .iter()
        .map(|(k, v)| {
            vec![
                label(l, k),
                int(l, v.n),
                int(l, v.observed),
                num(l, v.expected, 2),
                num(l, v.z, 3),
                prob(l, v.p_one_sided),
            ]
        })
        .collect();
    let integer_percent = table(
        &[
            tr(l, "serie", "series").into(),
            "n".into(),
            tr(l, "observadas", "observed").into(),
            tr(l, "esperadas", "expected").into(),
            "z".into(),
            tr(l, "p (una cola)", "p (one-sided)").into(),
        ],
        &rows,
    );

    // The candidates among the series (the fingerprint is a candidate's).
    let candidates: Vec<&String> = order.iter().filter(|k| *k != "valid").collect();
    let mut rows = Vec::new();
    for &id in &candidates {
        let Some(fp) = f.fingerprint.get(id) else {
            continue;
        };
        let kl = f.klimek_fit.get(id);
        let sp = f.shpilkin.get(id);
        rows.push(vec![
            id.clone(),
            num(l, fp.pearson_turnout_share, 3),
            num(l, fp.spearman_turnout_share, 3),
            format!("{} / {}", num(l, fp.share_mean, 3), num(l, fp.share_sd, 3)),
            format!(
                "{} / {}",
                num(l, fp.share_skew, 2),
                num(l, fp.share_kurtosis_excess, 2)
            ),
            format!(
                "({}, {})",
                num(l, fp.peak_cell[0], 2),
                num(l, fp.peak_cell[1], 2)
            ),
            int(l, fp.n_turnout_gt95_and_share_gt95),
            kl.map_or("–".into(), |k| {
                format!("{} / {}", num(l, k.f_i, 2), num(l, k.f_e, 2))
            }),
            sp.map_or("–".into(), |s| {
                format!(
                    "{} ({})",
                    int(l, s.excess_votes_positive_bins.round() as i64),
                    pct(l, s.excess_pct_of_cand, 1)
                )
            }),
        ]);
    }
    let fingerprints = table(
        &[
            String::new(),
            "Pearson".into(),
            "Spearman".into(),
            tr(l, "proporción media / dt", "share mean / sd").into(),
            tr(l, "asimetría / curtosis", "skew / kurtosis").into(),
            tr(l, "celda pico", "peak cell").into(),
            tr(l, "t y v > 95 %", "t and v > 95 %").into(),
            "Klimek f_i / f_e".into(),
            tr(l, "exceso Shpilkin", "Shpilkin excess").into(),
        ],
        &rows,
    );
    let mut rows = Vec::new();
    for &id in &candidates {
        if let Some(s) = f.shpilkin.get(id) {
            let mut v = vec![id.clone()];
            v.extend(
                s.share_by_turnout_decile
                    .iter()
                    .map(|x| pct(l, 100.0 * x, 1)),
            );
            rows.push(v);
        }
    }
    let mut deciles = vec![String::new()];
    deciles.extend((1..=10).map(|d| format!("D{d}")));
    html! {
        h2 id="forense" { (tr(l, "5. Pruebas forenses", "5. Forensic tests")) }
        @if let Some(t) = turnout {
            h3 { (tr(l, "Participación por mesa", "Turnout per table")) }
            (charts::turnout_histogram(r, l))
            p { (t) }
        }
        h3 { (tr(l, "Últimos dígitos", "Last digits")) }
        (p.note("last_digit"))
        (last_digits)
        @if let Some(t) = p05s_turnout { p { (t) } }
        h3 { (tr(l, "Segundo dígito (2BL)", "Second digit (2BL)")) }
        (p.note("second_digit"))
        (second_digits)
        div.charts { @for c in charts::digit_charts(r, l) { (c) } }
        h3 { (tr(l, "Porcentajes enteros", "Integer percentages")) }
        (p.note("integer_percent"))
        (integer_percent)
        h3 {
            (tr(
                l,
                "Huella electoral (Klimek) y votos en exceso (Shpilkin)",
                "Election fingerprint (Klimek) and excess votes (Shpilkin)",
            ))
        }
        (p.note("fingerprint"))
        div.charts { @for id in &candidates { (charts::fingerprint(r, id, l)) } }
        (fingerprints)
        @if !rows.is_empty() {
            p { (tr(
                l,
                "Proporción de válidos por decil de participación (de menor a mayor):",
                "Share of valid votes by turnout decile (lowest to highest):",
            )) }
            (table(&deciles, &rows))
        }
        (charts::shpilkin(r, l))
    }
}
