//! actas-scan, zbarimg, zxing-cpp and OpenCV's WeChat detector on ZXing's blackbox QR sets and on
//! other QR projects' test images: correct, wrong and unconfirmed reads per set, and images per
//! second of each, same images, same run, each on `--threads` cores.
//! Usage: qr_peers [--threads N]   (images from bench/fetch-zxing-blackbox.sh and
//! bench/fetch-qr-test-images.sh; run by bench/qr-peers.sh). The test `qr_peers.rs` asserts on
//! the same verdicts.
#[path = "../tests/common/peers.rs"]
mod peers;
#[path = "../tests/common/zxing.rs"]
mod zxing;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut threads = 2;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|t| t.parse().ok())
                    .expect("--threads N")
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let (zdir, idir) = (zxing::default_dir(), peers::images_dir());
    if let Some(why) = peers::missing(&zdir, &idir) {
        eprintln!("{why}");
        std::process::exit(1);
    }
    let images = peers::load(&zdir, &idir);
    let reads = peers::read_all(&images, threads);
    let verdicts = peers::judge(&images, &reads);
    print!("{}", peers::table(&images, &reads, &verdicts));
    println!("({} images, {threads} threads each)", images.len());
    for (image, v) in images.iter().zip(&verdicts) {
        if v.iter().any(|v| *v != peers::Verdict::Correct)
            && v.iter().any(|v| *v != peers::Verdict::Nothing)
        {
            let cells: Vec<String> = peers::READERS
                .iter()
                .zip(v)
                .map(|(r, v)| format!("{r}={v:?}"))
                .collect();
            println!("  {}: {}", image.path.display(), cells.join(" "));
        }
    }
    let short = peers::shortfalls(&images, &verdicts);
    for s in &short {
        println!("SHORTFALL {s}");
    }
}
