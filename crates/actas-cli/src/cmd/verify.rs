use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use actas_core::{Record, RecordBody};
use actas_ledger::{
    DirSource, LogSource, LogVerifier, MAX_ENTRY_LEN, TILE_WIDTH, hash_to_base64, verify_published,
};
use actas_store::DataDir;
use anyhow::{Context, Result, bail};

use crate::cmd::log::verifier_from_arg;
use crate::context;

/// Check the local data directory, or a published log.
///
/// Without SOURCE, checks the data directory: every record is in the log and matches its
/// leaf hash, the stored tiles and every checkpoint match the tree recomputed from the
/// records, checkpoints carry the log key's signature, and the derived results equal a
/// recomputation from the records.
///
/// With SOURCE (a directory written by `actas log export`, or an http(s):// URL serving one),
/// verifies the published log from scratch: checkpoint signature, every entry bundle against
/// the hash tiles, every hash tile against the tree recomputed from the entries, and the
/// checkpoint's root. Each entry must be an actas record.
///
/// With --since, also that an older checkpoint (a file kept from an earlier visit) is a prefix
/// of the current log: nothing it covered was changed or removed.
#[derive(clap::Args)]
pub struct Args {
    /// A published log: a directory or an http(s):// URL (default: the local data directory).
    source: Option<String>,
    /// The log's verifier key (`<name>+<hash>+<base64>`, as printed by `actas log key`) or a
    /// file holding it. Default: the data directory's own key.
    #[arg(long)]
    key: Option<String>,
    /// A signed checkpoint file from earlier that the log must extend.
    #[arg(long)]
    since: Option<PathBuf>,
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    let since = match &args.since {
        Some(p) => Some(
            std::fs::read(p)
                .with_context(|| format!("reading --since checkpoint {}", p.display()))?,
        ),
        None => None,
    };
    let verifier = match &args.key {
        Some(k) => Some(verifier_from_arg(k)?),
        None => match DataDir::at(data)?.signer()? {
            Some(s) => Some(LogVerifier::new(s.verifier_key())?),
            None => None,
        },
    };
    let problems = match &args.source {
        None => verify_local(data, verifier.as_ref(), since.as_deref()).await?,
        Some(source) => {
            let Some(verifier) = verifier else {
                bail!(
                    "verifying a published log needs its verifier key: pass --key (there is no {})",
                    DataDir::at(data)?.key_path().display()
                );
            };
            verify_source(source, &verifier, since.as_deref())?
        }
    };
    if problems.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        eprintln!("FAIL: {p}");
    }
    eprintln!("{} problems found", problems.len());
    Ok(ExitCode::FAILURE)
}

async fn verify_local(
    data: &Path,
    verifier: Option<&LogVerifier>,
    since: Option<&[u8]>,
) -> Result<Vec<String>> {
    let store = context::open(data).await?;
    let log = store.check_log(verifier, since).await?;
    let mut problems = log.problems.clone();
    problems.extend(store.check_views().await?);
    let (photos, photo_problems) = store.check_photos().await?;
    problems.extend(photo_problems);
    store.close().await;
    if !problems.is_empty() {
        return Ok(problems);
    }
    match &log.checkpoint {
        Some(cp) => {
            println!(
                "ok: {} records, all in the log; checkpoint {} size {} root {} signed and matches \
                 the records ({} checkpoints checked{})",
                log.size,
                cp.origin,
                cp.size,
                hash_to_base64(&cp.root),
                log.checkpoints_checked,
                if since.is_some() {
                    ", consistent with --since"
                } else {
                    ""
                }
            );
            if cp.size < log.size {
                println!(
                    "  {} records are logged but not yet covered by a signed checkpoint (`actas log checkpoint` signs one)",
                    log.size - cp.size
                );
            }
        }
        None => println!(
            "ok: {} records, all in the log; no signed checkpoint yet (`actas init` creates the signing key {})",
            log.size,
            DataDir::at(data)?.key_path().display()
        ),
    }
    println!("ok: stored results equal a recomputation from the records");
    println!("ok: {photos} stored photos re-hashed, each matches the SHA-256 its record logs");
    Ok(problems)
}

/// Largest file of a published log: an entry bundle of 256 maximal entries.
const MAX_FILE: u64 = (TILE_WIDTH * (MAX_ENTRY_LEN + 2)) as u64;

/// A log served over HTTP or HTTPS (a mirror, a CDN, a test server).
struct HttpSource {
    base: String,
    agent: ureq::Agent,
}

impl LogSource for HttpSource {
    fn get(&self, path: &str) -> std::io::Result<Option<Vec<u8>>> {
        let url = format!("{}/{path}", self.base);
        match self.agent.get(&url).call() {
            Ok(mut resp) => resp
                .body_mut()
                .with_config()
                .limit(MAX_FILE)
                .read_to_vec()
                .map(Some)
                .map_err(|e| std::io::Error::other(format!("{url}: {e}"))),
            Err(ureq::Error::StatusCode(404)) => Ok(None),
            Err(e) => Err(std::io::Error::other(format!("{url}: {e}"))),
        }
    }
}

fn verify_source(
    source: &str,
    verifier: &LogVerifier,
    since: Option<&[u8]>,
) -> Result<Vec<String>> {
    let http;
    let dir;
    let src: &dyn LogSource = if source.starts_with("http://") || source.starts_with("https://") {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        http = HttpSource {
            base: source.trim_end_matches('/').to_string(),
            agent,
        };
        &http
    } else {
        if !Path::new(source).is_dir() {
            bail!("{source}: not a directory nor an http:// URL (nor https://)");
        }
        dir = DirSource::new(source);
        &dir
    };
    let v = match verify_published(src, verifier, since) {
        Ok(v) => v,
        Err(e) => return Ok(vec![format!("{source}: {e}")]),
    };
    let mut problems = Vec::new();
    for (i, entry) in v.entries.iter().enumerate() {
        match Record::from_bytes(entry) {
            Ok(r) if i == 0 && !matches!(r.body, RecordBody::Election { .. }) => problems.push(
                format!("{source}: entry 0 is not the election definition every log starts with"),
            ),
            Ok(_) => {}
            Err(e) => problems.push(format!("{source}: entry {i} is not an actas record: {e}")),
        }
        if problems.len() >= 20 {
            problems.push("(stopped after 20 problems)".into());
            break;
        }
    }
    if problems.is_empty() {
        println!(
            "ok: {source}: log {} of {} entries, root {}, signed by {}; {} files checked{}",
            v.checkpoint.origin,
            v.checkpoint.size,
            hash_to_base64(&v.checkpoint.root),
            verifier.key(),
            v.files_checked,
            v.old_checkpoint
                .map(|o| format!("; extends the checkpoint of size {} (--since)", o.size))
                .unwrap_or_default()
        );
    }
    Ok(problems)
}
