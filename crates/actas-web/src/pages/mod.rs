//! Server-rendered pages: plain HTML and one inline stylesheet, no script, so they work on any
//! phone, without JavaScript, over slow or filtered networks. Every text comes in Spanish
//! (default) and English.

pub mod acta;
pub mod browse;
pub mod home;
pub mod info;
pub mod search;
pub mod session;

use std::collections::HashMap;
use std::convert::Infallible;

use actas_core::ResultRow;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::http::{self, Cache, Reader};
use crate::snapshot::Snapshot;
use actas_present::{Lang, int, tr};

/// Mobile first: one column, large touch targets, system fonts, contrast of at least 4.5:1
/// everywhere (links #0b4fa0 and muted text #4a4a4a on white), a visible focus ring.
const CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;background:#fff}\
header,main,footer{max-width:48rem;margin:0 auto;padding:0 1rem}\
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding-top:.6rem;padding-bottom:.6rem;border-bottom:1px solid #d0d0d0}\
header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}\
.brand{font-weight:700;font-size:1.15rem;text-decoration:none;color:#1a1a1a}\
a{color:#0b4fa0}a:hover{color:#062f60}\
a:focus-visible,button:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid #c25e00;outline-offset:2px}\
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}\
h1{font-size:1.5rem;line-height:1.25;margin:1rem 0 .5rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}\
.muted{color:#4a4a4a;font-size:.92rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}caption{text-align:left;font-weight:600;padding:.3rem 0}\
table{font-size:.95rem}th,td{padding:.35rem .3rem;border-bottom:1px solid #dcdcdc;text-align:left;vertical-align:top}\
thead th{background:#f3f3f3}tbody th{font-weight:600}.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
.wide{overflow-x:auto}\
.bar{background:#e6e6e6;height:.55rem;min-width:4rem;border-radius:.2rem}.bar span{display:block;height:100%;background:#1f5fa8;border-radius:.2rem}\
.badge{display:inline-block;padding:.1rem .55rem;border-radius:.3rem;font-weight:600;font-size:.92rem}\
.counted{background:#dff3e3;color:#14532d}.conflict{background:#fff1cc;color:#6b3a00}.missing{background:#ececec;color:#333}\
.notice{border-left:4px solid #1f5fa8;background:#f2f6fb;padding:.6rem .8rem;margin:1rem 0}\
.notice.warn{border-color:#b45309;background:#fff7e6}.notice.err{border-color:#b91c1c;background:#fdeeee}\
form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:.8rem 0}\
form.search label{width:100%;font-weight:600}\
input[type=text]{font-size:1.15rem;padding:.55rem;border:2px solid #6b6b6b;border-radius:.3rem;flex:1 1 12rem;min-width:0}\
button{font-size:1.1rem;padding:.6rem 1.1rem;background:#1f5fa8;color:#fff;border:0;border-radius:.3rem;cursor:pointer}\
nav.crumbs ol{list-style:none;padding:0;margin:.8rem 0 0;display:flex;flex-wrap:wrap;gap:.2rem .4rem;font-size:.95rem}\
nav.crumbs li+li:before{content:'›';margin-right:.4rem;color:#4a4a4a}\
.hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}\
pre{white-space:pre-wrap;background:#f5f5f5;padding:.5rem;border-radius:.3rem}\
dl.kv{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem}dl.kv dt{font-weight:600}dl.kv dd{margin:0}\
.photo{border:1px dashed #8a8a8a;padding:1rem;text-align:center;color:#4a4a4a}\
footer{margin-top:2rem;padding-top:.8rem;padding-bottom:1.5rem;border-top:1px solid #d0d0d0}\
@media(min-width:40rem){h1{font-size:1.8rem}}";

/// Who is reading and where: language and the URL, for links that keep the language.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub reader: Reader,
    pub uri: Uri,
    pub headers: HeaderMap,
    /// The query string's parameters (empty when it cannot be decoded).
    pub query: HashMap<String, String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let q: HashMap<String, String> = Query::try_from_uri(&parts.uri)
            .map(|Query(q)| q)
            .unwrap_or_default();
        Ok(Ctx {
            reader: http::reader(q.get("lang").map(String::as_str), &parts.headers),
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
            query: q,
        })
    }
}

impl Ctx {
    pub fn bare(reader: Reader) -> Ctx {
        Ctx {
            reader,
            uri: Uri::from_static("/"),
            headers: HeaderMap::new(),
            query: HashMap::new(),
        }
    }

    pub fn lang(&self) -> Lang {
        self.reader.lang
    }

    pub fn t(&self, es: &'static str, en: &'static str) -> &'static str {
        tr(self.lang(), es, en)
    }

    /// A link inside the site that keeps a language chosen with `?lang=`.
    pub fn href(&self, path: &str) -> String {
        if self.reader.explicit {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{path}{sep}lang={}", self.lang().code())
        } else {
            path.to_string()
        }
    }

    /// This page in the other language.
    fn switch_href(&self) -> (String, Lang) {
        let other = match self.lang() {
            Lang::Es => Lang::En,
            Lang::En => Lang::Es,
        };
        let mut q: Vec<String> = self
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("lang="))
            .map(str::to_string)
            .collect();
        q.push(format!("lang={}", other.code()));
        (format!("{}?{}", self.uri.path(), q.join("&")), other)
    }

    pub fn int(&self, v: u64) -> String {
        int(self.lang(), v)
    }

    pub fn pct(&self, share: Option<f64>) -> String {
        actas_present::share(self.lang(), share, 2)
    }

    /// One decimal, for lists where width matters.
    pub fn pct1(&self, share: Option<f64>) -> String {
        actas_present::share(self.lang(), share, 1)
    }

    /// A path that could not be decoded (e.g. invalid UTF-8): the reader's error.
    pub fn path<T>(
        &self,
        p: Result<axum::extract::Path<T>, axum::extract::rejection::PathRejection>,
    ) -> Result<T, Box<Response>> {
        p.map(|axum::extract::Path(t)| t).map_err(|_| {
            let msg = self.t(
                "La dirección no es válida. Vuelva al inicio y siga los enlaces, o busque su mesa por cédula.",
                "The address is not valid. Go back to the home page and follow the links, or find your table by cédula.",
            );
            Box::new(error_page(self, StatusCode::BAD_REQUEST, msg))
        })
    }

    /// A finished page, with its ETag and cache lifetime.
    pub fn respond(&self, status: StatusCode, page: Page) -> Response {
        let cache = if status == StatusCode::OK {
            Cache::Live
        } else if status == StatusCode::NOT_FOUND {
            // Unknown codes and cédulas stay unknown for a while; a CDN may keep the answer.
            Cache::Live
        } else {
            Cache::NoStore
        };
        http::reply(&self.headers, status, http::HTML, cache, self.render(page))
    }

    pub fn render(&self, page: Page) -> String {
        let (switch, other) = self.switch_href();
        let other_name = match other {
            Lang::Es => "Español",
            Lang::En => "English",
        };
        html! {
            (DOCTYPE)
            html lang=(self.lang().code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    @if page.noindex { meta name="robots" content="noindex"; }
                    // No favicon request: one round trip less on a slow network.
                    link rel="icon" href="data:,";
                    title { (page.title) " · actas" }
                    style { (PreEscaped(CSS)) }
                }
                body {
                    a.skip href="#main" { (self.t("Saltar al contenido", "Skip to content")) }
                    header {
                        a.brand href=(self.href("/")) { "actas" }
                        nav aria-label=(self.t("Secciones", "Sections")) {
                            a href=(self.href("/buscar")) { (self.t("Buscar mi mesa", "Find my table")) }
                            a href=(self.href("/descargas")) { (self.t("Descargas", "Downloads")) }
                            a href=(self.href("/verificar")) { (self.t("Cómo verificar", "How to verify")) }
                            a href=(switch) lang=(other.code()) hreflang=(other.code()) { (other_name) }
                        }
                    }
                    main #main { (page.body) }
                    footer.muted {
                        p { (self.t(
                            "Cada acta publicada está en un registro de transparencia público: cualquiera puede comprobar que no fue cambiada ni borrada.",
                            "Every published acta is in a public transparency log: anyone can check that it was not changed or removed.")) " "
                            a href=(self.href("/verificar")) { (self.t("Cómo verificar", "How to verify")) } " · "
                            a href="/api/v1/openapi.json" { "API" } " · "
                            a href=(self.href("/analisis")) { (self.t("Análisis", "Analysis")) }
                        }
                    }
                }
            }
        }
        .into_string()
    }
}

pub struct Page {
    pub title: String,
    pub body: Markup,
    /// Search results name a person's table: keep them out of search engines.
    pub noindex: bool,
}

impl Page {
    pub fn new(title: impl Into<String>, body: Markup) -> Page {
        Page {
            title: title.into(),
            body,
            noindex: false,
        }
    }
}

/// An error page in the reader's language: what happened and what to do.
pub fn error_response(reader: Reader, status: StatusCode, message: &str) -> Response {
    let ctx = Ctx::bare(reader);
    error_page(&ctx, status, message)
}

pub fn error_page(ctx: &Ctx, status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => ctx.t("No encontrado", "Not found"),
        StatusCode::BAD_REQUEST => ctx.t("Solicitud no válida", "Invalid request"),
        StatusCode::TOO_MANY_REQUESTS => ctx.t("Demasiadas solicitudes", "Too many requests"),
        StatusCode::SERVICE_UNAVAILABLE => ctx.t("No disponible", "Unavailable"),
        _ => ctx.t("Error", "Error"),
    };
    let body = html! {
        h1 { (title) }
        div.notice.err role="alert" { p { (message) } }
        (search_form(ctx, ""))
        p { a href=(ctx.href("/")) { (ctx.t("Volver al inicio", "Back to the home page")) } }
    };
    ctx.respond(status, Page::new(title, body))
}

/// The cédula form: a plain GET, so it works without JavaScript and can be bookmarked.
pub fn search_form(ctx: &Ctx, value: &str) -> Markup {
    html! {
        form.search action="/buscar" method="get" role="search" {
            label for="cedula" { (ctx.t("Su número de cédula", "Your cédula (ID) number")) }
            input #cedula type="text" name="cedula" value=(value) inputmode="numeric"
                autocomplete="off" placeholder=(ctx.t("Ej.: 12345678", "E.g. 12345678"))
                aria-describedby="cedula-help" maxlength="20" required;
            @if ctx.reader.explicit { input type="hidden" name="lang" value=(ctx.lang().code()); }
            button type="submit" { (ctx.t("Buscar", "Search")) }
            p #cedula-help .muted { (ctx.t(
                "Solo se muestra la mesa donde vota esa cédula; nada más sobre la persona.",
                "Only the table where that cédula votes is shown; nothing else about the person.")) }
        }
    }
}

/// Breadcrumbs from the nation down to `code` (a place code, 0 to 9 digits).
pub fn crumbs(ctx: &Ctx, snap: &Snapshot, code: &str, extra: Option<Markup>) -> Markup {
    let prefixes: Vec<&str> = [2usize, 4, 6, 9]
        .iter()
        .filter(|&&n| n <= code.len())
        .map(|&n| &code[..n])
        .collect();
    html! {
        nav.crumbs aria-label=(ctx.t("Ubicación", "Location")) {
            ol {
                li { a href=(ctx.href("/")) { (ctx.t("Venezuela", "Venezuela")) } }
                @for p in prefixes {
                    li { a href=(ctx.href(&format!("/resultados/{p}"))) { (place_label(snap, p)) } }
                }
                @if let Some(e) = extra { li { (e) } }
            }
        }
    }
}

/// A place's name, or its code when the geography does not name it.
pub fn place_label(snap: &Snapshot, code: &str) -> String {
    snap.place(code)
        .and_then(|(_, r)| r.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// Totals of one place: coverage, then votes per candidate, most voted first, each with its
/// share as a number and a bar (the number is what counts; the bar is only a guide).
pub fn totals(ctx: &Ctx, snap: &Snapshot, row: &ResultRow) -> Markup {
    let e = &snap.election;
    html! {
        p {
            strong { (ctx.t("Actas recibidas: ", "Actas received: ")) }
            (ctx.int(row.counted))
            @if let Some(x) = row.expected {
                " " (ctx.t("de", "of")) " " (ctx.int(x)) " " (ctx.t("mesas", "tables"))
                " (" (ctx.pct(row.coverage())) ")"
            }
        }
        p.muted {
            (ctx.t("Votos válidos", "Valid votes")) ": " (ctx.int(row.valid)) " · "
            (ctx.t("nulos", "null")) ": " (ctx.int(row.null)) " · "
            (ctx.t("electores de las mesas contadas", "registered voters of the counted tables")) ": " (ctx.int(row.registered))
        }
        div.wide {
            table {
                caption { (ctx.t("Votos por candidato en las actas recibidas", "Votes per candidate in the actas received")) }
                thead { tr {
                    th scope="col" { (ctx.t("Candidato", "Candidate")) }
                    th.n scope="col" { (ctx.t("Votos", "Votes")) }
                    th.n scope="col" { "%" }
                    th scope="col" { span.skip { (ctx.t("Proporción", "Share")) } }
                } }
                tbody {
                    @for &i in &snap.leaders {
                        @let share = row.share(i);
                        tr {
                            th scope="row" { (e.candidates[i].name) }
                            td.n { (ctx.int(row.votes[i])) }
                            td.n { (ctx.pct(share)) }
                            td style="width:30%" { div.bar aria-hidden="true" { span style=(format!("width:{:.1}%", share.unwrap_or(0.0) * 100.0)) {} } }
                        }
                    }
                }
            }
        }
    }
}

/// A list of places with coverage and the shares of the two national leaders.
pub fn places_table(ctx: &Ctx, snap: &Snapshot, caption: &str, rows: &[ResultRow]) -> Markup {
    let e = &snap.election;
    let top: Vec<usize> = snap.leaders.iter().take(2).copied().collect();
    html! {
        div.wide {
            table {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (ctx.t("Lugar", "Place")) }
                    th.n scope="col" { (ctx.t("Cobertura", "Coverage")) }
                    @for &i in &top { th.n scope="col" abbr=(e.candidates[i].name) { (e.candidates[i].id) } }
                } }
                tbody {
                    @for r in rows {
                        tr {
                            th scope="row" {
                                a href=(ctx.href(&format!("/resultados/{}", r.code))) {
                                    (r.name.clone().unwrap_or_else(|| r.code.clone()))
                                }
                            }
                            // Coverage as a share keeps the row narrow on a phone; the
                            // counts are on the place's own page.
                            td.n title=(format!("{}/{}", r.counted, r.expected.map(|x| x.to_string()).unwrap_or_else(|| "?".into()))) {
                                @if r.expected.is_some() { (ctx.pct1(r.coverage())) } @else { (ctx.int(r.counted)) }
                            }
                            @for &i in &top { td.n { (ctx.pct1(r.share(i))) } }
                        }
                    }
                }
            }
        }
    }
}

/// 404 for anything not routed: JSON under `/api/`, a page elsewhere.
pub async fn not_found(ctx: Ctx) -> Response {
    if ctx.uri.path().starts_with("/api/") {
        return http::json_error(
            StatusCode::NOT_FOUND,
            format!(
                "no API endpoint at {}: see /api/v1/openapi.json for the list",
                ctx.uri.path()
            ),
        );
    }
    let msg = ctx.t(
        "Esta página no existe. Busque su mesa por cédula o recorra los resultados desde el inicio.",
        "This page does not exist. Find your table by cédula or browse the results from the home page.",
    );
    error_page(&ctx, StatusCode::NOT_FOUND, msg)
}
