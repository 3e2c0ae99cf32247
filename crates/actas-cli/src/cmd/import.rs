use std::path::{Path, PathBuf};
use std::process::ExitCode;

use actas_import::csv_results::LayoutChoice;
use actas_import::{geo, layout};
use actas_store::{ImportSummary, Store};
use anyhow::{Context, Result};

use crate::context;

#[derive(clap::Subcommand)]
pub enum Import {
    /// Import per-table results from a CSV file.
    ///
    /// The layout is recognised from the header (`--layout auto`): centre and table columns
    /// (CENTRO/MESA, codigo_centro/nro_mesa, ...) or a column of acta ids
    /// (010101001.01.1.0001); one column per candidate, by id (EG) or by name (gonzalez,
    /// maduro); null votes; optionally registered voters (RE, electores) and valid votes.
    /// UTF-8 with or without BOM, UTF-16 and Latin-1 are read; the delimiter is sniffed. A
    /// column of links to the acta photos (URL, imagen, ...) is kept: `actas images fetch` then
    /// downloads and checks them.
    ///
    /// For other files, describe the columns in a TOML layout file (example below) and pass its
    /// path with --layout.
    ///
    /// The import is all-or-nothing: the first bad row stops it with file, line and column, and
    /// nothing is written. With --quarantine the good rows go in and each bad row is kept aside
    /// with its reason (`actas quarantine list`). Re-importing the same data changes nothing; a
    /// different version of a counted table is kept and reported as a conflict.
    #[command(after_long_help = LAYOUT_EXAMPLE)]
    Csv {
        /// The results file: one row per table (CSV with any delimiter).
        file: PathBuf,
        /// auto, a built-in layout (resultadosconvzla, vzlapi) or a TOML layout file.
        #[arg(long, default_value = "auto")]
        layout: String,
        /// Import the good rows and set bad rows aside instead of refusing the file.
        #[arg(long)]
        quarantine: bool,
    },
    /// Import a geography: names and table counts of places, registered voters per table.
    ///
    /// DIR holds estado.csv, municipio.csv, parroquia.csv, centro.csv and mesa.csv in the
    /// format published by the 2024 opposition site (see ../shared/data/ve2024/geo).
    ///
    /// Example: actas import geo ../shared/data/ve2024/geo
    Geo {
        /// The folder holding the five geography files.
        dir: PathBuf,
    },
}

/// A layout file, as `--layout FILE.toml` reads it (valid TOML as printed).
const LAYOUT_EXAMPLE: &str = r#"A layout file (save as mine.toml, then: actas import csv results.csv --layout mine.toml):

  name = "mine"
  centre = "codigo_centro"   # with mesa; or instead: acta_id = "codigo"
  mesa = "mesa"
  registered = "electores"   # optional
  valid = "validos"          # optional: the candidates' sum otherwise
  null = "nulos"
  image_url = "foto"         # optional: links to the acta photos
  [candidates]               # every candidate id of the election -> its column
  NM = "maduro"
  LM = "martinez"
  JABE = "bertucci"
  JOBR = "brito"
  AE = "ecarri"
  CF = "fermin"
  DC = "ceballos"
  EG = "gonzalez"
  EM = "marquez"
  BERA = "rausseo"

Examples:
  actas import csv ../shared/data/ve2024/resultados_2024_v1.csv
  actas import csv results.csv --quarantine
"#;

pub async fn run(data: &Path, cmd: Import) -> Result<ExitCode> {
    let store = context::open(data).await?;
    let code = match cmd {
        Import::Csv {
            file,
            layout,
            quarantine,
        } => {
            let summary = import_csv(&store, &file, &layout, quarantine).await?;
            print_summary(&file, &summary);
            ExitCode::SUCCESS
        }
        Import::Geo { dir } => import_geo(&store, &dir).await?,
    };
    store.close().await;
    Ok(code)
}

fn layout_choice(spec: &str) -> Result<LayoutChoice> {
    if spec == "auto" {
        return Ok(LayoutChoice::Auto);
    }
    if spec.ends_with(".toml") || Path::new(spec).exists() {
        let text =
            std::fs::read_to_string(spec).with_context(|| format!("reading layout {spec}"))?;
        let l = layout::from_toml(&text).with_context(|| spec.to_string())?;
        return Ok(LayoutChoice::Given(Box::new(l)));
    }
    Ok(LayoutChoice::Given(Box::new(layout::builtin(spec)?)))
}

/// Reads, parses and stores one results file. Nothing is written unless parsing succeeded (or,
/// with `quarantine`, the bad rows are set aside).
pub async fn import_csv(
    store: &Store,
    path: &Path,
    layout_spec: &str,
    quarantine: bool,
) -> Result<ImportSummary> {
    let choice = layout_choice(layout_spec)?;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = context::file_name(path);
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    let bar = context::bar(lines.saturating_sub(1), "parsing");
    let parsed = actas_import::parse_results(
        &name,
        &bytes,
        &choice,
        store.election(),
        quarantine,
        &mut |n| bar.set_position(n),
    )?;
    bar.finish_and_clear();
    let spin = context::spinner("storing");
    let summary = store
        .import(parsed.incoming, parsed.places, parsed.bad, !quarantine)
        .await?;
    spin.finish_and_clear();
    Ok(summary)
}

pub fn print_summary(file: &Path, s: &ImportSummary) {
    println!(
        "{}: {} new tables, {} duplicates (unchanged), {} conflicting versions, {} quarantined",
        file.display(),
        s.new,
        s.duplicates,
        s.conflicts,
        s.quarantined
    );
    if s.created_tables > 0 {
        println!(
            "  {} tables were not in the geography and were created from their rows",
            s.created_tables
        );
    }
    if !s.conflicting_tables.is_empty() {
        let shown: Vec<&str> = s
            .conflicting_tables
            .iter()
            .take(10)
            .map(String::as_str)
            .collect();
        println!(
            "  conflicts (both versions kept, first one counted; see `actas conflicts`): {}{}",
            shown.join(", "),
            if s.conflicting_tables.len() > 10 {
                ", ..."
            } else {
                ""
            }
        );
    }
    if s.quarantined > 0 {
        println!("  bad rows set aside: see `actas quarantine list`");
    }
}

async fn import_geo(store: &Store, dir: &Path) -> Result<ExitCode> {
    let mut contents = Vec::new();
    for name in geo::SITE_FILES {
        let path = dir.join(name);
        contents.push(std::fs::read(&path).with_context(|| {
            format!(
                "reading {} (a geography directory holds {})",
                path.display(),
                geo::SITE_FILES.join(", ")
            )
        })?);
    }
    let files: [(&str, &[u8]); 5] =
        std::array::from_fn(|i| (geo::SITE_FILES[i], contents[i].as_slice()));
    let g = geo::parse_site_geography(&files)?;
    let spin = context::spinner("storing");
    let summary = store.import_geography(g.places, g.tables).await?;
    spin.finish_and_clear();
    println!(
        "{}: {} places and {} tables loaded",
        dir.display(),
        summary.places,
        summary.tables
    );
    for s in g.skipped.iter().take(10) {
        println!("  skipped: {s}");
    }
    if g.skipped.len() > 10 {
        println!("  ... and {} more skipped", g.skipped.len() - 10);
    }
    Ok(ExitCode::SUCCESS)
}
