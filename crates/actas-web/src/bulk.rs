//! Bulk downloads: every acta version as CSV and JSON, and the image manifest. Built once per
//! data version (with a gzip copy) the first time someone asks.

use std::fmt::Write as _;
use std::sync::Arc;

use actas_core::{Level, RecordBody};
use serde_json::json;
use sha2::Digest;

use crate::http::{self, Cached};
use crate::images;
use crate::snapshot::Snapshot;
use actas_store::Store;

pub const CSV_PATH: &str = "/api/v1/actas.csv";
pub const JSON_PATH: &str = "/api/v1/actas.json";
pub const IMAGES_PATH: &str = "/api/v1/images.json";

pub async fn csv(snap: &Arc<Snapshot>) -> anyhow::Result<&Cached> {
    let s = snap.clone();
    snap.bulk
        .csv
        .get_or_try_init(|| async move {
            Ok(tokio::task::spawn_blocking(move || Cached::new(to_csv(&s), http::CSV)).await?)
        })
        .await
}

pub async fn json(snap: &Arc<Snapshot>) -> anyhow::Result<&Cached> {
    let s = snap.clone();
    snap.bulk
        .json
        .get_or_try_init(|| async move {
            Ok(tokio::task::spawn_blocking(move || Cached::new(to_json(&s), http::JSON)).await?)
        })
        .await
}

pub async fn images_manifest<'a>(
    store: &Store,
    snap: &'a Arc<Snapshot>,
) -> anyhow::Result<&'a Cached> {
    snap.bulk
        .images
        .get_or_try_init(|| async {
            let list = images::all_images(store).await?;
            let body = json!({
                "images": list.iter().map(|(t, i)| json!({
                    "table": t.to_string(),
                    "sha256": i.sha256,
                    "url": i.url,
                    "content_type": i.content_type,
                })).collect::<Vec<_>>(),
            });
            Ok::<_, anyhow::Error>(Cached::new(body.to_string(), http::JSON))
        })
        .await
}

/// Every download with its Spanish and English label, for the downloads page.
pub async fn all<'a>(
    store: &Store,
    snap: &'a Arc<Snapshot>,
) -> anyhow::Result<Vec<(&'static str, &'static str, &'static str, &'a Cached)>> {
    Ok(vec![
        (
            CSV_PATH,
            "Todas las actas (CSV)",
            "All actas (CSV)",
            csv(snap).await?,
        ),
        (
            JSON_PATH,
            "Todas las actas con sus registros exactos (JSON)",
            "All actas with their exact records (JSON)",
            json(snap).await?,
        ),
        (
            IMAGES_PATH,
            "Manifiesto de fotos con SHA-256 (JSON)",
            "Photo manifest with SHA-256 (JSON)",
            images_manifest(store, snap).await?,
        ),
    ])
}

/// Every version of every table, oldest first per table, tables in order.
fn versions(snap: &Snapshot) -> Vec<(actas_core::TableId, u64)> {
    let mut v: Vec<_> = snap
        .log
        .versions
        .iter()
        .flat_map(|(t, seqs)| seqs.iter().map(move |s| (*t, *s)))
        .collect();
    v.sort_unstable();
    v
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn to_csv(snap: &Snapshot) -> String {
    let e = &snap.election;
    let mut out = String::from(
        "table,centre,mesa,state,municipality,parish,log_index,status,counted,sha256,at,source_kind,source_file,source_line,registered,valid,null,blank",
    );
    for c in &e.candidates {
        out.push(',');
        out.push_str(&c.id);
    }
    out.push('\n');
    for (table, seq) in versions(snap) {
        let Some(record) = snap.log.record(seq) else {
            continue;
        };
        let RecordBody::Result { result, .. } = &record.body else {
            continue;
        };
        let Some(entry) = snap.log.entry(seq) else {
            continue;
        };
        let counted = snap.counted_seq(table) == Some(seq);
        let registered = result.registered.or_else(|| {
            counted
                .then(|| snap.current.get(&table)?.registered)
                .flatten()
        });
        let c = table.centre;
        let _ = write!(
            out,
            "{table},{c},{},{},{},{},{seq},{},{counted},{},{},{},{},{},{},{},{},{}",
            table.mesa,
            c.place_code(Level::State),
            c.place_code(Level::Municipality),
            c.place_code(Level::Parish),
            snap.status(table).as_str(),
            hex::encode(sha2::Sha256::digest(entry)),
            csv_field(&record.at),
            csv_field(&record.source.kind),
            csv_field(record.source.file.as_deref().unwrap_or("")),
            record
                .source
                .line
                .map(|l| l.to_string())
                .unwrap_or_default(),
            registered.map(|r| r.to_string()).unwrap_or_default(),
            result.valid,
            result.null,
            result.blank.map(|b| b.to_string()).unwrap_or_default(),
        );
        for i in 0..e.candidates.len() {
            let _ = write!(out, ",{}", result.votes.get(i).copied().unwrap_or(0));
        }
        out.push('\n');
    }
    out
}

/// The records are embedded byte for byte (they are JSON), so anyone can hash them and check
/// them against the log without re-encoding.
fn to_json(snap: &Snapshot) -> String {
    let e = &snap.election;
    let mut out = format!(
        "{{\"election\":{},\"records\":{},\"checkpoint\":{},\"candidates\":{},\"actas\":[",
        json!(e.id),
        snap.version.records,
        json!(snap.version.checkpoint),
        json!(e.candidates.iter().map(|c| &c.id).collect::<Vec<_>>()),
    );
    let mut first = true;
    for (table, seq) in versions(snap) {
        let Some(entry) = snap.log.entry(seq) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(entry) else {
            continue;
        };
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(
            out,
            "\n{{\"table\":\"{table}\",\"log_index\":{seq},\"counted\":{},\"status\":\"{}\",\"sha256\":\"{}\",\"record\":{text}}}",
            snap.counted_seq(table) == Some(seq),
            snap.status(table).as_str(),
            hex::encode(sha2::Sha256::digest(entry)),
        );
    }
    out.push_str("\n]}\n");
    out
}
