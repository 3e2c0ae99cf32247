//! The public site and JSON API of `actas`: the only crate that knows HTTP. It reads the store
//! through one snapshot per data version and never decides what a result is, never touches a
//! database table directly and never computes a statistic.
//!
//! - Pages (server-rendered HTML, no JavaScript, Spanish by default, English with `?lang=en`
//!   or `Accept-Language`): `/` national results and coverage, `/buscar?cedula=N`,
//!   `/resultados/{code}` for a state, municipality, parish or centre, `/acta/{centre}/{table}`,
//!   `/descargas`, `/verificar`, `/analisis`.
//! - JSON API under `/api/v1`, described by `/api/v1/openapi.json` (`src/openapi.json`).
//! - The transparency log under `/log/` in the C2SP tlog-tiles layout, and `/healthz`.
//!
//! Architecture: handlers never query the database for results. A [`snapshot::Snapshot`] of
//! everything derived from the store (results at every level, counted results, conflicts, the
//! log's entries and Merkle tree, the latest checkpoint) is rebuilt when the record count or
//! the checkpoint changes (polled every `refresh`), and swapped in whole; caches of rendered
//! bodies live inside it, so a new data version drops them. Only a centre's table list (once
//! per centre and version) and log tiles are read from the store per request. The cédula
//! registry is held in memory ([`actas_registry::Registry`], about 47 MB for 21 M voters).
//!
//! Privacy: a look-up reveals only the table. Request logs never contain a cédula (the path of
//! a voter look-up is logged as its route, query strings are never logged), and `robots.txt`
//! keeps look-ups out of search engines.

mod actas;
mod analysis;
mod api;
mod auth;
mod bulk;
mod cedula;
pub mod config;
mod http;
mod images;
mod limit;
mod pages;
mod snapshot;
mod state;
mod text;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actas_core::Level;
use actas_core::TableId;
use actas_registry::Registry;
use actas_store::Store;
use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use tokio::sync::oneshot;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

pub use config::{Config, FileConfig, RateLimit};

use crate::limit::Limiter;
use crate::pages::{acta, browse, home, info, search, session};
use crate::snapshot::Snapshot;
use crate::state::AppState;

/// The routes, with rate limiting, compression, a request timeout and access logs.
fn router(state: AppState, timeout: Duration) -> Router {
    Router::new()
        .route("/", get(home::home))
        .route("/buscar", get(search::search))
        .route("/resultados", get(|| async { Redirect::permanent("/") }))
        .route("/resultados/{code}", get(browse::place))
        .route("/acta/{centre}/{table}", get(acta::acta))
        .route("/descargas", get(info::downloads))
        .route("/verificar", get(info::verify))
        .route("/analisis", get(info::analysis))
        .route("/entrar", get(session::login_page).post(session::login))
        .route("/salir", post(session::logout))
        .route("/api/v1/whoami", get(session::whoami))
        .route("/healthz", get(api::healthz))
        .route("/robots.txt", get(api::robots))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/voters/{cedula}", get(api::voter))
        .route("/api/v1/results", get(api::results))
        .route("/api/v1/actas/{centre}/{table}", get(api::acta))
        .route("/api/v1/actas/{centre}/{table}/image", get(api::image))
        .route(bulk::CSV_PATH, get(api::actas_csv))
        .route(bulk::JSON_PATH, get(api::actas_json))
        .route(bulk::PARQUET_PATH, get(api::actas_parquet))
        .route(bulk::DICTIONARY_PATH, get(api::actas_dictionary))
        .route(bulk::IMAGES_PATH, get(api::images_manifest))
        .route("/log/checkpoint", get(api::checkpoint))
        .route("/log/tile/{*rest}", get(api::tile))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(middleware::from_fn(access_log))
        .with_state(state)
}

/// Refuses a client over its rate with 429 and when to retry, as a page or as JSON.
async fn rate_limit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(limiter) = &state.limiter
        && req.uri().path() != "/healthz"
    {
        let ip = limit::client_ip(peer.ip(), req.headers(), state.trust_forwarded_for);
        if let Err(wait) = limiter.check(ip, Instant::now()) {
            let api = req.uri().path().starts_with("/api/");
            let lang = if api {
                crate::http::api_lang(req.headers())
            } else {
                crate::http::reader(None, req.headers()).lang
            };
            let msg = actas_present::tr(
                lang,
                "Demasiadas solicitudes desde su dirección. Espere unos segundos y vuelva a intentarlo.",
                "Too many requests from your address. Wait a few seconds and try again.",
            );
            let r = if api {
                crate::http::json_error(StatusCode::TOO_MANY_REQUESTS, msg)
            } else {
                crate::pages::error_response(
                    crate::http::Reader {
                        lang,
                        explicit: false,
                    },
                    StatusCode::TOO_MANY_REQUESTS,
                    msg,
                )
            };
            return crate::http::with_retry_after(r, wait);
        }
    }
    next.run(req).await
}

/// The path as logged: a voter look-up keeps its route, never the cédula.
fn loggable_path(path: &str) -> &str {
    if path.starts_with("/api/v1/voters/") {
        "/api/v1/voters/{cedula}"
    } else {
        path
    }
}

async fn access_log(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = loggable_path(req.uri().path()).to_string();
    let response = next.run(req).await;
    tracing::info!(
        target: "actas_web::access",
        %method,
        path,
        status = response.status().as_u16(),
        us = start.elapsed().as_micros() as u64,
    );
    response
}

/// Loads the cédula index, or says why look-ups are off. A file that exists but is damaged
/// is an error: the operator must know before citizens do.
fn load_registry(path: Option<&Path>) -> Result<std::result::Result<Registry, String>> {
    let Some(path) = path else {
        return Ok(Err(
            "no registry file configured (--registry or `registry` in the configuration file)"
                .into(),
        ));
    };
    if !path.exists() {
        return Ok(Err(format!(
            "{} does not exist; the operator builds it with `actas registry import FILE` or `actas registry generate`",
            path.display()
        )));
    }
    let reg = Registry::load(path)
        .with_context(|| format!("loading the voter registry {}", path.display()))?;
    Ok(Ok(reg))
}

/// A server started by [`start`].
pub struct Running {
    pub addr: SocketAddr,
    /// Time from [`start`] until the server accepted connections.
    pub startup: Duration,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting connections and waits up to `grace` for requests in flight.
    pub async fn stop(self, grace: Duration) -> Result<()> {
        let _ = self.shutdown.send(());
        match tokio::time::timeout(grace, self.task).await {
            Ok(joined) => Ok(joined.context("server task")??),
            Err(_) => {
                tracing::warn!("requests still in flight after {grace:?}; stopping anyway");
                Ok(())
            }
        }
    }
}

/// Opens the store and the registry, builds the first snapshot, binds and serves in the
/// background of the current runtime.
pub async fn start(config: Config) -> Result<Running> {
    let t0 = Instant::now();
    config.check()?;
    let store = config.data.open().await?;
    let verifier_key = store.log_verifier_key().map(str::to_string);
    let registry = load_registry(config.registry.as_deref())?;
    match &registry {
        Ok(r) => tracing::info!(
            voters = r.voters(),
            tables = r.tables().len(),
            mb = r.heap_bytes() / 1_000_000,
            "voter registry loaded"
        ),
        Err(why) => tracing::warn!("cédula look-ups are off: {why}"),
    }
    let election = Arc::new(store.election().clone());
    let mut snapshot = Snapshot::build(&store, election, None)
        .await
        .context("reading the store")?;
    if let Ok(r) = &registry {
        actas::prepare_voters(&mut snapshot, r.tables());
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: is another server using it? Pick another with --addr",
                config.addr
            )
        })?;
    let addr = listener.local_addr()?;
    let state = AppState::new(
        store,
        registry,
        snapshot,
        Limiter::new(config.rate_limit),
        config.trust_forwarded_for,
        verifier_key,
    );
    let refresher = tokio::spawn(
        state
            .clone()
            .refresh_loop(config.refresh, config.full_refresh),
    );
    let app = router(state, config.request_timeout);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await;
        refresher.abort();
        served
    });
    let startup = t0.elapsed();
    tracing::info!(%addr, ms = startup.as_millis() as u64, "serving");
    Ok(Running {
        addr,
        startup,
        shutdown: tx,
        task,
    })
}

/// Runs the server until Ctrl-C or SIGTERM, then finishes the requests in flight (up to 10 s).
/// Blocking: it builds its own multi-threaded runtime.
pub fn run(config: Config) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&config.log))
        .with_context(|| format!("log filter {:?}: expected e.g. info or warn", config.log))?;
    // One line per request: written synchronously to stderr, the log's write(2) and its lock
    // were in every request's latency. A background thread writes instead; the guard flushes
    // what is queued when the server stops. Under overload, lines are dropped, not requests.
    let (writer, _flush_on_exit) = tracing_appender::non_blocking(std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let server = start(config).await?;
        println!(
            "serving on http://{} (started in {} ms); Ctrl-C stops",
            server.addr,
            server.startup.as_millis()
        );
        shutdown_signal().await;
        tracing::info!("shutting down: finishing the requests in flight");
        server.stop(Duration::from_secs(10)).await
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Every table the store knows with its registered voters (for `actas registry generate`):
/// the geography's tables, those created by records, and the counted ones (whose records may
/// state their registered voters when no geography was loaded). Tables of unknown size are
/// counted in the second value and left out.
pub async fn registered_tables(store: &Store) -> Result<(Vec<(TableId, u32)>, usize)> {
    let mut all: std::collections::BTreeMap<TableId, Option<u64>> = Default::default();
    for centre in store.places(Level::Centre, None).await? {
        let Ok(code) = centre.code.parse() else {
            continue;
        };
        all.extend(store.tables_of_centre(code).await?);
    }
    for r in store.current_results().await?.into_iter().map(|c| c.result) {
        let known = all.entry(r.table).or_default();
        *known = known.or(r.registered);
    }
    let mut out = Vec::with_capacity(all.len());
    let mut unknown = 0;
    for (t, reg) in all {
        match reg.and_then(|r| u32::try_from(r).ok()) {
            Some(r) if r > 0 => out.push((t, r)),
            _ => unknown += 1,
        }
    }
    Ok((out, unknown))
}
