//! Bytes to text. Real files come as UTF-8 with or without BOM, UTF-16 with BOM, or Latin-1
//! (Windows-1252) from spreadsheet exports.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Decodes a file's bytes, returning the text and the name of the encoding found.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF")
        && let Ok(s) = std::str::from_utf8(rest)
    {
        return (s.to_string(), "UTF-8 (BOM)");
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return (UTF_16LE.decode(bytes).0.into_owned(), "UTF-16LE");
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return (UTF_16BE.decode(bytes).0.into_owned(), "UTF-16BE");
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), "UTF-8"),
        // Every byte sequence is valid Windows-1252, the superset of Latin-1 used by spreadsheets.
        Err(_) => (
            WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            "Latin-1",
        ),
    }
}

/// Header normalisation for matching: lower case, accents removed, runs of anything but
/// letters and digits become one `_`.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_encodings_found_in_real_files() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFa,\xC3\xB1"),
            ("a,ñ".to_string(), "UTF-8 (BOM)")
        );
        assert_eq!(decode("a,ñ".as_bytes()), ("a,ñ".to_string(), "UTF-8"));
        assert_eq!(decode(b"a,\xF1"), ("a,ñ".to_string(), "Latin-1"));
        assert_eq!(decode(b"\xFF\xFEa\x00,\x00").0, "a,");
    }

    #[test]
    fn normalises_headers() {
        assert_eq!(normalise(" Votos Válidos "), "votos_validos");
        assert_eq!(normalise("COD_EDO"), "cod_edo");
        assert_eq!(normalise("Nro. de Mesa"), "nro_de_mesa");
        assert_eq!(normalise("Muñoz"), "munoz");
    }
}
