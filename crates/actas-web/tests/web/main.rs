//! HTTP, OpenAPI and browser tests against real servers on 127.0.0.1 over a real SQLite store
//! loaded with the V1 results and the real geography, and a generated registry.
//!
//! One test binary so the store is loaded once; every test skips without the shared data
//! (and fails without it under CI).

mod analysts;
mod api;
mod browser;
mod common;
mod openapi;
mod pages;
