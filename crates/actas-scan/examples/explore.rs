//! Tuning aid: which preprocessing variants decode each file (bottom 45%).
use actas_scan::image::{LumaImage, decode_luma};
use actas_scan::ops;
use actas_scan::rx::{Binarizer, Detector, decode};

type Variant = (&'static str, Box<dyn Fn(&LumaImage) -> LumaImage>);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n3 =
        |i: &LumaImage| ops::downscale_box(i, (i.width as f32 / 210.0).round().max(1.0) as usize);
    let n15 =
        |i: &LumaImage| ops::downscale_box(i, (i.width as f32 / 420.0).round().max(1.0) as usize);
    let variants: Vec<Variant> = vec![
        ("norm", Box::new(move |i| n3(i))),
        ("fine", Box::new(move |i| n15(i))),
        (
            "sharp1.5x1.5",
            Box::new(move |i| ops::sharpen(&n3(i), 1.5, 1.5)),
        ),
        (
            "sharp2x3",
            Box::new(move |i| ops::sharpen(&n3(i), 2.0, 3.0)),
        ),
        (
            "sharp3x3",
            Box::new(move |i| ops::sharpen(&n3(i), 3.0, 3.0)),
        ),
        (
            "fine-sharp3x2",
            Box::new(move |i| ops::sharpen(&n15(i), 3.0, 2.0)),
        ),
        (
            "fine-sharp5x3",
            Box::new(move |i| ops::sharpen(&n15(i), 5.0, 3.0)),
        ),
        (
            "stretch",
            Box::new(move |i| ops::contrast_stretch(&n3(i), 1.0, 99.0)),
        ),
        ("smooth", Box::new(move |i| ops::gaussian_blur(&n3(i), 0.8))),
        (
            "fine-smooth",
            Box::new(move |i| ops::gaussian_blur(&n15(i), 1.2)),
        ),
        (
            "coarse",
            Box::new(move |i| {
                ops::downscale_box(i, (i.width as f32 / 150.0).round().max(1.0) as usize)
            }),
        ),
        (
            "vcoarse",
            Box::new(move |i| {
                ops::downscale_box(i, (i.width as f32 / 110.0).round().max(1.0) as usize)
            }),
        ),
    ];
    let mut tally = vec![0usize; variants.len()];
    for path in &args {
        let img = decode_luma(&std::fs::read(path).unwrap()).unwrap();
        let c = img.crop(0, img.height * 55 / 100, img.width, img.height);
        let mut line = String::new();
        for (vi, (_, f)) in variants.iter().enumerate() {
            let v = f(&c);
            let mut any = false;
            for bin in [Binarizer::Hybrid, Binarizer::GlobalHistogram] {
                let ok = decode(&v, bin, Detector::Cpp, true).is_some();
                line.push(if ok { '#' } else { '.' });
                any |= ok;
            }
            if any {
                tally[vi] += 1;
            }
            line.push(' ');
        }
        println!("{:35} {line}", path.rsplit('/').next().unwrap());
    }
    for (vi, (name, _)) in variants.iter().enumerate() {
        println!("{name:14} {}", tally[vi]);
    }
}
