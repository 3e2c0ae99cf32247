//! What every handler shares: the store, the registry, the current snapshot, the limiter.

use std::ops::Deref;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use actas_core::Election;
use actas_registry::Registry;
use actas_store::Store;

use crate::limit::Limiter;
use crate::snapshot::{DataVersion, Snapshot};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub election: Arc<Election>,
    pub registry: Option<Registry>,
    /// What to tell a reader when there is no registry.
    pub registry_missing: String,
    snapshot: RwLock<Arc<Snapshot>>,
    pub limiter: Option<Limiter>,
    pub trust_forwarded_for: bool,
    /// The log's public key, shown on the verification page when the operator gave it.
    pub verifier_key: Option<String>,
    pub last_refresh_error: Mutex<Option<String>>,
    /// The analysis report's pages; see `analysis`.
    pub analysis: tokio::sync::Mutex<Option<crate::analysis::AnalysisCache>>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        store: Store,
        registry: Result<Registry, String>,
        snapshot: Snapshot,
        limiter: Option<Limiter>,
        trust_forwarded_for: bool,
        verifier_key: Option<String>,
    ) -> AppState {
        let election = snapshot.election.clone();
        let (registry, registry_missing) = match registry {
            Ok(r) => (Some(r), String::new()),
            Err(why) => (None, why),
        };
        AppState(Arc::new(Inner {
            store,
            election,
            registry,
            registry_missing,
            snapshot: RwLock::new(Arc::new(snapshot)),
            limiter,
            trust_forwarded_for,
            verifier_key,
            last_refresh_error: Mutex::new(None),
            analysis: tokio::sync::Mutex::new(None),
        }))
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        // Readers only clone an Arc; a poisoned lock still holds a complete snapshot.
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn replace(&self, next: Snapshot) {
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
    }

    fn set_error(&self, e: Option<String>) {
        *self
            .last_refresh_error
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = e;
    }

    /// Checks for new data every `every`, and rebuilds at least every `full` (the geography
    /// can change without new records). Runs until the server stops.
    pub async fn refresh_loop(self, every: Duration, full: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        let mut last_build = Instant::now();
        loop {
            tick.tick().await;
            let current = self.snapshot();
            let probe = async {
                let records = self.store.record_count().await?;
                let checkpoint = self.store.latest_checkpoint().await?.map(|c| c.size);
                anyhow::Ok(DataVersion {
                    records,
                    checkpoint,
                })
            };
            let changed = match probe.await {
                Ok(v) => v != current.version,
                Err(e) => {
                    tracing::warn!("cannot read the store's data version: {e:#}");
                    self.set_error(Some(format!("{e:#}")));
                    continue;
                }
            };
            if !changed && last_build.elapsed() < full {
                continue;
            }
            let started = Instant::now();
            match Snapshot::build(&self.store, self.election.clone(), Some(&current)).await {
                Ok(mut next) => {
                    if let Some(r) = &self.registry {
                        crate::actas::prepare_voters(&mut next, r.tables());
                    }
                    tracing::info!(
                        records = next.version.records,
                        checkpoint = next.version.checkpoint,
                        ms = started.elapsed().as_millis() as u64,
                        "data refreshed"
                    );
                    self.replace(next);
                    self.set_error(None);
                    last_build = Instant::now();
                }
                Err(e) => {
                    tracing::warn!(
                        "refreshing the data failed, still serving the previous version: {e:#}"
                    );
                    self.set_error(Some(format!("{e:#}")));
                }
            }
        }
    }
}
