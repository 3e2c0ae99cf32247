//! The built-in definition of Venezuela's presidential election of 28 July 2024.
//!
//! Sources: card order and candidates from `qr-format.md`; state codes are the CNE's (the first
//! two digits of every centre code); table counts per state and national totals are the
//! published figures listed in the data's SOURCES.md. Municipalities, parishes, centres and
//! tables are not built in: they come from data files the user loads.

use std::collections::BTreeMap;

use crate::election::{Bulletin, Candidate, Card, Election, Level, OfficialTotals, Place};
use crate::payload::VE2024_QR;

const CANDIDATES: [(&str, &str); 10] = [
    ("NM", "Nicolás Maduro"),
    ("LM", "Luis Eduardo Martínez"),
    ("JABE", "Javier Bertucci"),
    ("JOBR", "José Brito"),
    ("AE", "Antonio Ecarri"),
    ("CF", "Claudio Fermín"),
    ("DC", "Daniel Ceballos"),
    ("EG", "Edmundo González Urrutia"),
    ("EM", "Enrique Márquez"),
    ("BERA", "Benjamín Rausseo"),
];

/// The 38 party cards in ballot order (= order of the votes in the QR payload): sigla, candidate
/// and the CNE code printed beside the card (where two scans disagreed on a digit,
/// `qr-format.md` gives both readings; this is the first).
const CARDS: [(&str, &str, &str); 38] = [
    ("PSUV", "NM", "269"),
    ("PCV", "NM", "9"),
    ("TUPAMARO", "NM", "931"),
    ("PPT", "NM", "276"),
    ("MSV", "NM", "1017"),
    ("PODEMOS", "NM", "514"),
    ("MEP", "NM", "6"),
    ("APC", "NM", "219"),
    ("ORA", "NM", "906"),
    ("UPV", "NM", "513"),
    ("EV", "NM", "1089"),
    ("PVV", "NM", "1090"),
    ("PFV", "NM", "1093"),
    ("AD", "LM", "1"),
    ("COPEI", "LM", "2"),
    ("MR", "LM", "1065"),
    ("BR", "LM", "1066"),
    ("DDP", "LM", "1091"),
    ("UNE", "LM", "1095"),
    ("EL CAMBIO", "JABE", "1048"),
    ("PV", "JOBR", "1053"),
    ("VU", "JOBR", "868"),
    ("UVV", "JOBR", "1096"),
    ("MPJ", "JOBR", "458"),
    ("AP", "AE", "814"),
    ("MOVEV", "AE", "878"),
    ("CMC", "AE", "1050"),
    ("FV", "AE", "1062"),
    ("ALIANZA DEL LAPIZ", "AE", "1051"),
    ("MIN UNIDAD", "AE", "1068"),
    ("SPV", "CF", "1049"),
    ("VPA", "DC", "236"),
    ("AREPA", "DC", "1094"),
    ("UNTC", "EG", "460"),
    ("MPV", "EG", "1069"),
    ("MUD", "EG", "1075"),
    ("CENTRADOS", "EM", "1073"),
    ("CONDE", "BERA", "1092"),
];

/// The CNE code printed beside each card on the paper acta, in ballot order. Not part of
/// [`Election`]: a new field would change the definition, and with it record 0 of every store
/// made before, which `actas init` compares with the definition it is given.
pub const CARD_CODES: [&str; 38] = {
    let mut codes = [""; 38];
    let mut i = 0;
    while i < CARDS.len() {
        codes[i] = CARDS[i].2;
        i += 1;
    }
    codes
};

/// CNE state code, name, and total number of tables (sums to 30,026).
const STATES: [(&str, &str, u64); 24] = [
    ("01", "Distrito Capital", 2260),
    ("02", "Anzoátegui", 1556),
    ("03", "Apure", 604),
    ("04", "Aragua", 1620),
    ("05", "Barinas", 1024),
    ("06", "Bolívar", 1565),
    ("07", "Carabobo", 2059),
    ("08", "Cojedes", 450),
    ("09", "Falcón", 1188),
    ("10", "Guárico", 856),
    ("11", "Lara", 2017),
    ("12", "Mérida", 953),
    ("13", "Miranda", 2963),
    ("14", "Monagas", 997),
    ("15", "Nueva Esparta", 539),
    ("16", "Portuguesa", 1082),
    ("17", "Sucre", 1107),
    ("18", "Táchira", 1272),
    ("19", "Trujillo", 979),
    ("20", "Yaracuy", 759),
    ("21", "Zulia", 3312),
    ("22", "Amazonas", 199),
    ("23", "Delta Amacuro", 249),
    ("24", "La Guaira", 416),
];

fn bulletin(name: &str, date: &str, votes: &[(&str, u64)]) -> Bulletin {
    Bulletin {
        name: name.to_string(),
        date: date.to_string(),
        votes: votes
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect::<BTreeMap<_, _>>(),
        others: None,
        valid: None,
        null: None,
        voters: None,
        registered: None,
        tables_fraction: None,
    }
}

pub fn election() -> Election {
    let first = Bulletin {
        others: Some(462_704),
        tables_fraction: Some(0.80),
        ..bulletin(
            "CNE boletín 1",
            "2024-07-29",
            &[("NM", 5_150_092), ("EG", 4_445_978)],
        )
    };
    let second = Bulletin {
        valid: Some(12_335_884),
        null: Some(50_785),
        voters: Some(12_386_669),
        registered: Some(21_321_805),
        tables_fraction: Some(0.9687),
        ..bulletin(
            "CNE boletín 2",
            "2024-08-02",
            &[
                ("NM", 6_408_844),
                ("EG", 5_326_104),
                ("LM", 152_360),
                ("AE", 116_421),
                ("BERA", 92_903),
                ("JOBR", 84_231),
                ("JABE", 64_452),
                ("CF", 40_902),
                ("EM", 29_611),
                ("DC", 20_056),
            ],
        )
    };
    Election {
        id: "ve2024".to_string(),
        name: "Elección presidencial de Venezuela 2024".to_string(),
        date: "2024-07-28".to_string(),
        candidates: CANDIDATES
            .iter()
            .map(|(id, name)| Candidate {
                id: id.to_string(),
                name: name.to_string(),
            })
            .collect(),
        cards: CARDS
            .iter()
            .map(|(sigla, candidate, _)| Card {
                sigla: sigla.to_string(),
                candidate: candidate.to_string(),
            })
            .collect(),
        states: STATES
            .iter()
            .map(|(code, name, tables)| Place {
                level: Level::State,
                code: code.to_string(),
                name: name.to_string(),
                expected_tables: Some(*tables),
            })
            .collect(),
        official: OfficialTotals {
            tables: Some(30_026),
            centres: Some(15_797),
            registered: Some(21_392_464),
            registered_abroad: Some(69_211),
        },
        bulletins: vec![first, second],
        payload_format: Some(VE2024_QR.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definition_is_consistent() {
        let e = election();
        e.check().unwrap();
        assert_eq!(e.cards.len(), 38);
        let ids: Vec<&str> = e.candidate_ids().collect();
        assert_eq!(
            ids,
            [
                "NM", "LM", "JABE", "JOBR", "AE", "CF", "DC", "EG", "EM", "BERA"
            ]
        );
        let per = |id: &str| e.cards.iter().filter(|c| c.candidate == id).count();
        assert_eq!(
            [per("NM"), per("LM"), per("JABE"), per("JOBR"), per("AE")],
            [13, 6, 1, 4, 6]
        );
        assert_eq!(
            [per("CF"), per("DC"), per("EG"), per("EM"), per("BERA")],
            [1, 2, 3, 1, 1]
        );
        let tables: u64 = e.states.iter().filter_map(|s| s.expected_tables).sum();
        assert_eq!(tables, 30_026);
        assert_eq!(e.official.tables, Some(tables));
    }

    #[test]
    fn every_card_has_a_printed_code() {
        assert_eq!(CARD_CODES[0], "269");
        assert_eq!(CARD_CODES[37], "1092");
        assert!(
            CARD_CODES
                .iter()
                .all(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
        );
    }

    #[test]
    fn definitions_survive_a_json_round_trip() {
        let e = election();
        let json = serde_json::to_string(&e).unwrap();
        let back: Election = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn inconsistent_definitions_are_refused() {
        let mut e = election();
        e.cards[0].candidate = "XX".into();
        assert!(
            e.check()
                .unwrap_err()
                .to_string()
                .contains("unknown candidate")
        );
        let mut e = election();
        e.candidates[1].id = "NM".into();
        assert!(e.check().is_err());
        let mut e = election();
        e.states[0].code = "1".into();
        assert!(e.check().is_err());
    }
}
