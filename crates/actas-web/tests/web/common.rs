//! Shared test support: a real store loaded with the V1 results and the real geography, a
//! generated registry, one server on 127.0.0.1 for every test of the binary, and a minimal
//! HTTP/1.1 client (so the tests depend on no HTTP client stack).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use actas_core::{Election, Source, TableId, TableResult, ve2024};
use actas_registry::Registry;
use actas_store::{DataDir, Incoming, Store, Target};
use actas_testkit::shared;
use actas_web::Config;

/// Whether the V1 results and the real geography are in ../shared
/// ([`actas_testkit::shared`]); under CI their absence is a failure.
pub fn shared_available() -> bool {
    shared::all_present(&[shared::v1_csv(), shared::ve2024("geo/mesa.csv")])
}

pub struct Fixture {
    pub addr: SocketAddr,
    pub dir: PathBuf,
    pub election: Election,
    pub verifier_key: String,
    /// A voter whose table has one counted acta.
    pub counted_cedula: u64,
    pub counted_table: TableId,
    /// A voter whose table has no acta.
    pub missing_cedula: u64,
    pub missing_table: TableId,
    /// Not in the registry.
    pub unregistered_cedula: u64,
    /// A table with two different versions (the second not yet in a signed checkpoint).
    pub conflict_table: TableId,
    pub records: u64,
    pub checkpoint_size: u64,
}

static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();

/// The shared fixture, built once per test binary; `None` (skip) without the shared data.
pub fn fixture() -> Option<&'static Fixture> {
    FIXTURE
        .get_or_init(|| {
            if !shared_available() {
                return None;
            }
            Some(build())
        })
        .as_ref()
}

/// A runtime kept for the life of the test process, serving every server the tests start.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

pub async fn load_v1(store: &Store) {
    let mut contents = Vec::new();
    for name in actas_import::geo::SITE_FILES {
        contents.push(std::fs::read(shared::ve2024("geo").join(name)).unwrap());
    }
    let files: [(&str, &[u8]); 5] =
        std::array::from_fn(|i| (actas_import::geo::SITE_FILES[i], contents[i].as_slice()));
    let g = actas_import::geo::parse_site_geography(&files).unwrap();
    store.import_geography(g.places, g.tables).await.unwrap();

    let bytes = std::fs::read(shared::v1_csv()).unwrap();
    let parsed = actas_import::parse_results(
        "resultados_2024_v1.csv",
        &bytes,
        &actas_import::csv_results::LayoutChoice::Auto,
        store.election(),
        false,
        &mut |_| {},
    )
    .unwrap();
    store
        .import(parsed.incoming, parsed.places, vec![], true)
        .await
        .unwrap();
}

/// Appends a second, different version of `table` (a conflict).
pub async fn add_conflict(store: &Store, table: TableId) {
    let current = store.current_results().await.unwrap();
    let mut r = current
        .into_iter()
        .map(|c| c.result)
        .find(|r| r.table == table)
        .unwrap();
    r.votes[0] += 7;
    r.valid += 7;
    r.cards = None;
    import_manual(store, r).await;
}

/// Imports one result as a manual entry (no file, no line).
pub async fn import_manual(store: &Store, result: TableResult) {
    let source = Source {
        kind: "manual".into(),
        file: None,
        line: None,
        sha256: None,
        by: None,
    };
    let incoming = Incoming::checked(store.election(), result, source);
    store
        .import(vec![incoming], vec![], vec![], true)
        .await
        .unwrap();
}

/// Where test data directories go: under the target directory, kept while the servers of
/// this process use them, and removed by a later run once an hour old.
fn data_dir(prefix: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-data");
    std::fs::create_dir_all(&root).unwrap();
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(3600));
            if old {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(&root)
        .unwrap()
        .keep()
}

fn build() -> Fixture {
    let dir = data_dir("fixture");
    let election = ve2024::election();
    // The log key in the data directory, as `actas init` leaves it; the server reads it.
    let (signer, _) = DataDir::at(&dir)
        .unwrap()
        .ensure_signer("test.actas.local/ve2024", true)
        .unwrap();
    let vkey = signer.verifier_key().to_string();
    let rt = runtime();
    let (counted_table, missing_table, conflict_table, records, checkpoint_size) =
        rt.block_on(async {
            let target = Target::Sqlite(dir.join("actas.db"));
            let mut store = Store::init(&target, &election).await.unwrap();
            load_v1(&store).await;
            store.set_log_signer(signer.clone());
            let cp = store.checkpoint().await.unwrap();
            let current = store.current_results().await.unwrap();
            // The conflicting version is appended after the checkpoint: its proof is pending.
            let store = Store::open(&target).await.unwrap();
            let conflict = current[100].result.table;
            add_conflict(&store, conflict).await;
            let (tables, _) = actas_web::registered_tables(&store).await.unwrap();
            let reg = actas_registry::generate_registry(&tables, 60_000, 7).unwrap();
            reg.write_atomic(&dir.join("registry.idx")).unwrap();
            let counted: std::collections::HashSet<TableId> =
                current.iter().map(|c| c.result.table).collect();
            let counted_table = reg
                .iter()
                .map(|(_, t)| t)
                .find(|t| counted.contains(t) && *t != conflict)
                .unwrap();
            let missing_table = reg
                .iter()
                .map(|(_, t)| t)
                .find(|t| !counted.contains(t))
                .expect("some registry table has no acta in V1");
            let records = store.record_count().await.unwrap();
            store.close().await;
            (counted_table, missing_table, conflict, records, cp.size)
        });
    let reg = Registry::load(&dir.join("registry.idx")).unwrap();
    let cedula_of = |t: TableId| reg.iter().find(|(_, x)| *x == t).unwrap().0;
    let unregistered_cedula = (1..).find(|c| reg.lookup(*c).is_none()).unwrap();
    let addr = start_server(&dir, |_| {});
    Fixture {
        addr,
        counted_cedula: cedula_of(counted_table),
        missing_cedula: cedula_of(missing_table),
        dir,
        election,
        verifier_key: vkey,
        counted_table,
        missing_table,
        unregistered_cedula,
        conflict_table,
        records,
        checkpoint_size,
    }
}

/// Starts a server on a free port of 127.0.0.1 over the data directory `dir`.
pub fn start_server(dir: &Path, tweak: impl FnOnce(&mut Config)) -> SocketAddr {
    let mut config = Config::for_data(DataDir::at(dir).unwrap(), Some(dir.join("registry.idx")));
    config.addr = "127.0.0.1:0".parse().unwrap();
    // Tests send many requests from one address; the limiter has its own test.
    config.rate_limit.per_second = 0;
    tweak(&mut config);
    let running = runtime().block_on(actas_web::start(config)).unwrap();
    let addr = running.addr;
    // Kept running until the test process exits.
    std::mem::forget(running);
    addr
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One GET over a fresh connection.
pub fn get(addr: SocketAddr, path: &str) -> Resp {
    request(addr, "GET", path, &[])
}

pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], head: bool) -> Resp {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("complete response head");
    let head_text = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head_text.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked && !head {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = std::str::from_utf8(&data[..eol]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        data = &data[eol + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Copies the fixture's data directory (store and registry) for a test that changes it.
pub fn copy_data(from: &Path) -> PathBuf {
    let to = data_dir("copy");
    for name in ["actas.db", "actas.db-wal", "registry.idx", "log.key"] {
        if from.join(name).exists() {
            std::fs::copy(from.join(name), to.join(name)).unwrap();
        }
    }
    to
}

/// A number as the Spanish pages write it (1.234.567).
pub fn spanish_int(n: u64) -> String {
    actas_present::int(actas_present::Lang::Es, n)
}
