//! Numbers as each language writes them: `1.234.567,8` in Spanish, `1,234,567.8` in English, a
//! true minus sign, and a dash for what is undefined.

use crate::Lang;

/// Integer with thousands separators (`.` in Spanish, `,` in English).
pub fn int(lang: Lang, v: impl Into<i128>) -> String {
    let v: i128 = v.into();
    let s = v.unsigned_abs().to_string();
    let sep = if lang == Lang::Es { '.' } else { ',' };
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    if v < 0 { format!("−{out}") } else { out }
}

/// Decimal number with `dec` decimals (comma decimal mark in Spanish), thousands separated.
pub fn num(lang: Lang, v: f64, dec: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", dec, v.abs());
    let (ip, fp) = s.split_once('.').unwrap_or((&s, ""));
    let ip: i64 = ip.parse().unwrap_or(0);
    let mut out = int(lang, ip);
    if dec > 0 {
        out.push(if lang == Lang::Es { ',' } else { '.' });
        out.push_str(fp);
    }
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("−{out}")
    } else {
        out
    }
}

/// A percentage given in points: `67,35 %` / `67.35 %`.
pub fn pct(lang: Lang, points: f64, dec: usize) -> String {
    format!("{} %", num(lang, points, dec))
}

/// A share (0 to 1) as a percentage: `67,35 %` / `67.35 %`; a dash when undefined.
pub fn share(lang: Lang, share: Option<f64>, dec: usize) -> String {
    match share {
        Some(s) => pct(lang, s * 100.0, dec),
        None => "–".into(),
    }
}

/// A probability or p-value: fixed for ordinary values, scientific for tiny ones.
pub fn prob(lang: Lang, p: f64) -> String {
    if !p.is_finite() {
        return "–".into();
    }
    if p >= 0.001 || p == 0.0 {
        num(lang, p, 3)
    } else {
        let s = format!("{p:.1e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if lang == Lang::Es {
            m.replace('.', ",")
        } else {
            m.to_string()
        };
        let sup: String = e
            .chars()
            .map(|c| match c {
                '-' => '⁻',
                '0' => '⁰',
                '1' => '¹',
                '2' => '²',
                '3' => '³',
                '4' => '⁴',
                '5' => '⁵',
                '6' => '⁶',
                '7' => '⁷',
                '8' => '⁸',
                _ => '⁹',
            })
            .collect();
        format!("{m}×10{sup}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_each_language_writes_them() {
        assert_eq!(int(Lang::Es, 1_234_567), "1.234.567");
        assert_eq!(int(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(share(Lang::Es, Some(0.6736), 1), "67,4 %");
        assert_eq!(share(Lang::En, Some(0.6735), 2), "67.35 %");
        assert_eq!(share(Lang::En, None, 2), "–");
    }
}
