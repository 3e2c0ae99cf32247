//! One table's acta as published: its versions, which one counts, their proofs and photos.
//! Shared by the acta page and `GET /api/v1/actas/{centre}/{table}`, so both say the same.

use actas_core::{CentreCode, Level, Record, TableId};
use actas_ledger::InclusionProof;
use actas_present::{Lang, tr};
use actas_store::{ProofUnavailable, Store};
use std::collections::BTreeMap;

use serde::Serialize;
use sha2::Digest;

use crate::images::ImageRef;
use crate::snapshot::{Snapshot, Status};

/// Why a `{centre}/{table}` pair is not a table id, in the reader's language.
pub fn parse_table(centre: &str, mesa: &str, lang: Lang) -> Result<TableId, String> {
    let centre: CentreCode = centre.parse().map_err(|_| {
        format!(
            "{} {centre:?}. {}",
            tr(lang, "Código de centro no válido:", "Invalid centre code:"),
            tr(
                lang,
                "Un centro de votación tiene 9 dígitos, por ejemplo 010113042.",
                "A voting centre code has 9 digits, e.g. 010113042."
            )
        )
    })?;
    let mesa = TableId::parse_mesa(mesa).map_err(|_| {
        format!(
            "{} {mesa:?}. {}",
            tr(lang, "Número de mesa no válido:", "Invalid table number:"),
            tr(
                lang,
                "Una mesa se numera de 1 a 99, por ejemplo 1 o 01.",
                "Tables are numbered 1 to 99, e.g. 1 or 01."
            )
        )
    })?;
    TableId::new(centre, mesa).map_err(|e| e.to_string())
}

/// The names of the places containing a table, coarse to fine.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceNames {
    pub state: PlaceRef,
    pub municipality: PlaceRef,
    pub parish: PlaceRef,
    pub centre: PlaceRef,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaceRef {
    pub code: String,
    pub name: Option<String>,
}

pub fn place_names(snap: &Snapshot, centre: CentreCode) -> PlaceNames {
    let r = |level: Level| PlaceRef {
        code: centre.place_code(level),
        name: snap.place_name(centre, level).map(str::to_string),
    };
    PlaceNames {
        state: r(Level::State),
        municipality: r(Level::Municipality),
        parish: r(Level::Parish),
        centre: r(Level::Centre),
    }
}

/// The counted result of a table, as the voter look-up shows it.
#[derive(Serialize)]
struct ActaSummary {
    status: &'static str,
    log_index: Option<u64>,
    registered: Option<u64>,
    valid: u64,
    null: u64,
    votes: BTreeMap<String, u64>,
    url: String,
    page: String,
}

/// Everything a voter look-up answers except the cédula: the same for every voter of the
/// table, so [`prepare_voters`] builds it once per data version.
#[derive(Serialize)]
struct VoterTable {
    table: String,
    centre: String,
    mesa: u8,
    place: PlaceNames,
    acta: Option<ActaSummary>,
}

/// The members of a voter look-up's JSON object after `"cedula"`, without braces.
pub fn voter_members(snap: &Snapshot, table: TableId) -> String {
    let acta = snap.current.get(&table).map(|r| ActaSummary {
        status: snap.status(table).as_str(),
        log_index: snap.counted_seq(table),
        registered: r.registered,
        valid: r.valid,
        null: r.null,
        votes: snap
            .election
            .candidates
            .iter()
            .zip(&r.votes)
            .map(|(c, v)| (c.id.clone(), *v))
            .collect(),
        url: api_path(table),
        page: acta_path(table),
    });
    let json = serde_json::to_string(&VoterTable {
        table: table.to_string(),
        centre: table.centre.to_string(),
        mesa: table.mesa,
        place: place_names(snap, table.centre),
        acta,
    })
    .expect("plain data serialises");
    json[1..json.len() - 1].to_string()
}

/// Prepares the voter look-up answers of every table of the registry (`tables`, sorted).
pub fn prepare_voters(snap: &mut Snapshot, tables: &[TableId]) {
    let answers = tables
        .iter()
        .map(|&t| voter_members(snap, t).into_boxed_str())
        .collect();
    snap.set_voter_answers(tables.to_vec(), answers);
}

/// A table's part of a voter look-up: prepared, or made now for a table the registry does not
/// list.
pub fn voter_answer(snap: &Snapshot, table: TableId) -> std::borrow::Cow<'_, str> {
    match snap.voter_answer(table) {
        Some(a) => std::borrow::Cow::Borrowed(a),
        None => std::borrow::Cow::Owned(voter_members(snap, table)),
    }
}

/// The canonical address of a table's acta page.
pub fn acta_path(t: TableId) -> String {
    format!("/acta/{}/{:02}", t.centre, t.mesa)
}

/// The address of a table's acta in the API.
pub fn api_path(t: TableId) -> String {
    format!("/api/v1/actas/{}/{:02}", t.centre, t.mesa)
}

/// One stored version of a table's result.
#[derive(Debug, Clone)]
pub struct Version {
    pub seq: u64,
    pub counted: bool,
    /// The exact bytes in the log.
    pub entry: std::sync::Arc<[u8]>,
    pub record: Record,
    pub proof: Result<InclusionProof, ProofUnavailable>,
}

impl Version {
    pub fn sha256(&self) -> String {
        hex::encode(sha2::Sha256::digest(&self.entry))
    }
}

pub struct Acta {
    pub status: Status,
    /// Oldest first.
    pub versions: Vec<Version>,
    pub images: Vec<ImageRef>,
}

impl Acta {
    pub fn counted(&self) -> Option<&Version> {
        self.versions.iter().find(|v| v.counted)
    }
}

/// The acta of a table, or `None` when the table is unknown (no geography entry and no record).
pub async fn load(store: &Store, snap: &Snapshot, table: TableId) -> anyhow::Result<Option<Acta>> {
    let seqs = snap.log.versions.get(&table).cloned().unwrap_or_default();
    if seqs.is_empty() {
        let known = snap
            .centre_tables(store, table.centre)
            .await?
            .iter()
            .any(|t| t.0 == table);
        if !known {
            return Ok(None);
        }
    }
    let counted = snap.counted_seq(table);
    let versions = seqs
        .into_iter()
        .filter_map(|seq| {
            Some(Version {
                seq,
                counted: Some(seq) == counted,
                entry: snap.log.entry(seq)?.clone(),
                record: snap.log.record(seq)?,
                proof: snap.proof(seq),
            })
        })
        .collect();
    Ok(Some(Acta {
        status: snap.status(table),
        versions,
        images: snap.images.get(&table).cloned().unwrap_or_default(),
    }))
}

/// Why there is no proof, in words.
pub fn proof_unavailable(u: &ProofUnavailable, lang: Lang) -> String {
    match u {
        ProofUnavailable::NoCheckpoint => tr(
            lang,
            "El log aún no tiene un checkpoint firmado; la prueba aparecerá cuando el operador lo firme.",
            "The log has no signed checkpoint yet; the proof will appear once the operator signs one.",
        )
        .into(),
        ProofUnavailable::NotYetCovered { size, .. } => format!(
            "{} ({size}).",
            tr(
                lang,
                "Este registro es más reciente que el último checkpoint firmado; la prueba aparecerá con el próximo",
                "This record is newer than the latest signed checkpoint; the proof will appear with the next one"
            )
        ),
        ProofUnavailable::Broken(why) => why.clone(),
    }
}
