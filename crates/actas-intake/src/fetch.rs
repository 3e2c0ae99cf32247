//! Fetching the photos that results files point to: politely (a rate shared by every
//! thread), with retries and back-off on the failures that pass (timeouts, 5xx, 429), never on
//! those that do not (404 and other 4xx), and with the intake's size limit.

use std::io::Read as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::Limits;

/// How [`Fetcher`] behaves.
#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
    /// Requests per second at most, over all threads.
    pub per_second: f64,
    /// Attempts after the first one fails with a failure that may pass.
    pub retries: u32,
    /// Wait before the first retry; doubled at each next one.
    pub backoff: Duration,
    /// Longest a request may take, connection and body included.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            per_second: 8.0,
            retries: 3,
            backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(30),
        }
    }
}

/// Why a photo could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the server answered {0}")]
    Status(u16),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("{bytes} bytes or more; photos over {limit} bytes are refused")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("{0}")]
    Network(String),
}

impl FetchError {
    /// Whether trying again later may work.
    fn passes(&self) -> bool {
        match self {
            FetchError::Status(s) => *s == 429 || *s >= 500,
            FetchError::Timeout(_) | FetchError::Network(_) => true,
            FetchError::TooLarge { .. } => false,
        }
    }
}

/// Fetches photos over HTTP(S) (rustls, with the web's root certificates built in).
pub struct Fetcher {
    agent: ureq::Agent,
    options: FetchOptions,
    limits: Limits,
    /// When the next request may start.
    next: Mutex<Instant>,
}

impl Fetcher {
    pub fn new(options: FetchOptions, limits: Limits) -> Fetcher {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .user_agent(concat!(
                "actas/",
                env!("CARGO_PKG_VERSION"),
                " (acta photo fetcher)"
            ))
            .build()
            .into();
        Fetcher {
            agent,
            options,
            limits,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this thread's turn under the shared rate.
    fn turn(&self) {
        let gap = Duration::from_secs_f64(1.0 / self.options.per_second.max(0.001));
        let wait = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let start = (*next).max(now);
            *next = start + gap;
            start - now
        };
        std::thread::sleep(wait);
    }

    /// The bytes at `url`, retried with back-off while the failure may pass.
    pub fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let mut wait = self.options.backoff;
        let mut attempt = 0;
        loop {
            self.turn();
            match self.once(url) {
                Err(e) if e.passes() && attempt < self.options.retries => {
                    attempt += 1;
                    std::thread::sleep(wait);
                    wait *= 2;
                }
                other => return other,
            }
        }
    }

    fn once(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let mut response = self.agent.get(url).call().map_err(|e| match e {
            ureq::Error::Timeout(_) => FetchError::Timeout(self.options.timeout),
            other => FetchError::Network(other.to_string()),
        })?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        let limit = self.limits.max_bytes;
        let mut bytes = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::TimedOut {
                    FetchError::Timeout(self.options.timeout)
                } else {
                    FetchError::Network(e.to_string())
                }
            })?;
        if bytes.len() as u64 > limit {
            return Err(FetchError::TooLarge {
                bytes: bytes.len() as u64,
                limit,
            });
        }
        Ok(bytes)
    }
}
