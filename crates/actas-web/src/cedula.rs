//! Reading a cédula as people write it, and looking it up.

use actas_core::TableId;
use actas_present::{Lang, tr};
use actas_registry::MAX_CEDULA;

use crate::state::AppState;

/// Parses `12345678`, `12.345.678`, `V-12345678`, `v 12.345.678`, `E-81234567`: digits with
/// optional thousands dots, optionally after the nationality letter. Anything else is refused
/// with a message saying how to write it.
pub fn parse(input: &str, lang: Lang) -> Result<u64, String> {
    let t = input.trim();
    let t = match t.as_bytes().first() {
        Some(b'V' | b'v' | b'E' | b'e') => t[1..].trim_start_matches(['-', ' ']),
        _ => t,
    };
    let digits: String = t.chars().filter(|c| *c != '.' && *c != ' ').collect();
    let explain = tr(
        lang,
        "Escriba solo los números de la cédula, por ejemplo 12345678 (se aceptan también V-12.345.678 y E-81234567).",
        "Type only the digits of the cédula, e.g. 12345678 (V-12.345.678 and E-81234567 are accepted too).",
    );
    if digits.is_empty() {
        return Err(format!(
            "{} {explain}",
            tr(lang, "La cédula está vacía.", "The cédula is empty.")
        ));
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{} {explain}",
            tr(
                lang,
                "Una cédula solo tiene números.",
                "A cédula has only digits."
            )
        ));
    }
    match digits.parse::<u64>() {
        Ok(n) if (1..=MAX_CEDULA).contains(&n) => Ok(n),
        _ => Err(format!(
            "{} {explain}",
            tr(
                lang,
                "Ese número no puede ser una cédula (demasiado largo o cero).",
                "That number cannot be a cédula (too long, or zero)."
            )
        )),
    }
}

pub enum Lookup {
    Found(TableId),
    NotRegistered,
    /// The server has no registry loaded; the text says why.
    NoRegistry(String),
}

pub fn lookup(state: &AppState, cedula: u64) -> Lookup {
    match &state.registry {
        None => Lookup::NoRegistry(state.registry_missing.clone()),
        Some(r) => match r.lookup(cedula) {
            Some(t) => Lookup::Found(t),
            None => Lookup::NotRegistered,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cedulas_as_people_write_them() {
        for ok in [
            "12345678",
            " 12.345.678 ",
            "V-12345678",
            "v12345678",
            "V 12.345.678",
        ] {
            assert_eq!(parse(ok, Lang::Es), Ok(12_345_678), "{ok:?}");
        }
        assert_eq!(parse("E-81234567", Lang::En), Ok(81_234_567));
        for bad in ["", "abc", "12a45", "0", "99999999999", "-5", "1e6", "V-"] {
            let e = parse(bad, Lang::Es).unwrap_err();
            assert!(e.contains("12345678"), "{bad:?}: {e}");
        }
    }
}
