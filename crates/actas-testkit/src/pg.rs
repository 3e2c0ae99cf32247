//! A fresh PostgreSQL database per test, created with the `psql` client.
//!
//! The server is `ACTAS_TEST_PG`, else `postgres://postgres@127.0.0.1:5432` (trust
//! authentication, as CI's and the developers' local servers are set up). Databases are dropped
//! by nobody: their names are unique per run, and CI machines are fresh.

use std::process::Command;

/// The server URL without a database name.
fn server() -> String {
    std::env::var("ACTAS_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// Creates `actas_<tag>_<pid>_<nanos>` and returns its URL. `None` (skip) when no server answers
/// or `psql` is missing; under CI that is a failure.
#[track_caller]
pub fn database(tag: &str) -> Option<String> {
    let base = server();
    let name = format!("actas_{tag}_{}", crate::unique_suffix());
    let created = Command::new("psql")
        .arg(format!("{base}/postgres"))
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .output();
    let why = match created {
        Ok(o) if o.status.success() => return Some(format!("{base}/{name}")),
        Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
        Err(e) => format!("psql: {e}"),
    };
    crate::unavailable(&format!("no PostgreSQL at {base}: {why}"));
    None
}
