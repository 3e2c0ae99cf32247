//! Renders the tables of a per-table results CSV (the real `resultados_2024_v1.csv`) as synthetic
//! acta photos, for the 25,000-photo ingest benchmark (`bench/ingest-bench.sh`).
//!
//! Usage: v1_photos CSV OUT_DIR COUNT [SEED]
//!
//! Photo i shows table i of the file; past the last table, photos re-photograph tables already
//! drawn (another seed and degradation), as witnesses did: duplicates to consolidate. The
//! payloads come from `Payload::from_result`, so the ingested totals must equal the file's. Degradations cycle through every
//! kind the renderer has (JPEG recompression, blur, noise, rotation, perspective, low contrast,
//! phone photo...). Skips photos already rendered, so an interrupted run can be resumed.
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use actas_core::payload::Payload;
use actas_import::csv_results::{LayoutChoice, parse_results};
use actas_scan::render::{Ballot, Degradation, DegradationKind, render_acta};
use atomic_write_file::AtomicWriteFile;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [csv, out, count, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: v1_photos CSV OUT_DIR COUNT [SEED]");
    };
    let count: usize = count.parse()?;
    let seed: u64 = rest.first().map(|s| s.parse()).transpose()?.unwrap_or(2024);
    let election = actas_core::ve2024::election();
    let parsed = parse_results(
        csv,
        &std::fs::read(csv)?,
        &LayoutChoice::Auto,
        &election,
        false,
        &mut |_| {},
    )?;
    let payloads: Vec<String> = parsed
        .incoming
        .iter()
        .map(|row| Payload::from_result(&election, row.result()).encode())
        .collect();
    anyhow::ensure!(!payloads.is_empty(), "{csv}: no tables");
    std::fs::create_dir_all(out)?;
    let ballot = Ballot::new(&election, &actas_core::ve2024::CARD_CODES);
    let kinds = DegradationKind::ALL;
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> anyhow::Result<()> {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            return Ok(());
                        }
                        let path = std::path::Path::new(out).join(format!("acta-{i:05}.jpg"));
                        if path.exists() {
                            continue;
                        }
                        let photo_seed = seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
                        // Past the end of the file, a pseudo-random table is photographed again.
                        let table = if i < payloads.len() {
                            i
                        } else {
                            (photo_seed % payloads.len() as u64) as usize
                        };
                        let kind = kinds[i % kinds.len()];
                        let jpeg = render_acta(
                            ballot,
                            &payloads[table],
                            photo_seed,
                            Degradation::of_kind(kind, photo_seed),
                        );
                        // All-or-nothing, so a resumed run never skips a half-written photo.
                        let mut file = AtomicWriteFile::open(&path)?;
                        file.write_all(&jpeg)?;
                        file.commit()?;
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("renderer thread panicked")?;
        }
        Ok(())
    })?;
    println!(
        "{} photos of {} tables in {out}",
        count,
        payloads.len().min(count)
    );
    Ok(())
}
