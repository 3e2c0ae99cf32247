//! Generate a synthetic corpus of degraded actas for benchmarking.
//! Usage: gen_corpus OUT_DIR COUNT [EXPECTED_TSV] [SEED] [SEVERITY]
//! Writes OUT_DIR/synth-NNNNN-KIND.jpg and OUT_DIR/manifest.tsv
//! (file, kind, payload). Payloads: the real ones from EXPECTED_TSV when
//! given, alternating with random payloads of the same shape.
use actas_core::payload::Payload;
use actas_core::{ActaId, CentreCode, Election, TableId, ve2024};
use actas_scan::render::{Ballot, Degradation, DegradationKind, render_acta};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

fn random_payload(election: &Election, rng: &mut Pcg64Mcg) -> String {
    let centre = CentreCode::new(
        rng.random_range(1..=24u32) * 10_000_000
            + rng.random_range(1..=20u32) * 100_000
            + rng.random_range(1..=9u32) * 1_000
            + rng.random_range(1..=120u32),
    )
    .expect("nine digits");
    let mesa = rng.random_range(1..=12u8);
    let cards = (0..election.cards.len())
        .map(|i| {
            let big = matches!(i, 0 | 35);
            rng.random_range(0..if big { 400 } else { 15 })
        })
        .collect();
    Payload {
        acta_id: ActaId {
            table: TableId::new(centre, mesa).expect("mesa in 1..=12"),
            f3: "1".into(),
            f4: "0001".into(),
        },
        cards,
        null: rng.random_range(0..4),
        blank: 0,
    }
    .encode()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: gen_corpus OUT_DIR COUNT [EXPECTED_TSV] [SEED] [SEVERITY]");
        std::process::exit(2);
    }
    let out = std::path::PathBuf::from(&a[1]);
    let count: usize = a[2].parse().expect("COUNT");
    let real: Vec<String> = a
        .get(3)
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|s| {
            s.lines()
                .skip(1)
                .filter_map(|l| l.split('\t').nth(3))
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let base_seed: u64 = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(2024);
    let severity: f32 = a.get(5).and_then(|s| s.parse().ok()).unwrap_or(1.0);
    std::fs::create_dir_all(&out).expect("create out dir");
    let election = ve2024::election();
    let ballot = Ballot::new(&election, &ve2024::CARD_CODES);
    let kinds = DegradationKind::ALL;
    let jobs: Vec<(String, DegradationKind, String, u64)> = (0..count)
        .map(|i| {
            let seed = base_seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
            let mut rng = Pcg64Mcg::seed_from_u64(seed);
            let payload = if !real.is_empty() && i % 2 == 0 {
                real[(i / 2) % real.len()].clone()
            } else {
                random_payload(&election, &mut rng)
            };
            let kind = kinds[i % kinds.len()];
            (
                format!("synth-{i:05}-{}.jpg", kind.name()),
                kind,
                payload,
                seed,
            )
        })
        .collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= jobs.len() {
                        break;
                    }
                    let (name, kind, payload, seed) = &jobs[i];
                    let bytes = render_acta(
                        ballot,
                        payload,
                        *seed,
                        Degradation::of_kind_severity(*kind, *seed, severity),
                    );
                    std::fs::write(out.join(name), bytes).expect("write image");
                }
            });
        }
    });
    let mut m = std::fs::File::create(out.join("manifest.tsv")).expect("manifest");
    for (name, kind, payload, _) in &jobs {
        writeln!(m, "{name}\t{}\t{payload}", kind.name()).expect("manifest");
    }
    eprintln!("wrote {} images to {}", jobs.len(), out.display());
}
