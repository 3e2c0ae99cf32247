//! The HTML pages over HTTP: content, language, size, accessibility basics, error messages.

use crate::common::{Resp, fixture, get, request, spanish_int};

fn es(addr: std::net::SocketAddr, path: &str) -> Resp {
    request(addr, "GET", path, &[("Accept-Language", "es-VE,es;q=0.9")])
}

/// Every page the site has, at each level.
fn all_pages(f: &crate::common::Fixture) -> Vec<String> {
    let t = f.counted_table;
    let m = f.missing_table;
    let c = f.conflict_table;
    let centre = t.centre.to_string();
    vec![
        "/".into(),
        "/?lang=en".into(),
        format!("/resultados/{}", &centre[..2]),
        format!("/resultados/{}", &centre[..4]),
        format!("/resultados/{}", &centre[..6]),
        format!("/resultados/{centre}"),
        // Libertador (Caracas): the municipality with the most parishes.
        "/resultados/0101".into(),
        "/resultados/010113".into(),
        format!("/acta/{}/{:02}", t.centre, t.mesa),
        format!("/acta/{}/{:02}", m.centre, m.mesa),
        format!("/acta/{}/{:02}", c.centre, c.mesa),
        format!("/buscar?cedula={}", f.counted_cedula),
        format!("/buscar?cedula={}", f.missing_cedula),
        "/buscar".into(),
        "/buscar?cedula=abc".into(),
        "/descargas".into(),
        "/verificar".into(),
        "/no-such-page".into(),
    ]
}

#[test]
fn every_page_is_light_accessible_and_script_free() {
    let Some(f) = fixture() else { return };
    for path in all_pages(f) {
        let r = es(f.addr, &path);
        assert!(r.status < 500, "{path}: {}", r.status);
        assert!(
            r.header("content-type").unwrap().starts_with("text/html"),
            "{path}"
        );
        let html = r.text();
        assert!(
            html.len() < 100_000,
            "{path} is {} bytes (limit 100 KB before images)",
            html.len()
        );
        assert!(!html.contains("<script"), "{path} has a script");
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(html.contains("<html lang=\""), "{path}");
        assert!(html.contains("name=\"viewport\""), "{path}");
        assert!(html.contains("<main id=\"main\">"), "{path}");
        assert!(html.contains("href=\"#main\""), "{path}: skip link");
        // Every form field has a label.
        let inputs = html.matches("<input id=\"").count();
        for id in html
            .split("<input id=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
        {
            assert!(
                html.contains(&format!("<label for=\"{id}\"")),
                "{path}: #{id} unlabelled"
            );
        }
        assert!(inputs <= 1, "{path}");
        // Data tables name their header cells' scope.
        assert_eq!(
            html.matches("<th>").count(),
            0,
            "{path}: a header cell without scope"
        );
    }
}

#[test]
fn home_shows_national_results_coverage_and_states() {
    let Some(f) = fixture() else { return };
    let html = es(f.addr, "/").text();
    assert!(html.contains("Resultado nacional"));
    assert!(
        html.contains("Actas recibidas: </strong>24.532 de 30.026 mesas (81,70 %)"),
        "{html}"
    );
    assert!(html.contains("Edmundo González Urrutia"));
    assert!(html.contains("67,"), "shares in Spanish notation");
    assert!(html.contains("href=\"/resultados/01\""));
    assert_eq!(html.matches("href=\"/resultados/").count(), 24, "24 states");
}

#[test]
fn language_from_query_or_accept_language_spanish_by_default() {
    let Some(f) = fixture() else { return };
    let plain = get(f.addr, "/").text();
    assert!(plain.contains("<html lang=\"es\""));
    assert!(plain.contains("Buscar mi mesa"));
    let en = request(f.addr, "GET", "/", &[("Accept-Language", "en-GB,en;q=0.8")]).text();
    assert!(en.contains("<html lang=\"en\"") && en.contains("Find my table"));
    assert!(en.contains("24,532 of 30,026 tables (81.70 %)"));
    let forced = request(f.addr, "GET", "/?lang=es", &[("Accept-Language", "en")]).text();
    assert!(forced.contains("<html lang=\"es\""));
    // A chosen language sticks to every link.
    let en_q = get(f.addr, "/?lang=en").text();
    assert!(en_q.contains("href=\"/resultados/01?lang=en\""), "{en_q}");
    assert!(
        en_q.contains("href=\"/?lang=es\""),
        "switch back to Spanish"
    );
    let r = get(f.addr, "/");
    assert!(r.header("vary").unwrap().contains("Accept-Language"));
}

#[test]
fn search_shows_the_place_the_table_and_its_acta() {
    let Some(f) = fixture() else { return };
    let t = f.counted_table;
    let r = es(f.addr, &format!("/buscar?cedula={}", f.counted_cedula));
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("Su mesa de votación"));
    for level in [
        "Estado",
        "Municipio",
        "Parroquia",
        "Centro de votación",
        "Mesa",
    ] {
        assert!(html.contains(&format!("<dt>{level}</dt>")), "{level}");
    }
    assert!(html.contains(&t.to_string()));
    assert!(html.contains("Contada"));
    assert!(html.contains(&format!("href=\"/acta/{}/{:02}\"", t.centre, t.mesa)));
    assert!(html.contains("name=\"robots\" content=\"noindex\""));
}

#[test]
fn search_for_a_table_without_acta_says_so_explicitly() {
    let Some(f) = fixture() else { return };
    let html = es(f.addr, &format!("/buscar?cedula={}", f.missing_cedula)).text();
    assert!(
        html.contains("Aún no se ha recibido el acta de esta mesa."),
        "{html}"
    );
    let en = request(
        f.addr,
        "GET",
        &format!("/buscar?cedula={}", f.missing_cedula),
        &[("Accept-Language", "en")],
    )
    .text();
    assert!(en.contains("No acta has been received for this table yet."));
}

#[test]
fn search_errors_explain_how_to_write_a_cedula() {
    let Some(f) = fixture() else { return };
    let bad = es(f.addr, "/buscar?cedula=12abc");
    assert_eq!(bad.status, 400);
    let html = bad.text();
    assert!(html.contains("Una cédula solo tiene números."), "{html}");
    assert!(html.contains("role=\"alert\""));
    let unknown = es(f.addr, &format!("/buscar?cedula={}", f.unregistered_cedula));
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("no está en el registro electoral"));
    let dotted = es(
        f.addr,
        &format!("/buscar?cedula=V-{}", spanish_int(f.counted_cedula)),
    );
    assert_eq!(dotted.status, 200, "V-12.345.678 is accepted");
}

#[test]
fn acta_page_has_numbers_status_hash_log_index_and_proof() {
    let Some(f) = fixture() else { return };
    let t = f.counted_table;
    let api = get(f.addr, &format!("/api/v1/actas/{}/{}", t.centre, t.mesa)).json();
    let html = es(f.addr, &format!("/acta/{}/{}", t.centre, t.mesa)).text();
    let c = &api["counted"];
    assert!(html.contains(c["sha256"].as_str().unwrap()));
    assert!(html.contains(&format!("<dd>{}</dd>", c["log_index"])));
    assert!(html.contains("Prueba de inclusión"));
    assert!(html.contains(c["inclusion_proof"]["root_hash"].as_str().unwrap()));
    assert!(html.contains("Aún no hay foto de esta acta"));
    assert!(html.contains("Votos por candidato"));
    let valid = c["record"]["result"]["valid"].as_u64().unwrap();
    assert!(
        html.contains(&format!("<dd>{}</dd>", spanish_int(valid))),
        "valid votes shown"
    );
}

#[test]
fn conflict_page_shows_every_version_side_by_side() {
    let Some(f) = fixture() else { return };
    let t = f.conflict_table;
    let html = es(f.addr, &format!("/acta/{}/{}", t.centre, t.mesa)).text();
    assert!(html.contains("Versiones distintas"));
    assert!(html.contains("Otras versiones recibidas"));
    assert!(html.contains("Comparación de versiones"));
    assert!(html.contains("más reciente que el último checkpoint firmado"));
}

#[test]
fn browsing_lists_children_with_coverage_and_centres_list_tables() {
    let Some(f) = fixture() else { return };
    let t = f.counted_table;
    let centre = t.centre.to_string();
    let parish = es(f.addr, &format!("/resultados/{}", &centre[..6])).text();
    assert!(parish.contains(&format!("href=\"/resultados/{centre}\"")));
    let page = es(f.addr, &format!("/resultados/{centre}")).text();
    assert!(page.contains("Mesas del centro"));
    assert!(page.contains(&format!("href=\"/acta/{}/{:02}\"", t.centre, t.mesa)));
    let m = f.missing_table;
    let missing_centre = es(f.addr, &format!("/resultados/{}", m.centre)).text();
    assert!(missing_centre.contains("Sin acta"));
    let bad = es(f.addr, "/resultados/12345");
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("un municipio 4 (0101)"));
    let unknown = es(f.addr, "/resultados/99");
    assert_eq!(unknown.status, 404);
    assert!(
        unknown
            .text()
            .contains("No hay ningún lugar con el código 99")
    );
}

#[test]
fn downloads_and_verification_pages_explain_and_link() {
    let Some(f) = fixture() else { return };
    let d = es(f.addr, "/descargas").text();
    for link in [
        "/api/v1/actas.csv",
        "/api/v1/actas.json",
        "/api/v1/images.json",
        "/log/checkpoint",
    ] {
        assert!(d.contains(&format!("href=\"{link}\"")), "{link}");
    }
    let csv = get(f.addr, "/api/v1/actas.csv");
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&csv.body));
    assert!(d.contains(&sha), "the page shows the file's SHA-256");
    let v = es(f.addr, "/verificar").text();
    assert!(v.contains("actas verify http://"));
    assert!(v.contains(&f.verifier_key), "the log's public key");
    assert!(v.contains("--since"));
}

#[test]
fn robots_keep_lookups_out_of_search_engines() {
    let Some(f) = fixture() else { return };
    let r = get(f.addr, "/robots.txt").text();
    assert!(r.contains("Disallow: /buscar") && r.contains("Disallow: /api/v1/voters/"));
}

#[test]
fn analysis_page_is_computed_once_and_served_in_both_languages() {
    let Some(f) = fixture() else { return };
    let es_page = es(f.addr, "/analisis");
    assert_eq!(es_page.status, 200);
    assert!(es_page.text().contains("<html lang=\"es\""));
    let started = std::time::Instant::now();
    let en_page = request(f.addr, "GET", "/analisis", &[("Accept-Language", "en")]);
    assert_eq!(en_page.status, 200);
    assert!(en_page.text().contains("<html lang=\"en\""));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "the second language comes from the cache"
    );
}
