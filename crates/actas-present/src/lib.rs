//! Presentation: the language everything public speaks (Spanish and English, numbers as each
//! writes them) and the analysis report for people: its notes, its HTML page and SVG charts.
//! It computes no statistic and reads no file: the figures come from `actas-analysis`.
//!
//! The site (`actas-web`) and the `actas` command speak through [`Lang`], [`tr`] and the number
//! formats here, so that a figure reads the same on a page, in a report and in an error message.
//! [`report_json`] is the report's published JSON (the figures, then the notes, which explain
//! them); [`report_html`] is the same report as one self-contained page.

use std::collections::BTreeMap;

use actas_analysis::Report;
use serde::Serialize;

mod charts;
mod html;
mod lang;
mod notes;
mod numbers;

pub use lang::{Lang, Text, tr};
pub use notes::{Note, notes};
pub use numbers::{int, num, pct, prob, share};

/// The report as pretty-printed JSON: every figure of [`Report`], then the notes of each section.
pub fn report_json(report: &Report) -> String {
    #[derive(Serialize)]
    struct Published<'a> {
        #[serde(flatten)]
        report: &'a Report,
        notes: BTreeMap<String, Note>,
    }
    serde_json::to_string_pretty(&Published {
        report,
        notes: notes(report),
    })
    .expect("reports serialise")
}

/// The report as one self-contained HTML page (inline CSS and SVG, no script).
pub fn report_html(report: &Report, lang: Lang) -> String {
    html::render(report, lang)
}
