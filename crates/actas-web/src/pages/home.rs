//! `/`: national results with coverage, the cédula search, and the states to browse.

use actas_core::Level;
use actas_present::Lang;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::{Ctx, Page, places_table, search_form, totals};
use crate::http::{self, Cache, Cached};
use crate::snapshot::Snapshot;
use crate::state::AppState;

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Response {
    let snap = state.snapshot();
    // The plain `/` in either language is what nearly everyone loads: render it once per data
    // version. A `?lang=` choice changes every link, so it is rendered per request.
    if !ctx.reader.explicit && ctx.uri.query().is_none() {
        let slot = match ctx.lang() {
            Lang::Es => &snap.home[0],
            Lang::En => &snap.home[1],
        };
        let cached = slot.get_or_init(|| Cached::new(ctx.render(page(&ctx, &snap)), http::HTML));
        return cached.reply(&ctx.headers, Cache::Live);
    }
    ctx.respond(StatusCode::OK, page(&ctx, &snap))
}

fn page(ctx: &Ctx, snap: &Snapshot) -> Page {
    let e = &snap.election;
    let states = snap.children(Level::State, "");
    let body: Markup = html! {
        h1 { (e.name) }
        p.muted { (ctx.t("Resultados según las actas de escrutinio recibidas, mesa por mesa.",
                         "Results from the tally sheets (actas) received, table by table.")) }
        (search_form(ctx, ""))
        h2 { (ctx.t("Resultado nacional", "National result")) }
        @match snap.national() {
            Some(n) => (totals(ctx, snap, n)),
            None => p { (ctx.t("Aún no hay actas.", "No actas yet.")) },
        }
        h2 { (ctx.t("Por estado", "By state")) }
        (places_table(ctx, snap, ctx.t("Actas recibidas y proporción de votos por estado", "Actas received and vote shares by state"), states))
        p {
            a href=(ctx.href("/descargas")) { (ctx.t("Descargar todos los datos", "Download all the data")) } " · "
            a href=(ctx.href("/analisis")) { (ctx.t("Análisis: proyecciones y pruebas forenses", "Analysis: projections and forensic tests")) }
        }
        p.muted {
            (ctx.t("Registros en el log: ", "Records in the log: ")) (ctx.int(snap.version.records))
            @if let Some(cp) = snap.version.checkpoint {
                " · " (ctx.t("último checkpoint firmado: ", "latest signed checkpoint: ")) (ctx.int(cp))
            }
        }
    };
    Page::new(e.name.clone(), body)
}
