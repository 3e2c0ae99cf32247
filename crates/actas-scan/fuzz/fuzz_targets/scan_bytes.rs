//! Any bytes through the whole scan: decoding and every pass. scan_bytes turns a panic inside
//! rxing into `Unreadable::Internal`; here that counts as a crash too.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let o = actas_scan::scan_bytes(data);
    if let actas_scan::ScanStatus::Unreadable {
        reason: actas_scan::Unreadable::Internal(msg),
    } = &o.status
    {
        panic!("decoder panicked: {msg}");
    }
});
