//! Server configuration: defaults, an optional TOML file, then flags and environment (applied
//! by the caller on top of [`FileConfig`], so the command line always wins).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actas_store::DataDir;
use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// The data directory served: its store, original photos and log key.
    pub data: DataDir,
    /// The cédula index; `None` or a missing file: look-ups answer that no registry is loaded.
    pub registry: Option<PathBuf>,
    /// How often the store is asked whether new records or checkpoints arrived.
    pub refresh: Duration,
    /// Everything derived from the store is rebuilt at least this often, even without new
    /// records (a geography loaded later changes names and sizes, not the record count).
    pub full_refresh: Duration,
    pub rate_limit: RateLimit,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a proxy or CDN
    /// that sets it); otherwise every client behind the proxy would share one limit.
    pub trust_forwarded_for: bool,
    /// Longest time a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// `tracing` filter, e.g. `info` or `actas_web=debug`.
    pub log: String,
}

/// Per client address: a bucket of `burst` requests refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// 0 turns the limiter off.
    pub per_second: u32,
    pub burst: u32,
}

impl Config {
    /// Defaults for a data directory.
    pub fn for_data(data: DataDir, registry: Option<PathBuf>) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data,
            registry,
            refresh: Duration::from_secs(2),
            full_refresh: Duration::from_secs(60),
            // Generous: mobile carriers put many people behind one address (CGNAT).
            rate_limit: RateLimit {
                per_second: 50,
                burst: 200,
            },
            trust_forwarded_for: false,
            request_timeout: Duration::from_secs(30),
            log: "info".into(),
        }
    }

    /// Applies a configuration file's settings over the current ones.
    pub fn apply_file(&mut self, file: &FileConfig) -> Result<()> {
        if let Some(a) = &file.addr {
            self.addr = parse_addr(a)?;
        }
        if let Some(r) = &file.registry {
            self.registry = Some(r.clone());
        }
        if let Some(s) = file.refresh_seconds {
            self.refresh = seconds("refresh_seconds", s)?;
        }
        if let Some(s) = file.full_refresh_seconds {
            self.full_refresh = seconds("full_refresh_seconds", s)?;
        }
        if let Some(n) = file.rate_limit_per_second {
            self.rate_limit.per_second = n;
        }
        if let Some(n) = file.rate_limit_burst {
            self.rate_limit.burst = n;
        }
        if let Some(t) = file.trust_forwarded_for {
            self.trust_forwarded_for = t;
        }
        if let Some(s) = file.request_timeout_seconds {
            self.request_timeout = seconds("request_timeout_seconds", s)?;
        }
        if let Some(l) = &file.log {
            self.log = l.clone();
        }
        Ok(())
    }

    /// Refuses settings that would make the server useless, with what to change.
    pub fn check(&self) -> Result<()> {
        if self.rate_limit.per_second > 0 && self.rate_limit.burst == 0 {
            bail!(
                "rate limit burst is 0 with a rate of {}/s: every request would be refused; set a burst of at least 1 (or a rate of 0 to turn limiting off)",
                self.rate_limit.per_second
            );
        }
        Ok(())
    }
}

/// The configuration file (TOML); every key is optional.
///
/// ```toml
/// addr = "0.0.0.0:8080"
/// registry = "/srv/actas/registry.idx"
/// refresh_seconds = 2
/// full_refresh_seconds = 60
/// rate_limit_per_second = 50
/// rate_limit_burst = 200
/// trust_forwarded_for = true
/// request_timeout_seconds = 30
/// log = "info"
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub addr: Option<String>,
    pub registry: Option<PathBuf>,
    pub refresh_seconds: Option<f64>,
    pub full_refresh_seconds: Option<f64>,
    pub rate_limit_per_second: Option<u32>,
    pub rate_limit_burst: Option<u32>,
    pub trust_forwarded_for: Option<bool>,
    pub request_timeout_seconds: Option<f64>,
    pub log: Option<String>,
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<FileConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading configuration file {}", path.display()))?;
        toml::from_str(&text).with_context(|| {
            format!(
                "{}: not a valid server configuration (keys: addr, registry, refresh_seconds, \
                 full_refresh_seconds, rate_limit_per_second, rate_limit_burst, \
                 trust_forwarded_for, request_timeout_seconds, log)",
                path.display()
            )
        })
    }
}

pub fn parse_addr(text: &str) -> Result<SocketAddr> {
    text.parse().with_context(|| {
        format!("address {text:?}: expected IP:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:80")
    })
}

fn seconds(key: &str, s: f64) -> Result<Duration> {
    if !(s.is_finite() && s > 0.0 && s < 1e6) {
        bail!("{key} = {s}: expected a positive number of seconds");
    }
    Ok(Duration::from_secs_f64(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_settings_apply_and_bad_ones_explain() {
        let mut c = Config::for_data(DataDir::at("x").unwrap(), None);
        let f: FileConfig =
            toml::from_str("addr = \"0.0.0.0:9000\"\nrate_limit_per_second = 0\n").unwrap();
        c.apply_file(&f).unwrap();
        assert_eq!(c.addr.port(), 9000);
        assert_eq!(c.rate_limit.per_second, 0);
        assert!(toml::from_str::<FileConfig>("adress = \"x\"").is_err());
        let bad: FileConfig = toml::from_str("refresh_seconds = -1").unwrap();
        let e = c.apply_file(&bad).unwrap_err().to_string();
        assert!(e.contains("positive number of seconds"), "{e}");
        assert!(parse_addr("localhost").is_err());
    }
}
