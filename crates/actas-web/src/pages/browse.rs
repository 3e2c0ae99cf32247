//! `/resultados/{code}`: a state, municipality, parish or centre, with its results and coverage
//! and the places (or, for a centre, the tables) inside it.

use actas_core::{CentreCode, Level, TableId};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::{Ctx, Page, crumbs, error_page, place_label, places_table, totals};
use crate::actas::acta_path;
use crate::snapshot::{Snapshot, Status};
use crate::state::AppState;
use crate::text::{children_heading, level_name};

pub async fn place(
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
    ctx: Ctx,
) -> Response {
    let code = match ctx.path(code) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let level = match Level::from_code(&code) {
        Some(l) if l != Level::National && code.bytes().all(|b| b.is_ascii_digit()) => l,
        _ => {
            let msg = ctx.t(
                "Código de lugar no válido. Un estado tiene 2 dígitos (01), un municipio 4 (0101), una parroquia 6 (010113) y un centro de votación 9 (010113042).",
                "Invalid place code. A state has 2 digits (01), a municipality 4 (0101), a parish 6 (010113) and a voting centre 9 (010113042).",
            );
            return error_page(&ctx, StatusCode::BAD_REQUEST, msg);
        }
    };
    let snap = state.snapshot();
    let Some((_, row)) = snap.place(&code) else {
        let msg = format!(
            "{} {code}. {}",
            ctx.t(
                "No hay ningún lugar con el código",
                "There is no place with code"
            ),
            ctx.t(
                "Recorra los lugares desde el inicio o busque su mesa por cédula.",
                "Browse the places from the home page or find your table by cédula."
            )
        );
        return error_page(&ctx, StatusCode::NOT_FOUND, &msg);
    };
    let name = place_label(&snap, &code);
    let parent = &code[..level.parent().map(|p| p.code_len()).unwrap_or(0)];
    let tables = if level == Level::Centre {
        match code.parse::<CentreCode>() {
            Ok(c) => match centre_tables(&state, &snap, c).await {
                Ok(t) => Some(t),
                Err(e) => {
                    tracing::error!("tables of centre {code}: {e:#}");
                    let msg = ctx.t(
                        "No se pudo leer la lista de mesas de este centro. Vuelva a intentarlo en unos segundos.",
                        "The list of tables of this centre could not be read. Try again in a few seconds.",
                    );
                    return error_page(&ctx, StatusCode::SERVICE_UNAVAILABLE, msg);
                }
            },
            Err(_) => None,
        }
    } else {
        None
    };
    let body = html! {
        (crumbs(&ctx, &snap, parent, None))
        h1 { (name) }
        p.muted { (level_name(ctx.lang(), level)) " · " (ctx.t("código", "code")) " " (code) }
        (totals(&ctx, &snap, row))
        @if let Some(tables) = &tables {
            h2 { (children_heading(ctx.lang(), Level::Centre)) }
            (tables_table(&ctx, &snap, tables))
        } @else if let Some(child) = Level::ALL.iter().find(|l| l.parent() == Some(level)) {
            h2 { (children_heading(ctx.lang(), level)) }
            (places_table(&ctx, &snap, children_heading(ctx.lang(), level), snap.children(*child, &code)))
        }
        p.muted {
            a href=(format!("/api/v1/results?level={}&code={code}", child_level(level).as_str())) {
                (ctx.t("Estos resultados en JSON", "These results as JSON"))
            }
        }
    };
    ctx.respond(StatusCode::OK, Page::new(name, body))
}

fn child_level(level: Level) -> Level {
    Level::ALL
        .into_iter()
        .find(|l| l.parent() == Some(level))
        .unwrap_or(level)
}

/// Every table of the centre: those the store knows (geography or records) and those with a
/// result, in order.
async fn centre_tables(
    state: &AppState,
    snap: &Snapshot,
    centre: CentreCode,
) -> anyhow::Result<Vec<TableId>> {
    let mut tables: Vec<TableId> = snap
        .centre_tables(&state.store, centre)
        .await?
        .iter()
        .map(|t| t.0)
        .collect();
    tables.extend(snap.current.keys().filter(|t| t.centre == centre));
    tables.sort();
    tables.dedup();
    Ok(tables)
}

pub fn status_badge(ctx: &Ctx, status: Status) -> maud::Markup {
    let text = match status {
        Status::Counted => ctx.t("Contada", "Counted"),
        Status::Conflict => ctx.t("Versiones distintas", "Conflicting versions"),
        Status::Missing => ctx.t("Sin acta", "No acta yet"),
    };
    html! { span class=(format!("badge {}", status.as_str())) { (text) } }
}

fn tables_table(ctx: &Ctx, snap: &Snapshot, tables: &[TableId]) -> maud::Markup {
    let e = &snap.election;
    let top: Vec<usize> = snap.leaders.iter().take(2).copied().collect();
    html! {
        @if tables.is_empty() {
            p { (ctx.t("No se conocen mesas de este centro.", "No tables of this centre are known.")) }
        } @else {
            div.wide { table {
                caption { (ctx.t("Mesas del centro y sus actas", "Tables of the centre and their actas")) }
                thead { tr {
                    th scope="col" { (ctx.t("Mesa", "Table")) }
                    th scope="col" { (ctx.t("Acta", "Acta")) }
                    th.n scope="col" { (ctx.t("Válidos", "Valid")) }
                    @for &i in &top { th.n scope="col" abbr=(e.candidates[i].name) { (e.candidates[i].id) } }
                } }
                tbody {
                    @for t in tables {
                        @let r = snap.current.get(t);
                        tr {
                            th scope="row" style="white-space:nowrap" { a href=(ctx.href(&acta_path(*t))) { (ctx.t("Mesa", "Table")) " " (t.mesa) } }
                            td { (status_badge(ctx, snap.status(*t))) }
                            td.n { @if let Some(r) = r { (ctx.int(r.valid)) } @else { "–" } }
                            @for &i in &top {
                                td.n { @if let Some(r) = r {
                                    (ctx.pct1((r.valid > 0).then(|| r.votes[i] as f64 / r.valid as f64)))
                                } @else { "–" } }
                            }
                        }
                    }
                }
            } }
        }
    }
}
