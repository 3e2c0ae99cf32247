//! A cheap QR finder-pattern search (dark-light-dark-light-dark runs in the
//! ratio 1:1:3:1:1, horizontally and vertically) used to crop candidate QR
//! regions when the whole-image passes fail.

use crate::image::LumaImage;
use crate::ops;

/// A candidate QR region in full-resolution pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub x: usize,
    pub y: usize,
    pub w: usize,
    pub h: usize,
    /// Estimated module size in pixels.
    pub module: f32,
    /// Finder patterns found in the region.
    pub finders: usize,
}

#[derive(Debug, Clone, Copy)]
struct Finder {
    x: f32,
    y: f32,
    module: f32,
    votes: u32,
}

/// Binarize with a local mean threshold (window `2r+1`).
fn binarize(img: &LumaImage, r: usize) -> Vec<bool> {
    let mean = ops::box_blur(img, r);
    img.data
        .iter()
        .zip(&mean.data)
        .map(|(&p, &m)| (p as i32) < m as i32 - 4)
        .collect()
}

/// Runs along a line: returns (start, length, is_dark).
fn runs(line: impl Iterator<Item = bool>) -> Vec<(usize, usize, bool)> {
    let mut out: Vec<(usize, usize, bool)> = Vec::new();
    for (i, v) in line.enumerate() {
        match out.last_mut() {
            Some(last) if last.2 == v => last.1 += 1,
            _ => out.push((i, 1, v)),
        }
    }
    out
}

/// Does the 5-run window look like 1:1:3:1:1? Returns the module size.
fn ratio_ok(r: &[(usize, usize, bool)]) -> Option<f32> {
    if r.len() != 5 || !r[0].2 {
        return None;
    }
    let total: usize = r.iter().map(|x| x.1).sum();
    if total < 7 {
        return None;
    }
    let m = total as f32 / 7.0;
    let tol = m * 0.7;
    let ok = (r[0].1 as f32 - m).abs() < tol
        && (r[1].1 as f32 - m).abs() < tol
        && (r[2].1 as f32 - 3.0 * m).abs() < tol * 2.0
        && (r[3].1 as f32 - m).abs() < tol
        && (r[4].1 as f32 - m).abs() < tol;
    ok.then_some(m)
}

/// Candidate QR regions, best first.
pub fn candidate_regions(img: &LumaImage) -> Vec<Candidate> {
    if img.width < 21 || img.height < 21 {
        return Vec::new();
    }
    // Work at roughly the normalised scale (acta roll ~210 px wide), but never
    // below 1:1, and keep at least ~2 px per module for codes of typical size.
    let f = (img.width / 300).max(1);
    let small = ops::downscale_box(img, f);
    let (w, h) = (small.width, small.height);
    let bin = binarize(&small, 7);
    let at = |x: usize, y: usize| bin[y * w + x];

    let mut found: Vec<Finder> = Vec::new();
    for y in 0..h {
        let rs = runs((0..w).map(|x| at(x, y)));
        for win in rs.windows(5) {
            let Some(m) = ratio_ok(win) else { continue };
            let cx = win[2].0 + win[2].1 / 2;
            // Vertical check through the centre of the middle run.
            let span = (m * 6.0) as usize + 2;
            let y0 = y.saturating_sub(span);
            let y1 = (y + span).min(h - 1);
            let col = runs((y0..=y1).map(|yy| at(cx, yy)));
            let Some(k) = col.iter().position(|r| r.0 + y0 <= y && y < r.0 + y0 + r.1) else {
                continue;
            };
            if k < 2 || k + 3 > col.len() {
                continue;
            }
            let Some(mv) = ratio_ok(&col[k - 2..k + 3]) else {
                continue;
            };
            if (mv - m).abs() > m.max(mv) * 0.6 {
                continue;
            }
            let cy = col[k].0 + y0 + col[k].1 / 2;
            let module = (m + mv) / 2.0;
            // Merge with a nearby finder already seen.
            if let Some(fd) = found.iter_mut().find(|fd| {
                (fd.x - cx as f32).abs() < fd.module * 3.0
                    && (fd.y - cy as f32).abs() < fd.module * 3.0
            }) {
                let n = fd.votes as f32;
                fd.x = (fd.x * n + cx as f32) / (n + 1.0);
                fd.y = (fd.y * n + cy as f32) / (n + 1.0);
                fd.module = (fd.module * n + module) / (n + 1.0);
                fd.votes += 1;
            } else {
                found.push(Finder {
                    x: cx as f32,
                    y: cy as f32,
                    module,
                    votes: 1,
                });
            }
        }
    }
    // A real finder is 3 modules tall in the middle: expect several row hits.
    found.retain(|fd| fd.votes as f32 >= (fd.module * 1.5).max(2.0));

    // Group finders of similar module size within QR distance (<= 60 modules).
    let mut cands: Vec<Candidate> = Vec::new();
    for a in &found {
        let group: Vec<&Finder> = found
            .iter()
            .filter(|b| {
                let ms = a.module.max(b.module);
                (a.module - b.module).abs() < ms * 0.5
                    && (a.x - b.x).abs() < a.module * 60.0
                    && (a.y - b.y).abs() < a.module * 60.0
            })
            .collect();
        let module = group.iter().map(|g| g.module).sum::<f32>() / group.len() as f32;
        let pad = module * 8.0;
        let x0 = group.iter().map(|g| g.x).fold(f32::MAX, f32::min) - pad;
        let y0 = group.iter().map(|g| g.y).fold(f32::MAX, f32::min) - pad;
        let x1 = group.iter().map(|g| g.x).fold(f32::MIN, f32::max) + pad;
        let y1 = group.iter().map(|g| g.y).fold(f32::MIN, f32::max) + pad;
        let to_full = |v: f32| (v.max(0.0) * f as f32) as usize;
        let c = Candidate {
            x: to_full(x0),
            y: to_full(y0),
            w: to_full(x1 - x0.max(0.0)).min(img.width),
            h: to_full(y1 - y0.max(0.0)).min(img.height),
            module: module * f as f32,
            finders: group.len(),
        };
        if !cands
            .iter()
            .any(|o| o.x == c.x && o.y == c.y && o.w == c.w && o.h == c.h)
        {
            cands.push(c);
        }
    }
    // Best: exactly 3 finders, then more, then fewer.
    cands.sort_by_key(|c| match c.finders {
        3 => 0,
        n if n > 3 => n,
        n => 10 + (3 - n),
    });
    cands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_drawn_finder_triplet() {
        let m = 4usize;
        let mut img = LumaImage::filled(400, 400, 230);
        let mut draw = |ox: usize, oy: usize| {
            for y in 0..7 {
                for x in 0..7 {
                    let ring = x == 0 || y == 0 || x == 6 || y == 6;
                    let core = (2..=4).contains(&x) && (2..=4).contains(&y);
                    if ring || core {
                        for dy in 0..m {
                            for dx in 0..m {
                                img.data[(oy + y * m + dy) * 400 + ox + x * m + dx] = 20;
                            }
                        }
                    }
                }
            }
        };
        draw(100, 100);
        draw(200, 100);
        draw(100, 200);
        let c = candidate_regions(&img);
        assert!(!c.is_empty());
        assert_eq!(c[0].finders, 3);
        assert!((c[0].module - 4.0).abs() < 1.5, "{:?}", c[0]);
        assert!(c[0].x < 100 && c[0].y < 100 && c[0].x + c[0].w > 228);
    }
}
