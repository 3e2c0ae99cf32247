//! The analysis report of the counted actas as the site serves it: computed by
//! `actas-analysis`, rendered by `actas-present` in both languages, cached.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actas_analysis::Options;
use actas_core::TableResult;
use actas_present::Lang;

use crate::http::{self, Cached};
use crate::snapshot::{DataVersion, Snapshot};

/// The analysis in both languages, recomputed when the data changed and the last one is older
/// than this (it takes seconds; on the night of the count the data changes every few).
const ANALYSIS_MAX_AGE: Duration = Duration::from_secs(300);

pub struct AnalysisCache {
    at: Instant,
    version: DataVersion,
    pages: Arc<[Cached; 2]>,
}

pub async fn pages(
    cache: &tokio::sync::Mutex<Option<AnalysisCache>>,
    snap: &Snapshot,
) -> anyhow::Result<Arc<[Cached; 2]>> {
    // Held while computing, so concurrent readers wait for one computation.
    let mut slot = cache.lock().await;
    if let Some(c) = slot.as_ref()
        && (c.version == snap.version || c.at.elapsed() < ANALYSIS_MAX_AGE)
    {
        return Ok(c.pages.clone());
    }
    let election = snap.election.clone();
    let mut results: Vec<TableResult> = snap.current.values().cloned().collect();
    results.sort_by_key(|r| r.table);
    let pages = tokio::task::spawn_blocking(move || {
        let report = actas_analysis::report(
            &election,
            &results,
            // One thread: the other core keeps serving pages meanwhile.
            &Options {
                threads: 1,
                ..Options::quick()
            },
        );
        [Lang::Es, Lang::En]
            .map(|l| Cached::new(actas_present::report_html(&report, l), http::HTML))
    })
    .await?;
    let pages = Arc::new(pages);
    *slot = Some(AnalysisCache {
        at: Instant::now(),
        version: snap.version,
        pages: pages.clone(),
    });
    Ok(pages)
}
