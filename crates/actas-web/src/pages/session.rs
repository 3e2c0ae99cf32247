//! Logging in and out: `/entrar` takes an account's token and sets the session cookie; the
//! pages that write (uploads, review) send people here. Works without JavaScript.

use actas_core::review::Role;
use axum::extract::{Form, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::{Ctx, Page, error_page};
use crate::auth::{self, Denied};
use crate::state::AppState;

/// Where to go after logging in: a path of this site, never another site.
fn local_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

/// The login form.
pub async fn login_page(ctx: Ctx) -> Response {
    login_form(&ctx, StatusCode::OK, None)
}

fn login_form(ctx: &Ctx, status: StatusCode, error: Option<&str>) -> Response {
    let next = local_next(ctx.query.get("next").map(String::as_str)).to_string();
    let body = html! {
        h1 { (ctx.t("Entrar", "Log in")) }
        @if let Some(e) = error { div.notice.err role="alert" { p { (e) } } }
        p { (ctx.t(
            "Testigos y revisores entran con el token que les dio el operador (actas users add). El token no se guarda en esta página: queda en una cookie de sesión de este navegador.",
            "Witnesses and reviewers log in with the token the operator gave them (actas users add). The token is not kept by this page: it stays in a session cookie of this browser.")) }
        form method="post" action=(ctx.href("/entrar")) {
            input type="hidden" name="next" value=(next);
            label for="token" { (ctx.t("Token", "Token")) }
            input #token type="password" name="token" autocomplete="current-password" required;
            button type="submit" { (ctx.t("Entrar", "Log in")) }
        }
    };
    let mut page = Page::new(ctx.t("Entrar", "Log in"), body);
    page.noindex = true;
    let mut r = ctx.respond(status, page);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
    next: Option<String>,
}

/// Checks the token and sets the session cookie.
pub async fn login(State(state): State<AppState>, ctx: Ctx, Form(f): Form<LoginForm>) -> Response {
    let token = f.token.trim();
    let known = if auth::plausible_token(token) {
        state.store.authenticate(token).await
    } else {
        Ok(None)
    };
    match known {
        Ok(Some(_)) => {
            let next = local_next(f.next.as_deref());
            let mut r = Response::builder()
                .status(StatusCode::SEE_OTHER)
                .header(header::LOCATION, ctx.href(next))
                .header(header::CACHE_CONTROL, "no-store")
                .body(axum::body::Body::empty())
                .expect("a redirect is a valid response");
            r.headers_mut()
                .insert(header::SET_COOKIE, auth::login_cookie(token));
            r
        }
        Ok(None) => login_form(
            &ctx,
            StatusCode::UNAUTHORIZED,
            Some(Denied::Unauthenticated.message(ctx.lang())),
        ),
        Err(e) => {
            tracing::error!("login: {e}");
            error_page(
                &ctx,
                StatusCode::SERVICE_UNAVAILABLE,
                Denied::Unavailable.message(ctx.lang()),
            )
        }
    }
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

/// Clears the session cookie. The form carries the session's CSRF field, so another site
/// cannot log a reviewer out.
pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LogoutForm>,
) -> Response {
    let roles = [Role::Admin, Role::Reviewer, Role::Witness];
    if let Ok(caller) = auth::require(&state, &ctx.headers, &roles).await
        && !caller.csrf_ok(f.csrf.as_deref())
    {
        let msg = ctx.t(
            "El formulario no es de esta sesión. Vuelva a la página y pruebe de nuevo.",
            "The form is not from this session. Go back to the page and try again.",
        );
        return error_page(&ctx, StatusCode::FORBIDDEN, msg);
    }
    let mut r = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, ctx.href("/"))
        .header(header::CACHE_CONTROL, "no-store")
        .body(axum::body::Body::empty())
        .expect("a redirect is a valid response");
    r.headers_mut()
        .insert(header::SET_COOKIE, auth::logout_cookie());
    r
}

/// `GET /api/v1/whoami`: the account a token belongs to (to check a token before sending
/// photos), and the CSRF field its forms need.
pub async fn whoami(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let lang = crate::http::api_lang(&headers);
    let roles = [Role::Admin, Role::Reviewer, Role::Witness];
    match auth::require(&state, &headers, &roles).await {
        Ok(c) => crate::http::json_ok(
            &headers,
            &serde_json::json!({
                "name": c.account.name,
                "role": c.account.role.as_str(),
                "scopes": c.account.scopes,
                "csrf": c.csrf(),
            }),
            crate::http::Cache::NoStore,
        ),
        Err(d) => d.json(lang),
    }
}

#[cfg(test)]
mod tests {
    use super::local_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(local_next(Some("/subir")), "/subir");
        assert_eq!(local_next(Some("//evil.example/x")), "/");
        assert_eq!(local_next(Some("https://evil.example")), "/");
        assert_eq!(local_next(Some("/\\evil")), "/");
        assert_eq!(local_next(None), "/");
    }
}
