//! Small greyscale image operations used by the retry passes (and by the
//! renderer's degradations). All are plain safe Rust on `LumaImage`.

use crate::image::LumaImage;

/// Downscale by an integer factor, averaging each `f x f` block.
pub fn downscale_box(img: &LumaImage, f: usize) -> LumaImage {
    downscale_box_rect(img, 0, 0, img.width, img.height, f)
}

/// Downscale the rectangle `[x0, x0+w) x [y0, y0+h)` (clamped to the image)
/// by an integer factor, averaging each `f x f` block, without copying the
/// rectangle first.
pub fn downscale_box_rect(
    img: &LumaImage,
    x0: usize,
    y0: usize,
    w: usize,
    h: usize,
    f: usize,
) -> LumaImage {
    let x0 = x0.min(img.width);
    let y0 = y0.min(img.height);
    let w = w.min(img.width - x0);
    let h = h.min(img.height - y0);
    let f = f.max(1);
    if f == 1 {
        return img.crop(x0, y0, w, h);
    }
    let (ow, oh) = (w / f, h / f);
    let mut out = LumaImage::filled(ow, oh, 255);
    let area = (f * f) as u32;
    // Sum the f rows of a block row column by column first (a loop the compiler vectorises),
    // then the f columns of each block: this runs on every photo, before any decoding.
    let mut column_sums = vec![0u32; ow * f];
    for oy in 0..oh {
        column_sums.iter_mut().for_each(|a| *a = 0);
        for y in y0 + oy * f..y0 + oy * f + f {
            let start = y * img.width + x0;
            for (a, &p) in column_sums.iter_mut().zip(&img.data[start..start + ow * f]) {
                *a += p as u32;
            }
        }
        let orow = &mut out.data[oy * ow..oy * ow + ow];
        for (o, block) in orow.iter_mut().zip(column_sums.chunks_exact(f)) {
            *o = ((block.iter().sum::<u32>() + area / 2) / area) as u8;
        }
    }
    out
}

/// Bilinear resize to `w x h`.
pub fn resize_bilinear(img: &LumaImage, w: usize, h: usize) -> LumaImage {
    let w = w.max(1);
    let h = h.max(1);
    let mut out = LumaImage::filled(w, h, 255);
    if img.width == 0 || img.height == 0 {
        return out;
    }
    let sx = img.width as f32 / w as f32;
    let sy = img.height as f32 / h as f32;
    for oy in 0..h {
        let fy = ((oy as f32 + 0.5) * sy - 0.5).max(0.0);
        let y0 = (fy as usize).min(img.height - 1);
        let y1 = (y0 + 1).min(img.height - 1);
        let ty = fy - y0 as f32;
        for ox in 0..w {
            let fx = ((ox as f32 + 0.5) * sx - 0.5).max(0.0);
            let x0 = (fx as usize).min(img.width - 1);
            let x1 = (x0 + 1).min(img.width - 1);
            let tx = fx - x0 as f32;
            let a = img.get(x0, y0) as f32 * (1.0 - tx) + img.get(x1, y0) as f32 * tx;
            let b = img.get(x0, y1) as f32 * (1.0 - tx) + img.get(x1, y1) as f32 * tx;
            out.data[oy * w + ox] = (a * (1.0 - ty) + b * ty + 0.5) as u8;
        }
    }
    out
}

/// Scale by a real factor (bilinear; box-averaged first when shrinking by 2x
/// or more so thin print gaps are averaged out rather than aliased).
pub fn scale(img: &LumaImage, factor: f32) -> LumaImage {
    if factor <= 0.5 {
        let f = (1.0 / factor).floor() as usize;
        let boxed = downscale_box(img, f);
        let rest = factor * f as f32;
        if (rest - 1.0).abs() < 0.02 {
            return boxed;
        }
        return scale(&boxed, rest);
    }
    let w = (img.width as f32 * factor).round() as usize;
    let h = (img.height as f32 * factor).round() as usize;
    resize_bilinear(img, w, h)
}

/// Separable box blur of radius `r` (window `2r+1`), edges clamped.
pub fn box_blur(img: &LumaImage, r: usize) -> LumaImage {
    if r == 0 || img.width == 0 || img.height == 0 {
        return img.clone();
    }
    let (w, h) = (img.width, img.height);
    let n = (2 * r + 1) as u32;
    let mut tmp = vec![0u8; w * h];
    for y in 0..h {
        let row = &img.data[y * w..(y + 1) * w];
        let px = |x: isize| row[x.clamp(0, w as isize - 1) as usize] as u32;
        let mut sum: u32 = (-(r as isize)..=r as isize).map(px).sum();
        for x in 0..w {
            tmp[y * w + x] = ((sum + n / 2) / n) as u8;
            sum += px(x as isize + r as isize + 1);
            sum -= px(x as isize - r as isize);
        }
    }
    // Vertical pass row by row, with one running sum per column: walking down columns of a
    // 6,000-row image would miss the cache on every pixel.
    let row_of = |y: isize| y.clamp(0, h as isize - 1) as usize * w;
    let mut sums = vec![0u32; w];
    for y in -(r as isize)..=r as isize {
        let start = row_of(y);
        for (s, &p) in sums.iter_mut().zip(&tmp[start..start + w]) {
            *s += p as u32;
        }
    }
    let mut out = LumaImage::filled(w, h, 0);
    for y in 0..h {
        for (o, &s) in out.data[y * w..(y + 1) * w].iter_mut().zip(&sums) {
            *o = ((s + n / 2) / n) as u8;
        }
        let (add, sub) = (
            row_of(y as isize + r as isize + 1),
            row_of(y as isize - r as isize),
        );
        for ((s, &a), &b) in sums
            .iter_mut()
            .zip(&tmp[add..add + w])
            .zip(&tmp[sub..sub + w])
        {
            *s = *s + a as u32 - b as u32;
        }
    }
    out
}

/// Approximate Gaussian blur (three box passes) with standard deviation `sigma`.
pub fn gaussian_blur(img: &LumaImage, sigma: f32) -> LumaImage {
    if sigma < 0.3 {
        return img.clone();
    }
    // Box radius giving the requested variance over three passes.
    let r = (((12.0 * sigma * sigma / 3.0) + 1.0).sqrt() / 2.0)
        .round()
        .max(1.0) as usize;
    box_blur(&box_blur(&box_blur(img, r), r), r)
}

/// Linear stretch so that the `lo_pct` / `hi_pct` percentiles map to 0 / 255.
pub fn contrast_stretch(img: &LumaImage, lo_pct: f32, hi_pct: f32) -> LumaImage {
    let mut hist = [0u64; 256];
    for &p in &img.data {
        hist[p as usize] += 1;
    }
    let n = img.data.len() as f64;
    let pct = |q: f32| -> u8 {
        let target = (q as f64 / 100.0 * n).clamp(0.0, (n - 1.0).max(0.0));
        let mut acc = 0.0;
        for (v, &c) in hist.iter().enumerate() {
            acc += c as f64;
            if acc > target {
                return v as u8;
            }
        }
        255
    };
    let lo = pct(lo_pct) as i32;
    let hi = pct(hi_pct) as i32;
    if hi <= lo + 1 {
        return img.clone();
    }
    let lut: Vec<u8> = (0..256i32)
        .map(|v| (((v - lo) * 255) / (hi - lo)).clamp(0, 255) as u8)
        .collect();
    LumaImage {
        width: img.width,
        height: img.height,
        data: img.data.iter().map(|&p| lut[p as usize]).collect(),
    }
}

/// Unsharp mask: `img + amount * (img - blur(img))`.
pub fn sharpen(img: &LumaImage, sigma: f32, amount: f32) -> LumaImage {
    let blurred = gaussian_blur(img, sigma);
    LumaImage {
        width: img.width,
        height: img.height,
        data: img
            .data
            .iter()
            .zip(&blurred.data)
            .map(|(&p, &b)| (p as f32 + amount * (p as f32 - b as f32)).clamp(0.0, 255.0) as u8)
            .collect(),
    }
}

/// Rotate by `degrees` (counter-clockwise) about the centre, keeping the same
/// canvas size, bilinear, filling uncovered pixels with `fill`.
pub fn rotate(img: &LumaImage, degrees: f32, fill: u8) -> LumaImage {
    let (w, h) = (img.width, img.height);
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    // Inverse map: output (x,y) comes from source R(-θ)(x-c)+c.
    warp(img, w, h, fill, |x, y| {
        let dx = x - cx;
        let dy = y - cy;
        (c * dx - s * dy + cx, s * dx + c * dy + cy)
    })
}

/// Rotate by `degrees` (counter-clockwise) onto a canvas enlarged to hold the
/// whole rotated image, filling uncovered pixels with `fill`.
pub fn rotate_expand(img: &LumaImage, degrees: f32, fill: u8) -> LumaImage {
    let (s, c) = degrees.to_radians().sin_cos();
    let (w, h) = (img.width as f32, img.height as f32);
    let nw = (w * c.abs() + h * s.abs()).ceil() as usize;
    let nh = (w * s.abs() + h * c.abs()).ceil() as usize;
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (ncx, ncy) = (nw as f32 / 2.0, nh as f32 / 2.0);
    warp(img, nw, nh, fill, |x, y| {
        let dx = x - ncx;
        let dy = y - ncy;
        (c * dx - s * dy + cx, s * dx + c * dy + cy)
    })
}

/// Generic inverse-mapped warp with bilinear sampling.
pub fn warp<F: Fn(f32, f32) -> (f32, f32)>(
    img: &LumaImage,
    w: usize,
    h: usize,
    fill: u8,
    map: F,
) -> LumaImage {
    let mut out = LumaImage::filled(w, h, fill);
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = map(x as f32 + 0.5, y as f32 + 0.5);
            out.data[y * w + x] = sample_bilinear(img, sx - 0.5, sy - 0.5, fill);
        }
    }
    out
}

/// Bilinear sample at (x, y) in pixel-centre coordinates.
#[inline]
pub fn sample_bilinear(img: &LumaImage, x: f32, y: f32, fill: u8) -> u8 {
    if !(x > -1.0 && y > -1.0 && x < img.width as f32 && y < img.height as f32) {
        return fill;
    }
    let x0 = x.floor();
    let y0 = y.floor();
    let tx = x - x0;
    let ty = y - y0;
    let (x0, y0) = (x0 as isize, y0 as isize);
    if x0 >= 0 && y0 >= 0 && ((x0 + 1) as usize) < img.width && ((y0 + 1) as usize) < img.height {
        // Inside: no per-pixel bounds handling (most samples of a warp).
        let i = y0 as usize * img.width + x0 as usize;
        let d = &img.data;
        let a = d[i] as f32 * (1.0 - tx) + d[i + 1] as f32 * tx;
        let b = d[i + img.width] as f32 * (1.0 - tx) + d[i + img.width + 1] as f32 * tx;
        return (a * (1.0 - ty) + b * ty + 0.5).clamp(0.0, 255.0) as u8;
    }
    let px = |xx: isize, yy: isize| -> f32 {
        if xx < 0 || yy < 0 || xx >= img.width as isize || yy >= img.height as isize {
            fill as f32
        } else {
            img.data[yy as usize * img.width + xx as usize] as f32
        }
    };
    let a = px(x0, y0) * (1.0 - tx) + px(x0 + 1, y0) * tx;
    let b = px(x0, y0 + 1) * (1.0 - tx) + px(x0 + 1, y0 + 1) * tx;
    (a * (1.0 - ty) + b * ty + 0.5).clamp(0.0, 255.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(w: usize, h: usize) -> LumaImage {
        let mut img = LumaImage::filled(w, h, 0);
        for y in 0..h {
            for x in 0..w {
                img.data[y * w + x] = ((x * 255) / w.max(1)) as u8;
            }
        }
        img
    }

    /// A `w x h` image of pseudo-random grey levels.
    fn noisy(w: usize, h: usize, mut seed: u32) -> LumaImage {
        let mut img = LumaImage::filled(w, h, 0);
        for p in &mut img.data {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *p = (seed >> 24) as u8;
        }
        img
    }

    #[test]
    fn downscale_averages() {
        let img = LumaImage {
            width: 2,
            height: 2,
            data: vec![0, 100, 200, 100],
        };
        assert_eq!(downscale_box(&img, 2).data, vec![100]);
    }

    #[test]
    fn downscale_rect_matches_its_definition() {
        let img = noisy(23, 17, 11);
        for (x0, y0, w, h, f) in [
            (0, 0, 23, 17, 3),
            (5, 2, 13, 14, 4),
            (1, 9, 40, 40, 2),
            (3, 3, 7, 7, 1),
        ] {
            let got = downscale_box_rect(&img, x0, y0, w, h, f);
            let (w, h) = (w.min(23 - x0), h.min(17 - y0));
            assert_eq!(
                (got.width, got.height),
                if f == 1 { (w, h) } else { (w / f, h / f) }
            );
            for oy in 0..got.height {
                for ox in 0..got.width {
                    let mut sum = 0u32;
                    for y in 0..f {
                        for x in 0..f {
                            sum += img.get(x0 + ox * f + x, y0 + oy * f + y) as u32;
                        }
                    }
                    let want = ((sum + (f * f) as u32 / 2) / (f * f) as u32) as u8;
                    assert_eq!(
                        got.get(ox, oy),
                        want,
                        "({x0},{y0},{w},{h})/{f} at {ox},{oy}"
                    );
                }
            }
        }
    }

    /// The box blur by its definition: rounded mean of the clamped window, rows then columns.
    fn box_blur_naive(img: &LumaImage, r: usize) -> LumaImage {
        let (w, h, n) = (img.width as isize, img.height as isize, 2 * r as u32 + 1);
        let at = |d: &[u8], x: isize, y: isize| {
            d[(y.clamp(0, h - 1) * w + x.clamp(0, w - 1)) as usize] as u32
        };
        let r = r as isize;
        let mut tmp = vec![0u8; img.data.len()];
        let mut out = LumaImage::filled(img.width, img.height, 0);
        for y in 0..h {
            for x in 0..w {
                let s: u32 = (-r..=r).map(|d| at(&img.data, x + d, y)).sum();
                tmp[(y * w + x) as usize] = ((s + n / 2) / n) as u8;
            }
        }
        for y in 0..h {
            for x in 0..w {
                let s: u32 = (-r..=r).map(|d| at(&tmp, x, y + d)).sum();
                out.data[(y * w + x) as usize] = ((s + n / 2) / n) as u8;
            }
        }
        out
    }

    #[test]
    fn box_blur_matches_its_definition() {
        for (w, h, r) in [(13, 9, 1), (5, 31, 3), (8, 3, 6), (1, 1, 2), (40, 2, 1)] {
            let img = noisy(w, h, 7);
            assert_eq!(
                box_blur(&img, r).data,
                box_blur_naive(&img, r).data,
                "{w}x{h} r={r}"
            );
        }
    }

    #[test]
    fn bilinear_samples_inside_and_at_edges() {
        let img = LumaImage {
            width: 2,
            height: 2,
            data: vec![0, 100, 200, 100],
        };
        assert_eq!(sample_bilinear(&img, 0.5, 0.5, 9), 100);
        assert_eq!(sample_bilinear(&img, 0.0, 0.0, 9), 0);
        // Right and bottom edges blend with the fill, as before the fast path.
        assert_eq!(sample_bilinear(&img, 1.0, 0.0, 0), 100);
        assert_eq!(sample_bilinear(&img, 1.5, 0.0, 0), 50);
        assert_eq!(sample_bilinear(&img, -2.0, 0.0, 9), 9);
    }

    #[test]
    fn blur_keeps_flat_images() {
        let img = LumaImage::filled(17, 9, 77);
        assert_eq!(gaussian_blur(&img, 2.0).data, img.data);
        assert_eq!(box_blur(&img, 3).data, img.data);
    }

    #[test]
    fn rotate_zero_is_identity() {
        let img = ramp(31, 20);
        assert_eq!(rotate(&img, 0.0, 255).data, img.data);
    }

    #[test]
    fn stretch_spans_full_range() {
        let mut img = ramp(100, 2);
        for p in &mut img.data {
            *p = 100 + *p / 4;
        }
        let s = contrast_stretch(&img, 0.0, 100.0);
        assert_eq!(*s.data.iter().min().unwrap(), 0);
        assert_eq!(*s.data.iter().max().unwrap(), 255);
    }

    #[test]
    fn scale_sizes() {
        let img = ramp(100, 60);
        let s = scale(&img, 0.5);
        assert_eq!((s.width, s.height), (50, 30));
        let s = scale(&img, 1.5);
        assert_eq!((s.width, s.height), (150, 90));
        let s = scale(&img, 0.4);
        assert_eq!((s.width, s.height), (40, 24));
    }
}
