//! Photos of actas, as `actas ingest` stored them: content-addressed originals in the data
//! directory's blob store, listed by the store's `images` view. A table's readable photos come
//! first; a table with none says so on its page and its image endpoint answers 404.

use actas_core::TableId;
use actas_store::Store;

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

/// The photos of a table, readable ones first (the one shown on the acta page).
pub async fn images_of(store: &Store, table: TableId) -> anyhow::Result<Vec<ImageRef>> {
    let mut list = store.images_of_table(table).await?;
    list.sort_by_key(|(_, status)| status != "read");
    Ok(list
        .into_iter()
        .map(|(sha256, _)| ImageRef {
            sha256,
            url: url(table),
            content_type: "image/jpeg".into(),
        })
        .collect())
}

/// The bytes and content type of a table's photo (the first readable one).
pub async fn image_bytes(
    store: &Store,
    table: TableId,
) -> anyhow::Result<Option<(String, Vec<u8>)>> {
    let Some(blobs) = store.blobs() else {
        return Ok(None);
    };
    let Some(first) = images_of(store, table).await?.into_iter().next() else {
        return Ok(None);
    };
    Ok(blobs
        .get(&first.sha256)?
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
