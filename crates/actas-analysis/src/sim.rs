//! Seeded, reproducible simulation streams.
//!
//! Every simulation is cut into fixed chunks, each with its own PCG stream derived from the seed,
//! the simulation's name and the chunk number. Results therefore do not depend on how many
//! threads run the chunks.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

pub(crate) type Rng = Pcg64Mcg;

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01B3)
    })
}

/// The stream for chunk `chunk` of the simulation `name`.
pub(crate) fn rng(seed: u64, name: &str, chunk: u64) -> Rng {
    let a = splitmix(seed);
    let b = splitmix(a ^ name_hash(name));
    let c = splitmix(b ^ chunk.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&c.to_le_bytes());
    bytes[8..].copy_from_slice(&splitmix(c).to_le_bytes());
    Pcg64Mcg::from_seed(bytes)
}

/// Number of worker threads: `requested`, or the machine's parallelism when 0.
pub(crate) fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Runs `f(chunk)` for every chunk in `0..n` on up to `threads` threads; results in chunk order.
pub(crate) fn par_map<T: Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let v = f(i);
                    out.lock().expect("no panic while held")[i] = Some(v);
                }
            });
        }
    });
    out.into_inner()
        .expect("no panic while held")
        .into_iter()
        .map(|v| v.expect("every chunk ran"))
        .collect()
}
