//! The per-section notes the report carries: what each section computes (its reference), on which
//! assumptions, and a reading of its figures, in Spanish and English.

use std::collections::BTreeMap;

use actas_analysis::Report;
use serde::Serialize;

use crate::{Lang, Text, int, num, pct, prob, tr};

/// What a section computes, on which assumptions, and what its figures say here.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub title: Text,
    pub reference: String,
    pub assumptions: Text,
    pub reading: Text,
}

/// Display label of a series key: candidate ids as they are, the rest translated.
pub(crate) fn label(l: Lang, key: &str) -> String {
    match key {
        "valid" => tr(l, "válidos", "valid").into(),
        "others" => tr(l, "otros", "others").into(),
        "turnout" => tr(l, "participación", "turnout").into(),
        k => match k.strip_suffix("_share") {
            Some(id) => format!("{} {id}", tr(l, "proporción de", "share of")),
            None => k.to_string(),
        },
    }
}

fn note(title: Text, reference: &str, assumptions: Text, reading: Text) -> Note {
    Note {
        title,
        reference: reference.to_string(),
        assumptions,
        reading,
    }
}

fn both(f: impl Fn(Lang) -> String) -> (String, String) {
    (f(Lang::Es), f(Lang::En))
}

/// Builds every section's note from the computed figures.
pub fn notes(r: &Report) -> BTreeMap<String, Note> {
    let mut out = BTreeMap::new();
    let t = &r.totals;
    let leader = t.leader.clone();
    let runner = t.runner_up.clone().unwrap_or_default();

    let (es, en) = both(|l| {
        let cov = t
            .coverage_tables_pct
            .map(|c| pct(l, c, 1))
            .unwrap_or_else(|| "–".into());
        match l {
            Lang::Es => format!(
                "{} actas ({cov} de las mesas). {leader} obtiene {} y {runner} {}; la diferencia es de {} votos.",
                int(l, t.tables),
                pct(l, t.pct_of_valid[&leader], 2),
                pct(l, *t.pct_of_valid.get(&runner).unwrap_or(&f64::NAN), 2),
                int(l, t.margin)
            ),
            Lang::En => format!(
                "{} actas ({cov} of the tables). {leader} has {} and {runner} {}; the margin is {} votes.",
                int(l, t.tables),
                pct(l, t.pct_of_valid[&leader], 2),
                pct(l, *t.pct_of_valid.get(&runner).unwrap_or(&f64::NAN), 2),
                int(l, t.margin)
            ),
        }
    });
    out.insert(
        "totals".into(),
        note(
            Text::new("Totales y cobertura", "Totals and coverage"),
            "Actas (per-table tally sheets) as loaded; official counts of tables and registered voters from the election definition.",
            Text::new(
                "Sumas exactas de las actas aceptadas. La participación es (válidos + nulos) / electores inscritos, solo en las mesas que indican sus inscritos.",
                "Exact sums of the accepted actas. Turnout is (valid + null) / registered voters, only over tables that state their registered voters.",
            ),
            Text::new(es, en),
        ),
    );

    if let Some(w) = r.worst_case.first() {
        let a = &w.a_all_missing_registered_for_runner_up;
        let b = &w.b_observed_turnout_all_for_runner_up;
        let (es, en) = both(|l| {
            let lead = |v: f64| int(l, v.round() as i64);
            match (l, a.overturned) {
                (Lang::Es, false) => format!(
                    "Aunque todos los {} inscritos de las {} mesas faltantes votaran y todos por {runner}, {leader} seguiría ganando por {} votos. Con la participación observada ({}), la ventaja sería de {}. {runner} necesitaría {} de los votos faltantes (más del 100 %, imposible) o una participación de {} en esas mesas.",
                    int(l, w.missing_registered),
                    int(l, w.missing_tables),
                    int(l, a.leader_lead),
                    pct(l, 100.0 * w.observed_turnout, 1),
                    lead(b.leader_lead),
                    pct(l, 100.0 * w.c_runner_up_share_needed_full_turnout, 1),
                    pct(l, 100.0 * w.d_turnout_needed_all_for_runner_up, 1),
                ),
                (Lang::En, false) => format!(
                    "Even if all {} registered voters of the {} missing tables voted, all for {runner}, {leader} would still win by {} votes. At the observed turnout ({}) the lead would be {}. {runner} would need {} of the missing votes (over 100 %, impossible) or a turnout of {} in those tables.",
                    int(l, w.missing_registered),
                    int(l, w.missing_tables),
                    int(l, a.leader_lead),
                    pct(l, 100.0 * w.observed_turnout, 1),
                    lead(b.leader_lead),
                    pct(l, 100.0 * w.c_runner_up_share_needed_full_turnout, 1),
                    pct(l, 100.0 * w.d_turnout_needed_all_for_runner_up, 1),
                ),
                (Lang::Es, true) => format!(
                    "Si todos los {} inscritos de las {} mesas faltantes votaran por {runner}, el resultado podría cambiar: las actas faltantes sí pueden decidir. Con la participación observada, la ventaja de {leader} sería de {}.",
                    int(l, w.missing_registered),
                    int(l, w.missing_tables),
                    lead(b.leader_lead),
                ),
                (Lang::En, true) => format!(
                    "If all {} registered voters of the {} missing tables voted for {runner}, the result could change: the missing actas can decide. At the observed turnout {leader}'s lead would be {}.",
                    int(l, w.missing_registered),
                    int(l, w.missing_tables),
                    lead(b.leader_lead),
                ),
            }
        });
        out.insert(
            "worst_case".into(),
            note(
                Text::new("Peor caso para las mesas faltantes", "Worst cases for the missing tables"),
                "Deterministic bounds (forensics.md C7); cf. Washington Post, 4 Aug 2024.",
                Text::new(
                    "Ninguna sobre cómo votaron las mesas faltantes: se les da todo lo posible al segundo. Los inscritos faltantes son los oficiales menos los de las actas observadas.",
                    "None about how the missing tables voted: they are given as much as possible to the runner-up. Missing registered voters are the official total minus those of the observed actas.",
                ),
                Text::new(es, en),
            ),
        );
    }

    if let Some(p) = &r.projection {
        let (es, en) = both(|l| {
            let mut s = String::new();
            for id in [&leader, &runner] {
                if let Some(sh) = p.shares.get(id) {
                    let item = format!(
                        "{id} {} ({}–{})",
                        pct(l, 100.0 * sh.p, 2),
                        pct(l, 100.0 * sh.ci95_cluster[0], 2),
                        pct(l, 100.0 * sh.ci95_cluster[1], 2)
                    );
                    if !s.is_empty() {
                        s.push_str("; ");
                    }
                    s.push_str(&item);
                }
            }
            match l {
                Lang::Es => format!(
                    "Proyección por razón, IC 95 % por conglomerados (centros): {s}. Estos intervalos solo miden el azar de qué mesas se observaron; no cubren un sesgo en cuáles faltan, para lo que sirven las cotas del peor caso."
                ),
                Lang::En => format!(
                    "Ratio projection, 95 % CI clustered by centre: {s}. These intervals only measure the chance of which tables were observed; they do not cover a bias in which ones are missing, which is what the worst-case bounds are for."
                ),
            }
        });
        out.insert(
            "projection".into(),
            note(
                Text::new("Proyección por razón", "Ratio projection"),
                "Cochran, Sampling Techniques (3rd ed., 1977), ch. 6; clustered and stratified variances.",
                Text::new(
                    "Las mesas faltantes faltan al azar (MAR): votan como las observadas de su mismo tamaño. La cobertura no es una muestra probabilística (faltan sobre todo donde no hubo testigos), así que el supuesto es fuerte.",
                    "The missing tables are missing at random (MAR): they vote like observed tables of the same size. The coverage is not a probability sample (tables are missing mostly where there were no witnesses), so the assumption is strong.",
                ),
                Text::new(es, en),
            ),
        );
    }

    if !r.official.is_empty() {
        let (es, en) = both(|l| {
            let mut parts = Vec::new();
            for b in &r.official {
                let rd = &b.round_decimal;
                let lead = b.actas_leader_minus_bulletin_top.unwrap_or(0);
                let top = b.bulletin_top.clone().unwrap_or_default();
                let s = match l {
                    Lang::Es => format!(
                        "{}: {leader} tiene en las actas {} votos {} que los atribuidos a {top}. {} de {} cifras son exactamente el entero más cercano a un porcentaje con un decimal del total (al azar, cada una con probabilidad {}{}).",
                        b.name,
                        int(l, lead.abs()),
                        if lead >= 0 { "más" } else { "menos" },
                        rd.hits_nearest_integer,
                        rd.components.len(),
                        prob(l, rd.analytic.p_one_nearest_integer),
                        if rd.hits_nearest_integer >= 2 {
                            format!(
                                "; dos a la vez: 1 en {}",
                                int(l, rd.analytic.one_in_two_nearest.round() as i64)
                            )
                        } else {
                            String::new()
                        }
                    ),
                    Lang::En => format!(
                        "{}: in the actas {leader} has {} votes {} than those attributed to {top}. {} of {} figures are exactly the nearest integer to a one-decimal percentage of the total (by chance, each with probability {}{}).",
                        b.name,
                        int(l, lead.abs()),
                        if lead >= 0 { "more" } else { "fewer" },
                        rd.hits_nearest_integer,
                        rd.components.len(),
                        prob(l, rd.analytic.p_one_nearest_integer),
                        if rd.hits_nearest_integer >= 2 {
                            format!(
                                "; two at once: 1 in {}",
                                int(l, rd.analytic.one_in_two_nearest.round() as i64)
                            )
                        } else {
                            String::new()
                        }
                    ),
                };
                parts.push(s);
            }
            let tail = match l {
                Lang::Es => {
                    " La probabilidad mide qué tan raro es el patrón sin fraude; no es la probabilidad de fraude (Tao: depende también de las hipótesis alternativas y de cómo se eligió el patrón)."
                }
                Lang::En => {
                    " The probability measures how rare the pattern is without manipulation; it is not the probability of fraud (Tao: that also depends on the alternatives and on how the pattern was chosen)."
                }
            };
            parts.join(" ") + tail
        });
        out.insert(
            "official".into(),
            note(
                Text::new("Cifras oficiales y prueba de decimales redondos", "Official figures and the round-decimal test"),
                "Gelman, statmodeling blog, 31 Jul 2024; Tao, \"What are the odds, II\", 2 Aug 2024.",
                Text::new(
                    "Sin manipulación, la parte fraccionaria de 1000·c/T es ~U(0,1), pues la incertidumbre de cada porcentaje supera con creces 0,1 puntos; las tres cifras suman el total.",
                    "Without manipulation the fractional part of 1000·c/T is ~U(0,1), since the uncertainty of each share far exceeds 0.1 points; the three figures add up to the total.",
                ),
                Text::new(es, en),
            ),
        );
    }

    let dg = &r.forensics.digits;
    let last: Vec<(String, f64, f64)> = dg
        .series
        .iter()
        .filter_map(|(k, s)| {
            s.last_digit
                .as_ref()
                .map(|ld| (k.clone(), ld.p_chi2, ld.c05s))
        })
        .collect();
    let min_p = last.iter().map(|x| x.1).fold(1.0, f64::min);
    let (es, en) = both(|l| {
        let list = last
            .iter()
            .map(|(k, p, _)| format!("{} p = {}", label(l, k), prob(l, *p)))
            .collect::<Vec<_>>()
            .join(", ");
        match (l, min_p >= 0.01) {
            (Lang::Es, true) => format!(
                "Los últimos dígitos son compatibles con la distribución uniforme ({list}), igual que las pruebas de pares de Beber y Scacco: no hay rastro de cifras inventadas a mano."
            ),
            (Lang::En, true) => format!(
                "Last digits are consistent with uniform ({list}), and so are the Beber–Scacco pair tests: no trace of hand-made numbers."
            ),
            (Lang::Es, false) => format!(
                "Algún último dígito se aparta de la uniformidad ({list}). Con decenas de miles de actas, desvíos pequeños pueden ser significativos; hay que revisar qué mesas los causan antes de concluir."
            ),
            (Lang::En, false) => format!(
                "Some last digits depart from uniform ({list}). With tens of thousands of actas small departures can be significant; check which tables cause them before concluding."
            ),
        }
    });
    out.insert(
        "last_digit".into(),
        note(
            Text::new("Últimos dígitos", "Last digits"),
            "Beber & Scacco, Political Analysis 20(2):211 (2012); Hicken & Mebane, Election Forensics Toolkit (USAID 2015/2017).",
            Text::new(
                "En conteos de 10 o más votos, el último dígito es uniforme (media 4,5; 0 o 5 en el 20 %); los dos últimos se repiten el 10 % y son contiguos el 18 %. Las personas que inventan cifras se apartan de eso.",
                "In counts of 10 or more, the last digit is uniform (mean 4.5; 0 or 5 in 20 %); the last two are equal 10 % and adjacent 18 % of the time. People who invent numbers depart from that.",
            ),
            Text::new(es, en),
        ),
    );

    let nulls: Vec<(String, f64, f64)> = dg
        .series
        .iter()
        .filter_map(|(k, s)| {
            let sd = s.second_digit.as_ref()?;
            let z = s.second_digit_sim_null.as_ref().map_or(f64::NAN, |n| n.z);
            Some((k.clone(), sd.mean, z))
        })
        .collect();
    let (es, en) = both(|l| {
        let list = nulls
            .iter()
            .map(|(k, m, z)| {
                if z.is_finite() {
                    format!("{} {} (z = {})", label(l, k), num(l, *m, 3), num(l, *z, 2))
                } else {
                    format!("{} {}", label(l, k), num(l, *m, 3))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        match l {
            Lang::Es => format!(
                "Medias del segundo dígito: {list}; Benford espera 4,187. Todas las series, incluidos los votos válidos totales, se apartan de Benford: las mesas tienen a lo sumo unos cientos de electores y eso deforma la distribución. La comparación válida es contra la simulación binomial por parroquia (z); un |z| de algunas unidades refleja heterogeneidad dentro de las parroquias, no manipulación."
            ),
            Lang::En => format!(
                "Second-digit means: {list}; Benford expects 4.187. Every series, total valid votes included, departs from Benford: tables have at most a few hundred voters, which bends the distribution. The meaningful comparison is with the binomial simulation by parish (z); a |z| of a few units reflects heterogeneity within parishes, not manipulation."
            ),
        }
    });
    out.insert(
        "second_digit".into(),
        note(
            Text::new("Segundo dígito (2BL)", "Second digit (2BL)"),
            "Mebane (2006, 2011); Deckert, Myagkov & Ordeshook, Political Analysis 19(3) (2011).",
            Text::new(
                "La ley de Benford del segundo dígito no es una propiedad de conteos limpios: depende del tamaño de las mesas y del voto estratégico. Por eso se compara con una simulación W ~ Bin(válidos, proporción de la parroquia).",
                "Second-digit Benford is not a property of clean counts: it depends on unit size and strategic voting. Hence the comparison with a simulation W ~ Bin(valid, parish share).",
            ),
            Text::new(es, en),
        ),
    );

    let ip = &r.forensics.integer_percent;
    let (es, en) = both(|l| {
        let list = ip
            .iter()
            .map(|(k, v)| {
                format!(
                    "{} {} / {} (p = {})",
                    label(l, k),
                    v.observed,
                    num(l, v.expected, 1),
                    prob(l, v.p_one_sided)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sig = ip.values().any(|v| v.p_one_sided < 0.01);
        match (l, sig) {
            (Lang::Es, false) => format!(
                "Porcentajes enteros observados / esperados: {list}. No hay exceso significativo de porcentajes redondos."
            ),
            (Lang::En, false) => format!(
                "Integer percentages observed / expected: {list}. No significant excess of round percentages."
            ),
            (Lang::Es, true) => format!(
                "Porcentajes enteros observados / esperados: {list}. Hay un exceso de porcentajes redondos que merece revisar las mesas afectadas."
            ),
            (Lang::En, true) => format!(
                "Integer percentages observed / expected: {list}. There is an excess of round percentages; the tables concerned deserve a look."
            ),
        }
    });
    out.insert(
        "integer_percent".into(),
        note(
            Text::new("Porcentajes enteros", "Integer percentages"),
            "Kobak, Shpilkin & Pshenichnikov, Ann. Appl. Stat. 10(1):54 (2016).",
            Text::new(
                "Quien fabrica resultados tiende a fijar porcentajes redondos. El número esperado de mesas con porcentaje entero se calcula exactamente con la binomial de cada mesa.",
                "Fabricated results tend to hit round percentages. The expected number of tables with an integer percentage is computed exactly from each table's binomial.",
            ),
            Text::new(es, en),
        ),
    );

    let fp = &r.forensics.fingerprint;
    let sp = &r.forensics.shpilkin;
    let kl = &r.forensics.klimek_fit;
    let (es, en) = both(|l| {
        let corr = fp
            .iter()
            .map(|(k, f)| format!("{k} {}", num(l, f.pearson_turnout_share, 2)))
            .collect::<Vec<_>>()
            .join(", ");
        let corner: u64 = fp.values().map(|f| f.n_turnout_gt95_and_share_gt95).sum();
        let gradient = fp
            .iter()
            .filter(|(_, f)| f.pearson_turnout_share > 0.2)
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>();
        let fits = kl
            .iter()
            .map(|(k, f)| {
                let [lo, hi] = f.f_i_within_1pct;
                let flat = if hi - lo >= 0.03 {
                    match l {
                        Lang::Es => format!(
                            " (ajuste plano: f_i entre {} y {} encajan igual de bien)",
                            num(l, lo, 2),
                            num(l, hi, 2)
                        ),
                        Lang::En => format!(
                            " (flat fit: f_i from {} to {} fit equally well)",
                            num(l, lo, 2),
                            num(l, hi, 2)
                        ),
                    }
                } else {
                    String::new()
                };
                format!(
                    "{k} f_i = {}, f_e = {}{flat}",
                    num(l, f.f_i, 2),
                    num(l, f.f_e, 2)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let exc = sp
            .iter()
            .filter(|(_, s)| s.excess_votes_positive_bins > 0.0)
            .map(|(k, s)| {
                format!(
                    "{k} {} ({})",
                    int(l, s.excess_votes_positive_bins.round() as i64),
                    pct(l, s.excess_pct_of_cand, 1)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        match l {
            Lang::Es => {
                let mut s = format!(
                    "Correlación participación–proporción: {corr}. Mesas con participación y proporción > 95 %: {corner}."
                );
                if !gradient.is_empty() {
                    s.push_str(&format!(
                        " La proporción de {} crece con la participación; en Venezuela eso tiene también explicación sociológica (movilización chavista en zonas populares y rurales) y, en todo caso, favorecería a {}, no a {leader}.",
                        gradient.join(", "),
                        gradient.join(", ")
                    ));
                }
                if !fits.is_empty() {
                    s.push_str(&format!(" Ajuste de Klimek simplificado: {fits}."));
                }
                if !exc.is_empty() {
                    s.push_str(&format!(" Votos \"en exceso\" según Shpilkin: {exc}."));
                }
                s.push_str(" Ninguno de estos patrones es por sí solo prueba de relleno de urnas.");
                s
            }
            Lang::En => {
                let mut s = format!(
                    "Turnout–share correlation: {corr}. Tables with turnout and share > 95 %: {corner}."
                );
                if !gradient.is_empty() {
                    s.push_str(&format!(
                        " {}'s share rises with turnout; in Venezuela that also has a sociological explanation (chavista mobilisation in poor and rural areas) and would in any case favour {}, not {leader}.",
                        gradient.join(", "),
                        gradient.join(", ")
                    ));
                }
                if !fits.is_empty() {
                    s.push_str(&format!(" Simplified Klimek fit: {fits}."));
                }
                if !exc.is_empty() {
                    s.push_str(&format!(" Shpilkin \"excess\" votes: {exc}."));
                }
                s.push_str(" None of these patterns is by itself evidence of ballot stuffing.");
                s
            }
        }
    });
    out.insert(
        "fingerprint".into(),
        note(
            Text::new("Huella electoral y votos en exceso", "Election fingerprint and excess votes"),
            "Klimek, Yegorov, Hanel & Thurner, PNAS 109(41):16469 (2012); Kobak, Shpilkin & Pshenichnikov, arXiv:1205.0741 and Significance (2016).",
            Text::new(
                "Una elección limpia da una sola mancha aproximadamente gaussiana en (participación, proporción); el relleno de urnas la estira hacia (100 %, 100 %). Shpilkin supone constante la razón entre el candidato y los demás en las mesas con participación hasta la moda. Klimek: participación normal y proporción logit-normal, fraude incremental x ~ Exp(0,1) y extremo x = 1 − |N(0; 0,075)|, rejilla de 0,01 en [0; 0,1].",
                "A clean election gives one roughly Gaussian blob in (turnout, share); ballot stuffing smears it towards (100 %, 100 %). Shpilkin assumes the candidate-to-others ratio is constant in tables up to the modal turnout. Klimek: normal turnout and logit-normal share, incremental fraud x ~ Exp(0.1) and extreme x = 1 − |N(0, 0.075)|, grid step 0.01 on [0, 0.1].",
            ),
            Text::new(es, en),
        ),
    );
    out
}
