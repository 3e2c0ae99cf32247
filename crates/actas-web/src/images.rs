//! Photos of actas, as `actas ingest` stored them: content-addressed originals in the data
//! directory's blob store, listed by the store's `images` view. A table's readable photos come
//! first; a table with none says so on its page and its image endpoint answers 404.

use std::collections::HashMap;

use actas_core::TableId;
use actas_store::{Store, StoredImage};

/// A stored photo of an acta.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImageRef {
    /// SHA-256 of the image file, hex: what the log records for it.
    pub sha256: String,
    /// Where this server serves it.
    pub url: String,
    pub content_type: String,
}

fn content_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else {
        "image/jpeg"
    }
}

fn url(table: TableId) -> String {
    format!("/api/v1/actas/{}/{}/image", table.centre, table.mesa)
}

/// The photos of every table, readable ones first (the one shown on the acta page), otherwise
/// oldest first. Built once per snapshot from the store's `images` view (oldest first), so an
/// acta page costs no query.
pub fn by_table(stored: Vec<StoredImage>) -> HashMap<TableId, Vec<ImageRef>> {
    let mut tables: HashMap<TableId, Vec<(bool, ImageRef)>> = HashMap::new();
    for image in stored {
        let Some(table) = image.table.as_deref().and_then(|t| t.parse().ok()) else {
            continue;
        };
        tables.entry(table).or_default().push((
            image.status != "read",
            ImageRef {
                sha256: image.sha256,
                url: url(table),
                content_type: "image/jpeg".into(),
            },
        ));
    }
    tables
        .into_iter()
        .map(|(table, mut list)| {
            list.sort_by_key(|(unread, _)| *unread);
            (table, list.into_iter().map(|(_, image)| image).collect())
        })
        .collect()
}

/// The bytes and content type of the first of a table's photos (readable ones come first).
pub async fn image_bytes(
    store: &Store,
    photos: &[ImageRef],
) -> anyhow::Result<Option<(String, Vec<u8>)>> {
    let Some(blobs) = store.blobs() else {
        return Ok(None);
    };
    let Some(first) = photos.first() else {
        return Ok(None);
    };
    Ok(blobs
        .get(&first.sha256)
        .await?
        .map(|bytes| (content_type(&bytes).to_string(), bytes)))
}

/// Every stored photo of a known table, for the image manifest: (table, photo).
pub async fn all_images(store: &Store) -> anyhow::Result<Vec<(TableId, ImageRef)>> {
    Ok(store
        .images()
        .await?
        .into_iter()
        .filter_map(|i| {
            let table: TableId = i.table?.parse().ok()?;
            Some((
                table,
                ImageRef {
                    sha256: i.sha256,
                    url: url(table),
                    content_type: "image/jpeg".into(),
                },
            ))
        })
        .collect())
}
