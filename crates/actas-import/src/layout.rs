//! Layouts: which column of a results file holds what.
//!
//! A layout is data. The built-in ones describe files seen in 2024; `--layout auto` builds one
//! from the header (and, for acta ids, from the values); a user describes any other file in a
//! small TOML file:
//!
//! ```toml
//! name = "mi-formato"
//! delimiter = ";"          # optional: sniffed from the header line otherwise
//! centre = "codigo_centro" # with `mesa`; or instead: acta_id = "codigo"
//! mesa = "mesa"
//! registered = "electores" # optional
//! valid = "validos"        # optional: the candidates' sum is used if absent
//! null = "nulos"
//! image_url = "url"        # optional: a link to the acta's photo
//! [candidates]             # every candidate id of the election -> its column
//! NM = "maduro"
//! EG = "gonzalez"
//! ```

use std::collections::BTreeMap;

use actas_core::{ActaId, Election};
use serde::{Deserialize, Serialize};

use crate::text::normalise;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centre: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesa: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acta_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<String>,
    pub null: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank: Option<String>,
    pub candidates: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parish_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centre_name: Option<String>,
    /// A column of links to the acta's photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("layout file: {0}")]
    Toml(String),
    #[error("unknown layout {0:?}; known: auto, {known}", known = builtin_names().join(", "))]
    Unknown(String),
    #[error(
        "cannot recognise the layout: {0}. Describe the file in a layout file and pass it with --layout FILE.toml (see `actas import csv --help`)"
    )]
    Unrecognised(String),
    #[error("layout {layout:?}: {problem}")]
    Invalid { layout: String, problem: String },
}

/// The opposition's per-table CSV (resultadosconvzla.com, 2024), header
/// `COD_EDO,EDO,COD_MUN,MUN,COD_PAR,PAR,CENTRO,MESA,RE,VOTOS_VALIDOS,VOTOS_NULOS,EG,NM,...,URL`.
pub fn resultadosconvzla() -> Layout {
    Layout {
        name: "resultadosconvzla".into(),
        delimiter: Some(','),
        centre: Some("CENTRO".into()),
        mesa: Some("MESA".into()),
        registered: Some("RE".into()),
        valid: Some("VOTOS_VALIDOS".into()),
        null: "VOTOS_NULOS".into(),
        candidates: [
            "NM", "LM", "JABE", "JOBR", "AE", "CF", "DC", "EG", "EM", "BERA",
        ]
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect(),
        state_name: Some("EDO".into()),
        municipality_name: Some("MUN".into()),
        parish_name: Some("PAR".into()),
        image_url: Some("URL".into()),
        ..Layout::default()
    }
}

/// Third-party QR decodes keyed by acta id (ipince/vzlapi): `acta,codigo,centro,mesa,maduro,
/// edmundo,...,total_valido,total_nulo,total_invalido`.
pub fn vzlapi() -> Layout {
    let names = [
        ("NM", "maduro"),
        ("LM", "martinez"),
        ("JABE", "bertucci"),
        ("JOBR", "brito"),
        ("AE", "ecarri"),
        ("CF", "fermin"),
        ("DC", "ceballos"),
        ("EG", "edmundo"),
        ("EM", "marquez"),
        ("BERA", "rausseo"),
    ];
    Layout {
        name: "vzlapi".into(),
        delimiter: Some(','),
        acta_id: Some("codigo".into()),
        valid: Some("total_valido".into()),
        null: "total_nulo".into(),
        blank: Some("total_invalido".into()),
        candidates: names
            .iter()
            .map(|(id, col)| (id.to_string(), col.to_string()))
            .collect(),
        ..Layout::default()
    }
}

pub fn builtin_names() -> Vec<&'static str> {
    vec!["resultadosconvzla", "vzlapi"]
}

pub fn builtin(name: &str) -> Result<Layout, LayoutError> {
    match name {
        "resultadosconvzla" => Ok(resultadosconvzla()),
        "vzlapi" => Ok(vzlapi()),
        other => Err(LayoutError::Unknown(other.to_string())),
    }
}

pub fn from_toml(text: &str) -> Result<Layout, LayoutError> {
    toml::from_str(text).map_err(|e| LayoutError::Toml(e.to_string()))
}

/// Picks the delimiter that splits the header line into the most fields.
pub fn sniff_delimiter(header_line: &str) -> u8 {
    let candidates = [b',', b';', b'\t', b'|'];
    let count = |d: u8| {
        let mut in_quotes = false;
        header_line
            .bytes()
            .filter(|&b| {
                if b == b'"' {
                    in_quotes = !in_quotes;
                }
                !in_quotes && b == d
            })
            .count()
    };
    candidates
        .into_iter()
        .max_by_key(|&d| (count(d), d == b','))
        .unwrap_or(b',')
}

/// Columns resolved to indexes in one file's header.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub table: TableColumns,
    pub registered: Option<(usize, String)>,
    pub valid: Option<(usize, String)>,
    pub null: (usize, String),
    pub blank: Option<(usize, String)>,
    /// One column per candidate, in the election's candidate order.
    pub candidates: Vec<(usize, String)>,
    pub state_name: Option<usize>,
    pub municipality_name: Option<usize>,
    pub parish_name: Option<usize>,
    pub centre_name: Option<usize>,
    pub image_url: Option<(usize, String)>,
}

#[derive(Debug, Clone)]
pub enum TableColumns {
    CentreMesa {
        centre: (usize, String),
        mesa: (usize, String),
    },
    ActaId((usize, String)),
}

impl Layout {
    /// Finds this layout's columns in a header; headers match ignoring case, accents and
    /// punctuation.
    pub fn resolve(&self, header: &[&str], election: &Election) -> Result<Resolved, LayoutError> {
        let norm: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        let invalid = |problem: String| LayoutError::Invalid {
            layout: self.name.clone(),
            problem,
        };
        let find = |col: &str| -> Result<(usize, String), LayoutError> {
            let n = normalise(col);
            norm.iter()
                .position(|h| *h == n)
                .map(|i| (i, header[i].trim().to_string()))
                .ok_or_else(|| invalid(format!("the file has no column {col:?}")))
        };
        let opt = |col: &Option<String>| col.as_deref().map(find).transpose();
        let table = match (&self.centre, &self.mesa, &self.acta_id) {
            (Some(c), Some(m), _) => TableColumns::CentreMesa {
                centre: find(c)?,
                mesa: find(m)?,
            },
            (_, _, Some(a)) => TableColumns::ActaId(find(a)?),
            _ => {
                return Err(invalid(
                    "name either the `centre` and `mesa` columns or the `acta_id` column".into(),
                ));
            }
        };
        for id in self.candidates.keys() {
            if election.candidate_index(id).is_none() {
                return Err(invalid(format!(
                    "candidate {id:?} is not in the election (candidates: {})",
                    election.candidate_ids().collect::<Vec<_>>().join(", ")
                )));
            }
        }
        let candidates = election
            .candidate_ids()
            .map(|id| match self.candidates.get(id) {
                Some(col) => find(col),
                None => Err(invalid(format!("no column is given for candidate {id}"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Resolved {
            table,
            registered: opt(&self.registered)?,
            valid: opt(&self.valid)?,
            null: find(&self.null)?,
            blank: opt(&self.blank)?,
            candidates,
            state_name: opt(&self.state_name)?.map(|c| c.0),
            municipality_name: opt(&self.municipality_name)?.map(|c| c.0),
            parish_name: opt(&self.parish_name)?.map(|c| c.0),
            centre_name: opt(&self.centre_name)?.map(|c| c.0),
            image_url: opt(&self.image_url)?,
        })
    }
}

const CENTRE: &[&str] = &[
    "centro",
    "cod_centro",
    "codigo_centro",
    "centro_codigo",
    "centre",
    "center",
    "centre_code",
    "center_code",
    "cne_centre_code",
    "codigo_cne",
    "cod_cne",
    "cv",
];
const MESA: &[&str] = &[
    "mesa",
    "nro_mesa",
    "num_mesa",
    "numero_mesa",
    "n_mesa",
    "mesa_number",
    "cod_mesa",
    "table",
    "table_number",
];
const ACTA_ID: &[&str] = &["acta_id", "id_acta", "codigo_acta", "cod_acta", "codigo"];
const REGISTERED: &[&str] = &[
    "re",
    "electores",
    "electores_inscritos",
    "inscritos",
    "votantes_inscritos",
    "registrados",
    "registered",
    "registered_voters",
];
const VALID: &[&str] = &[
    "votos_validos",
    "validos",
    "total_valido",
    "total_validos",
    "total_votos_validos",
    "valid",
    "valid_votes",
];
const NULL: &[&str] = &[
    "votos_nulos",
    "nulos",
    "total_nulo",
    "total_nulos",
    "null",
    "nulls",
    "null_votes",
];
const BLANK: &[&str] = &[
    "votos_vacios",
    "vacios",
    "blank",
    "blank_votes",
    "total_invalido",
];
const STATE_NAME: &[&str] = &["edo", "estado", "state", "nombre_estado", "state_name"];
const MUNICIPALITY_NAME: &[&str] = &[
    "mun",
    "municipio",
    "municipality",
    "nombre_municipio",
    "municipality_name",
];
const PARISH_NAME: &[&str] = &[
    "par",
    "parroquia",
    "parish",
    "nombre_parroquia",
    "parish_name",
];
const CENTRE_NAME: &[&str] = &["nombre_centro", "centre_name", "center_name"];
const IMAGE_URL: &[&str] = &[
    "url",
    "url_acta",
    "acta_url",
    "url_imagen",
    "imagen",
    "image",
    "image_url",
    "foto",
    "photo",
];

/// Words that appear in headers around a candidate's name and identify nobody.
const NOISE: &[&str] = &["votos", "voto", "votes", "cand", "candidato", "total"];

/// Builds a layout from a header and a few data rows.
///
/// Candidates are recognised by their id (`EG`) or by a word of their name that belongs to no
/// other candidate (`maduro`, `edmundo`, `gonzalez`). Acta ids are recognised by their values.
pub fn detect(
    header: &[&str],
    sample: &[Vec<&str>],
    election: &Election,
) -> Result<Layout, LayoutError> {
    let norm: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let pick = |aliases: &[&str]| -> Option<String> {
        aliases.iter().find_map(|a| {
            norm.iter()
                .position(|h| h == a)
                .map(|i| header[i].trim().to_string())
        })
    };
    let mut layout = Layout {
        name: "auto".into(),
        centre: pick(CENTRE),
        mesa: pick(MESA),
        registered: pick(REGISTERED),
        valid: pick(VALID),
        blank: pick(BLANK),
        state_name: pick(STATE_NAME),
        municipality_name: pick(MUNICIPALITY_NAME),
        parish_name: pick(PARISH_NAME),
        centre_name: pick(CENTRE_NAME),
        image_url: pick(IMAGE_URL),
        ..Layout::default()
    };
    if layout.centre.is_none() || layout.mesa.is_none() {
        layout.centre = None;
        layout.mesa = None;
        layout.acta_id = acta_id_column(header, &norm, sample);
        if layout.acta_id.is_none() {
            return Err(LayoutError::Unrecognised(format!(
                "no column identifies the table: looked for a centre column ({}) with a table column ({}), or a column of acta ids like 010101001.01.1.0001",
                CENTRE.join(", "),
                MESA.join(", ")
            )));
        }
    }
    layout.null = pick(NULL).ok_or_else(|| {
        LayoutError::Unrecognised(format!("no column of null votes ({})", NULL.join(", ")))
    })?;
    let taken: Vec<String> = [
        &layout.centre,
        &layout.mesa,
        &layout.acta_id,
        &layout.registered,
        &layout.valid,
        &layout.blank,
    ]
    .into_iter()
    .flatten()
    .chain(std::iter::once(&layout.null))
    .map(|c| normalise(c))
    .collect();
    for (i, candidate) in election.candidates.iter().enumerate() {
        let words = name_words(election, i);
        let id = normalise(&candidate.id);
        let found = norm.iter().enumerate().find(|(_, h)| {
            !taken.contains(h)
                && (**h == id
                    || h.split('_')
                        .filter(|t| !NOISE.contains(t))
                        .any(|t| words.iter().any(|w| w == t)))
        });
        match found {
            Some((col, _)) => {
                layout
                    .candidates
                    .insert(candidate.id.clone(), header[col].trim().to_string());
            }
            None => {
                return Err(LayoutError::Unrecognised(format!(
                    "no column for candidate {} ({}): looked for {:?} or one of the words {:?}",
                    candidate.id, candidate.name, candidate.id, words
                )));
            }
        }
    }
    Ok(layout)
}

/// Words of candidate `i`'s name that no other candidate's name contains.
fn name_words(election: &Election, i: usize) -> Vec<String> {
    let words_of = |name: &str| -> Vec<String> {
        normalise(name)
            .split('_')
            .filter(|w| w.len() >= 4)
            .map(str::to_string)
            .collect()
    };
    let others: Vec<String> = election
        .candidates
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .flat_map(|(_, c)| words_of(&c.name))
        .collect();
    words_of(&election.candidates[i].name)
        .into_iter()
        .filter(|w| !others.contains(w))
        .collect()
}

fn acta_id_column(header: &[&str], norm: &[String], sample: &[Vec<&str>]) -> Option<String> {
    let all_ids = |i: usize| {
        !sample.is_empty()
            && sample.iter().all(|row| {
                row.get(i)
                    .is_some_and(|v| v.trim().parse::<ActaId>().is_ok())
            })
    };
    ACTA_ID
        .iter()
        .find_map(|a| norm.iter().position(|h| h == a).filter(|&i| all_ids(i)))
        .or_else(|| (0..header.len()).find(|&i| all_ids(i)))
        .map(|i| header[i].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actas_core::ve2024;

    #[test]
    fn detects_the_opposition_csv() {
        let e = ve2024::election();
        let header = "COD_EDO,EDO,COD_MUN,MUN,COD_PAR,PAR,CENTRO,MESA,RE,VOTOS_VALIDOS,VOTOS_NULOS,EG,NM,LM,JABE,JOBR,AE,CF,DC,EM,BERA,URL";
        let h: Vec<&str> = header.split(',').collect();
        let l = detect(&h, &[], &e).unwrap();
        let mut expected = resultadosconvzla();
        expected.name = "auto".into();
        expected.delimiter = None;
        assert_eq!(l, expected);
    }

    #[test]
    fn detects_candidates_by_name_and_acta_ids_by_value() {
        let e = ve2024::election();
        let h: Vec<&str> = "archivo;id;Votos Maduro;Edmundo González;Martínez;Bertucci;Brito;Ecarri;Fermín;Ceballos;Márquez;Rausseo;Nulos".split(';').collect();
        let row: Vec<&str> = "x.jpg;240111017.01.1.0001;1;2;3;4;5;6;7;8;9;10;0"
            .split(';')
            .collect();
        let l = detect(&h, &[row], &e).unwrap();
        assert_eq!(l.acta_id.as_deref(), Some("id"));
        assert_eq!(l.candidates["NM"], "Votos Maduro");
        assert_eq!(l.candidates["EG"], "Edmundo González");
        assert_eq!(l.null, "Nulos");
        assert_eq!(l.registered, None);
    }

    #[test]
    fn explains_what_is_missing() {
        let e = ve2024::election();
        let h: Vec<&str> = "centro,mesa,nulos,EG".split(',').collect();
        let err = detect(&h, &[], &e).unwrap_err().to_string();
        assert!(err.contains("candidate NM"), "{err}");
        let h: Vec<&str> = "foo,bar".split(',').collect();
        let err = detect(&h, &[], &e).unwrap_err().to_string();
        assert!(err.contains("identifies the table"), "{err}");
    }

    #[test]
    fn layout_files_parse_and_unknown_keys_are_refused() {
        let l =
            from_toml("name='x'\ncentre='c'\nmesa='m'\nnull='n'\n[candidates]\nEG='g'\n").unwrap();
        assert_eq!(l.candidates["EG"], "g");
        let err = from_toml("name='x'\nnull='n'\ncandidatos={}\n[candidates]\n").unwrap_err();
        assert!(err.to_string().contains("candidatos"), "{err}");
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a;b;c"), b';');
        assert_eq!(sniff_delimiter("a,b,c"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("\"a;b\",c"), b',');
    }
}
