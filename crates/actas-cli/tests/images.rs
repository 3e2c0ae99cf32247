//! `actas images fetch` against a real HTTP server on 127.0.0.1 serving the real acta photos
//! of ../shared: the rows of the real results file link to them; a photo whose code agrees
//! with its row is consolidated, one whose row was changed is a conflict, one without a
//! readable code waits for review; a 404, a server that never answers, a page that is not an
//! image and a server error that passes are each handled, and a second run fetches only what
//! is missing.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actas_testkit::shared;
use common::*;

/// Serves `dir`'s files under `/ok/NAME`; `/missing` answers 404, `/text` a page that is not
/// an image, `/hang` never answers, `/flaky/NAME` answers 500 once, then the file.
fn serve(dir: &Path) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let dir = dir.to_path_buf();
    let flaky = Arc::new(AtomicUsize::new(0));
    let flaky_seen = flaky.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (dir, flaky) = (dir.clone(), flaky.clone());
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let reply = |status: &str, body: &[u8]| {
                    let mut s = stream.try_clone().unwrap();
                    let _ = write!(
                        s,
                        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = s.write_all(body);
                };
                if path == "/hang" {
                    std::thread::sleep(std::time::Duration::from_secs(30));
                } else if path == "/missing" {
                    reply("404 Not Found", b"not here");
                } else if path == "/text" {
                    reply("200 OK", b"<html>not an acta</html>");
                } else if let Some(name) = path.strip_prefix("/flaky/") {
                    if flaky.fetch_add(1, Ordering::SeqCst) == 0 {
                        reply("500 Internal Server Error", b"try again");
                    } else {
                        reply("200 OK", &std::fs::read(dir.join(name)).unwrap());
                    }
                } else if let Some(name) = path.strip_prefix("/ok/") {
                    match std::fs::read(dir.join(name)) {
                        Ok(b) => reply("200 OK", &b),
                        Err(_) => reply("404 Not Found", b""),
                    }
                } else {
                    reply("404 Not Found", b"");
                }
                let _ = stream.flush();
            });
        }
    });
    (base, flaky_seen)
}

#[test]
fn linked_photos_are_fetched_checked_and_counted() {
    let (Some(photo_dir), Some(v1)) = (shared::present(shared::ve2024("actas")), v1()) else {
        return;
    };
    let (base, flaky) = serve(&photo_dir);
    let truth = std::fs::read_to_string(photo_dir.join("expected.tsv")).unwrap();
    let photos: Vec<(String, u32, u32)> = truth
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f[2] == "readable")
        .map(|f| {
            (
                f[0].to_string(),
                f[5].parse().unwrap(),
                f[6].parse().unwrap(),
            )
        })
        .collect();
    let text = std::fs::read_to_string(&v1).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let row_of = |centre: u32, mesa: u32| -> String {
        rows.iter()
            .find(|r| {
                let f: Vec<&str> = r.split(',').collect();
                f[6].parse::<u32>() == Ok(centre) && f[7].parse::<u32>() == Ok(mesa)
            })
            .unwrap_or_else(|| panic!("V1 has a row for {centre} {mesa}"))
            .to_string()
    };
    let relink = |row: &str, url: &str| {
        let mut f: Vec<String> = row.split(',').map(str::to_string).collect();
        *f.last_mut().unwrap() = url.to_string();
        f.join(",")
    };
    let mut csv = vec![header.to_string()];
    for (i, (file, centre, mesa)) in photos.iter().enumerate() {
        let row = row_of(*centre, *mesa);
        let url = match i {
            0 => format!("{base}/flaky/{file}"),
            _ => format!("{base}/ok/{file}"),
        };
        let row = if i == 1 {
            // This row says one more vote for González than its photo: a conflict.
            let mut f: Vec<String> = row.split(',').map(str::to_string).collect();
            f[9] = (f[9].parse::<u64>().unwrap() + 1).to_string();
            f[11] = (f[11].parse::<u64>().unwrap() + 1).to_string();
            f.join(",")
        } else {
            row
        };
        csv.push(relink(&row, &url));
    }
    // Other tables of V1, linked to what goes wrong.
    let others: Vec<&str> = rows
        .iter()
        .copied()
        .filter(|r| {
            let f: Vec<&str> = r.split(',').collect();
            !photos
                .iter()
                .any(|(_, c, m)| f[6].parse::<u32>() == Ok(*c) && f[7].parse::<u32>() == Ok(*m))
        })
        .take(4)
        .collect();
    for (row, path) in others.iter().zip([
        "/ok/qr-unreadable-incomplete-1.jpg",
        "/missing",
        "/text",
        "/hang",
    ]) {
        csv.push(relink(row, &format!("{base}{path}")));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("linked.csv");
    std::fs::write(&file, csv.join("\n") + "\n").unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    ok(&data, &["import", "csv", file.to_str().unwrap()]);
    let listed = ok(&data, &["images", "list"]);
    assert!(
        listed.contains("16 linked photos, 0 stored, 16 to fetch"),
        "{listed}"
    );

    let args = [
        "images",
        "fetch",
        "--timeout",
        "2",
        "--retries",
        "1",
        "--rate",
        "50",
    ];
    let out = actas(&data, &args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        !out.status.success(),
        "failures make the exit code non-zero"
    );
    assert!(stdout.contains("13 photos stored"), "{stdout}");
    assert!(
        stdout.contains("0 new tables, 11 agree with their row, 1 conflicts, 1 unreadable"),
        "{stdout}"
    );
    assert!(
        stderr.contains("/missing: could not be fetched: the server answered 404"),
        "{stderr}"
    );
    assert!(stderr.contains("/text: not a usable image"), "{stderr}");
    assert!(
        stderr.contains("/hang: could not be fetched: no answer within"),
        "{stderr}"
    );
    assert_eq!(
        flaky.load(Ordering::SeqCst),
        2,
        "the server error was retried once"
    );
    assert!(ok(&data, &["conflicts"]).contains(&format!("{:09}.{:02}", photos[1].1, photos[1].2)));
    let review = ok(&data, &["review", "list", "--json"]);
    assert!(
        review.contains("qr-unreadable-incomplete-1.jpg"),
        "{review}"
    );

    // Run again: only the three that failed are tried, and they fail again.
    let again = actas(&data, &args);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.starts_with("3 links: 0 photos stored"), "{stdout}");
    assert!(ok(&data, &["images", "list"]).contains("16 linked photos, 13 stored, 3 to fetch"));
    let verified = ok(&data, &["verify"]);
    assert!(
        verified.contains("13 stored photos re-hashed"),
        "{verified}"
    );
}
