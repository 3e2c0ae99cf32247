//! Browser tests with Debian's headless Chromium (no JavaScript needed by the site): search a
//! cédula and reach the acta, browse from home to a table, the "no acta yet" case, switching
//! language. A screenshot of each page (a phone-sized window) is kept under
//! `target/tmp/web-screenshots/`.

use std::path::PathBuf;
use std::sync::Mutex;

use actas_testkit::chromium;

use crate::common::{Fixture, fixture, get, spanish_int};

/// Chromium uses a lot of both cores: one instance at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn run_chromium(args: &[String], lang: &str) -> Vec<u8> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let profile = tempfile::tempdir().unwrap();
    chromium::run(
        chromium::headless(90, profile.path())
            .arg(format!("--accept-lang={lang}"))
            .args(args),
    )
}

/// The DOM after the page loaded, as the browser built it.
fn dom(f: &Fixture, path: &str, lang: &str) -> String {
    let url = format!("http://{}{path}", f.addr);
    String::from_utf8(run_chromium(&["--dump-dom".into(), url], lang)).unwrap()
}

fn screenshots_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A phone-sized screenshot of the whole page (height from the page's length), kept as an
/// artefact.
fn screenshot(f: &Fixture, path: &str, lang: &str, name: &str) -> PathBuf {
    let file = screenshots_dir().join(format!("{name}.png"));
    let _ = std::fs::remove_file(&file);
    let len = get(f.addr, path).body.len();
    let height = (900 + len / 6).min(6000);
    run_chromium(
        &[
            format!("--window-size=412,{height}"),
            format!("--screenshot={}", file.display()),
            format!("http://{}{path}", f.addr),
        ],
        lang,
    );
    let png = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
    assert!(png.len() > 10_000, "{name}: suspiciously small screenshot");
    file
}

/// The first link in `dom` whose target starts with `prefix`.
fn link(dom: &str, prefix: &str) -> Option<String> {
    let needle = format!("href=\"{prefix}");
    let start = dom.find(&needle)? + "href=\"".len();
    let end = start + dom[start..].find('"')?;
    Some(dom[start..end].replace("&amp;", "&"))
}

#[test]
fn browser_search_by_cedula_reaches_the_acta_and_its_numbers() {
    let Some(f) = fixture() else { return };
    if !chromium::available() {
        return;
    }
    let home = dom(f, "/", "es-VE,es");
    assert!(
        home.contains("action=\"/buscar\""),
        "the search form is on the home page"
    );
    assert!(home.contains("name=\"cedula\""));
    screenshot(f, "/", "es-VE,es", "home-es");
    // What the form submits (a plain GET, no script involved).
    let search_path = format!("/buscar?cedula={}", f.counted_cedula);
    let found = dom(f, &search_path, "es-VE,es");
    assert!(found.contains("Su mesa de votación"));
    assert!(found.contains(&f.counted_table.to_string()));
    screenshot(f, &search_path, "es-VE,es", "search-found");
    let acta_path = link(&found, "/acta/").expect("a link to the acta");
    let acta = dom(f, &acta_path, "es-VE,es");
    let api = get(
        f.addr,
        &format!("/api/v1{}", acta_path.replacen("/acta/", "/actas/", 1)),
    )
    .json();
    let result = &api["counted"]["record"]["result"];
    assert!(acta.contains("Votos por candidato"));
    assert!(
        acta.contains("Aún no hay foto de esta acta"),
        "the photo placeholder"
    );
    let votes = result["votes"].as_array().unwrap();
    for (name, n) in f.election.candidates.iter().zip(votes) {
        assert!(acta.contains(&name.name), "{}", name.name);
        let n = n.as_u64().unwrap();
        assert!(
            acta.contains(&format!("<td class=\"n\">{}</td>", spanish_int(n))),
            "{} votes {n}",
            name.name
        );
    }
    assert!(acta.contains(api["counted"]["sha256"].as_str().unwrap()));
    screenshot(f, &acta_path, "es-VE,es", "acta-counted");
}

#[test]
fn browser_browse_from_home_to_a_table() {
    let Some(f) = fixture() else { return };
    if !chromium::available() {
        return;
    }
    let code = f.counted_table.centre.to_string();
    let mut page = dom(f, "/", "es");
    for (len, name) in [
        (2, "state"),
        (4, "municipality"),
        (6, "parish"),
        (9, "centre"),
    ] {
        let href = link(&page, &format!("/resultados/{}", &code[..len]))
            .unwrap_or_else(|| panic!("no link to {name} {}", &code[..len]));
        page = dom(f, &href, "es");
        assert!(
            page.contains("Actas recibidas"),
            "{href}: results with coverage"
        );
        screenshot(f, &href, "es", &format!("browse-{name}"));
    }
    let acta = link(
        &page,
        &format!(
            "/acta/{}/{:02}",
            f.counted_table.centre, f.counted_table.mesa
        ),
    )
    .expect("the centre lists the table");
    let page = dom(f, &acta, "es");
    assert!(page.contains("Esta acta se cuenta en los resultados."));
    assert!(page.contains("Índice en el log"));
}

#[test]
fn browser_table_without_acta_says_no_acta_yet() {
    let Some(f) = fixture() else { return };
    if !chromium::available() {
        return;
    }
    let path = format!("/buscar?cedula={}", f.missing_cedula);
    let page = dom(f, &path, "es");
    assert!(page.contains("Aún no se ha recibido el acta de esta mesa."));
    screenshot(f, &path, "es", "search-no-acta");
    let acta = link(&page, "/acta/").unwrap();
    let page = dom(f, &acta, "es");
    assert!(page.contains("Sin acta"));
    assert!(page.contains("Aún no se ha recibido el acta de esta mesa."));
    screenshot(f, &acta, "es", "acta-missing");
    let t = f.conflict_table;
    let conflict = format!("/acta/{}/{:02}", t.centre, t.mesa);
    assert!(dom(f, &conflict, "es").contains("Versiones distintas"));
    screenshot(f, &conflict, "es", "acta-conflict");
}

#[test]
fn browser_switches_language_and_keeps_it() {
    let Some(f) = fixture() else { return };
    if !chromium::available() {
        return;
    }
    let es = dom(f, "/", "es");
    assert!(es.contains("<html lang=\"es\""));
    let switch = link(&es, "/?lang=en").expect("a link to the English page");
    let en = dom(f, &switch, "es");
    assert!(
        en.contains("<html lang=\"en\""),
        "the choice beats the browser's language"
    );
    assert!(en.contains("Find my table") && en.contains("National result"));
    screenshot(f, &switch, "es", "home-en");
    let state = link(&en, "/resultados/").unwrap();
    assert!(state.ends_with("?lang=en"), "{state}");
    let page = dom(f, &state, "es");
    assert!(page.contains("Actas received"));
    // And from the browser's own language, without any choice made.
    assert!(dom(f, "/verificar", "en-US,en").contains("How to verify"));
    screenshot(f, "/verificar", "en-US,en", "verify-en");
    screenshot(f, "/descargas", "es", "downloads-es");
    screenshot(f, "/buscar?cedula=12ab", "es", "search-invalid");
}
