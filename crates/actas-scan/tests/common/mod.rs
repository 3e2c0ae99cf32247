//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use actas_core::{Election, ve2024};
use actas_scan::Ballot;

/// The ve2024 ballot, which the synthetic actas print.
pub fn ballot() -> Ballot<'static> {
    static ELECTION: OnceLock<Election> = OnceLock::new();
    Ballot::new(ELECTION.get_or_init(ve2024::election), &ve2024::CARD_CODES)
}

/// `shared/data/ve2024/actas` next to the repository, if its expected.tsv is there. When it is
/// absent the calling test is skipped, except under CI (`CI` set), where it fails
/// ([`actas_testkit::shared`]).
pub fn actas_dir() -> Option<PathBuf> {
    let dir = actas_testkit::shared::ve2024("actas");
    actas_testkit::shared::present(dir.join("expected.tsv"))?;
    Some(dir)
}

/// One row of expected.tsv.
#[derive(Debug, Clone)]
pub struct Expected {
    pub file: String,
    pub sha256: String,
    pub readable: bool,
    pub payload: Option<String>,
    pub acta_id: Option<String>,
    pub centre: String,
    pub mesa: u32,
    pub valid: Option<u64>,
    pub null: Option<u64>,
}

pub fn expected(dir: &std::path::Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(dir.join("expected.tsv")).expect("read expected.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("column {name} missing"))
    };
    let (c_file, c_sha, c_status, c_payload, c_id, c_centre, c_mesa, c_valid, c_null) = (
        col("file"),
        col("sha256"),
        col("status"),
        col("qr_payload"),
        col("acta_id"),
        col("centre"),
        col("mesa"),
        col("valid"),
        col("null"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or("").trim();
            let opt = |i: usize| Some(get(i).to_string()).filter(|s| !s.is_empty());
            Expected {
                file: get(c_file).to_string(),
                sha256: get(c_sha).to_string(),
                readable: get(c_status) == "readable",
                payload: opt(c_payload),
                acta_id: opt(c_id),
                centre: get(c_centre).to_string(),
                mesa: get(c_mesa).parse().unwrap_or(0),
                valid: get(c_valid).parse().ok(),
                null: get(c_null).parse().ok(),
            }
        })
        .collect()
}

/// Real payloads from expected.tsv (rows that have one).
pub fn real_payloads() -> Option<Vec<String>> {
    let dir = actas_dir()?;
    Some(
        expected(&dir)
            .into_iter()
            .filter_map(|e| e.payload)
            .collect(),
    )
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// Minimal PNG encoder (8-bit greyscale, zlib "stored" blocks) so the tests
/// can produce PNG input without another dependency.
pub fn encode_png_grey(width: u32, height: u32, pixels: &[u8]) -> Vec<u8> {
    assert_eq!(pixels.len(), (width * height) as usize);
    let mut raw = Vec::with_capacity(pixels.len() + height as usize);
    for row in pixels.chunks(width as usize) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        z.extend_from_slice(&(b.len() as u16).to_le_bytes());
        z.extend_from_slice(&(!(b.len() as u16)).to_le_bytes());
        z.extend_from_slice(b);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + x as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A known real payload used when a test needs one without the shared data.
pub const SAMPLE_PAYLOAD: &str = "240111020.01.1.0001!149,6,9,3,13,2,0,2,11,4,1,1,3,1,0,0,1,1,0,0,1,0,0,1,1,0,0,0,0,0,0,0,0,8,23,334,2,2!0!0";
