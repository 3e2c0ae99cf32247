//! The JSON API under `/api/v1` (described by `openapi.json`), `/healthz`, and the log under
//! `/log/` in its C2SP tlog-tiles layout.

use std::collections::HashMap;
use std::sync::LazyLock;

use actas_core::Level;
use actas_ledger::TilePath;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use crate::actas::{self, PlaceNames, place_names};
use crate::bulk;
use crate::cedula::{self, Lookup};
use crate::http::{self, Cache, Cached, json_error, json_ok};
use crate::images;
use crate::snapshot::Status;
use crate::state::AppState;

/// A path segment that could not be decoded (e.g. invalid UTF-8) is the client's error.
fn path_or_400<T>(p: Result<Path<T>, PathRejection>) -> Result<T, Box<Response>> {
    p.map(|Path(t)| t).map_err(|e| {
        Box::new(json_error(
            StatusCode::BAD_REQUEST,
            format!("the address could not be read ({e}); see /api/v1/openapi.json"),
        ))
    })
}

/// The table named by `/actas/{centre}/{table}...`, or the 400 that says what is wrong.
fn table_of_path(
    path: Result<Path<(String, String)>, PathRejection>,
    headers: &HeaderMap,
) -> Result<actas_core::TableId, Box<Response>> {
    let (centre, mesa) = path_or_400(path)?;
    actas::parse_table(&centre, &mesa, http::api_lang(headers))
        .map_err(|msg| Box::new(json_error(StatusCode::BAD_REQUEST, msg)))
}

static OPENAPI: LazyLock<Cached> =
    LazyLock::new(|| Cached::new(include_str!("openapi.json"), http::JSON));

pub async fn openapi(headers: HeaderMap) -> Response {
    OPENAPI.reply(&headers, Cache::Live)
}

pub async fn voter(
    State(state): State<AppState>,
    raw: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let raw = match path_or_400(raw) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let l = http::api_lang(&headers);
    let cedula = match cedula::parse(&raw, l) {
        Ok(c) => c,
        Err(msg) => return json_error(StatusCode::BAD_REQUEST, msg),
    };
    let table = match cedula::lookup(&state, cedula) {
        Lookup::Found(t) => t,
        Lookup::NotRegistered => {
            return json_error(
                StatusCode::NOT_FOUND,
                format!(
                    "{} {cedula} {}",
                    actas_present::tr(l, "la cédula", "cédula"),
                    actas_present::tr(
                        l,
                        "no está en el registro electoral cargado",
                        "is not in the loaded voter registry"
                    )
                ),
            );
        }
        Lookup::NoRegistry(why) => {
            return json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("no voter registry is loaded on this server: {why}"),
            );
        }
    };
    let snap = state.snapshot();
    let body = format!(
        "{{\"cedula\":{cedula},{}}}",
        actas::voter_answer(&snap, table)
    );
    http::reply(&headers, StatusCode::OK, http::JSON, Cache::Live, body)
}

pub async fn results(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let q: HashMap<String, String> = match Query::try_from_uri(&uri) {
        Ok(Query(q)) => q,
        Err(e) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                format!("the query string could not be read ({e}); expected level=...&code=..."),
            );
        }
    };
    let level_text = q.get("level").map(String::as_str).unwrap_or("national");
    let Some(level) = Level::parse(level_text) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            format!(
                "level {level_text:?}: expected national, state, municipality, parish or centre"
            ),
        );
    };
    let code = q.get("code").map(String::as_str).unwrap_or("");
    if !code.is_empty() {
        let Some(code_level) =
            Level::from_code(code).filter(|_| code.bytes().all(|b| b.is_ascii_digit()))
        else {
            return json_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "code {code:?}: expected a place code of 2 (state), 4 (municipality), 6 (parish) or 9 (centre) digits"
                ),
            );
        };
        if code_level > level {
            return json_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "code {code} is a {}, inside which there are no places of level {}: ask for level={} or finer",
                    code_level.as_str(),
                    level.as_str(),
                    code_level.as_str()
                ),
            );
        }
        let snap = state.snapshot();
        if snap.place(code).is_none() {
            return json_error(
                StatusCode::NOT_FOUND,
                format!("no place has code {code}: see /api/v1/results?level=state for the codes"),
            );
        }
    }
    state
        .snapshot()
        .results_json(level, code)
        .reply(&headers, Cache::Live)
}

#[derive(Clone, Serialize)]
struct VersionJson {
    log_index: u64,
    counted: bool,
    /// SHA-256 of `entry`, hex.
    sha256: String,
    /// The record exactly as logged (its bytes are the log entry).
    entry: String,
    record: serde_json::Value,
    inclusion_proof: Option<actas_ledger::InclusionProof>,
    /// Why there is no proof yet, when there is none.
    proof_unavailable: Option<String>,
}

#[derive(Serialize)]
struct ActaJson {
    table: String,
    centre: String,
    mesa: u8,
    place: PlaceNames,
    status: &'static str,
    image: Option<images::ImageRef>,
    counted: Option<VersionJson>,
    versions: Vec<VersionJson>,
}

pub async fn acta(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let table = match table_of_path(path, &headers) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let l = http::api_lang(&headers);
    let snap = state.snapshot();
    let acta = match actas::load(&state.store, &snap, table).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return json_error(
                StatusCode::NOT_FOUND,
                format!("table {table} is unknown: check the centre code and table number"),
            );
        }
        Err(e) => {
            tracing::error!("acta {table}: {e:#}");
            return json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the acta could not be read; try again in a few seconds",
            );
        }
    };
    let versions: Vec<VersionJson> = acta
        .versions
        .iter()
        .map(|v| VersionJson {
            log_index: v.seq,
            counted: v.counted,
            sha256: v.sha256(),
            entry: String::from_utf8_lossy(&v.entry).into_owned(),
            record: serde_json::from_slice(&v.entry).unwrap_or(serde_json::Value::Null),
            inclusion_proof: v.proof.as_ref().ok().cloned(),
            proof_unavailable: v
                .proof
                .as_ref()
                .err()
                .map(|u| actas::proof_unavailable(u, l)),
        })
        .collect();
    let counted = versions.iter().find(|v| v.counted).cloned();
    json_ok(
        &headers,
        &ActaJson {
            table: table.to_string(),
            centre: table.centre.to_string(),
            mesa: table.mesa,
            place: place_names(&snap, table.centre),
            status: acta.status.as_str(),
            image: acta.images.first().cloned(),
            counted,
            versions,
        },
        Cache::Live,
    )
}

pub async fn image(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let table = match table_of_path(path, &headers) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let snap = state.snapshot();
    let photos = snap
        .images
        .get(&table)
        .map(Vec::as_slice)
        .unwrap_or_default();
    match images::image_bytes(&state.store, photos).await {
        Ok(Some((content_type, bytes))) => {
            let mut r = http::reply(
                &headers,
                StatusCode::OK,
                http::OCTETS,
                Cache::Immutable,
                bytes,
            );
            if let Ok(v) = content_type.parse() {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        Ok(None) => {
            let status = snap.status(table);
            let msg = if status == Status::Missing {
                format!("no acta and no photo of table {table} has been received yet")
            } else {
                format!("no photo of the acta of table {table} is stored yet")
            };
            json_error(StatusCode::NOT_FOUND, msg)
        }
        Err(e) => {
            tracing::error!("image of {table}: {e:#}");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the photo could not be read; try again in a few seconds",
            )
        }
    }
}

fn unavailable(what: &str, e: anyhow::Error) -> Response {
    tracing::error!("{what}: {e:#}");
    json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("{what} could not be prepared; try again in a few seconds"),
    )
}

pub async fn actas_csv(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let snap = state.snapshot();
    match bulk::csv(&snap).await {
        Ok(c) => download(c.reply(&headers, Cache::Live), "actas.csv"),
        Err(e) => unavailable("the CSV of all actas", e),
    }
}

pub async fn actas_parquet(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let snap = state.snapshot();
    match bulk::parquet(&snap).await {
        Ok(c) => download(c.reply(&headers, Cache::Live), "actas.parquet"),
        Err(e) => unavailable("the Parquet file of all actas", e),
    }
}

pub async fn actas_dictionary(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let snap = state.snapshot();
    match bulk::dictionary(&snap).await {
        Ok(c) => c.reply(&headers, Cache::Live),
        Err(e) => unavailable("the data dictionary", e),
    }
}

pub async fn actas_json(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let snap = state.snapshot();
    match bulk::json(&snap).await {
        Ok(c) => download(c.reply(&headers, Cache::Live), "actas.json"),
        Err(e) => unavailable("the JSON of all actas", e),
    }
}

pub async fn images_manifest(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let snap = state.snapshot();
    match bulk::images_manifest(&state.store, &snap).await {
        Ok(c) => c.reply(&headers, Cache::Live),
        Err(e) => unavailable("the image manifest", e),
    }
}

fn download(mut r: Response, name: &str) -> Response {
    if r.status() == StatusCode::OK
        && let Ok(v) = format!("attachment; filename=\"{name}\"").parse()
    {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    let snap = state.snapshot();
    let error = state
        .last_refresh_error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let body = json!({
        "status": if error.is_none() { "ok" } else { "stale" },
        "records": snap.version.records,
        "checkpoint": snap.version.checkpoint,
        "registry_voters": state.registry.as_ref().map(|r| r.voters()),
        "data_age_seconds": snap.built_at.elapsed().map(|d| d.as_secs()).unwrap_or(0),
        "last_refresh_error": error,
    });
    http::reply(
        &HeaderMap::new(),
        StatusCode::OK,
        http::JSON,
        Cache::NoStore,
        body.to_string(),
    )
}

pub async fn checkpoint(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.snapshot().checkpoint() {
        Some(cp) => http::reply(
            &headers,
            StatusCode::OK,
            http::TEXT,
            Cache::Revalidate,
            cp.note.clone(),
        ),
        None => json_error(
            StatusCode::NOT_FOUND,
            "the log has no signed checkpoint yet: the operator must run `actas log checkpoint`",
        ),
    }
}

pub async fn tile(
    State(state): State<AppState>,
    rest: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let rest = match path_or_400(rest) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let path = format!("tile/{rest}");
    let Some(tile) = TilePath::parse(&path) else {
        return json_error(
            StatusCode::NOT_FOUND,
            format!(
                "{path} is not a C2SP tlog-tiles path (tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>])"
            ),
        );
    };
    match state.store.log_tile(tile).await {
        // A tile's content never changes at its path (a wider tile has another path).
        Ok(Some(bytes)) => http::reply(
            &headers,
            StatusCode::OK,
            http::OCTETS,
            Cache::Immutable,
            bytes,
        ),
        Ok(None) => json_error(
            StatusCode::NOT_FOUND,
            format!("{path} is beyond the latest signed checkpoint"),
        ),
        Err(e) => {
            tracing::error!("{path}: {e}");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{path} could not be read; try again in a few seconds"),
            )
        }
    }
}

pub async fn robots() -> Response {
    // Look-ups name where a person votes: keep them out of search engines.
    (
        [(header::CONTENT_TYPE, http::TEXT)],
        Body::from("User-agent: *\nDisallow: /buscar\nDisallow: /api/v1/voters/\n"),
    )
        .into_response()
}
