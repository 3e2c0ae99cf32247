//! `/acta/{centre}/{table}`: one table's acta: photo, numbers per candidate and per card,
//! status, the record's SHA-256, its log index and inclusion proof, and every other version.

use actas_core::{RecordBody, TableResult};
use actas_ledger::hash_to_base64;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::browse::status_badge;
use super::{Ctx, Page, crumbs, error_page, place_label};
use crate::actas::{self, Acta, Version};
use crate::snapshot::{Snapshot, Status};
use crate::state::AppState;

pub async fn acta(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    ctx: Ctx,
) -> Response {
    let (centre, mesa) = match ctx.path(path) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let table = match actas::parse_table(&centre, &mesa, ctx.lang()) {
        Ok(t) => t,
        Err(msg) => return error_page(&ctx, StatusCode::BAD_REQUEST, &msg),
    };
    let snap = state.snapshot();
    let acta = match actas::load(&state.store, &snap, table).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            let msg = format!(
                "{} {table}. {}",
                ctx.t("No se conoce la mesa", "Unknown table"),
                ctx.t(
                    "Compruebe el código del centro y el número de mesa, o busque su mesa por cédula.",
                    "Check the centre code and table number, or find your table by cédula."
                )
            );
            return error_page(&ctx, StatusCode::NOT_FOUND, &msg);
        }
        Err(e) => {
            tracing::error!("acta {table}: {e:#}");
            let msg = ctx.t(
                "No se pudo leer esta acta. Vuelva a intentarlo en unos segundos.",
                "This acta could not be read. Try again in a few seconds.",
            );
            return error_page(&ctx, StatusCode::SERVICE_UNAVAILABLE, msg);
        }
    };
    let centre_code = table.centre.to_string();
    let title = format!(
        "{} {:02} · {}",
        ctx.t("Mesa", "Table"),
        table.mesa,
        place_label(&snap, &centre_code)
    );
    let body = html! {
        (crumbs(&ctx, &snap, &centre_code, Some(html! { (ctx.t("Mesa", "Table")) " " (table.mesa) })))
        h1 { (title) }
        p { (status_badge(&ctx, acta.status)) " " span.muted { (ctx.t("Mesa", "Table")) " " (table) } }
        (status_notice(&ctx, &acta))
        h2 { (ctx.t("Foto del acta", "Photo of the acta")) }
        @match acta.images.first() {
            Some(img) => {
                p { a href=(img.url) { img src=(img.url) alt=(ctx.t("Foto del acta de escrutinio", "Photo of the tally sheet")) style="max-width:100%;height:auto" loading="lazy"; } }
                p.muted { "SHA-256: " span.hash { (img.sha256) } }
            }
            None => div.photo { (ctx.t("Aún no hay foto de esta acta en el archivo.", "There is no photo of this acta in the archive yet.")) }
        }
        @if let Some(v) = acta.counted() {
            (numbers(&ctx, &snap, v))
            (record_and_proof(&ctx, v))
        }
        @let others: Vec<&Version> = acta.versions.iter().filter(|v| !v.counted).collect();
        @if !others.is_empty() {
            h2 { (ctx.t("Otras versiones recibidas", "Other versions received")) }
            p { (ctx.t("Estas versiones difieren de la contada. Se conservan todas; ninguna se borra ni se reemplaza en silencio.",
                       "These versions differ from the counted one. All are kept; none is silently removed or replaced.")) }
            (compare(&ctx, &snap, &acta))
            @for v in others { (record_and_proof(&ctx, v)) }
        }
        p.muted { a href=(format!("/api/v1/actas/{}/{:02}", table.centre, table.mesa)) { (ctx.t("Esta acta en JSON", "This acta as JSON")) } }
    };
    ctx.respond(StatusCode::OK, Page::new(title, body))
}

fn status_notice(ctx: &Ctx, acta: &Acta) -> Markup {
    match acta.status {
        Status::Counted => {
            html! { p { (ctx.t("Esta acta se cuenta en los resultados.", "This acta is counted in the results.")) } }
        }
        Status::Conflict => html! {
            div.notice.warn role="note" { p {
                (ctx.t("Se recibieron ", "")) (acta.versions.len())
                (ctx.t(" versiones distintas de esta acta. Se cuenta la primera recibida; todas se muestran abajo.",
                       " different versions of this acta were received. The first one received is counted; all are shown below."))
            } }
        },
        Status::Missing => html! {
            div.notice role="note" { p { strong {
                (ctx.t("Aún no se ha recibido el acta de esta mesa.", "No acta has been received for this table yet."))
            } " " (ctx.t("Sus votos no están en los resultados.", "Its votes are not in the results.")) } }
        },
    }
}

fn result_of(v: &Version) -> Option<&TableResult> {
    match &v.record.body {
        RecordBody::Result { result, .. } => Some(result),
        _ => None,
    }
}

fn numbers(ctx: &Ctx, snap: &Snapshot, v: &Version) -> Markup {
    let e = &snap.election;
    let Some(r) = result_of(v) else {
        return html! {};
    };
    let registered = r
        .registered
        .or_else(|| snap.current.get(&r.table).and_then(|c| c.registered));
    html! {
        h2 { (ctx.t("Números del acta", "Numbers on the acta")) }
        dl.kv {
            @if let Some(reg) = registered { dt { (ctx.t("Electores", "Registered voters")) } dd { (ctx.int(reg)) } }
            dt { (ctx.t("Votos válidos", "Valid votes")) } dd { (ctx.int(r.valid)) }
            dt { (ctx.t("Votos nulos", "Null votes")) } dd { (ctx.int(r.null)) }
            @if let Some(b) = r.blank { dt { (ctx.t("Votos en blanco", "Blank votes")) } dd { (ctx.int(b)) } }
            @if let Some(reg) = registered.filter(|&x| x > 0) {
                dt { (ctx.t("Participación", "Turnout")) } dd { (ctx.pct(Some((r.valid + r.null) as f64 / reg as f64))) }
            }
        }
        div.wide { table {
            caption { (ctx.t("Votos por candidato", "Votes per candidate")) }
            thead { tr { th scope="col" { (ctx.t("Candidato", "Candidate")) } th.n scope="col" { (ctx.t("Votos", "Votes")) } th.n scope="col" { "%" } } }
            tbody {
                @for (i, c) in e.candidates.iter().enumerate() {
                    tr {
                        th scope="row" { (c.name) }
                        td.n { (ctx.int(r.votes.get(i).copied().unwrap_or(0))) }
                        td.n { (ctx.pct((r.valid > 0).then(|| r.votes.get(i).copied().unwrap_or(0) as f64 / r.valid as f64))) }
                    }
                }
            }
        } }
        @if let Some(cards) = &r.cards {
            details {
                summary { (ctx.t("Votos por tarjeta (partido)", "Votes per card (party)")) }
                div.wide { table {
                    caption { (ctx.t("Votos por tarjeta, en el orden de la boleta", "Votes per card, in ballot order")) }
                    thead { tr { th scope="col" { (ctx.t("Tarjeta", "Card")) } th scope="col" { (ctx.t("Candidato", "Candidate")) } th.n scope="col" { (ctx.t("Votos", "Votes")) } } }
                    tbody {
                        @for (card, n) in e.cards.iter().zip(cards) {
                            tr { th scope="row" { (card.sigla) } td { (card.candidate) } td.n { (ctx.int(*n)) } }
                        }
                    }
                } }
            }
        } @else {
            p.muted { (ctx.t("La fuente de esta versión no trae el detalle por tarjeta.", "This version's source has no per-card detail.")) }
        }
    }
}

fn record_and_proof(ctx: &Ctx, v: &Version) -> Markup {
    let s = &v.record.source;
    html! {
        section aria-label=(format!("{} {}", ctx.t("Registro", "Record"), v.seq)) {
            h2 { (ctx.t("Registro en el log", "Record in the log"))
                 @if !v.counted { " " (v.seq) } }
            dl.kv {
                dt { (ctx.t("Índice en el log", "Log index")) } dd { (v.seq) }
                dt { (ctx.t("SHA-256 del registro", "SHA-256 of the record")) } dd.hash { (v.sha256()) }
                dt { (ctx.t("Aceptado", "Accepted")) } dd { (v.record.at) }
                dt { (ctx.t("Fuente", "Source")) } dd {
                    (s.kind)
                    @if let Some(f) = &s.file { " · " (f) }
                    @if let Some(l) = s.line { " · " (ctx.t("línea", "line")) " " (l) }
                }
                @if let Some(h) = &s.sha256 { dt { (ctx.t("SHA-256 de la fuente", "SHA-256 of the source")) } dd.hash { (h) } }
                dt { (ctx.t("¿Se cuenta?", "Counted?")) } dd { (if v.counted { ctx.t("Sí", "Yes") } else { ctx.t("No", "No") }) }
            }
            @match &v.proof {
                Ok(p) => {
                    details {
                        summary { (ctx.t("Prueba de inclusión", "Inclusion proof")) " (" (p.hashes.len()) " hashes)" }
                        dl.kv {
                            dt { (ctx.t("Tamaño del árbol", "Tree size")) } dd { (p.tree_size) }
                            dt { (ctx.t("Raíz firmada", "Signed root")) } dd.hash { (hash_to_base64(&p.root_hash)) }
                            dt { (ctx.t("Hash de la hoja", "Leaf hash")) } dd.hash { (hash_to_base64(&p.leaf_hash)) }
                        }
                        ol.hash { @for h in &p.hashes { li { (hash_to_base64(h)) } } }
                        p.muted { a href=(ctx.href("/verificar")) { (ctx.t("Cómo comprobar esta prueba", "How to check this proof")) } }
                    }
                }
                Err(u) => p.muted { (ctx.t("Prueba de inclusión: ", "Inclusion proof: ")) (actas::proof_unavailable(u, ctx.lang())) }
            }
        }
    }
}

/// Side by side, the numbers of every version of a table in conflict.
fn compare(ctx: &Ctx, snap: &Snapshot, acta: &Acta) -> Markup {
    let e = &snap.election;
    let results: Vec<(&Version, &TableResult)> = acta
        .versions
        .iter()
        .filter_map(|v| Some((v, result_of(v)?)))
        .collect();
    html! {
        div.wide { table {
            caption { (ctx.t("Comparación de versiones", "Versions compared")) }
            thead { tr {
                th scope="col" { "" }
                @for (v, _) in &results {
                    th.n scope="col" { (ctx.t("Registro", "Record")) " " (v.seq) @if v.counted { " (" (ctx.t("contado", "counted")) ")" } }
                }
            } }
            tbody {
                tr { th scope="row" { (ctx.t("Válidos", "Valid")) } @for (_, r) in &results { td.n { (ctx.int(r.valid)) } } }
                tr { th scope="row" { (ctx.t("Nulos", "Null")) } @for (_, r) in &results { td.n { (ctx.int(r.null)) } } }
                @for (i, c) in e.candidates.iter().enumerate() {
                    tr { th scope="row" { (c.id) } @for (_, r) in &results { td.n { (ctx.int(r.votes.get(i).copied().unwrap_or(0))) } } }
                }
            }
        } }
    }
}
