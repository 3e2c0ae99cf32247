//! The site's own words: names of the levels of the geography. The language, `tr` and the
//! numbers are `actas_present`'s, shared with the report.

use actas_present::{Lang, tr};

/// The level of a place as a noun.
pub fn level_name(lang: Lang, level: actas_core::Level) -> &'static str {
    use actas_core::Level::*;
    match level {
        National => tr(lang, "Nacional", "National"),
        State => tr(lang, "Estado", "State"),
        Municipality => tr(lang, "Municipio", "Municipality"),
        Parish => tr(lang, "Parroquia", "Parish"),
        Centre => tr(lang, "Centro de votación", "Voting centre"),
    }
}

/// The level below, as a plural heading of a list of places.
pub fn children_heading(lang: Lang, level: actas_core::Level) -> &'static str {
    use actas_core::Level::*;
    match level {
        National => tr(lang, "Estados", "States"),
        State => tr(lang, "Municipios", "Municipalities"),
        Municipality => tr(lang, "Parroquias", "Parishes"),
        Parish => tr(lang, "Centros de votación", "Voting centres"),
        Centre => tr(lang, "Mesas", "Tables"),
    }
}
