//! The JSON API, the log under /log/, caching, limits and robustness.

use std::io::Read;
use std::time::{Duration, Instant};

use actas_core::{Level, Record};
use actas_ledger::{LogSource, LogVerifier, hash_from_base64, leaf_hash, verify_inclusion};
use actas_store::{Store, Target};

use crate::common::{self, fixture, get, request};

#[test]
fn voter_lookup_returns_the_table_and_its_acta() {
    let Some(f) = fixture() else { return };
    let r = get(f.addr, &format!("/api/v1/voters/{}", f.counted_cedula));
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["table"], f.counted_table.to_string());
    assert_eq!(v["centre"], f.counted_table.centre.to_string());
    assert_eq!(v["mesa"], f.counted_table.mesa);
    assert!(v["place"]["state"]["name"].is_string(), "{v}");
    assert!(v["place"]["centre"]["name"].is_string(), "{v}");
    let acta = &v["acta"];
    assert_eq!(acta["status"], "counted");
    let votes: u64 = acta["votes"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(votes, acta["valid"].as_u64().unwrap());
    assert_eq!(
        acta["url"],
        format!(
            "/api/v1/actas/{}/{:02}",
            f.counted_table.centre, f.counted_table.mesa
        )
    );
    // Nothing about the person beyond the table: exactly these keys.
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["acta", "cedula", "centre", "mesa", "place", "table"]);
    // Written as people write it.
    let r2 = get(f.addr, &format!("/api/v1/voters/V-{}", f.counted_cedula));
    assert_eq!(r2.json()["table"], v["table"]);
}

#[test]
fn voter_whose_table_has_no_acta_gets_null() {
    let Some(f) = fixture() else { return };
    let r = get(f.addr, &format!("/api/v1/voters/{}", f.missing_cedula));
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["table"], f.missing_table.to_string());
    assert!(v["acta"].is_null(), "{v}");
}

#[test]
fn voter_errors_are_json_that_say_what_to_do() {
    let Some(f) = fixture() else { return };
    let bad = get(f.addr, "/api/v1/voters/12a45");
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("12345678"));
    let missing = get(f.addr, &format!("/api/v1/voters/{}", f.unregistered_cedula));
    assert_eq!(missing.status, 404);
    assert!(
        missing.json()["error"]
            .as_str()
            .unwrap()
            .contains("not in the loaded voter registry")
    );
    let es = request(
        f.addr,
        "GET",
        "/api/v1/voters/abc",
        &[("Accept-Language", "es-VE,es;q=0.9")],
    );
    assert!(
        es.json()["error"]
            .as_str()
            .unwrap()
            .contains("solo tiene números")
    );
}

#[test]
fn results_are_exactly_the_stores_results_json() {
    let Some(f) = fixture() else { return };
    let store = common::runtime()
        .block_on(Store::open(&Target::Sqlite(f.dir.join("actas.db"))))
        .unwrap();
    for (level, code) in [
        (Level::National, ""),
        (Level::State, ""),
        (Level::Municipality, "01"),
        (Level::Parish, "0101"),
        (Level::Centre, "010113"),
        (Level::State, "13"),
    ] {
        let want = common::runtime()
            .block_on(store.results(level, (!code.is_empty()).then_some(code)))
            .unwrap()
            .to_json()
            + "\n";
        let path = if code.is_empty() {
            format!("/api/v1/results?level={}", level.as_str())
        } else {
            format!("/api/v1/results?level={}&code={code}", level.as_str())
        };
        let r = get(f.addr, &path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.text(), want, "{path}");
    }
    let national = get(f.addr, "/api/v1/results").json();
    assert_eq!(national["level"], "national");
    assert_eq!(national["rows"][0]["tables"]["counted"], 24_532);
}

#[test]
fn results_reject_bad_levels_and_codes_with_advice() {
    let Some(f) = fixture() else { return };
    for (path, status, hint) in [
        ("/api/v1/results?level=country", 400, "expected national"),
        ("/api/v1/results?level=state&code=1x", 400, "2 (state)"),
        (
            "/api/v1/results?level=state&code=0101",
            400,
            "level=municipality",
        ),
        (
            "/api/v1/results?level=state&code=99",
            404,
            "no place has code 99",
        ),
    ] {
        let r = get(f.addr, path);
        assert_eq!(r.status, status, "{path}");
        let e = r.json()["error"].as_str().unwrap().to_string();
        assert!(e.contains(hint), "{path}: {e}");
    }
}

#[test]
fn acta_has_record_hash_log_index_and_a_proof_that_verifies() {
    let Some(f) = fixture() else { return };
    let t = f.counted_table;
    let r = get(f.addr, &format!("/api/v1/actas/{}/{}", t.centre, t.mesa));
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "counted");
    assert!(v["image"].is_null());
    let c = &v["counted"];
    let entry = c["entry"].as_str().unwrap();
    let record = Record::from_bytes(entry.as_bytes()).unwrap();
    assert_eq!(c["sha256"], record.hash_hex());
    let p = &c["inclusion_proof"];
    let index = c["log_index"].as_u64().unwrap();
    assert_eq!(p["log_index"], index);
    assert_eq!(p["tree_size"], f.checkpoint_size);
    let hashes: Vec<_> = p["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hash_from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    let root = hash_from_base64(p["root_hash"].as_str().unwrap()).unwrap();
    let leaf = leaf_hash(entry.as_bytes());
    assert_eq!(
        hash_from_base64(p["leaf_hash"].as_str().unwrap()).unwrap(),
        leaf
    );
    verify_inclusion(&leaf, index, f.checkpoint_size, &root, &hashes).unwrap();
    // The root is the one the checkpoint signs, under the log's key.
    let cp = actas_ledger::open_checkpoint(
        p["checkpoint"].as_str().unwrap().as_bytes(),
        &LogVerifier::new(&f.verifier_key).unwrap(),
    )
    .unwrap();
    assert_eq!((cp.size, cp.root), (f.checkpoint_size, root));
    // Padded and unpadded table numbers are the same acta.
    let padded = get(f.addr, &format!("/api/v1/actas/{}/{:02}", t.centre, t.mesa));
    assert_eq!(padded.body, r.body);
}

#[test]
fn conflicting_versions_are_all_listed_and_the_first_counts() {
    let Some(f) = fixture() else { return };
    let t = f.conflict_table;
    let v = get(f.addr, &format!("/api/v1/actas/{}/{}", t.centre, t.mesa)).json();
    assert_eq!(v["status"], "conflict");
    let versions = v["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["counted"], true);
    assert_eq!(versions[1]["counted"], false);
    assert_eq!(v["counted"]["log_index"], versions[0]["log_index"]);
    // The newer version is past the signed checkpoint: no proof yet, and it says so.
    assert!(versions[1]["inclusion_proof"].is_null());
    assert!(
        versions[1]["proof_unavailable"]
            .as_str()
            .unwrap()
            .contains("newer than the latest signed checkpoint")
    );
    assert!(versions[0]["inclusion_proof"].is_object());
}

#[test]
fn missing_and_unknown_tables_are_told_apart() {
    let Some(f) = fixture() else { return };
    let t = f.missing_table;
    let v = get(f.addr, &format!("/api/v1/actas/{}/{}", t.centre, t.mesa)).json();
    assert_eq!(v["status"], "missing");
    assert!(v["counted"].is_null() && v["versions"].as_array().unwrap().is_empty());
    let unknown = get(f.addr, &format!("/api/v1/actas/{}/99", t.centre));
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.json()["error"]
            .as_str()
            .unwrap()
            .contains("unknown")
    );
    let bad = get(f.addr, "/api/v1/actas/0101x/1");
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("9 digits"));
}

#[test]
fn images_answer_404_json_until_photos_are_stored() {
    let Some(f) = fixture() else { return };
    let t = f.counted_table;
    let r = get(
        f.addr,
        &format!("/api/v1/actas/{}/{}/image", t.centre, t.mesa),
    );
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].as_str().unwrap().contains("no photo"));
    let m = get(f.addr, "/api/v1/images.json").json();
    assert_eq!(m["images"].as_array().unwrap().len(), 0);
}

#[test]
fn bulk_downloads_hold_every_record_byte_for_byte() {
    let Some(f) = fixture() else { return };
    let csv = get(f.addr, "/api/v1/actas.csv");
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("actas.csv")
    );
    let text = csv.text();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("table,centre,parish,municipality,mesa,state_name,"),
        "{header}"
    );
    assert!(
        header.contains(",NM,LM,JABE,JOBR,AE,CF,DC,EG,EM,BERA,card_01_PSUV,"),
        "{header}"
    );
    assert!(header.ends_with(",card_38_CONDE"), "{header}");
    let rows: Vec<&str> = lines.collect();
    // Every result record: V1 plus the conflicting version.
    assert_eq!(rows.len() as u64, f.records - 1);
    let json = get(f.addr, "/api/v1/actas.json").json();
    let actas = json["actas"].as_array().unwrap();
    assert_eq!(actas.len(), rows.len());
    assert_eq!(json["records"], f.records);
    for a in actas.iter().step_by(997) {
        let bytes = serde_json::to_vec(&a["record"]).unwrap();
        let rec = Record::from_bytes(&bytes).unwrap();
        assert_eq!(a["sha256"], rec.hash_hex());
        assert_eq!(a["record_sha256"], rec.hash_hex());
    }
    let conflicted: Vec<_> = actas
        .iter()
        .filter(|a| a["table"] == f.conflict_table.to_string())
        .collect();
    assert_eq!(conflicted.len(), 2);
}

#[test]
fn etag_revalidation_and_cache_headers() {
    let Some(f) = fixture() else { return };
    for path in [
        "/",
        "/api/v1/results?level=state",
        "/api/v1/openapi.json",
        "/resultados/01",
    ] {
        let r = get(f.addr, path);
        assert_eq!(r.status, 200, "{path}");
        let etag = r
            .header("etag")
            .unwrap_or_else(|| panic!("{path}: no ETag"));
        assert!(
            r.header("cache-control").unwrap().contains("max-age"),
            "{path}"
        );
        let again = request(f.addr, "GET", path, &[("If-None-Match", etag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
    }
    let tile = get(f.addr, "/log/tile/0/000");
    assert!(tile.header("cache-control").unwrap().contains("immutable"));
    let cp = get(f.addr, "/log/checkpoint");
    assert_eq!(cp.header("cache-control"), Some("no-cache"));
    let bad = get(f.addr, "/api/v1/voters/abc");
    assert_eq!(bad.header("cache-control"), Some("no-store"));
}

#[test]
fn pages_and_downloads_are_gzipped_when_asked() {
    let Some(f) = fixture() else { return };
    for path in ["/", "/api/v1/actas.csv", "/resultados/0101"] {
        let plain = get(f.addr, path);
        let z = request(f.addr, "GET", path, &[("Accept-Encoding", "gzip")]);
        assert_eq!(z.header("content-encoding"), Some("gzip"), "{path}");
        assert!(z.body.len() * 3 < plain.body.len(), "{path}");
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&z.body[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, plain.body, "{path}");
    }
}

/// The log as a mirror would fetch it, through this server.
struct Http(std::net::SocketAddr);

impl LogSource for Http {
    fn get(&self, path: &str) -> std::io::Result<Option<Vec<u8>>> {
        let r = get(self.0, &format!("/log/{path}"));
        Ok((r.status == 200).then_some(r.body))
    }
}

#[test]
fn log_is_served_in_c2sp_layout_and_verifies() {
    let Some(f) = fixture() else { return };
    let verified = actas_ledger::verify_published(
        &Http(f.addr),
        &LogVerifier::new(&f.verifier_key).unwrap(),
        None,
    )
    .unwrap();
    assert_eq!(verified.checkpoint.size, f.checkpoint_size);
    assert_eq!(verified.entries.len() as u64, f.checkpoint_size);
    let beyond = get(f.addr, "/log/tile/entries/999");
    assert_eq!(beyond.status, 404);
    assert!(beyond.json()["error"].as_str().unwrap().contains("beyond"));
    let junk = get(f.addr, "/log/tile/0/1");
    assert_eq!(junk.status, 404);
}

#[test]
fn healthz_reports_the_data_version() {
    let Some(f) = fixture() else { return };
    let h = get(f.addr, "/healthz").json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["records"], f.records);
    assert_eq!(h["checkpoint"], f.checkpoint_size);
    assert_eq!(h["registry_voters"], 60_000);
}

#[test]
fn bad_input_never_gets_a_server_error() {
    let Some(f) = fixture() else { return };
    for path in [
        "/acta/abc/1",
        "/acta/010113042/100",
        "/acta/010113042/0",
        "/acta/0123456789/1",
        "/acta/010113042/1/extra",
        "/resultados/abc",
        "/resultados/1",
        "/resultados/0123456789",
        "/resultados/",
        "/buscar?cedula=%00",
        "/buscar?cedula=%FF%FE",
        "/buscar?cedula=99999999999999999999999999",
        "/buscar?cedula=-1",
        "/buscar?cedula=1&cedula=2",
        "/buscar?lang=xx&cedula=12",
        "/api/v1/voters/%FF",
        "/api/v1/voters/%20",
        "/api/v1/voters/1e9",
        "/api/v1/results?level=",
        "/api/v1/results?code=%00",
        "/api/v1/actas/x/y",
        "/api/v1/actas/x/y/image",
        "/api/v1/actas/010113042/1/image/z",
        "/log/tile/../../etc/passwd",
        "/log/tile/0/x001/000",
        "/log/tile/9/000",
        "/log/tile/entries/000.p/0",
        "/log/tile/entries/000.p/999",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/v1/results?level=state&code=0101010101010",
    ] {
        let r = get(f.addr, path);
        assert!(
            (400..500).contains(&r.status) || r.status == 200 || r.status == 308,
            "{path}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
        if path.starts_with("/api/") && r.status >= 400 {
            assert!(r.json()["error"].is_string(), "{path}");
        }
    }
    let post = request(
        f.addr,
        "POST",
        "/api/v1/voters/1",
        &[("Content-Length", "0")],
    );
    assert_eq!(post.status, 405);
}

#[test]
fn rate_limit_answers_429_with_retry_after() {
    let Some(f) = fixture() else { return };
    let addr = common::start_server(&f.dir, |c| {
        c.rate_limit.per_second = 1;
        c.rate_limit.burst = 3;
    });
    let statuses: Vec<u16> = (0..5)
        .map(|_| get(addr, "/api/v1/results").status)
        .collect();
    assert_eq!(&statuses[..3], &[200, 200, 200], "{statuses:?}");
    let limited = get(addr, "/api/v1/results");
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
    assert!(
        limited.json()["error"]
            .as_str()
            .unwrap()
            .contains("Too many")
    );
    let page = request(addr, "GET", "/", &[("Accept-Language", "es")]);
    assert_eq!(page.status, 429);
    assert!(page.text().contains("Demasiadas solicitudes"));
    // Health checks are never limited.
    assert_eq!(get(addr, "/healthz").status, 200);
}

#[test]
fn new_records_are_served_after_the_next_refresh() {
    let Some(f) = fixture() else { return };
    let dir = common::copy_data(&f.dir);
    let addr = common::start_server(&dir, |c| c.refresh = Duration::from_millis(100));
    let before = get(addr, "/").text();
    let t = f.missing_table;
    let missing = get(addr, &format!("/api/v1/actas/{}/{}", t.centre, t.mesa)).json();
    assert_eq!(missing["status"], "missing");
    common::runtime().block_on(async {
        let store = Store::open(&Target::Sqlite(dir.join("actas.db")))
            .await
            .unwrap();
        let mut r = store.current_results().await.unwrap()[0].result.clone();
        r.table = t;
        common::import_manual(&store, r).await;
        store.close().await;
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = get(addr, "/healthz").json();
        if h["records"] == f.records + 1 {
            break;
        }
        assert!(Instant::now() < deadline, "not refreshed: {h}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let now = get(addr, &format!("/api/v1/actas/{}/{}", t.centre, t.mesa)).json();
    assert_eq!(now["status"], "counted");
    let voter = get(addr, &format!("/api/v1/voters/{}", f.missing_cedula)).json();
    assert_eq!(
        voter["acta"]["status"], "counted",
        "look-ups see the new acta too"
    );
    assert_ne!(
        get(addr, "/").text(),
        before,
        "the cached home page was rebuilt"
    );
}

#[test]
fn a_server_without_registry_says_so() {
    let Some(f) = fixture() else { return };
    let addr = common::start_server(&f.dir, |c| c.registry = None);
    let r = get(addr, "/api/v1/voters/12345678");
    assert_eq!(r.status, 503);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("no voter registry")
    );
    let page = request(
        addr,
        "GET",
        "/buscar?cedula=12345678",
        &[("Accept-Language", "en")],
    );
    assert_eq!(page.status, 503);
    assert!(page.text().contains("browse the results by place"));
}

#[test]
fn graceful_shutdown_finishes_and_frees_the_port() {
    let Some(f) = fixture() else { return };
    let rt = common::runtime();
    let mut config = actas_web::Config::for_data(actas_store::DataDir::at(&f.dir).unwrap(), None);
    config.addr = "127.0.0.1:0".parse().unwrap();
    let running = rt.block_on(actas_web::start(config)).unwrap();
    let addr = running.addr;
    assert!(
        running.startup < Duration::from_secs(5),
        "{:?}",
        running.startup
    );
    assert_eq!(get(addr, "/healthz").status, 200);
    rt.block_on(running.stop(Duration::from_secs(5))).unwrap();
    assert!(std::net::TcpStream::connect(addr).is_err());
}

/// A photo that `actas ingest` stored is listed on its acta (page and API) and served byte for
/// byte, from the snapshot the server keeps, in a copy of the fixture's store.
#[test]
fn a_stored_photo_is_shown_and_served_byte_for_byte() {
    let Some(f) = fixture() else { return };
    let Some(actas) = actas_testkit::shared::present(actas_testkit::shared::ve2024("actas")) else {
        return;
    };
    // A real acta of the fixture's counted table is not among the shared photos; any readable
    // one will do: its payload names its own table.
    let expected = std::fs::read_to_string(actas.join("expected.tsv")).unwrap();
    let row: Vec<&str> = expected
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|c| c[2] == "readable" && !c[3].is_empty())
        .expect("a readable acta with its payload in expected.tsv");
    let (file, payload) = (row[0], row[3]);
    let bytes = std::fs::read(actas.join(file)).unwrap();
    let table: actas_core::TableId = actas_core::payload::parse(payload, &f.election)
        .unwrap()
        .acta_id
        .table;

    let dir = common::copy_data(&f.dir);
    let sha = actas_store::blobs::sha256_hex(&bytes);
    common::runtime().block_on(async {
        // As `actas ingest` does: through the intake, which scans the photo and stores its
        // original before recording it.
        let store = Store::open(&Target::Sqlite(dir.join("actas.db")))
            .await
            .unwrap()
            .with_blobs(actas_store::blobs::open_blobs(&dir));
        let store = std::sync::Arc::new(store);
        let intake = actas_intake::Intake::open(store.clone(), Default::default())
            .await
            .unwrap();
        let origin = actas_intake::Origin::File {
            name: file.to_string(),
        };
        let read = intake.read(bytes.clone(), &origin);
        let outcomes = intake.record(vec![read]).await.unwrap();
        assert!(
            matches!(outcomes[0], Ok(actas_store::PhotoOutcome::Stored { .. })),
            "{outcomes:?}"
        );
    });
    let addr = common::start_server(&dir, |_| {});

    let image = get(
        addr,
        &format!("/api/v1/actas/{}/{}/image", table.centre, table.mesa),
    );
    assert_eq!(image.status, 200);
    assert_eq!(image.header("content-type"), Some("image/jpeg"));
    assert!(
        image.body == bytes,
        "the served photo is the stored original"
    );
    let acta = get(
        addr,
        &format!("/api/v1/actas/{}/{}", table.centre, table.mesa),
    )
    .json();
    assert_eq!(acta["image"]["sha256"], sha.as_str(), "{acta}");
    let page = get(addr, &format!("/acta/{}/{:02}", table.centre, table.mesa)).text();
    assert!(
        page.contains(&sha),
        "the acta page names its photo's SHA-256"
    );
    let manifest = get(addr, "/api/v1/images.json").json();
    assert_eq!(
        manifest["images"].as_array().unwrap().len(),
        1,
        "{manifest}"
    );
}
