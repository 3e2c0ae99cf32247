use std::path::Path;
use std::process::ExitCode;

use actas_core::Election;
use actas_store::{DataDir, Store};
use anyhow::{Context, Result, bail};

/// Create a data directory (or PostgreSQL schema) for one election.
///
/// The election definition becomes the store's first record. The transparency log's signing
/// key is created in DATA/log.key (readable by its owner only; also with PostgreSQL) and the
/// first checkpoint signed. Running init again with the same definition changes nothing.
#[derive(clap::Args)]
pub struct Args {
    /// `ve2024` (built in) or a JSON election definition file.
    #[arg(long, default_value = "ve2024")]
    election: String,
    /// Use PostgreSQL instead of the embedded SQLite file, e.g.
    /// postgres://user@127.0.0.1:5432/actas. Remembered in DATA/config.json.
    #[arg(long, env = "ACTAS_DATABASE_URL")]
    database_url: Option<String>,
    /// Name (origin) of the transparency log, e.g. example.org/ve2024: it names the signing
    /// key and heads every checkpoint. Default: actas.local/<election id>.
    #[arg(long)]
    log_name: Option<String>,
}

pub fn load_election(spec: &str) -> Result<Election> {
    if let Some(election) = actas_core::builtin(spec) {
        return Ok(election);
    }
    let path = Path::new(spec);
    if !path.exists() {
        let builtin: Vec<&str> = actas_core::BUILTIN.iter().map(|b| b.id).collect();
        bail!(
            "election {spec:?}: not a built-in election (built in: {}) nor an existing file",
            builtin.join(", ")
        );
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {spec}"))?;
    let election: Election = serde_json::from_str(&text)
        .with_context(|| format!("{spec}: not a valid election definition"))?;
    election.check().with_context(|| spec.to_string())?;
    Ok(election)
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    let election = load_election(&args.election)?;
    let mut dir = DataDir::at(data)?;
    if let Some(url) = &args.database_url {
        dir.use_database(url)?;
    }
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    let target = dir.target();
    let mut store = Store::init(&target, &election).await?;
    dir.save()?;
    println!(
        "initialised {} for {} ({}), {}",
        data.display(),
        election.name,
        election.id,
        target.describe()
    );
    let name = args
        .log_name
        .clone()
        .unwrap_or_else(|| format!("actas.local/{}", election.id));
    let (signer, created) = dir.ensure_signer(&name, args.log_name.is_some())?;
    let (origin, verifier_key) = (signer.name().to_string(), signer.verifier_key().to_string());
    store.set_log_signer(signer);
    let cp = store.checkpoint().await?;
    println!(
        "log {}: {} {}, checkpoint of {} entries\n  verifier key (publish it): {verifier_key}",
        origin,
        if created {
            "signing key created in"
        } else {
            "signing key in"
        },
        dir.key_path().display(),
        cp.size
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
