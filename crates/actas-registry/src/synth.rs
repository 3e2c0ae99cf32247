//! Synthetic registries, deterministic from a seed.
//!
//! `voters` voters are spread over the tables in proportion to each table's registered voters
//! (largest-remainder rounding, so the counts add up exactly); their cédulas are a uniformly
//! random subset of `1..=max(SYNTH_CEDULA_SPACE, 1.5 × voters)` (selection sampling), and which
//! cédula goes to which table is a random shuffle. The CSV and the direct index come from the
//! same draw, so building the CSV gives a byte-identical index.

use std::io::Write;

use actas_core::{CentreCode, TableId};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::{BLOCK_BITS, MAX_CEDULA, Registry, RegistryError, TableArray};

/// Cédulas of synthetic registries are drawn from `1..=` this (at least), about the range of
/// Venezuelan voters' cédulas.
pub const SYNTH_CEDULA_SPACE: u64 = 32_000_000;

/// A plausible table list: `count` tables in centres of one to three tables each, with CNE-like
/// nine-digit centre codes spread over 24 states, each with 200 to 1,199 registered voters.
pub fn synthetic_tables(count: usize, seed: u64) -> Vec<(TableId, u32)> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed ^ 0x007A_B1E5);
    let mut out = Vec::with_capacity(count);
    let mut k = 0u32;
    while out.len() < count {
        let state = 1 + k % 24;
        let rest = k / 24;
        let code = state * 10_000_000
            + (1 + rest % 15) * 100_000
            + (1 + rest / 15 % 8) * 1_000
            + (1 + rest / 120 % 999);
        k += 1;
        let centre = CentreCode::new(code).expect("synthetic codes have nine digits at most");
        let mesas = rng.random_range(1..=3u8);
        for mesa in 1..=mesas {
            if out.len() == count {
                break;
            }
            let table = TableId::new(centre, mesa).expect("mesa in 1..=3");
            out.push((table, rng.random_range(200..1200u32)));
        }
    }
    out
}

/// Per-table voter counts proportional to registered voters, summing to `voters`.
fn apportion(tables: &[(TableId, u32)], voters: u64) -> Result<Vec<u64>, RegistryError> {
    let mut sorted: Vec<TableId> = tables.iter().map(|t| t.0).collect();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(RegistryError::Invalid(format!(
            "table {} appears twice in the table list",
            w[0]
        )));
    }
    if voters > MAX_CEDULA / 2 {
        return Err(RegistryError::Invalid(format!(
            "{voters} voters: at most {} can be generated",
            MAX_CEDULA / 2
        )));
    }
    let registered: u64 = tables.iter().map(|t| t.1 as u64).sum();
    if voters == 0 {
        return Ok(vec![0; tables.len()]);
    }
    if registered == 0 {
        return Err(RegistryError::Invalid(
            "cannot generate voters: the tables have no registered voters".into(),
        ));
    }
    let mut counts = Vec::with_capacity(tables.len());
    let mut remainders = Vec::with_capacity(tables.len());
    let mut given = 0u64;
    for (i, &(_, reg)) in tables.iter().enumerate() {
        let exact = voters as u128 * reg as u128;
        let q = (exact / registered as u128) as u64;
        counts.push(q);
        given += q;
        remainders.push((exact % registered as u128, i));
    }
    // Largest remainders first; ties to the earlier table.
    remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take((voters - given) as usize) {
        counts[i] += 1;
    }
    Ok(counts)
}

/// Fisher-Yates with the indices drawn a batch at a time before the swaps, so that the CPU
/// overlaps the swaps' cache misses: on 21 M voters (an 85 MB array) this is about twice as fast
/// as drawing each index between swaps, which `SliceRandom::shuffle` does.
fn shuffle(v: &mut [u32], rng: &mut Pcg64Mcg) {
    const BATCH: usize = 64;
    let mut js = [0usize; BATCH];
    let mut i = v.len();
    while i > 1 {
        let n = (i - 1).min(BATCH);
        for (k, j) in js[..n].iter_mut().enumerate() {
            *j = rng.random_range(0..=i - 1 - k);
        }
        for (k, &j) in js[..n].iter().enumerate() {
            v.swap(i - 1 - k, j);
        }
        i -= n;
    }
}

/// Draws the registry and calls `emit(cedula, table_index_in_input)` in ascending cédula order.
fn draw(
    tables: &[(TableId, u32)],
    voters: u64,
    seed: u64,
    mut emit: impl FnMut(u64, usize) -> Result<(), RegistryError>,
) -> Result<(), RegistryError> {
    let counts = apportion(tables, voters)?;
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut assignment: Vec<u32> = Vec::with_capacity(voters as usize);
    for (i, &n) in counts.iter().enumerate() {
        assignment.extend(std::iter::repeat_n(i as u32, n as usize));
    }
    shuffle(&mut assignment, &mut rng);
    let space = SYNTH_CEDULA_SPACE.max(voters + voters / 2);
    // Selection sampling (Knuth's algorithm S): each cédula is taken with probability
    // needed / left, which gives a uniform subset of exactly `voters`.
    let mut needed = voters;
    let mut next = assignment.iter();
    for c in 1..=space {
        if needed == 0 {
            break;
        }
        let left = space - c + 1;
        if rng.random_range(0..left) < needed {
            needed -= 1;
            let t = next.next().copied().unwrap_or_default();
            emit(c, t as usize)?;
        }
    }
    Ok(())
}

/// Writes a synthetic registry as a `cedula,centre,table` CSV (centre codes without leading
/// zeros, as in real files). Returns the number of rows.
///
/// `tables` pairs each table with its registered voters; `voters` are spread in proportion.
pub fn generate_csv<W: Write>(
    tables: &[(TableId, u32)],
    voters: u64,
    seed: u64,
    out: W,
) -> Result<u64, RegistryError> {
    let io = |e| RegistryError::Io {
        path: Default::default(),
        source: e,
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    out.write_all(b"cedula,centre,table\n").map_err(io)?;
    let mut rows = 0u64;
    let mut line = Vec::with_capacity(32);
    draw(tables, voters, seed, |c, t| {
        let table = tables[t].0;
        line.clear();
        push_u64(&mut line, c);
        line.push(b',');
        push_u64(&mut line, table.centre.value() as u64);
        line.push(b',');
        push_u64(&mut line, table.mesa as u64);
        line.push(b'\n');
        rows += 1;
        out.write_all(&line).map_err(io)
    })?;
    out.flush().map_err(io)?;
    Ok(rows)
}

fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// The same synthetic registry as [`generate_csv`], built directly into an index.
pub fn generate_registry(
    tables: &[(TableId, u32)],
    voters: u64,
    seed: u64,
) -> Result<Registry, RegistryError> {
    // Sorted positions of the input tables; only tables that get voters are kept.
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_unstable_by_key(|&i| tables[i].0);
    let space = SYNTH_CEDULA_SPACE.max(voters + voters / 2);
    let mut words = vec![0u64; (space + 1).div_ceil(64) as usize];
    let mut picked: Vec<u32> = Vec::with_capacity(voters as usize);
    let mut used = vec![false; tables.len()];
    let (mut min, mut max) = (u64::MAX, 0);
    draw(tables, voters, seed, |c, t| {
        words[(c >> 6) as usize] |= 1 << (c & 63);
        picked.push(t as u32);
        used[t] = true;
        min = min.min(c);
        max = max.max(c);
        Ok(())
    })?;
    if picked.is_empty() {
        return Ok(Registry::empty());
    }
    let mut remap = vec![0u32; tables.len()];
    let mut list = Vec::new();
    for &i in &order {
        if used[i] {
            remap[i] = list.len() as u32;
            list.push(tables[i].0);
        }
    }
    let mut table_of = TableArray::zeroed(list.len(), picked.len());
    for (r, &t) in picked.iter().enumerate() {
        table_of.set(r, remap[t as usize]);
    }
    let base = min / BLOCK_BITS * BLOCK_BITS;
    let bits = max + 1 - base;
    words.drain(..(base / 64) as usize);
    words.truncate(bits.div_ceil(64) as usize);
    Ok(Registry::from_parts(base, bits, words, list, table_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact_and_proportional() {
        let tables = synthetic_tables(7, 1);
        let total: u64 = tables.iter().map(|t| t.1 as u64).sum();
        let counts = apportion(&tables, 1000).unwrap();
        assert_eq!(counts.iter().sum::<u64>(), 1000);
        for (c, t) in counts.iter().zip(&tables) {
            let exact = 1000.0 * t.1 as f64 / total as f64;
            assert!((*c as f64 - exact).abs() < 1.0, "{c} vs {exact}");
        }
    }

    #[test]
    fn shuffle_permutes() {
        for len in [0, 1, 2, 63, 64, 65, 1000] {
            let mut v: Vec<u32> = (0..len).collect();
            shuffle(&mut v, &mut Pcg64Mcg::seed_from_u64(len as u64));
            let mut sorted = v.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..len).collect::<Vec<_>>());
            if len >= 64 {
                assert_ne!(v, sorted, "{len}");
            }
        }
    }

    #[test]
    fn synthetic_tables_are_unique() {
        let t = synthetic_tables(30_000, 9);
        assert_eq!(t.len(), 30_000);
        let mut ids: Vec<_> = t.iter().map(|x| x.0).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 30_000);
    }

    #[test]
    fn csv_and_direct_agree() {
        let tables = synthetic_tables(50, 4);
        let mut csv = Vec::new();
        assert_eq!(generate_csv(&tables, 2_000, 77, &mut csv).unwrap(), 2_000);
        let from_csv = crate::read_csv(&csv[..], 0, &mut |_, _| {}).unwrap();
        let direct = generate_registry(&tables, 2_000, 77).unwrap();
        assert_eq!(from_csv.to_bytes(), direct.to_bytes());
        assert_ne!(
            generate_registry(&tables, 2_000, 78).unwrap().to_bytes(),
            direct.to_bytes()
        );
    }
}
