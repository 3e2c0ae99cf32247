//! Downloads, how to verify, and the analysis report.

use actas_present::Lang;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use maud::html;

use super::{Ctx, Page, error_page};
use crate::bulk;
use crate::http::Cache;
use crate::state::AppState;

pub async fn downloads(State(state): State<AppState>, ctx: Ctx) -> Response {
    let snap = state.snapshot();
    let files = match bulk::all(&state.store, &snap).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!("bulk downloads: {e:#}");
            let msg = ctx.t(
                "No se pudieron preparar las descargas. Vuelva a intentarlo en unos segundos.",
                "The downloads could not be prepared. Try again in a few seconds.",
            );
            return error_page(&ctx, StatusCode::SERVICE_UNAVAILABLE, msg);
        }
    };
    let body = html! {
        h1 { (ctx.t("Descargas", "Downloads")) }
        p { (ctx.t("Todos los datos publicados, para auditarlos con sus propias herramientas. Cada archivo lleva su huella SHA-256; los archivos cambian cuando llegan actas nuevas.",
                   "All the published data, to audit with your own tools. Each file has its SHA-256; files change as new actas arrive.")) }
        div.wide { table {
            caption { (ctx.t("Archivos de esta versión de los datos", "Files of this version of the data")) }
            thead { tr { th scope="col" { (ctx.t("Archivo", "File")) } th.n scope="col" { (ctx.t("Tamaño", "Size")) } th scope="col" { "SHA-256" } } }
            tbody {
                @for (path, es, en, c) in &files {
                    tr {
                        th scope="row" { a href=(path) { (ctx.t(es, en)) } br; span.muted { (path) } }
                        td.n { (ctx.int(c.body.len() as u64)) " B" }
                        td.hash { (c.sha256()) }
                    }
                }
            }
        } }
        h2 { (ctx.t("Resultados por nivel (JSON)", "Results by level (JSON)")) }
        ul {
            @for level in ["national", "state", "municipality", "parish", "centre"] {
                li { a href=(format!("/api/v1/results?level={level}")) { (format!("/api/v1/results?level={level}")) } }
            }
        }
        h2 { (ctx.t("El log de transparencia", "The transparency log")) }
        p { (ctx.t("El log completo se sirve en ", "The whole log is served at ")) a href="/log/checkpoint" { "/log/" }
            (ctx.t(" con el formato C2SP tlog-tiles: cualquier servidor web puede espejarlo y cualquiera puede verificarlo.",
                   " in the C2SP tlog-tiles layout: any web server can mirror it and anyone can verify it.")) }
        p { a href="/api/v1/openapi.json" { (ctx.t("Documentación de la API (OpenAPI)", "API documentation (OpenAPI)")) } }
    };
    ctx.respond(
        StatusCode::OK,
        Page::new(ctx.t("Descargas", "Downloads"), body),
    )
}

pub async fn verify(State(state): State<AppState>, ctx: Ctx) -> Response {
    let host = ctx
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("HOST")
        .to_string();
    let proto = ctx
        .headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    let base = format!("{proto}://{host}");
    let key = state.verifier_key.clone();
    let snap = state.snapshot();
    let body = html! {
        h1 { (ctx.t("Cómo verificar", "How to verify")) }
        p { (ctx.t(
            "No hace falta confiar en este sitio. Cada acta aceptada es una entrada de un log de transparencia: un árbol de Merkle al que solo se puede añadir. El operador firma periódicamente un checkpoint (tamaño y raíz del árbol). Con la clave pública del log, cualquiera puede comprobar que un acta está en el log y que el log nunca se reescribió.",
            "You do not have to trust this site. Every accepted acta is an entry in a transparency log: a Merkle tree that can only be appended to. The operator regularly signs a checkpoint (the tree's size and root). With the log's public key, anyone can check that an acta is in the log and that the log was never rewritten.")) }
        h2 { (ctx.t("1. La clave pública del log", "1. The log's public key")) }
        @match &key {
            Some(k) => p.hash { (k) },
            None => p { (ctx.t("El operador publica la clave por otros canales (la imprime `actas log key`). Compárela con la que le den varias fuentes independientes.",
                               "The operator publishes the key through other channels (`actas log key` prints it). Compare it with what several independent sources give you.")) },
        }
        @if let Some(cp) = snap.checkpoint() {
            p { (ctx.t("Último checkpoint firmado:", "Latest signed checkpoint:")) }
            pre.hash { (cp.note) }
        }
        h2 { (ctx.t("2. Verificar todo el log", "2. Verify the whole log")) }
        p { (ctx.t("Con la herramienta actas (o cualquier cliente C2SP tlog-tiles, como sumdb/tlog de Go):", "With the actas tool (or any C2SP tlog-tiles client, such as Go's sumdb/tlog):")) }
        pre.hash { "actas verify " (base) "/log --key " (key.as_deref().unwrap_or("KEY")) }
        p { (ctx.t("Guarde el checkpoint de hoy. Mañana, compruebe que el log nuevo lo extiende (nada de lo que cubría cambió ni desapareció):",
                   "Keep today's checkpoint. Tomorrow, check that the new log extends it (nothing it covered was changed or removed):")) }
        pre.hash { "curl -o checkpoint.old " (base) "/log/checkpoint\nactas verify " (base) "/log --key " (key.as_deref().unwrap_or("KEY")) " --since checkpoint.old" }
        h2 { (ctx.t("3. Verificar una sola acta", "3. Verify one acta")) }
        ol {
            li { (ctx.t("En la página del acta (o en ", "On the acta's page (or in ")) code { "/api/v1/actas/CENTRO/MESA" }
                 (ctx.t(") están el registro exacto (", ") you find the exact record (")) code { "entry" }
                 (ctx.t("), su índice en el log y la prueba de inclusión.", "), its log index and the inclusion proof.")) }
            li { (ctx.t("El hash de la hoja es SHA-256 de un byte 0x00 seguido del registro.", "The leaf hash is SHA-256 of a 0x00 byte followed by the record.")) }
            li { (ctx.t("Combinando la hoja con los hashes de la prueba (RFC 6962, cada paso SHA-256 de 0x01 y los dos hijos) se obtiene la raíz; debe ser la del checkpoint firmado.",
                        "Combining the leaf with the proof's hashes (RFC 6962, each step SHA-256 of 0x01 and the two children) gives the root; it must be the signed checkpoint's.")) }
            li { (ctx.t("La foto: su SHA-256 debe ser el que muestra el acta.", "The photo: its SHA-256 must be the one the acta shows.")) }
        }
        h2 { (ctx.t("4. Espejos", "4. Mirrors")) }
        p { (ctx.t("Cualquiera puede copiar /log/ y las descargas a otro servidor. Un espejo con el mismo checkpoint firmado sirve exactamente los mismos datos.",
                   "Anyone can copy /log/ and the downloads to another server. A mirror with the same signed checkpoint serves exactly the same data.")) }
    };
    ctx.respond(
        StatusCode::OK,
        Page::new(ctx.t("Cómo verificar", "How to verify"), body),
    )
}

/// The analysis report of the counted actas: figures by `actas-analysis`, page by `actas-present`.
pub async fn analysis(State(state): State<AppState>, ctx: Ctx) -> Response {
    match crate::analysis::pages(&state.analysis, &state.snapshot()).await {
        Ok(pages) => pages[match ctx.lang() {
            Lang::Es => 0,
            Lang::En => 1,
        }]
        .reply(&ctx.headers, Cache::Live),
        Err(e) => {
            tracing::error!("analysis: {e:#}");
            let msg = ctx.t(
                "No se pudo calcular el análisis. Vuelva a intentarlo en un minuto.",
                "The analysis could not be computed. Try again in a minute.",
            );
            error_page(&ctx, StatusCode::SERVICE_UNAVAILABLE, msg)
        }
    }
}
