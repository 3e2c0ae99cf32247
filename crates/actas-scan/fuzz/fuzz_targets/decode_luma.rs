//! Any bytes into the JPEG / PNG / GIF decoders: an error or a raster of the size the header
//! promised, never a panic (libFuzzer aborts on one) and never more memory than the budget.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(img) = actas_scan::decode_luma(data) {
        assert_eq!(img.data.len(), img.width * img.height);
    }
});
