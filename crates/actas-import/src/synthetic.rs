//! A synthetic election on the ve2024 ballot, for the demo and for scale tests: a geography of
//! states > municipalities > parishes > centres > tables sized like the real one, registered
//! voters per table, turnout and shares that vary by region, and a results CSV in the
//! opposition's layout with part of the tables missing. Deterministic from the seed.

use actas_core::{CentreCode, Election, Level, Place, TableId};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

pub struct Synthetic {
    pub places: Vec<Place>,
    pub tables: Vec<(TableId, Option<u64>)>,
    /// Results file in the `resultadosconvzla` layout.
    pub csv: String,
    pub rows: usize,
}

/// Normal deviate by Box-Muller.
fn normal(rng: &mut Pcg64, mean: f64, sd: f64) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0f64);
    let u2: f64 = rng.random_range(0.0..1.0f64);
    mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Generates an election with the official number of tables per state scaled by `scale`
/// (1.0 = 30,026 tables), of which about `coverage` have a result.
pub fn generate(election: &Election, seed: u64, scale: f64, coverage: f64) -> Synthetic {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut places = Vec::new();
    let mut tables = Vec::new();
    let mut csv = String::from(
        "COD_EDO,EDO,COD_MUN,MUN,COD_PAR,PAR,CENTRO,MESA,RE,VOTOS_VALIDOS,VOTOS_NULOS,",
    );
    csv.push_str(&election.candidate_ids().collect::<Vec<_>>().join(","));
    csv.push_str(",URL\n");
    let n = election.candidates.len();
    let eg = election.candidate_index("EG");
    let nm = election.candidate_index("NM");
    let mut rows = 0;
    let mut parish_serial = 0;
    for state in &election.states {
        let state_tables =
            ((state.expected_tables.unwrap_or(1000) as f64 * scale).round() as u64).max(1);
        let s: u32 = state.code.parse().unwrap_or(1);
        // Regional political lean and turnout.
        let lean = normal(&mut rng, 0.0, 0.35);
        let turnout_state = normal(&mut rng, 0.6, 0.05).clamp(0.35, 0.85);
        let mut left = state_tables;
        let mut m = 0u32;
        while left > 0 && m < 99 {
            m += 1;
            let mun_code = format!("{s:02}{m:02}");
            places.push(Place {
                level: Level::Municipality,
                code: mun_code.clone(),
                name: format!("Municipio {m} de {}", state.name),
                expected_tables: None,
            });
            for p in 1..=rng.random_range(2..6u32) {
                if left == 0 {
                    break;
                }
                parish_serial += 1;
                let par_code = format!("{mun_code}{p:02}");
                places.push(Place {
                    level: Level::Parish,
                    code: par_code.clone(),
                    name: format!("Parroquia {p} ({mun_code})"),
                    expected_tables: None,
                });
                let urban = rng.random_range(0.0..1.0) < 0.5;
                for c in 1..=rng.random_range(3..12u32) {
                    if left == 0 {
                        break;
                    }
                    let centre = CentreCode::new(s * 10_000_000 + m * 100_000 + p * 1000 + c)
                        .expect("nine digits");
                    let mesas = if urban {
                        rng.random_range(2..10u64)
                    } else {
                        rng.random_range(1..4u64)
                    }
                    .min(left);
                    left -= mesas;
                    places.push(Place {
                        level: Level::Centre,
                        code: centre.to_string(),
                        name: format!("Centro de votación {c} ({par_code})"),
                        expected_tables: Some(mesas),
                    });
                    let centre_lean = lean + normal(&mut rng, 0.0, 0.25);
                    for mesa in 1..=mesas as u8 {
                        let table = TableId::new(centre, mesa).expect("mesa in range");
                        let registered = normal(&mut rng, 712.0, 160.0).clamp(80.0, 1200.0) as u64;
                        tables.push((table, Some(registered)));
                        if rng.random_range(0.0..1.0) >= coverage {
                            continue;
                        }
                        let turnout =
                            (turnout_state + normal(&mut rng, 0.0, 0.05)).clamp(0.2, 0.95);
                        let cast = (registered as f64 * turnout) as u64;
                        let null = (cast as f64 * rng.random_range(0.0..0.004)) as u64;
                        let valid = cast - null;
                        // Share of the leading opposition candidate, on a logistic scale.
                        let x = 0.75 + centre_lean + normal(&mut rng, 0.0, 0.2);
                        let eg_share = 0.93 / (1.0 + (-x).exp());
                        let mut votes = vec![0u64; n];
                        let mut rest = valid;
                        if let Some(i) = eg {
                            votes[i] = (valid as f64 * eg_share) as u64;
                            rest -= votes[i];
                        }
                        let minor = (rest as f64 * rng.random_range(0.04..0.12)) as u64;
                        if let Some(i) = nm {
                            votes[i] = rest - minor;
                        }
                        let others: Vec<usize> = (0..n)
                            .filter(|i| Some(*i) != eg && Some(*i) != nm)
                            .collect();
                        for k in 0..minor {
                            let i = others
                                [(k as usize + rng.random_range(0..others.len())) % others.len()];
                            votes[i] += 1;
                        }
                        rows += 1;
                        csv.push_str(&format!(
                            "{s},{},{m},{},{parish_serial},{},{},{},{registered},{valid},{null}",
                            state.name.to_uppercase(),
                            format_args!("MUNICIPIO {m}"),
                            format_args!("PARROQUIA {p}"),
                            centre.value(),
                            mesa
                        ));
                        for v in &votes {
                            csv.push_str(&format!(",{v}"));
                        }
                        csv.push_str(",\n");
                    }
                }
            }
        }
        places.push(Place {
            level: Level::State,
            code: state.code.clone(),
            name: state.name.clone(),
            expected_tables: Some(state_tables - left),
        });
    }
    Synthetic {
        places,
        tables,
        csv,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_results::{LayoutChoice, parse_results};
    use actas_core::ve2024;

    #[test]
    fn the_synthetic_csv_imports_and_matches_its_geography() {
        let e = ve2024::election();
        let s = generate(&e, 7, 0.05, 0.8);
        let parsed = parse_results(
            "demo.csv",
            s.csv.as_bytes(),
            &LayoutChoice::Auto,
            &e,
            false,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(parsed.incoming.len(), s.rows);
        assert!(s.rows as f64 > 0.7 * s.tables.len() as f64);
        let known: std::collections::HashMap<_, _> = s.tables.iter().cloned().collect();
        for row in &parsed.incoming {
            assert_eq!(known[&row.result().table], row.result().registered);
            assert!(row.problems().is_empty(), "{:?}", row.problems());
        }
        let again = generate(&e, 7, 0.05, 0.8);
        assert_eq!(again.csv, s.csv, "deterministic from the seed");
    }
}
