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
    let mut acc = vec![0u32; ow];
    for oy in 0..oh {
        acc.iter_mut().for_each(|a| *a = 0);
        for y in y0 + oy * f..y0 + oy * f + f {
            let start = y * img.width + x0;
            let row = &img.data[start..start + ow * f];
            for (a, block) in acc.iter_mut().zip(row.chunks_exact(f)) {
                *a += block.iter().map(|&p| p as u32).sum::<u32>();
            }
        }
        let orow = &mut out.data[oy * ow..oy * ow + ow];
        for (o, a) in orow.iter_mut().zip(&acc) {
            *o = ((a + area / 2) / area) as u8;
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
    let mut out = LumaImage::filled(w, h, 0);
    for x in 0..w {
        let px = |y: isize| tmp[y.clamp(0, h as isize - 1) as usize * w + x] as u32;
        let mut sum: u32 = (-(r as isize)..=r as isize).map(px).sum();
        for y in 0..h {
            out.data[y * w + x] = ((sum + n / 2) / n) as u8;
            sum += px(y as isize + r as isize + 1);
            sum -= px(y as isize - r as isize);
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
