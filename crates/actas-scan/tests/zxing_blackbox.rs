//! ZXing's public blackbox QR test images (sets qrcode-1 .. qrcode-7: 180 photos and renderings
//! of QR codes, rotated, curved, printed over pictures, in Japanese...), fetched by
//! `bench/fetch-zxing-blackbox.sh`: actas-scan must read more of them correctly than zbar, on
//! every set at least as many, in the same run on the same images.
//! `bench/blackbox-bench.sh` reports the same counts with speeds.
#[path = "common/zxing.rs"]
mod zxing;

use std::path::Path;

#[test]
fn reads_more_zxing_blackbox_codes_than_zbar() {
    let dir = zxing::default_dir();
    if !dir.join("qrcode-1").is_dir() {
        return actas_testkit::unavailable(&format!(
            "ZXing blackbox images not found at {} (run bench/fetch-zxing-blackbox.sh)",
            dir.display()
        ));
    }
    if std::process::Command::new("zbarimg")
        .arg("--version")
        .output()
        .is_err()
    {
        return actas_testkit::unavailable("zbarimg not installed (apt-get install zbar-tools)");
    }
    let images = zxing::load(&dir);
    assert_eq!(images.len(), 180, "the seven sets hold 180 images");
    let paths: Vec<&Path> = images.iter().map(|i| i.path.as_path()).collect();

    let ours: Vec<Option<String>> = actas_scan::scan_many(&paths, 2)
        .into_iter()
        .map(|r| r.expect("readable file").payload().map(str::to_string))
        .collect();
    let zbar = zxing::zbar(&paths, 2);
    let ours = zxing::score(&images, &ours);
    let zbar = zxing::score(&images, &zbar);

    for ((set, o), (_, z)) in ours.iter().zip(&zbar) {
        eprintln!(
            "{set:9} actas-scan {:3}/{:3} correct, {} wrong; zbarimg {:3}/{:3} correct, {} wrong",
            o.correct, o.total, o.wrong, z.correct, z.total, z.wrong
        );
        assert!(
            o.correct >= z.correct,
            "{set}: actas-scan read {} correctly, zbar {}",
            o.correct,
            z.correct
        );
    }
    let (o, z) = (ours.last().unwrap().1, zbar.last().unwrap().1);
    assert!(
        o.correct > z.correct,
        "actas-scan read {} of 180 correctly, zbar {}",
        o.correct,
        z.correct
    );
}
