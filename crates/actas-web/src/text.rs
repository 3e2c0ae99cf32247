//! Bilingual texts and numbers as each language writes them. Texts sit next to their use as
//! `tr(lang, spanish, english)` pairs so a page is read and translated in one place.

use actas_analysis::Lang;

pub fn tr(lang: Lang, es: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Es => es,
        Lang::En => en,
    }
}

/// `1.234.567` / `1,234,567`.
pub fn int(lang: Lang, v: u64) -> String {
    actas_analysis::format_int(lang, i64::try_from(v).unwrap_or(i64::MAX))
}

/// A share as a percentage: `67,35 %` / `67.35 %`; a dash when undefined.
pub fn pct(lang: Lang, share: Option<f64>, decimals: usize) -> String {
    match share {
        Some(s) => format!(
            "{} %",
            actas_analysis::format_num(lang, s * 100.0, decimals)
        ),
        None => "–".into(),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_each_language_writes_them() {
        assert_eq!(int(Lang::Es, 1_234_567), "1.234.567");
        assert_eq!(int(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(pct(Lang::Es, Some(0.6736), 1), "67,4 %");
        assert_eq!(pct(Lang::En, Some(0.6735), 2), "67.35 %");
        assert_eq!(pct(Lang::En, None, 2), "–");
    }
}
