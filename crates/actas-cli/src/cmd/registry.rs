//! `actas registry`: the cédula -> table index the site looks voters up in.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use actas_core::TableId;
use actas_registry::{build_index_of, generate_csv, generate_registry};
use anyhow::{Context, Result, anyhow, bail};

use crate::context;

#[derive(clap::Subcommand)]
pub enum Registry {
    /// Build the cédula index from a CSV with the header `cedula,centre,table`.
    ///
    /// cedula is the ID number, centre the 9-digit centre code (leading zero optional), table
    /// the table number. Other columns (names, addresses, ...) are ignored and never stored: a
    /// look-up reveals only the table. Tens of millions of rows take seconds; a bad row stops
    /// the build with its line number and leaves any previous index untouched.
    Import {
        /// The registry CSV (`cedula,centre,table`; other columns are ignored).
        file: PathBuf,
        /// Where to write the index [default: DATA/registry.idx, what `actas serve` loads].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Generate a synthetic registry for tests and demos.
    ///
    /// VOTERS voters are spread over the store's tables in proportion to their registered
    /// voters (so import the geography or results with registered voters first), with random
    /// cédulas; the same seed gives the same registry. With --out the CSV is written there (then
    /// `actas registry import FILE`); without it the index goes straight to DATA/registry.idx.
    Generate {
        #[arg(long)]
        voters: u64,
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// CSV file to write (`cedula,centre,table`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn index_path(data: &Path) -> PathBuf {
    data.join("registry.idx")
}

pub async fn run(data: &Path, cmd: Registry) -> Result<ExitCode> {
    match cmd {
        Registry::Import { file, out } => {
            let out = out.unwrap_or_else(|| index_path(data));
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            // Every voter's table must be one of the election's, or a look-up leads nowhere.
            let store = context::open(data).await?;
            let known: std::collections::HashSet<TableId> =
                store.known_tables().await?.into_iter().collect();
            store.close().await;
            if known.is_empty() {
                bail!(
                    "the store knows no table yet: load the geography (`actas import geo DIR`) \
                     or results first, so that every voter's table can be checked"
                );
            }
            let bar = context::bar(0, "reading");
            let summary =
                build_index_of(&file, &out, &|t| known.contains(&t), &mut |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .map_err(|e| match e {
                    // Reading errors already name the file; a row's error names its line.
                    actas_registry::RegistryError::Io { .. } => anyhow!("{e}"),
                    other => anyhow!("{}: {other}", file.display()),
                })?;
            bar.finish_and_clear();
            println!(
                "{}: {} voters at {} tables (cédulas {}..{}); index {} ({:.1} MB)",
                file.display(),
                summary.voters,
                summary.tables,
                summary.range.start,
                summary.range.end,
                out.display(),
                summary.index_bytes as f64 / 1e6
            );
        }
        Registry::Generate { voters, seed, out } => {
            let store = context::open(data).await?;
            let (tables, unknown) = actas_web::registered_tables(&store).await?;
            store.close().await;
            if tables.is_empty() {
                bail!(
                    "no table with a known number of registered voters: load the geography \
                     (`actas import geo DIR`) or results that state them first"
                );
            }
            let note = if unknown > 0 {
                format!(" ({unknown} tables of unknown size left out)")
            } else {
                String::new()
            };
            match out {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    let rows = generate_csv(&tables, voters, seed, file)
                        .with_context(|| format!("writing {}", path.display()))?;
                    println!(
                        "{}: {rows} synthetic voters over {} tables{note}; next: `actas registry import {}`",
                        path.display(),
                        tables.len(),
                        path.display()
                    );
                }
                None => {
                    let reg = generate_registry(&tables, voters, seed)?;
                    let path = index_path(data);
                    reg.write_atomic(&path)?;
                    println!(
                        "{}: {} synthetic voters over {} tables{note}",
                        path.display(),
                        reg.voters(),
                        reg.tables().len()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
