//! Who is asking, and what they may do. Accounts hold a random token (made by `actas users
//! add`); the API takes it as `Authorization: Bearer TOKEN`, pages as the session cookie that
//! the login form sets. The store knows only the token's SHA-256.
//!
//! Forms that write carry a CSRF field derived from the session's token
//! ([`csrf_token`]): a page of another site can make the browser send the cookie, but cannot
//! read or compute that field. The cookie is `HttpOnly`, `Secure` and `SameSite=Strict`, and a
//! token never appears in a URL or a log line.

use actas_core::review::{AccountRecord, Role};
use actas_present::{Lang, tr};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use sha2::Digest;

use crate::http::json_error;
use crate::state::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "actas_session";

/// How long a login lasts (the token itself lasts until it is revoked).
const SESSION_SECONDS: u64 = 12 * 3600;

/// Where the token came from: the API's header or a page's cookie (which needs the CSRF
/// field on every form that writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Bearer,
    Cookie,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: AccountRecord,
    pub via: Via,
    token: String,
}

impl Caller {
    /// The CSRF field the caller's forms must carry.
    pub fn csrf(&self) -> String {
        csrf_token(&self.token)
    }

    /// Whether a form's CSRF field is the caller's. Bearer callers send no cookie, so a
    /// forged cross-site request cannot carry their token: they need none.
    pub fn csrf_ok(&self, field: Option<&str>) -> bool {
        self.via == Via::Bearer || field == Some(self.csrf().as_str())
    }
}

/// The CSRF field for a session's token: `SHA-256("csrf:" token)`, hex. Anyone without the
/// token cannot compute it; no state is kept, so any server of a deployment can check it.
pub fn csrf_token(token: &str) -> String {
    let mut h = sha2::Sha256::new();
    h.update(b"csrf:");
    h.update(token.as_bytes());
    hex::encode(h.finalize())
}

/// The token a request carries, if any: the Bearer header first, then the session cookie.
pub fn token_of(headers: &HeaderMap) -> Option<(String, Via)> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = v.strip_prefix("Bearer ").unwrap_or("").trim();
        return (!token.is_empty()).then(|| (token.to_string(), Via::Bearer));
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| (value.to_string(), Via::Cookie))
        .filter(|(t, _)| !t.is_empty())
}

/// Why a request may not write, as its answer: 401 without a valid token, 403 with the wrong
/// role. In the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No token, or one that is unknown or revoked.
    Unauthenticated,
    /// A valid token whose account's role may not do this.
    Forbidden,
    /// The store could not be asked.
    Unavailable,
}

impl Denied {
    pub fn status(self) -> StatusCode {
        match self {
            Denied::Unauthenticated => StatusCode::UNAUTHORIZED,
            Denied::Forbidden => StatusCode::FORBIDDEN,
            Denied::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            Denied::Unauthenticated => tr(
                lang,
                "Hace falta una credencial válida: inicie sesión o envíe su token como «Authorization: Bearer TOKEN». Un token revocado ya no sirve.",
                "A valid credential is needed: log in, or send your token as \"Authorization: Bearer TOKEN\". A revoked token no longer works.",
            ),
            Denied::Forbidden => tr(
                lang,
                "Su cuenta no tiene permiso para esto.",
                "Your account may not do this.",
            ),
            Denied::Unavailable => tr(
                lang,
                "No se pudo comprobar la credencial; vuelva a intentarlo en unos segundos.",
                "The credential could not be checked; try again in a few seconds.",
            ),
        }
    }

    /// The API's answer: JSON with the message, and `WWW-Authenticate` on a 401.
    pub fn json(self, lang: Lang) -> Response {
        let mut r = json_error(self.status(), self.message(lang));
        if self == Denied::Unauthenticated {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"actas\""),
            );
        }
        r
    }
}

/// The caller, whose account must have one of `roles`.
pub async fn require(
    state: &AppState,
    headers: &HeaderMap,
    roles: &[Role],
) -> Result<Caller, Denied> {
    let Some((token, via)) = token_of(headers) else {
        return Err(Denied::Unauthenticated);
    };
    let account = match state.store.authenticate(&token).await {
        Ok(Some(a)) => a,
        Ok(None) => return Err(Denied::Unauthenticated),
        Err(e) => {
            tracing::error!("authenticating a request: {e}");
            return Err(Denied::Unavailable);
        }
    };
    if !roles.contains(&account.role) {
        return Err(Denied::Forbidden);
    }
    Ok(Caller {
        account,
        via,
        token,
    })
}

/// The `Set-Cookie` value that logs a browser in with `token`.
pub fn login_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; Max-Age={SESSION_SECONDS}; HttpOnly; Secure; SameSite=Strict"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("actas_session=; Path=/; Max-Age=0"))
}

/// The `Set-Cookie` value that logs a browser out.
pub fn logout_cookie() -> HeaderValue {
    HeaderValue::from_static("actas_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
}

/// Whether `token` looks like one `actas users add` makes (so that a login form refuses
/// garbage before asking the store).
pub fn plausible_token(token: &str) -> bool {
    token.len() <= 200 && token.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_from_header_or_cookie() {
        let mut h = HeaderMap::new();
        assert!(token_of(&h).is_none());
        h.insert(
            header::COOKIE,
            "a=b; actas_session=tok1; c=d".parse().unwrap(),
        );
        assert_eq!(token_of(&h), Some(("tok1".into(), Via::Cookie)));
        h.insert(header::AUTHORIZATION, "Bearer tok2".parse().unwrap());
        assert_eq!(token_of(&h), Some(("tok2".into(), Via::Bearer)));
        h.insert(header::AUTHORIZATION, "Basic xyz".parse().unwrap());
        assert_eq!(token_of(&h), None, "a wrong scheme is no credential");
        assert_ne!(csrf_token("t1"), csrf_token("t2"));
        assert_eq!(csrf_token("t1").len(), 64);
        assert!(
            login_cookie("tok")
                .to_str()
                .unwrap()
                .contains("HttpOnly; Secure; SameSite=Strict")
        );
    }
}
