//! Identifiers of places and tables.
//!
//! A Venezuelan CNE centre code is nine digits `EE MM PP CCC` (state, municipality, parish,
//! centre). Every coarser level's code is a prefix of it, which is how results roll up without
//! consulting a geography file. Files in the wild drop the leading zero (`10113042` for
//! `010113042`), so parsing accepts 1 to 9 digits and formatting always pads.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::election::Level;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("centre code {0:?}: expected 1 to 9 digits (CNE code EEMMPPCCC)")]
    Centre(String),
    #[error("table number {0:?}: expected a number from 1 to 99")]
    Mesa(String),
    #[error("table id {0:?}: expected CENTRE.MESA, e.g. 010113042.01")]
    Table(String),
    #[error(
        "acta id {0:?}: expected four dot-separated digit groups CENTRE.MESA.N.NNNN, e.g. 010101001.01.1.0001"
    )]
    Acta(String),
}

/// A nine-digit voting-centre code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CentreCode(u32);

impl CentreCode {
    pub const MAX: u32 = 999_999_999;

    pub fn new(value: u32) -> Option<Self> {
        (value <= Self::MAX).then_some(Self(value))
    }

    pub fn value(self) -> u32 {
        self.0
    }

    /// The two-digit state code (`EE`).
    pub fn state(self) -> u32 {
        self.0 / 10_000_000
    }

    /// The code of the place containing this centre at `level`, as printed in results
    /// (`"01"`, `"0101"`, `"010113"`, `"010113042"`); empty for the national level.
    pub fn place_code(self, level: Level) -> String {
        let full = self.to_string();
        full[..level.code_len()].to_string()
    }
}

impl fmt::Display for CentreCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:09}", self.0)
    }
}

impl FromStr for CentreCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let t = s.trim();
        if t.is_empty() || t.len() > 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::Centre(s.to_string()));
        }
        let v: u32 = t.parse().map_err(|_| IdError::Centre(s.to_string()))?;
        Ok(Self(v))
    }
}

/// One voting table (mesa) of a centre: the unit that produces one acta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableId {
    pub centre: CentreCode,
    pub mesa: u8,
}

impl TableId {
    pub fn new(centre: CentreCode, mesa: u8) -> Result<Self, IdError> {
        if !(1..=99).contains(&mesa) {
            return Err(IdError::Mesa(mesa.to_string()));
        }
        Ok(Self { centre, mesa })
    }

    /// Parses a table number as written in files: `1`, `01`.
    pub fn parse_mesa(s: &str) -> Result<u8, IdError> {
        let t = s.trim();
        if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::Mesa(s.to_string()));
        }
        match t.parse::<u8>() {
            Ok(m) if (1..=99).contains(&m) => Ok(m),
            _ => Err(IdError::Mesa(s.to_string())),
        }
    }
}

impl fmt::Display for TableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.centre, self.mesa)
    }
}

impl FromStr for TableId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let (c, m) = s
            .split_once('.')
            .ok_or_else(|| IdError::Table(s.to_string()))?;
        let centre = c.parse().map_err(|_| IdError::Table(s.to_string()))?;
        let mesa = Self::parse_mesa(m).map_err(|_| IdError::Table(s.to_string()))?;
        Self::new(centre, mesa)
    }
}

impl Serialize for TableId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TableId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The identifier printed on an acta and in its QR code: `CENTRE.MESA.F3.F4`.
///
/// F3 and F4 have no authoritative documentation (`qr-format.md`): they are kept verbatim so that
/// unusual values can be flagged rather than normalised away.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActaId {
    pub table: TableId,
    pub f3: String,
    pub f4: String,
}

impl fmt::Display for ActaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.table, self.f3, self.f4)
    }
}

impl FromStr for ActaId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let err = || IdError::Acta(s.to_string());
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() != 4
            || parts
                .iter()
                .any(|p| p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()))
            || parts[0].len() != 9
            || parts[1].len() != 2
        {
            return Err(err());
        }
        let centre = parts[0].parse().map_err(|_| err())?;
        let mesa = TableId::parse_mesa(parts[1]).map_err(|_| err())?;
        Ok(Self {
            table: TableId::new(centre, mesa).map_err(|_| err())?,
            f3: parts[2].to_string(),
            f4: parts[3].to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_codes_are_padded_and_prefix_levels() {
        let c: CentreCode = "10113042".parse().unwrap();
        assert_eq!(c.to_string(), "010113042");
        assert_eq!(c.state(), 1);
        assert_eq!(c.place_code(Level::National), "");
        assert_eq!(c.place_code(Level::State), "01");
        assert_eq!(c.place_code(Level::Municipality), "0101");
        assert_eq!(c.place_code(Level::Parish), "010113");
        assert_eq!(c.place_code(Level::Centre), "010113042");
    }

    #[test]
    fn centre_codes_reject_junk() {
        for bad in ["", "12x", "1234567890", "-1", " "] {
            assert!(bad.parse::<CentreCode>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn table_ids_round_trip() {
        let t: TableId = "010113042.01".parse().unwrap();
        assert_eq!(t.to_string(), "010113042.01");
        assert_eq!(t.mesa, 1);
        assert!("010113042.00".parse::<TableId>().is_err());
        assert!("010113042".parse::<TableId>().is_err());
        assert!("010113042.123".parse::<TableId>().is_err());
    }

    #[test]
    fn acta_ids_parse_real_examples() {
        let a: ActaId = "240111017.01.1.0001".parse().unwrap();
        assert_eq!(a.table.to_string(), "240111017.01");
        assert_eq!((a.f3.as_str(), a.f4.as_str()), ("1", "0001"));
        assert_eq!(a.to_string(), "240111017.01.1.0001");
        for bad in [
            "240111017.01.1",
            "24011101.01.1.0001",
            "240111017.1.1.0001",
            "240111017.01.x.0001",
        ] {
            assert!(bad.parse::<ActaId>().is_err(), "{bad:?}");
        }
    }
}
