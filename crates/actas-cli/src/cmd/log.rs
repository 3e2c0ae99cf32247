//! `actas log ...`: the transparency log's key, checkpoints, export and proofs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use actas_core::{ActaId, CentreCode, TableId};
use actas_ledger::{InclusionProof, LogSigner, LogVerifier, export_dir, hash_to_base64};
use actas_store::{DataDir, Store, StoredCheckpoint};
use anyhow::{Context, Result, anyhow, bail};

use crate::context;

#[derive(clap::Subcommand)]
pub enum Log {
    /// Print the log's public verifier key: one line, `<name>+<hash>+<base64>`.
    ///
    /// This is what anyone needs to check the log's checkpoints (`actas verify DIR --key K`,
    /// Go's sumdb/note, ...).
    Key,
    /// Print the current signed checkpoint (C2SP tlog-checkpoint as a signed note).
    ///
    /// Signs a new one first if records were added since the latest.
    Checkpoint,
    /// Write the whole log into DIR in the C2SP tlog-tiles layout.
    ///
    /// `checkpoint`, `tile/<L>/<N>[.p/<W>]` hash tiles and `tile/entries/<N>[.p/<W>]` entry
    /// bundles: any static web server can serve DIR. Partial tiles that earlier checkpoints
    /// refer to are kept, so clients holding an old checkpoint can still read their proofs.
    /// Exporting again into the same DIR only writes what changed, checkpoint last, so readers
    /// never see a half-written log.
    Export {
        /// The folder to write the log into (created if missing).
        dir: PathBuf,
    },
    /// Inclusion proof (JSON) of a table's counted record in the current checkpoint.
    ///
    /// TABLE is a table id (010113042.01), an acta id (010113042.01.1.0001), or a centre code
    /// followed by the table number (10113042 1).
    Proof {
        /// The table: 010113042.01, an acta id (010113042.01.1.0001) or a centre code
        /// followed by the table number.
        table: String,
        /// Table number, when TABLE is a centre code.
        mesa: Option<String>,
    },
}

/// `actas log proof` output: the record and its proof, as the API's acta versions show them.
#[derive(serde::Serialize)]
struct ProofJson<'a> {
    table: String,
    /// The logged record itself; its leaf hash is SHA-256(0x00 || entry).
    entry: &'a str,
    inclusion_proof: &'a InclusionProof,
}

fn require_signer(data: &Path) -> Result<LogSigner> {
    let dir = DataDir::at(data)?;
    dir.signer()?.ok_or_else(|| {
        anyhow!(
            "{} has no log signing key ({}): run `actas init` to create it",
            data.display(),
            dir.key_path().display()
        )
    })
}

/// A verifier key given on the command line: the key itself or a file holding it.
pub fn verifier_from_arg(arg: &str) -> Result<LogVerifier> {
    let path = Path::new(arg);
    let text = if !arg.contains('+') && path.exists() {
        std::fs::read_to_string(path).with_context(|| format!("reading key file {arg}"))?
    } else {
        arg.to_string()
    };
    LogVerifier::new(text.trim()).with_context(|| {
        format!(
            "--key {arg:?}: expected a verifier key <name>+<hash>+<base64> or a file holding one"
        )
    })
}

/// Signs a checkpoint of every record if the key is at hand; otherwise the latest one.
async fn current_checkpoint(data: &Path, store: &Store) -> Result<StoredCheckpoint> {
    if store.log_verifier_key().is_some() {
        return Ok(store.checkpoint().await?);
    }
    store.latest_checkpoint().await?.ok_or_else(|| {
        anyhow!(
            "the log has no signed checkpoint and {} has no signing key: run `actas init`",
            data.display()
        )
    })
}

fn parse_table(table: &str, mesa: Option<&str>) -> Result<TableId> {
    let parsed = match mesa {
        Some(m) => table
            .parse::<CentreCode>()
            .map_err(anyhow::Error::from)
            .and_then(|c| Ok(TableId::new(c, TableId::parse_mesa(m)?)?)),
        None if table.matches('.').count() == 3 => {
            table.parse::<ActaId>().map(|a| a.table).map_err(Into::into)
        }
        None => table.parse::<TableId>().map_err(Into::into),
    };
    parsed.with_context(|| {
        format!(
            "table {:?}: expected a table id (010113042.01), an acta id (010113042.01.1.0001) \
             or a centre code and a table number (10113042 1)",
            [Some(table), mesa]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        )
    })
}

pub async fn run(data: &Path, cmd: Log) -> Result<ExitCode> {
    match cmd {
        Log::Key => println!("{}", require_signer(data)?.verifier_key()),
        Log::Checkpoint => {
            let store = context::open(data).await?;
            print!("{}", current_checkpoint(data, &store).await?.note);
            store.close().await;
        }
        Log::Export { dir } => {
            let store = context::open(data).await?;
            let cp = current_checkpoint(data, &store).await?;
            let entries: Vec<Vec<u8>> = store
                .records(0, cp.size)
                .await?
                .into_iter()
                .map(|r| r.bytes)
                .collect();
            let old_sizes: Vec<u64> = store.checkpoints().await?.iter().map(|c| c.size).collect();
            store.close().await;
            let spin = context::spinner("exporting");
            if entries.len() as u64 != cp.size {
                bail!(
                    "the checkpoint covers {} records but the store holds {}: run `actas verify`",
                    cp.size,
                    entries.len()
                );
            }
            let stats = export_dir(&dir, &entries, &cp.note, &old_sizes)
                .with_context(|| format!("exporting the log to {}", dir.display()))?;
            spin.finish_and_clear();
            println!(
                "{}: log of {} entries, root {} ({} files written, {} unchanged)",
                dir.display(),
                cp.size,
                hash_to_base64(&cp.root),
                stats.written,
                stats.unchanged
            );
        }
        Log::Proof { table, mesa } => {
            let table = parse_table(&table, mesa.as_deref())?;
            let store = context::open(data).await?;
            let counted = store
                .table_versions(table)
                .await?
                .into_iter()
                .find(|v| v.counted)
                .ok_or_else(|| anyhow!("table {table} has no counted result in this store"))?;
            current_checkpoint(data, &store).await?;
            let p = store.log_proof(counted.seq).await?;
            let entry = store
                .records(counted.seq, counted.seq + 1)
                .await?
                .pop()
                .ok_or_else(|| anyhow!("record {} cannot be read", counted.seq))?
                .bytes;
            store.close().await;
            let json = ProofJson {
                table: table.to_string(),
                entry: &String::from_utf8_lossy(&entry),
                inclusion_proof: &p,
            };
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
