//! Scan image files and print one JSON line per file:
//! `{"file":..,"ok":bool,"payload":..,"pass":..,"attempts":n,"sha256":..,"error":..}`
//! then a summary line on stderr. Usage: scan_bench [--threads N] [--tsv] FILES...
//! (or `-` to read file names from stdin, one per line). With `--tsv` each
//! line is `file<TAB>payload` instead (payload empty when unreadable), the
//! format `scan_score` reads.
use std::io::{BufRead, Write};
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = 0usize;
    let mut tsv = false;
    loop {
        match args.first().map(String::as_str) {
            Some("--threads") => {
                threads = args.get(1).and_then(|t| t.parse().ok()).unwrap_or(0);
                args.drain(..2.min(args.len()));
            }
            Some("--tsv") => {
                tsv = true;
                args.remove(0);
            }
            _ => break,
        }
    }
    if args.len() == 1 && args[0] == "-" {
        args = std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .filter(|l| !l.is_empty())
            .collect();
    }
    let t0 = Instant::now();
    let results = actas_scan::scan_many(&args, threads);
    let elapsed = t0.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    let mut read = 0;
    for (path, r) in args.iter().zip(results) {
        if tsv {
            let payload = r.as_ref().ok().and_then(|o| o.payload()).unwrap_or("");
            if !payload.is_empty() {
                read += 1;
            }
            let _ = writeln!(out, "{path}\t{}", payload.replace(['\t', '\n'], " "));
            continue;
        }
        let line = match r {
            Ok(o) => {
                if o.payload().is_some() {
                    read += 1;
                }
                serde_json::json!({
                    "file": path,
                    "ok": o.payload().is_some(),
                    "payload": o.payload(),
                    "pass": o.pass,
                    "attempts": o.attempts,
                    "sha256": o.sha256,
                    "error": match &o.status { actas_scan::ScanStatus::Unreadable { reason } => Some(reason.to_string()), _ => None },
                })
            }
            Err(e) => serde_json::json!({"file": path, "ok": false, "error": e.to_string()}),
        };
        let _ = writeln!(out, "{line}");
    }
    eprintln!(
        "scanned {} files in {:.2}s ({:.1} img/s), read {}",
        args.len(),
        elapsed,
        args.len() as f64 / elapsed.max(1e-9),
        read
    );
}
