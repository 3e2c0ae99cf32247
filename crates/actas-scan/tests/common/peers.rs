//! actas-scan side by side with the peer QR readers (zbar, zxing-cpp, OpenCV's WeChat detector)
//! on ZXing's blackbox sets and on other QR projects' test images, same images, same run.
//! Shared by the test `qr_peers.rs` and the example `qr_peers.rs` (which include this file and
//! `zxing.rs` by path), so the benchmark and the test judge reads the same way.
//!
//! Ground truth: an image's `N.txt` (or `N.1.txt`, `N.2.txt`... when it holds several codes, any
//! of which is a correct read), with two documented corrections of ZXing's texts ([`CORRECTIONS`]).
//! Where a set gives no text, the truth is every text that at least two of the four readers read
//! ([`Truth::Agreed`]): a read nobody else confirms is neither correct nor wrong ("unconfirmed").
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::zxing::normalise;

/// The readers, in the order of every table.
pub const READERS: [&str; 4] = ["actas-scan", "zbar", "zxing-cpp", "wechat"];

/// Corrections of ZXing's expected texts, each with its reason: (set/file, extra accepted text).
pub const CORRECTIONS: &[(&str, &str, &str)] = &[
    (
        "qrcode-2/13.png",
        "The 2005 USGS aerial photography of the Washington Monument is censored.",
        "the .txt says \"photograph\"; the code holds \"photography\", as its twin 12.png and \
         12.txt do (a length change cannot come from error correction)",
    ),
    (
        "qrcode-2/16.png",
        "[内側QRコード]\n\n*ダブルQR*\nhttp://d-qr.net/ex/",
        "a QR code inside another: the .txt names the outer one; zbar and zxing-cpp read both",
    ),
];

/// What an image holds.
#[derive(Debug, Clone)]
pub enum Truth {
    /// The texts its set gives (reading any one is correct).
    Known(Vec<String>),
    /// No text given: decided by agreement of the readers, see [`judge`].
    Agreed,
}

/// One image of one set.
#[derive(Debug, Clone)]
pub struct Image {
    pub set: String,
    pub path: PathBuf,
    pub truth: Truth,
}

/// Where the other projects' images are: `ACTAS_QR_TEST_IMAGES`, or
/// `target/test-data/qr-test-images` (where `bench/fetch-qr-test-images.sh` puts them).
pub fn images_dir() -> PathBuf {
    std::env::var_os("ACTAS_QR_TEST_IMAGES").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../target/test-data/qr-test-images"
            ))
        },
        PathBuf::from,
    )
}

/// The Python that runs `bench/qr_peers.py`: that of the virtual environment
/// `bench/setup-qr-peers.sh` makes (run by `.ci/run` and `bench/qr-peers.sh`), in
/// `ACTAS_QR_PEERS_VENV` or `target/test-data/peers-venv`.
pub fn peers_python() -> PathBuf {
    std::env::var_os("ACTAS_QR_PEERS_VENV")
        .map_or_else(
            || {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../target/test-data/peers-venv"
                ))
            },
            PathBuf::from,
        )
        .join("bin/python")
}

fn peers_script() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../bench/qr_peers.py"
    ))
}

/// Why the side-by-side run cannot happen here, if it cannot.
pub fn missing(zxing_dir: &Path, images_dir: &Path) -> Option<String> {
    if !zxing_dir.join("qrcode-1").is_dir() {
        return Some(format!(
            "ZXing blackbox images not found at {} (run bench/fetch-zxing-blackbox.sh)",
            zxing_dir.display()
        ));
    }
    if !images_dir.join(".complete").is_file() {
        return Some(format!(
            "QR test images not found at {} (run bench/fetch-qr-test-images.sh)",
            images_dir.display()
        ));
    }
    if Command::new("zbarimg").arg("--version").output().is_err() {
        return Some("zbarimg not installed (apt-get install zbar-tools)".into());
    }
    let probe = Command::new(peers_python())
        .args([
            "-c",
            "import zxingcpp, cv2; cv2.wechat_qrcode_WeChatQRCode()",
        ])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Some(format!(
            "peer readers not available to {} (python3-zxing-cpp, and \
             opencv-contrib-python-headless in that environment: see bench/qr-peers.sh)",
            peers_python().display()
        ));
    }
    None
}

/// Every image: ZXing's seven sets, then each set of `images_dir`, in a stable order.
pub fn load(zxing_dir: &Path, images_dir: &Path) -> Vec<Image> {
    let mut images: Vec<Image> = crate::zxing::load(zxing_dir)
        .into_iter()
        .map(|i| {
            let mut texts = vec![i.expected];
            let key = format!("{}/{}", i.set, file_name(&i.path));
            texts.extend(
                CORRECTIONS
                    .iter()
                    .filter(|(k, _, _)| *k == key)
                    .map(|(_, t, _)| t.to_string()),
            );
            Image {
                set: i.set,
                path: i.path,
                truth: Truth::Known(texts),
            }
        })
        .collect();
    let mut sets: Vec<PathBuf> = std::fs::read_dir(images_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", images_dir.display()))
        .map(|e| e.expect("read dir").path())
        .filter(|p| p.is_dir())
        .collect();
    sets.sort();
    for set in sets {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&set)
            .expect("read set")
            .map(|e| e.expect("read dir").path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| ["png", "gif", "jpg", "jpeg"].contains(&&*x.to_string_lossy()))
            })
            .collect();
        files.sort();
        for path in files {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let mut texts: Vec<(String, String)> = std::fs::read_dir(&set)
                .expect("read set")
                .map(|e| e.expect("read dir").path())
                .filter_map(|p| {
                    let name = file_name(&p);
                    let base = name.strip_suffix(".txt")?;
                    (base == stem || base.strip_prefix(&format!("{stem}.")).is_some())
                        .then(|| (name, std::fs::read_to_string(&p).expect("read truth")))
                })
                .collect();
            texts.sort();
            images.push(Image {
                set: file_name(&set),
                path,
                truth: if texts.is_empty() {
                    Truth::Agreed
                } else {
                    Truth::Known(texts.into_iter().map(|(_, t)| normalise(&t)).collect())
                },
            });
        }
    }
    images
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// Every text each image gave one reader (normalised), and the seconds the reader took for all.
pub struct Reads {
    pub reader: &'static str,
    pub texts: Vec<Vec<String>>,
    pub secs: f64,
}

/// Run every reader on every image, one after the other, each on `threads` cores.
pub fn read_all(images: &[Image], threads: usize) -> Vec<Reads> {
    let paths: Vec<&Path> = images.iter().map(|i| i.path.as_path()).collect();
    let mut out = Vec::new();
    let t0 = Instant::now();
    let ours = actas_scan::scan_many(&paths, threads)
        .into_iter()
        .map(|r| {
            r.ok()
                .and_then(|o| o.payload().map(normalise))
                .into_iter()
                .collect()
        })
        .collect();
    out.push(Reads {
        reader: READERS[0],
        texts: ours,
        secs: t0.elapsed().as_secs_f64(),
    });
    let t0 = Instant::now();
    let zbar = zbar_xml(&paths, threads);
    out.push(Reads {
        reader: READERS[1],
        texts: zbar,
        secs: t0.elapsed().as_secs_f64(),
    });
    for reader in [READERS[2], READERS[3]] {
        let t0 = Instant::now();
        let texts = python_peer(reader, &paths, threads);
        out.push(Reads {
            reader,
            texts,
            secs: t0.elapsed().as_secs_f64(),
        });
    }
    out
}

/// zbarimg (QR only), one process per image as a volunteer's `xargs -P` would run it; every
/// symbol it reports, from its XML output (raw output cannot separate multi-line symbols).
pub fn zbar_xml(paths: &[&Path], threads: usize) -> Vec<Vec<String>> {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(vec![Vec::new(); paths.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { return };
                    let zbar = |format: &str| {
                        Command::new("zbarimg")
                            .args(["-q", format, "-Sdisable", "-Sqrcode.enable"])
                            .arg(path)
                            .output()
                            .expect("run zbarimg")
                            .stdout
                    };
                    let symbols = parse_zbar_xml(&String::from_utf8_lossy(&zbar("--xml")));
                    let mut texts: Vec<String> = symbols.iter().map(|(t, _)| t.clone()).collect();
                    if symbols.iter().any(|(_, bytes)| *bytes) {
                        // The XML gives the code's bytes (base64) where they are not UTF-8;
                        // the raw output converts them from the code's character set, as a
                        // user of zbarimg sees them. Taken when it splits into the symbols.
                        let raw = String::from_utf8_lossy(&zbar("--raw")).into_owned();
                        let lines: Vec<&str> =
                            raw.strip_suffix('\n').unwrap_or(&raw).split('\n').collect();
                        if symbols.len() == 1 {
                            texts = vec![raw.trim_end_matches('\n').to_string()];
                        } else if lines.len() == symbols.len() {
                            texts = lines.iter().map(|l| l.to_string()).collect();
                        }
                    }
                    out.lock().unwrap()[i] = texts.iter().map(|t| normalise(t)).collect();
                }
            });
        }
    });
    out.into_inner().unwrap()
}

/// The symbols' data of zbarimg's XML output, each with whether it came as bytes (base64,
/// where the data is not UTF-8; decoded here as UTF-8 with replacement characters).
pub fn parse_zbar_xml(xml: &str) -> Vec<(String, bool)> {
    let mut texts = Vec::new();
    for part in xml.split("<data").skip(1) {
        let Some((attrs, rest)) = part.split_once('>') else {
            continue;
        };
        let Some((body, _)) = rest.split_once("</data>") else {
            continue;
        };
        // A "]]>" inside the data is written as "]]]]><![CDATA[>".
        let raw = body
            .replace("]]]]><![CDATA[>", "]]>")
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>")
            .to_string();
        if attrs.contains("base64") {
            let bytes = base64_decode(&raw);
            texts.push((String::from_utf8_lossy(&bytes).into_owned(), true));
        } else {
            texts.push((raw, false));
        }
    }
    texts
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// zxing-cpp or WeChat through `bench/qr_peers.py` on `threads` processes.
pub fn python_peer(reader: &str, paths: &[&Path], threads: usize) -> Vec<Vec<String>> {
    let mut child = Command::new(peers_python())
        .arg(peers_script())
        .arg(reader)
        .arg(threads.max(1).to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e}", peers_python().display()));
    let mut stdin = child.stdin.take().expect("stdin");
    let list: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let run = child.wait_with_output().expect("peer output");
    writer.join().expect("writer").expect("write paths");
    assert!(run.status.success(), "{reader} failed: {}", run.status);
    let text = String::from_utf8(run.stdout).expect("UTF-8 JSON lines");
    let reads: Vec<Vec<String>> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["texts"]
                .as_array()
                .expect("texts")
                .iter()
                .map(|t| normalise(t.as_str().expect("text")))
                .collect()
        })
        .collect();
    assert_eq!(reads.len(), paths.len(), "{reader} answered every image");
    reads
}

/// How one reader did on one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Correct,
    /// Read a text the truth excludes (only where the set gives the truth).
    Wrong,
    /// Read something that no other reader confirms, where the set gives no truth.
    Unconfirmed,
    Nothing,
}

/// The texts accepted as correct for image `i`: its set's, or those at least two readers read.
pub fn accepted(image: &Image, reads: &[Reads], i: usize) -> Vec<String> {
    match &image.truth {
        Truth::Known(t) => t.clone(),
        Truth::Agreed => {
            let mut all: Vec<&String> = reads.iter().flat_map(|r| r.texts[i].iter()).collect();
            all.sort();
            all.dedup();
            all.into_iter()
                .filter(|t| reads.iter().filter(|r| r.texts[i].contains(t)).count() >= 2)
                .cloned()
                .collect()
        }
    }
}

/// The verdict on every reader (in [`READERS`] order) for every image.
pub fn judge(images: &[Image], reads: &[Reads]) -> Vec<Vec<Verdict>> {
    images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            let ok = accepted(image, reads, i);
            reads
                .iter()
                .map(|r| {
                    let texts = &r.texts[i];
                    if texts.is_empty() {
                        Verdict::Nothing
                    } else if texts.iter().any(|t| ok.contains(t)) {
                        Verdict::Correct
                    } else if matches!(image.truth, Truth::Known(_)) {
                        Verdict::Wrong
                    } else {
                        Verdict::Unconfirmed
                    }
                })
                .collect()
        })
        .collect()
}

/// Counts of one reader on one set.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub total: usize,
    pub correct: usize,
    pub wrong: usize,
    pub unconfirmed: usize,
}

/// Per set (in order, then `"all"`), the tally of each reader.
pub fn tally(images: &[Image], verdicts: &[Vec<Verdict>]) -> Vec<(String, Vec<Tally>)> {
    let mut sets: Vec<(String, Vec<Tally>)> = Vec::new();
    let mut all = vec![Tally::default(); READERS.len()];
    for (image, v) in images.iter().zip(verdicts) {
        if sets.last().is_none_or(|(s, _)| *s != image.set) {
            sets.push((image.set.clone(), vec![Tally::default(); READERS.len()]));
        }
        let (_, set) = sets.last_mut().unwrap();
        for (r, verdict) in v.iter().enumerate() {
            for t in [&mut set[r], &mut all[r]] {
                t.total += 1;
                match verdict {
                    Verdict::Correct => t.correct += 1,
                    Verdict::Wrong => t.wrong += 1,
                    Verdict::Unconfirmed => t.unconfirmed += 1,
                    Verdict::Nothing => {}
                }
            }
        }
    }
    sets.push(("all".into(), all));
    sets
}

/// The table printed by the benchmark and the test.
pub fn table(images: &[Image], reads: &[Reads], verdicts: &[Vec<Verdict>]) -> String {
    let mut s = String::from("| set | images |");
    for r in READERS {
        s.push_str(&format!(" {r} |"));
    }
    s.push_str("\n|---|---|");
    s.push_str(&"---|".repeat(READERS.len()));
    s.push('\n');
    for (set, tallies) in tally(images, verdicts) {
        s.push_str(&format!("| {set} | {} |", tallies[0].total));
        for t in &tallies {
            let mut cell = format!(" {}", t.correct);
            if t.wrong > 0 {
                cell.push_str(&format!(", {} wrong", t.wrong));
            }
            if t.unconfirmed > 0 {
                cell.push_str(&format!(", {} unconfirmed", t.unconfirmed));
            }
            s.push_str(&cell);
            s.push_str(" |");
        }
        s.push('\n');
    }
    s.push_str("| images/s | |");
    for r in reads {
        s.push_str(&format!(" {:.1} |", images.len() as f64 / r.secs));
    }
    s.push('\n');
    s
}

/// Images some peer reads correctly and actas-scan does not, and images where actas-scan's read
/// is wrong: what the test forbids.
pub fn shortfalls(images: &[Image], verdicts: &[Vec<Verdict>]) -> Vec<String> {
    let mut out = Vec::new();
    for (image, v) in images.iter().zip(verdicts) {
        let by: Vec<&str> = (1..READERS.len())
            .filter(|&r| v[r] == Verdict::Correct)
            .map(|r| READERS[r])
            .collect();
        if v[0] == Verdict::Wrong {
            out.push(format!(
                "{}: actas-scan read a wrong text",
                image.path.display()
            ));
        } else if v[0] != Verdict::Correct && !by.is_empty() {
            out.push(format!(
                "{}: read by {} and not by actas-scan",
                image.path.display(),
                by.join(", ")
            ));
        }
    }
    out
}
