//! Response helpers shared by pages and API: cache validators, cache lifetimes, errors, and the
//! reader's language.

use std::io::Write as _;

use actas_present::Lang;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::Digest;

pub const HTML: &str = "text/html; charset=utf-8";
pub const JSON: &str = "application/json";
pub const CSV: &str = "text/csv; charset=utf-8";
pub const TEXT: &str = "text/plain; charset=utf-8";
pub const OCTETS: &str = "application/octet-stream";
pub const PARQUET: &str = "application/vnd.apache.parquet";

/// How long shared caches (browsers, CDNs) may keep a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// Data that changes while actas arrive: short, then revalidate with the ETag.
    Live,
    /// Content that never changes at this URL (full log tiles).
    Immutable,
    /// Must be revalidated every time (the log's checkpoint: mirrors need the latest).
    Revalidate,
    /// Errors about the request itself: nothing to keep.
    NoStore,
}

impl Cache {
    fn header(self) -> &'static str {
        match self {
            Cache::Live => "public, max-age=30, stale-while-revalidate=30",
            Cache::Immutable => "public, max-age=31536000, immutable",
            Cache::Revalidate => "no-cache",
            Cache::NoStore => "no-store",
        }
    }
}

/// A body computed once (per data version) with its validator and, for large ones, a gzip
/// copy so that it is compressed once rather than per request.
#[derive(Debug, Clone)]
pub struct Cached {
    pub body: axum::body::Bytes,
    pub gzip: Option<axum::body::Bytes>,
    pub etag: String,
    pub content_type: &'static str,
}

impl Cached {
    pub fn new(body: impl Into<axum::body::Bytes>, content_type: &'static str) -> Cached {
        let body = body.into();
        let gzip = (body.len() > 1024).then(|| gzip(&body)).map(Into::into);
        Cached {
            etag: etag_of(&body),
            body,
            gzip,
            content_type,
        }
    }

    /// SHA-256 of the body, hex (shown next to downloads).
    pub fn sha256(&self) -> String {
        hex::encode(sha2::Sha256::digest(&self.body))
    }

    pub fn reply(&self, req: &HeaderMap, cache: Cache) -> Response {
        if not_modified(req, &self.etag) {
            return not_modified_response(&self.etag, cache);
        }
        let accepts_gzip = req
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        let mut builder = Response::builder()
            .header(header::CONTENT_TYPE, self.content_type)
            .header(header::ETAG, &self.etag)
            .header(header::CACHE_CONTROL, cache.header())
            .header(header::VARY, "Accept-Encoding, Accept-Language");
        let body = match (&self.gzip, accepts_gzip) {
            (Some(z), true) => {
                builder = builder.header(header::CONTENT_ENCODING, "gzip");
                z.clone()
            }
            _ => self.body.clone(),
        };
        builder
            .body(Body::from(body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// A strong validator: the first 128 bits of the body's SHA-256.
pub fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&sha2::Sha256::digest(body)[..16]))
}

fn not_modified(req: &HeaderMap, etag: &str) -> bool {
    req.get_all(header::IF_NONE_MATCH).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == etag)
        })
    })
}

fn not_modified_response(etag: &str, cache: Cache) -> Response {
    Response::builder()
        .status(StatusCode::NOT_MODIFIED)
        .header(header::ETAG, etag)
        .header(header::CACHE_CONTROL, cache.header())
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::NOT_MODIFIED.into_response())
}

/// A response computed per request, with an ETag from its bytes (304 when the client has it).
pub fn reply(
    req: &HeaderMap,
    status: StatusCode,
    content_type: &'static str,
    cache: Cache,
    body: impl Into<axum::body::Bytes>,
) -> Response {
    let body = body.into();
    let etag = etag_of(&body);
    if status == StatusCode::OK && not_modified(req, &etag) {
        return not_modified_response(&etag, cache);
    }
    let mut r = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, cache.header());
    if status == StatusCode::OK {
        r = r.header(header::ETAG, etag);
    }
    if content_type == HTML {
        r = r.header(header::VARY, "Accept-Language");
    }
    r.body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// `{"error": message}` with a status: what every API error looks like.
pub fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = serde_json::json!({ "error": message.into() }).to_string();
    let cache = if status == StatusCode::NOT_FOUND {
        Cache::Live
    } else {
        Cache::NoStore
    };
    reply(&HeaderMap::new(), status, JSON, cache, body)
}

pub fn json_ok<T: serde::Serialize>(req: &HeaderMap, value: &T, cache: Cache) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => reply(req, StatusCode::OK, JSON, cache, body),
        Err(e) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the response could not be encoded: {e}"),
        ),
    }
}

/// The language of a reader: `?lang=` if given, else the preferred of `Accept-Language`,
/// else Spanish. `explicit` says whether links must carry `lang=` to keep the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub lang: Lang,
    pub explicit: bool,
}

pub fn reader(query_lang: Option<&str>, headers: &HeaderMap) -> Reader {
    if let Some(l) = query_lang.and_then(|q| q.parse::<Lang>().ok()) {
        return Reader {
            lang: l,
            explicit: true,
        };
    }
    let lang = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(accept_language)
        .unwrap_or_default();
    Reader {
        lang,
        explicit: false,
    }
}

/// API errors are in English unless the client prefers Spanish.
pub fn api_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(accept_language)
        .unwrap_or(Lang::En)
}

/// The supported language with the highest weight in an `Accept-Language` value (ties go to
/// the one listed first), if any is acceptable.
pub fn accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "es" => Lang::Es,
            "en" => Lang::En,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|b| b.1)
}

/// `Retry-After` for the rate limiter's refusals.
pub fn with_retry_after(mut r: Response, seconds: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(accept_language("en-US,en;q=0.9,es;q=0.8"), Some(Lang::En));
        assert_eq!(accept_language("fr-FR,es;q=0.5,en;q=0.4"), Some(Lang::Es));
        assert_eq!(accept_language("de"), None);
        assert_eq!(accept_language("es-VE, en;q=0.9"), Some(Lang::Es));
        assert_eq!(accept_language("en;q=0, es;q=0.1"), Some(Lang::Es));
        assert_eq!(accept_language(""), None);
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, "de, en;q=0.5".parse().unwrap());
        assert_eq!(reader(None, &h).lang, Lang::En);
        assert_eq!(
            reader(Some("es"), &h),
            Reader {
                lang: Lang::Es,
                explicit: true
            }
        );
        assert_eq!(reader(Some("fr"), &HeaderMap::new()).lang, Lang::Es);
    }

    #[test]
    fn etags_revalidate() {
        let c = Cached::new("x".repeat(3000), TEXT);
        assert!(c.gzip.as_ref().unwrap().len() < 100);
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, c.etag.parse().unwrap());
        assert_eq!(c.reply(&h, Cache::Live).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(
            c.reply(&HeaderMap::new(), Cache::Live).status(),
            StatusCode::OK
        );
    }
}
