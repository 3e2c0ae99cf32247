//! `actas serve`: the public site and JSON API.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use actas_store::DataDir;
use actas_web::{Config, FileConfig, config::parse_addr};
use anyhow::{Context, Result, anyhow};

/// Name of the optional configuration file in the data directory.
pub const CONFIG_FILE: &str = "serve.toml";

/// Serve the public site and the JSON API until Ctrl-C or SIGTERM.
///
/// Pages in Spanish (English with ?lang=en or the browser's language): national results,
/// search by cédula (/buscar?cedula=N), browsing by place, each acta with its proof, downloads,
/// how to verify. The API is under /api/v1 (OpenAPI at /api/v1/openapi.json), the
/// transparency log under /log/, health at /healthz.
///
/// Settings: flags, then environment variables, then the configuration file (--config, or
/// DATA/serve.toml when it exists), then defaults. The file is TOML with the keys addr,
/// registry, refresh_seconds, full_refresh_seconds, rate_limit_per_second, rate_limit_burst,
/// trust_forwarded_for, request_timeout_seconds and log.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ACTAS_ADDR")]
    addr: Option<String>,
    /// Configuration file (TOML) [default: DATA/serve.toml if it exists].
    #[arg(long, env = "ACTAS_CONFIG")]
    config: Option<PathBuf>,
    /// Cédula index [default: DATA/registry.idx, built by `actas registry`].
    #[arg(long, env = "ACTAS_REGISTRY")]
    registry: Option<PathBuf>,
    /// Requests per second allowed per client address; 0 turns limiting off [default: 50].
    #[arg(long, env = "ACTAS_RATE_LIMIT")]
    rate_limit: Option<u32>,
    /// Requests a client may make at once before the rate applies [default: 200].
    #[arg(long, env = "ACTAS_RATE_BURST")]
    rate_burst: Option<u32>,
    /// Take the client address from X-Forwarded-For: only behind a proxy or CDN that sets it.
    #[arg(long, env = "ACTAS_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Seconds between checks for new records [default: 2].
    #[arg(long, env = "ACTAS_REFRESH")]
    refresh: Option<f64>,
    /// Log filter, e.g. info, warn, actas_web=debug [default: info].
    #[arg(long, env = "ACTAS_LOG")]
    log: Option<String>,
}

pub fn config(data: &Path, args: &Args) -> Result<Config> {
    let mut c = Config::for_data(DataDir::at(data)?, Some(data.join("registry.idx")));
    let default_file = data.join(CONFIG_FILE);
    let file = args
        .config
        .clone()
        .or_else(|| default_file.exists().then_some(default_file));
    if let Some(f) = &file {
        c.apply_file(&FileConfig::load(f)?)
            .with_context(|| format!("in {}", f.display()))?;
    }
    if let Some(a) = &args.addr {
        c.addr = parse_addr(a).context("--addr")?;
    }
    if let Some(r) = &args.registry {
        c.registry = Some(r.clone());
    }
    if let Some(n) = args.rate_limit {
        c.rate_limit.per_second = n;
    }
    if let Some(n) = args.rate_burst {
        c.rate_limit.burst = n;
    }
    if args.trust_forwarded_for {
        c.trust_forwarded_for = true;
    }
    if let Some(s) = args.refresh {
        c.apply_file(&FileConfig {
            refresh_seconds: Some(s),
            ..Default::default()
        })
        .context("--refresh")?;
    }
    if let Some(l) = &args.log {
        c.log = l.clone();
    }
    c.check()?;
    Ok(c)
}

pub async fn run(data: &Path, args: Args) -> Result<ExitCode> {
    let config = config(data, &args)?;
    // The server runs its own multi-threaded runtime; this command's runtime only waits.
    std::thread::spawn(move || actas_web::run(config))
        .join()
        .map_err(|_| anyhow!("the server stopped unexpectedly (panic); see the log above"))??;
    Ok(ExitCode::SUCCESS)
}
