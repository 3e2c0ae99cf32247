//! `/buscar?cedula=N`: the voter's state, municipality, parish, centre and table, and that
//! table's acta, or an explicit "no acta yet".

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::browse::status_badge;
use super::{Ctx, Page, error_page, search_form};
use crate::actas::acta_path;
use crate::actas::place_names;
use crate::cedula::{self, Lookup};
use crate::snapshot::Status;
use crate::state::AppState;
use crate::text::level_name;

pub async fn search(State(state): State<AppState>, ctx: Ctx) -> Response {
    let input = ctx
        .query
        .get("cedula")
        .map(String::as_str)
        .unwrap_or("")
        .trim();
    if input.is_empty() {
        let body = html! {
            h1 { (ctx.t("Buscar mi mesa", "Find my table")) }
            p { (ctx.t("Escriba su cédula para ver su centro de votación, su mesa y el acta de esa mesa.",
                       "Type your cédula to see your voting centre, your table and that table's acta.")) }
            (search_form(&ctx, ""))
        };
        return ctx.respond(
            StatusCode::OK,
            Page::new(ctx.t("Buscar mi mesa", "Find my table"), body),
        );
    }
    let cedula = match cedula::parse(input, ctx.lang()) {
        Ok(c) => c,
        Err(msg) => return error_page(&ctx, StatusCode::BAD_REQUEST, &msg),
    };
    let table = match cedula::lookup(&state, cedula) {
        Lookup::Found(t) => t,
        Lookup::NotRegistered => {
            let msg = format!(
                "{} {cedula} {}",
                ctx.t("La cédula", "Cédula"),
                ctx.t(
                    "no está en el registro electoral cargado en este sitio. Compruebe el número; si es correcto, esa persona no estaba inscrita para votar en esta elección.",
                    "is not in the voter registry loaded on this site. Check the number; if it is right, that person was not registered to vote in this election."
                )
            );
            return error_page(&ctx, StatusCode::NOT_FOUND, &msg);
        }
        Lookup::NoRegistry(why) => {
            let msg = format!(
                "{} ({why})",
                ctx.t(
                    "Este servidor no tiene cargado el registro electoral, así que no puede buscar por cédula. Puede recorrer los resultados por lugar desde el inicio.",
                    "This server has no voter registry loaded, so it cannot search by cédula. You can browse the results by place from the home page."
                )
            );
            return error_page(&ctx, StatusCode::SERVICE_UNAVAILABLE, &msg);
        }
    };
    let snap = state.snapshot();
    let names = place_names(&snap, table.centre);
    let status = snap.status(table);
    let lang = ctx.lang();
    let rows = [
        (actas_core::Level::State, &names.state),
        (actas_core::Level::Municipality, &names.municipality),
        (actas_core::Level::Parish, &names.parish),
        (actas_core::Level::Centre, &names.centre),
    ];
    let body = html! {
        h1 { (ctx.t("Su mesa de votación", "Your voting table")) }
        p.muted { (ctx.t("Cédula", "Cédula")) " " (cedula) }
        dl.kv {
            @for (level, p) in rows {
                dt { (level_name(lang, level)) }
                dd { a href=(ctx.href(&format!("/resultados/{}", p.code))) { (p.name.clone().unwrap_or_else(|| p.code.clone())) } " " span.muted { (p.code) } }
            }
            dt { (ctx.t("Mesa", "Table")) } dd { (table.mesa) " " span.muted { (table) } }
            dt { (ctx.t("Acta", "Acta")) } dd { (status_badge(&ctx, status)) }
        }
        @match (status, snap.current.get(&table)) {
            (Status::Missing, _) | (_, None) => div.notice role="status" { p { strong {
                (ctx.t("Aún no se ha recibido el acta de esta mesa.", "No acta has been received for this table yet."))
            } " " (ctx.t("Si tiene una foto del acta, entréguela a los voluntarios.", "If you have a photo of the acta, hand it to the volunteers.")) } },
            (_, Some(r)) => {
                h2 { (ctx.t("Resultado de su mesa", "Your table's result")) }
                p { (ctx.t("Votos válidos", "Valid votes")) ": " (ctx.int(r.valid)) " · " (ctx.t("nulos", "null")) ": " (ctx.int(r.null)) }
                ul {
                    @for &i in snap.leaders.iter().take(3) {
                        li { (snap.election.candidates[i].name) ": " strong { (ctx.int(r.votes[i])) } }
                    }
                }
            }
        }
        p { a href=(ctx.href(&acta_path(table))) { strong { (ctx.t("Ver el acta completa, su huella SHA-256 y su prueba", "See the full acta, its SHA-256 and its proof")) } } }
        (search_form(&ctx, ""))
    };
    let mut page = Page::new(ctx.t("Su mesa de votación", "Your voting table"), body);
    page.noindex = true;
    ctx.respond(StatusCode::OK, page)
}
