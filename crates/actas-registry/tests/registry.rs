use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use actas_registry::*;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// A fresh scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("actas-registry-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn table(s: &str) -> TableId {
    s.parse().unwrap()
}

fn parse_generated_csv(text: &str) -> Vec<(u64, TableId)> {
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let centre: CentreCode = f[1].parse().unwrap();
            let mesa = TableId::parse_mesa(f[2]).unwrap();
            (f[0].parse().unwrap(), TableId::new(centre, mesa).unwrap())
        })
        .collect()
}

#[test]
fn round_trip_one_million_voters() {
    let dir = Scratch::new("million");
    let tables = synthetic_tables(1_500, 11);
    let csv = dir.path("voters.csv");
    let rows = generate_csv(&tables, 1_000_000, 42, std::fs::File::create(&csv).unwrap()).unwrap();
    assert_eq!(rows, 1_000_000);
    let csv_len = std::fs::metadata(&csv).unwrap().len();

    let out = dir.path("voters.idx");
    let mut calls = Vec::new();
    let summary = build_index(&csv, &out, &mut |done, total| calls.push((done, total))).unwrap();
    assert_eq!(summary.voters, 1_000_000);
    assert_eq!(summary.csv_bytes, csv_len);
    assert!(calls.len() > 1, "progress reported while reading");
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(calls.last(), Some(&(csv_len, csv_len)));
    assert_eq!(summary.index_bytes, std::fs::metadata(&out).unwrap().len());

    let reg = Registry::load(&out).unwrap();
    assert_eq!(reg.voters(), 1_000_000);
    // Same draw directly into an index.
    assert_eq!(reg, generate_registry(&tables, 1_000_000, 42).unwrap());

    let pairs = parse_generated_csv(&std::fs::read_to_string(&csv).unwrap());
    assert_eq!(pairs.len(), 1_000_000);
    let mut per_table: BTreeMap<TableId, u64> = BTreeMap::new();
    for &(c, t) in &pairs {
        assert_eq!(reg.lookup(c), Some(t), "cédula {c}");
        *per_table.entry(t).or_default() += 1;
    }
    // Voters follow the tables' registered counts.
    let registered: u64 = tables.iter().map(|t| t.1 as u64).sum();
    for (t, reg_count) in &tables {
        let expected = 1_000_000.0 * *reg_count as f64 / registered as f64;
        let got = per_table.get(t).copied().unwrap_or(0) as f64;
        assert!((got - expected).abs() < 1.0, "{t}: {got} vs {expected}");
    }
    assert_eq!(reg.iter().collect::<Vec<_>>(), pairs);

    let present: HashSet<u64> = pairs.iter().map(|p| p.0).collect();
    let mut rng = Pcg64Mcg::seed_from_u64(5);
    let mut absent = 0;
    while absent < 100_000 {
        let c = rng.random_range(0..40_000_000u64);
        if !present.contains(&c) {
            assert_eq!(reg.lookup(c), None, "cédula {c}");
            absent += 1;
        }
    }
    for c in [0, u64::MAX, MAX_CEDULA, MAX_CEDULA + 1] {
        assert_eq!(reg.lookup(c), None);
    }
}

fn build_err(csv: &str) -> (RegistryError, bool) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Scratch::new(&format!("err-{}", N.fetch_add(1, Ordering::Relaxed)));
    let input = dir.path("in.csv");
    std::fs::write(&input, csv).unwrap();
    let out = dir.path("out.idx");
    let err = build_index(&input, &out, &mut |_, _| {}).unwrap_err();
    let written = std::fs::read_dir(&dir.0).unwrap().count() != 1;
    (err, written)
}

#[test]
fn csv_bad_number_names_line_and_column() {
    let (err, written) = build_err("cedula,centre,table\n12345,10113042,1\n12x46,10113042,1\n");
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            RegistryError::Field {
                line: 3,
                column: 1,
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("line 3, column 1 (cedula)"), "{msg}");
    assert!(msg.contains("\"12x46\""), "{msg}");
    assert!(!written);

    let (err, written) = build_err("cedula,centre,table\n1,10113042,1\n2,1234567890,1\n");
    assert!(
        err.to_string().starts_with("line 3, column 2 (centre)"),
        "{err}"
    );
    assert!(!written);
    let (err, _) = build_err("table,cedula,centre\n1,1,10113042\n100,2,10113042\n");
    assert!(
        err.to_string().starts_with("line 3, column 1 (table)"),
        "{err}"
    );
    assert!(err.to_string().contains("1 to 99"), "{err}");
    let (err, _) = build_err("cedula,centre,table\n0,10113042,1\n");
    assert!(err.to_string().starts_with("line 2, column 1"), "{err}");
    let (err, _) = build_err("cedula,centre,table\n1000000001,10113042,1\n");
    assert!(err.to_string().starts_with("line 2, column 1"), "{err}");
}

#[test]
fn csv_missing_column_names_line() {
    let (err, written) = build_err("cedula,centre,table\n1,10113042,1\n2,10113042\n");
    assert!(matches!(err, RegistryError::Line { line: 3, .. }), "{err}");
    assert!(err.to_string().contains("expected 3 columns"), "{err}");
    assert!(!written);
    let (err, written) = build_err("cedula,centre\n1,10113042\n");
    assert!(matches!(err, RegistryError::Line { line: 1, .. }), "{err}");
    assert!(err.to_string().contains("no `table` column"), "{err}");
    assert!(!written);
    let (err, _) = build_err("");
    assert!(err.to_string().contains("empty file"), "{err}");
}

#[test]
fn csv_duplicate_names_both_lines() {
    let csv = "cedula,centre,table\n7,10113042,1\n\n8,10113042,2\n9,10113042,1\n8,240111017,1\n";
    let (err, written) = build_err(csv);
    assert!(
        matches!(
            err,
            RegistryError::Duplicate {
                cedula: 8,
                first_line: 4,
                second_line: 6
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "line 6: cédula 8 is already registered on line 4"
    );
    assert!(!written);
}

#[test]
fn csv_error_leaves_previous_index_untouched() {
    let dir = Scratch::new("keep");
    let good = dir.path("good.csv");
    std::fs::write(&good, "cedula,centre,table\n5,10113042,1\n").unwrap();
    let out = dir.path("out.idx");
    build_index(&good, &out, &mut |_, _| {}).unwrap();
    let before = std::fs::read(&out).unwrap();
    let bad = dir.path("bad.csv");
    std::fs::write(&bad, "cedula,centre,table\n5,10113042,1\n5,10113042,2\n").unwrap();
    assert!(build_index(&bad, &out, &mut |_, _| {}).is_err());
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 3);
}

#[test]
fn csv_accepts_quotes_bom_crlf_extra_columns() {
    let csv = "\u{feff}Cédula,nombre,Centro,Mesa\r\n\"12\",\"Pérez, Ana\",010113042,01\r\n13,x,10113042,2\r\n";
    let reg = read_csv(csv.as_bytes(), 0, &mut |_, _| {}).unwrap();
    assert_eq!(reg.lookup(12), Some(table("010113042.01")));
    assert_eq!(reg.lookup(13), Some(table("010113042.02")));
    // Only cédula -> table is kept: the name is nowhere in the file.
    let bytes = reg.to_bytes();
    assert!(!bytes.windows(6).any(|w| w == "Pérez".as_bytes()));
}

fn sample_index() -> Vec<u8> {
    let tables = synthetic_tables(40, 3);
    generate_registry(&tables, 5_000, 9).unwrap().to_bytes()
}

fn refused(bytes: &[u8]) -> String {
    match Registry::from_bytes(bytes) {
        Err(e @ RegistryError::Corrupt { .. }) => e.to_string(),
        Err(e) => panic!("unexpected error kind: {e}"),
        Ok(_) => panic!("corrupt index accepted"),
    }
}

#[test]
fn corrupt_indexes_are_refused() {
    let good = sample_index();
    assert!(Registry::from_bytes(&good).is_ok());

    for len in [
        0,
        10,
        HEADER_LEN,
        HEADER_LEN + 7,
        good.len() / 2,
        good.len() - 1,
    ] {
        let msg = refused(&good[..len]);
        assert!(
            msg.contains("truncated") || msg.contains("shorter"),
            "{len}: {msg}"
        );
    }
    let mut longer = good.clone();
    longer.push(0);
    assert!(refused(&longer).contains("trailing data"));

    let mut wrong_magic = good.clone();
    wrong_magic[..8].copy_from_slice(b"PK\x03\x04abcd");
    assert!(refused(&wrong_magic).contains("wrong magic"));

    let mut version = good.clone();
    version[8] = 9;
    assert!(refused(&version).contains("version 9"));

    // A flipped bit anywhere is caught (by the header checks or the checksum).
    let mut rng = Pcg64Mcg::seed_from_u64(1);
    let mut positions: Vec<usize> = (0..HEADER_LEN).collect();
    positions.extend((0..300).map(|_| rng.random_range(0..good.len())));
    positions.push(good.len() - 1);
    for pos in positions {
        let mut bad = good.clone();
        bad[pos] ^= 1 << (pos % 8);
        let msg = refused(&bad);
        assert!(!msg.is_empty());
    }
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    assert!(refused(&flipped).contains("checksum mismatch"));
}

#[test]
fn corrupt_file_refused_with_path() {
    let dir = Scratch::new("corrupt-file");
    let path = dir.path("x.idx");
    std::fs::write(
        &path,
        b"not an index at all, just some text that is long enough for a header of eighty bytes",
    )
    .unwrap();
    let err = Registry::load(&path).unwrap_err().to_string();
    assert!(
        err.contains("x.idx") && err.contains("wrong magic"),
        "{err}"
    );
    let missing = Registry::load(&dir.path("missing.idx")).unwrap_err();
    assert!(matches!(missing, RegistryError::Io { .. }));
}

#[test]
fn checksum_valid_but_inconsistent_is_refused() {
    // Rewrite a table number out of range and fix the checksum: structure checks catch it.
    let reg =
        Registry::from_pairs([(1, table("010113042.01")), (2, table("010113042.02"))]).unwrap();
    let mut bytes = reg.to_bytes();
    let n = bytes.len();
    bytes[n - 2..].copy_from_slice(&7u16.to_le_bytes());
    reseal(&mut bytes);
    assert!(refused(&bytes).contains("past the table list"));
}

fn reseal(bytes: &mut [u8]) {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(&bytes[..48]);
    h.update(&bytes[80..]);
    let d = h.finalize();
    bytes[48..80].copy_from_slice(&d);
}

#[test]
fn shards_cover_the_index() {
    let dir = Scratch::new("shards");
    let tables = synthetic_tables(200, 8);
    let reg = generate_registry(&tables, 50_000, 3).unwrap();
    let manifest = write_shards(&reg, 7, &dir.0).unwrap();
    assert_eq!(manifest.shards.len(), 7);
    assert_eq!(ShardManifest::load(&dir.0).unwrap(), manifest);
    assert_eq!(manifest.shards[0].first, reg.range().start);
    assert_eq!(manifest.shards.last().unwrap().end, reg.range().end);
    assert!(manifest.shards.windows(2).all(|w| w[0].end == w[1].first));
    assert_eq!(
        manifest.shards.iter().map(|s| s.voters).sum::<u64>(),
        50_000
    );
    for s in &manifest.shards {
        assert!((s.voters as i64 - 50_000 / 7).abs() <= 1, "{s:?}");
    }
    let loaded: Vec<Registry> = manifest
        .shards
        .iter()
        .map(|s| Registry::load(&dir.0.join(&s.file)).unwrap())
        .collect();
    for (c, t) in reg.iter() {
        let k = manifest
            .shards
            .iter()
            .position(|s| s.first <= c && c < s.end)
            .unwrap();
        assert_eq!(manifest.shard_for(c).unwrap().file, manifest.shards[k].file);
        assert_eq!(loaded[k].lookup(c), Some(t));
    }
    for c in [0, reg.range().end, u64::MAX] {
        assert!(manifest.shard_for(c).is_none() || c == 0 && reg.range().start == 0);
    }
    // Absent cédulas inside a shard's range are absent in the shard too.
    for c in (reg.range().start..reg.range().end).step_by(997) {
        let s = manifest.shard_for(c).unwrap();
        let k = manifest.shards.iter().position(|x| x == s).unwrap();
        assert_eq!(loaded[k].lookup(c), reg.lookup(c));
    }
}

#[test]
fn more_shards_than_voters() {
    let reg =
        Registry::from_pairs([(10, table("010113042.01")), (20, table("010113042.02"))]).unwrap();
    let shards = split(&reg, 5).unwrap();
    assert_eq!(shards.len(), 2);
    assert_eq!(shards[0].lookup(10), Some(table("010113042.01")));
    assert_eq!(shards[1].lookup(20), Some(table("010113042.02")));
    assert_eq!(split(&Registry::empty(), 3).unwrap().len(), 1);
    assert!(split(&reg, 0).is_err());
}

fn arb_table() -> impl Strategy<Value = TableId> {
    (1u32..200, 1u8..=4)
        .prop_map(|(c, m)| TableId::new(CentreCode::new(c * 1000 + 7).unwrap(), m).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn lookup_agrees_with_btreemap(
        offset in prop_oneof![Just(0u64), 0u64..MAX_CEDULA - 200_000, Just(MAX_CEDULA - 200_000)],
        keys in prop::collection::btree_map(
            prop_oneof![1u64..3_000, 1u64..=200_000, 199_000u64..=200_000],
            arb_table(),
            0..300,
        ),
        probe_keys in prop::collection::vec(0u64..=200_001, 0..200),
        shards in 1usize..6,
    ) {
        let entries: BTreeMap<u64, TableId> = keys.iter().map(|(k, t)| (offset + k, *t)).collect();
        let probes: Vec<u64> = probe_keys.iter().map(|k| offset + k).collect();
        let reg = Registry::from_pairs(entries.iter().map(|(c, t)| (*c, *t))).unwrap();
        let reg = Registry::from_bytes(&reg.to_bytes()).unwrap();
        prop_assert_eq!(reg.voters(), entries.len() as u64);
        for (c, t) in &entries {
            prop_assert_eq!(reg.lookup(*c), Some(*t));
            prop_assert_eq!(reg.lookup(c + 1), entries.get(&(c + 1)).copied());
            prop_assert_eq!(reg.lookup(c - 1), entries.get(&(c - 1)).copied());
        }
        for p in &probes {
            prop_assert_eq!(reg.lookup(*p), entries.get(p).copied());
        }
        let pairs: Vec<_> = entries.iter().map(|(c, t)| (*c, *t)).collect();
        prop_assert_eq!(reg.iter().collect::<Vec<_>>(), pairs);

        let parts = split(&reg, shards).unwrap();
        let total: u64 = parts.iter().map(|p| p.voters()).sum();
        prop_assert_eq!(total, reg.voters());
        for (c, t) in &entries {
            let part = parts.iter().find(|p| p.range().contains(c)).unwrap();
            prop_assert_eq!(part.lookup(*c), Some(*t));
        }
        for p in &probes {
            if let Some(part) = parts.iter().find(|x| x.range().contains(p)) {
                prop_assert_eq!(part.lookup(*p), entries.get(p).copied());
            }
        }
    }
}
