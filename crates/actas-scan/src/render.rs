//! Synthetic acta renderer: a QR payload -> a JPEG that looks like a scanned
//! Venezuelan 2024 "acta de escrutinio" paper roll (625 px wide at 200 dpi,
//! ~6850 px tall, header, 38-card table, summary, signature boxes, QR code
//! near the bottom printed by a thermal printer), optionally degraded.
//!
//! Everything is deterministic from the seed.
//!
//! The ballot printed (candidates, cards, their codes) is the election's, and the numbers
//! printed are the payload's as `actas_core::payload` reads it: the renderer holds no copy of
//! either rule.

use actas_core::Election;
use actas_core::payload;
use rand::{Rng as _, RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rxing::qrcode::common::ErrorCorrectionLevel;
use rxing::qrcode::encoder::qrcode_encoder;

use crate::font;
use crate::image::LumaImage;
use crate::ops;

const DIGIT_WORDS: [&str; 10] = [
    "CERO", "UNO", "DOS", "TRES", "CUATRO", "CINCO", "SEIS", "SIETE", "OCHO", "NUEVE",
];

/// What a printed acta shows of its election besides the payload.
#[derive(Debug, Clone, Copy)]
pub struct Ballot<'a> {
    /// Candidates, and cards in ballot order (the order of the payload's votes).
    pub election: &'a Election,
    /// The code printed beside each card, in ballot order (`actas_core::ve2024::CARD_CODES`);
    /// the election definition does not carry them. A missing code prints blank.
    pub card_codes: &'a [&'a str],
}

impl<'a> Ballot<'a> {
    pub fn new(election: &'a Election, card_codes: &'a [&'a str]) -> Self {
        Ballot {
            election,
            card_codes,
        }
    }
}

/// The renderer's random numbers: the workspace's seeded, portable generator.
type Rng = Pcg64Mcg;

fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// Standard normal (Box-Muller).
fn normal(rng: &mut Rng) -> f32 {
    let u1 = rng.random::<f32>().max(1e-7);
    let u2 = rng.random::<f32>();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

fn sign(rng: &mut Rng) -> f32 {
    if rng.random::<bool>() { 1.0 } else { -1.0 }
}

/// The kinds of damage seen on real acta images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DegradationKind {
    /// Clean print, ordinary JPEG (quality 85).
    Clean,
    /// Heavy JPEG recompression (quality 8-25, like the ~90 KB uploads).
    Jpeg,
    /// Out-of-focus / motion-free blur (Gaussian sigma 1.2-2.6 px).
    Blur,
    /// Sensor noise (Gaussian, sigma 10-28 grey levels).
    Noise,
    /// Rotated by 1.5-7 degrees either way.
    Rotation,
    /// Perspective (corners moved by 3-8 % of the width).
    Perspective,
    /// Faded print / bad exposure (ink-paper contrast 22-45 % of the range).
    LowContrast,
    /// Milder versions of all of the above at once.
    Combined,
    /// A phone photo of the bottom of the roll: magnified 1.8-3x, on a dark
    /// table, mild perspective and rotation, uneven light, slight defocus.
    Photo,
}

impl DegradationKind {
    pub const ALL: [DegradationKind; 9] = [
        DegradationKind::Clean,
        DegradationKind::Jpeg,
        DegradationKind::Blur,
        DegradationKind::Noise,
        DegradationKind::Rotation,
        DegradationKind::Perspective,
        DegradationKind::LowContrast,
        DegradationKind::Combined,
        DegradationKind::Photo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DegradationKind::Clean => "clean",
            DegradationKind::Jpeg => "jpeg",
            DegradationKind::Blur => "blur",
            DegradationKind::Noise => "noise",
            DegradationKind::Rotation => "rotation",
            DegradationKind::Perspective => "perspective",
            DegradationKind::LowContrast => "lowcontrast",
            DegradationKind::Combined => "combined",
            DegradationKind::Photo => "photo",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Concrete degradation parameters applied after printing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Degradation {
    /// JPEG quality of the output, 1..=100.
    pub jpeg_quality: u8,
    /// Gaussian blur sigma in pixels (0 = none).
    pub blur_sigma: f32,
    /// Additive Gaussian noise sigma in grey levels (0 = none).
    pub noise_sigma: f32,
    /// Rotation in degrees, counter-clockwise (0 = none).
    pub rotate_deg: f32,
    /// Largest corner displacement of a perspective warp, as a fraction of
    /// the width (0 = none).
    pub perspective: f32,
    /// Fraction of the grey range between ink and paper (1 = unchanged).
    pub contrast: f32,
    /// When > 0, simulate a phone photo of the bottom of the roll (the QR
    /// and the last signature boxes) magnified by this factor, on a dark
    /// background with uneven lighting (0 = flatbed scan of the whole roll).
    pub photo_scale: f32,
}

impl Default for Degradation {
    fn default() -> Self {
        Degradation::NONE
    }
}

impl Degradation {
    /// No damage, JPEG quality 85.
    pub const NONE: Degradation = Degradation {
        jpeg_quality: 85,
        blur_sigma: 0.0,
        noise_sigma: 0.0,
        rotate_deg: 0.0,
        perspective: 0.0,
        contrast: 1.0,
        photo_scale: 0.0,
    };

    /// A degradation of `kind` whose strength is drawn (deterministically
    /// from `seed`) within the range documented on [`DegradationKind`].
    pub fn of_kind(kind: DegradationKind, seed: u64) -> Degradation {
        Self::of_kind_severity(kind, seed, 1.0)
    }

    /// Like [`Degradation::of_kind`] with every departure from
    /// [`Degradation::NONE`] multiplied by `severity` (1 = the documented
    /// ranges; 2 = twice the blur, noise, rotation...; JPEG quality and
    /// contrast are clamped to stay meaningful).
    pub fn of_kind_severity(kind: DegradationKind, seed: u64, severity: f32) -> Degradation {
        let mut r = seeded(seed.wrapping_mul(31).wrapping_add(kind as u64 + 1));
        let base = Degradation::NONE;
        let d = match kind {
            DegradationKind::Clean => base,
            DegradationKind::Jpeg => Degradation {
                jpeg_quality: r.random_range(8.0..25.0) as u8,
                ..base
            },
            DegradationKind::Blur => Degradation {
                blur_sigma: r.random_range(1.2..2.6),
                ..base
            },
            DegradationKind::Noise => Degradation {
                noise_sigma: r.random_range(10.0..28.0),
                ..base
            },
            DegradationKind::Rotation => Degradation {
                rotate_deg: sign(&mut r) * r.random_range(1.5..7.0),
                ..base
            },
            DegradationKind::Perspective => Degradation {
                perspective: r.random_range(0.03..0.08),
                ..base
            },
            DegradationKind::LowContrast => Degradation {
                contrast: r.random_range(0.22..0.45),
                ..base
            },
            DegradationKind::Combined => Degradation {
                jpeg_quality: r.random_range(20.0..50.0) as u8,
                blur_sigma: r.random_range(0.6..1.5),
                noise_sigma: r.random_range(4.0..12.0),
                rotate_deg: sign(&mut r) * r.random_range(0.5..3.0),
                perspective: r.random_range(0.0..0.03),
                contrast: r.random_range(0.45..0.8),
                photo_scale: 0.0,
            },
            DegradationKind::Photo => Degradation {
                jpeg_quality: r.random_range(60.0..85.0) as u8,
                blur_sigma: r.random_range(0.8..2.0),
                noise_sigma: r.random_range(2.0..6.0),
                rotate_deg: sign(&mut r) * r.random_range(0.0..8.0),
                perspective: r.random_range(0.02..0.06),
                contrast: r.random_range(0.7..1.0),
                photo_scale: r.random_range(1.8..3.0),
            },
        };
        let s = severity.max(0.0);
        Degradation {
            jpeg_quality: (base.jpeg_quality as f32
                - (base.jpeg_quality as f32 - d.jpeg_quality as f32) * s)
                .clamp(2.0, 100.0) as u8,
            blur_sigma: d.blur_sigma * s,
            noise_sigma: d.noise_sigma * s,
            rotate_deg: d.rotate_deg * s,
            perspective: (d.perspective * s).min(0.3),
            contrast: (1.0 - (1.0 - d.contrast) * s).clamp(0.05, 1.0),
            photo_scale: d.photo_scale,
        }
    }
}

/// A canvas with drawing helpers (ink is dark: values are multiplied in).
struct Canvas {
    img: LumaImage,
}

impl Canvas {
    fn ink(&mut self, x: isize, y: isize, level: u8) {
        if x >= 0 && y >= 0 && (x as usize) < self.img.width && (y as usize) < self.img.height {
            let p = &mut self.img.data[y as usize * self.img.width + x as usize];
            *p = (*p).min(level);
        }
    }

    fn rect(&mut self, x0: isize, y0: isize, w: isize, h: isize, level: u8) {
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                self.ink(x, y, level);
            }
        }
    }

    fn hline(&mut self, x0: isize, x1: isize, y: isize, t: isize, level: u8) {
        self.rect(x0, y, x1 - x0, t, level);
    }

    fn vline(&mut self, x: isize, y0: isize, y1: isize, t: isize, level: u8) {
        self.rect(x, y0, t, y1 - y0, level);
    }

    fn frame(&mut self, x0: isize, y0: isize, x1: isize, y1: isize, level: u8) {
        self.hline(x0, x1, y0, 1, level);
        self.hline(x0, x1 + 1, y1, 1, level);
        self.vline(x0, y0, y1, 1, level);
        self.vline(x1, y0, y1, 1, level);
    }

    fn text(&mut self, s: &str, x: isize, y: isize, scale: usize, level: u8) {
        let mut pts = Vec::new();
        font::draw_text(s, x, y, scale, |px, py| pts.push((px, py)));
        for (px, py) in pts {
            self.ink(px, py, level);
        }
    }

    fn text_centered(&mut self, s: &str, cx: isize, y: isize, scale: usize, level: u8) {
        let w = font::text_width(s, scale) as isize;
        self.text(s, cx - w / 2, y, scale, level);
    }

    /// A thick pen stroke through `pts` (polyline).
    fn stroke(&mut self, pts: &[(f32, f32)], radius: f32, level: u8) {
        for seg in pts.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt().max(1.0);
            let steps = (len * 2.0) as usize + 1;
            for i in 0..=steps {
                let t = i as f32 / steps as f32;
                let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                let r = radius.ceil() as isize;
                for dy in -r..=r {
                    for dx in -r..=r {
                        if (dx * dx + dy * dy) as f32 <= radius * radius {
                            self.ink(x as isize + dx, y as isize + dy, level);
                        }
                    }
                }
            }
        }
    }
}

fn words_for(n: u64) -> String {
    n.to_string()
        .chars()
        .map(|c| DIGIT_WORDS[c.to_digit(10).unwrap_or(0) as usize])
        .collect::<Vec<_>>()
        .join(", ")
}

/// QR modules (true = dark) of `payload` at error correction level Q, as on
/// the real actas.
pub fn qr_modules(payload: &str) -> Option<(usize, Vec<bool>)> {
    let code = qrcode_encoder::encode(payload, ErrorCorrectionLevel::Q)
        .or_else(|_| qrcode_encoder::encode(payload, ErrorCorrectionLevel::L))
        .ok()?;
    let m = code.getMatrix().as_ref()?;
    let n = m.getWidth() as usize;
    let mut v = Vec::with_capacity(n * n);
    for y in 0..n {
        for x in 0..n {
            v.push(m.get(x as u32, y as u32) == 1);
        }
    }
    Some((n, v))
}

/// Render the clean (undegraded) acta as a greyscale image. A payload that is not an acta of
/// the ballot's election (tests render those too) gets random numbers and no acta id printed.
pub fn render_clean(ballot: Ballot, payload: &str, seed: u64) -> LumaImage {
    let mut rng = seeded(seed);
    let width = 625usize;
    let canvas_h = 8000usize;
    let paper = 228 + rng.random_range(0..20) as u8;
    let mut c = Canvas {
        img: LumaImage::filled(width, canvas_h, paper),
    };
    let ink = 25 + rng.random_range(0..40) as u8;
    let light_ink = ink.saturating_add(50);
    let cx = width as isize / 2;
    let (left, right) = (40isize, width as isize - 48);
    let mut y: isize = 150 + rng.random_range(0..60) as isize;

    let cards = &ballot.election.cards;
    let (acta_id, centre, votes, nulls, blank) = match payload::parse(payload, ballot.election) {
        Ok(p) => (
            p.acta_id.to_string(),
            p.acta_id.table.centre.to_string(),
            p.cards,
            p.null,
            p.blank,
        ),
        Err(_) => (
            String::new(),
            "000000000".to_string(),
            (0..cards.len()).map(|_| rng.random_range(0..40)).collect(),
            0,
            0,
        ),
    };
    let valid: u64 = votes.iter().sum();

    // Logo block and header.
    c.rect(60, y, 80, 60, ink);
    c.text("CNE", 70, y + 20, 3, paper);
    c.text_centered("ACTA DE ESCRUTINIO", cx + 40, y, 2, ink);
    y += 32;
    c.text_centered(&acta_id, cx + 40, y, 2, ink);
    y += 32;
    let uuid: String = (0..4)
        .map(|_| format!("{:08x}", rng.random::<u32>()))
        .collect::<Vec<_>>()
        .join("-");
    c.text_centered(&uuid, cx + 40, y, 1, ink);
    y += 26;
    // The definition's date is YYYY-MM-DD; the acta prints DD/MM/YYYY.
    let date: Vec<&str> = ballot.election.date.rsplit('-').collect();
    c.text_centered(&format!("{} 07:05 PM", date.join("/")), cx + 40, y, 2, ink);
    y += 70;
    for line in [
        "PRESIDENTA O",
        "PRESIDENTE DE LA",
        "REPUBLICA",
        "BOLIVARIANA DE",
        "VENEZUELA",
    ] {
        c.text_centered(line, cx, y, 4, ink);
        y += 42;
    }
    y += 30;
    for line in [
        "ELECCION PRESIDENCIAL 2024".to_string(),
        "PAIS: VENEZUELA".to_string(),
        format!("ESTADO: {}", &centre.get(0..2).unwrap_or("00")),
        format!("MUNICIPIO: {}", &centre.get(2..4).unwrap_or("00")),
        format!("PARROQUIA: {}", &centre.get(4..6).unwrap_or("00")),
        "U.E.N. ESCUELA BOLIVARIANA".to_string(),
        "SECTOR CENTRO, CALLE PRINCIPAL".to_string(),
        "FRENTE A LA PLAZA BOLIVAR".to_string(),
        centre.clone(),
        format!(
            "{} ELECTORES",
            valid + nulls + blank + rng.random_range(0..400)
        ),
    ] {
        c.text_centered(&line, cx, y, 2, ink);
        y += 36;
    }
    y += 50;

    // Votes table.
    let row_h = 55isize;
    let col = [left, left + 220, left + 300, left + 370, right];
    c.hline(left, right, y, 2, ink);
    c.text("VOTANTES", left + 6, y + 14, 2, ink);
    c.text("NRO.", col[2] + 6, y + 14, 2, ink);
    c.text("LETRAS", col[3] + 30, y + 14, 2, ink);
    y += 44;
    for (label, n) in [
        ("EN LA MAQUINA", valid + nulls + blank),
        (
            "EN EL CUADERNO",
            valid + nulls + blank + rng.random_range(0..3),
        ),
    ] {
        c.hline(left, right, y, 1, light_ink);
        c.text(label, left + 6, y + 16, 1, ink);
        c.text(&n.to_string(), col[2] + 6, y + 14, 2, ink);
        c.text(&words_for(n), col[3] + 6, y + 18, 1, ink);
        y += 44;
    }
    c.hline(left, right, y, 2, ink);
    c.text(
        "CANDIDATO  SIGLA  CODIGO  VOTOS  LETRAS",
        left + 6,
        y + 10,
        1,
        ink,
    );
    y += 30;
    // Each candidate heads the run of its cards, as the cards come in ballot order.
    for (i, card) in cards.iter().enumerate() {
        if i == 0 || cards[i - 1].candidate != card.candidate {
            let name = ballot
                .election
                .candidates
                .iter()
                .find(|k| k.id == card.candidate)
                .map_or(card.candidate.as_str(), |k| k.name.as_str());
            c.hline(left, right, y, 1, ink);
            c.text(name, left + 6, y + 14, 3, ink);
            y += 46;
        }
        let n = votes.get(i).copied().unwrap_or(0);
        c.hline(left, right, y, 1, light_ink);
        c.rect(left + 8, y + 8, 38, 38, light_ink);
        c.text(&card.sigla, left + 54, y + 20, 1, ink);
        c.text(
            ballot.card_codes.get(i).copied().unwrap_or(""),
            col[1] + 6,
            y + 20,
            1,
            ink,
        );
        c.text(&n.to_string(), col[2] + 6, y + 20, 2, ink);
        c.text(&words_for(n), col[3] + 6, y + 22, 1, ink);
        y += row_h;
    }
    c.hline(left, right, y, 2, ink);
    y += 80;

    // Summary.
    c.text_centered("RESUMEN DE VOTOS", cx, y, 2, ink);
    y += 36;
    let top = y;
    for (label, n) in [
        ("VOTOS", valid + nulls + blank),
        ("VOTOS VALIDOS", valid),
        ("VOTOS NULOS", nulls),
        ("VOTOS VACIOS", blank),
        ("OPCIONES NULAS", 0),
        ("OPCIONES VALIDAS", valid),
    ] {
        c.hline(left, right, y, 1, ink);
        c.text(label, left + 6, y + 14, 1, ink);
        c.text(&n.to_string(), col[2] + 6, y + 10, 2, ink);
        c.text(&words_for(n), col[3] + 6, y + 14, 1, ink);
        y += 38;
    }
    c.frame(left, top, right, y, ink);
    y += 50;
    c.text("OBSERVACIONES:", left + 6, y + 10, 2, ink);
    c.frame(left, y, right, y + 120, ink);
    y += 180;

    // Signature boxes.
    c.text(
        "SE LEVANTA LA PRESENTE ACTA A LA CUAL FIRMAN",
        left,
        y,
        2,
        ink,
    );
    y += 20;
    c.text("EN SENAL DE CONFORMIDAD.", left, y, 2, ink);
    y += 50;
    for role in [
        "PRESIDENTE",
        "SECRETARIO",
        "MIEMBRO A",
        "TESTIGO A",
        "TESTIGO B",
        "OPERADOR",
    ] {
        let top = y;
        c.text(role, left + 6, y + 10, 2, ink);
        y += 36;
        for field in ["NOMBRE:", "CI:", "FIRMA:"] {
            c.hline(left, right, y, 1, ink);
            c.text(field, left + 6, y + 12, 2, ink);
            y += 36;
        }
        // A scribbled signature in most boxes.
        if rng.random_range(0..5) != 0 {
            let mut pts = Vec::new();
            let (sx, sy) = (left as f32 + rng.random_range(60.0..200.0), y as f32 + 45.0);
            let n = 12 + rng.random_range(0..12) as usize;
            for i in 0..n {
                pts.push((
                    sx + i as f32 * rng.random_range(12.0..24.0),
                    sy + rng.random_range(-50.0..30.0),
                ));
            }
            c.stroke(&pts, 1.4, ink.saturating_add(30));
        }
        y += 90 + rng.random_range(0..30) as isize;
        c.frame(left, top, right, y, ink);
        y += 12;
    }
    // The CNE stamp, in the last box.
    let (ex, ey, ea, eb) = (cx as f32 - 40.0, y as f32 - 60.0, 140.0f32, 40.0f32);
    let ring: Vec<(f32, f32)> = (0..=64)
        .map(|i| {
            let t = i as f32 / 64.0 * std::f32::consts::TAU;
            (ex + ea * t.cos(), ey + eb * t.sin())
        })
        .collect();
    c.stroke(&ring, 1.0, ink.saturating_add(20));
    c.text(
        "REPUBLICA BOLIVARIANA",
        ex as isize - 60,
        ey as isize - 12,
        1,
        ink,
    );
    c.rect(ex as isize - 60, ey as isize + 4, 160, 6, ink);
    y += 40 + rng.random_range(0..20) as isize;

    // The QR code, ~53 modules of ~8.5 px, printed by a thermal head whose
    // round dots (two per module) leave scalloped edges and pin holes.
    if let Some((n, modules)) = qr_modules(payload) {
        let module = 450.0 / n as f32 * rng.random_range(0.95..1.05);
        let side = (module * n as f32) as isize;
        let qx = cx - side / 2 + rng.random_range(0..20) as isize - 10;
        let qy = y;
        let pitch = module / 2.0;
        let radius = pitch * rng.random_range(0.62..0.75);
        let dots = 2 * n;
        let dot_on = |i: isize, j: isize| -> bool {
            if i < 0 || j < 0 || i >= dots as isize || j >= dots as isize {
                return false;
            }
            modules[(j as usize / 2) * n + i as usize / 2]
        };
        for py in 0..side {
            for px in 0..side {
                let gi = (px as f32 / pitch) as isize;
                let gj = (py as f32 / pitch) as isize;
                let mut dark = false;
                'near: for dj in -1..=1 {
                    for di in -1..=1 {
                        let (i, j) = (gi + di, gj + dj);
                        if dot_on(i, j) {
                            let dx = px as f32 + 0.5 - (i as f32 + 0.5) * pitch;
                            let dy = py as f32 + 0.5 - (j as f32 + 0.5) * pitch;
                            if dx * dx + dy * dy <= radius * radius {
                                dark = true;
                                break 'near;
                            }
                        }
                    }
                }
                if dark {
                    c.ink(qx + px, qy + py, ink);
                }
            }
        }
        y += side + 50;
    } else {
        y += 500;
    }
    let hash: String = (0..8)
        .map(|_| format!("{:08X}", rng.random::<u32>()))
        .collect();
    c.text_centered(&hash[..40], cx, y, 2, ink);
    c.text_centered(&hash[40..], cx, y + 20, 2, ink);
    y += 120;
    c.hline(left, right, y, 1, light_ink);
    let height = (y as usize + 80 + rng.random_range(0..100) as usize).min(canvas_h);
    c.img.data.truncate(width * height);
    c.img.height = height;

    // Faint paper unevenness: a slow vertical gradient.
    let grad = rng.random_range(-12.0..12.0);
    for (i, row) in c.img.data.chunks_mut(width).enumerate() {
        let d = (grad * (i as f32 / height as f32 - 0.5)) as i32;
        if d != 0 {
            for p in row.iter_mut() {
                *p = (*p as i32 + d).clamp(0, 255) as u8;
            }
        }
    }
    c.img
}

/// Apply `d` (except the JPEG step) to a clean rendering.
pub fn degrade(img: &LumaImage, d: &Degradation, seed: u64) -> LumaImage {
    let mut rng = seeded(seed ^ 0xDE6A_DA71_0000_0001);
    let fill = 235u8;
    let mut out = img.clone();
    if d.photo_scale > 0.0 {
        out = photo(&out, d, &mut rng);
    } else {
        if d.perspective > 0.0 {
            out = perspective(&out, d.perspective, &mut rng, fill);
        }
        if d.rotate_deg != 0.0 {
            out = ops::rotate_expand(&out, d.rotate_deg, fill);
        }
    }
    if d.blur_sigma > 0.0 {
        out = ops::gaussian_blur(&out, d.blur_sigma);
    }
    if d.contrast < 1.0 {
        let c = d.contrast.clamp(0.05, 1.0);
        let offset = rng.random_range(0.0..1.0 - c) * 255.0;
        for p in &mut out.data {
            *p = (offset + *p as f32 * c).round().clamp(0.0, 255.0) as u8;
        }
    }
    if d.noise_sigma > 0.0 {
        // Draws from a table of 4,096 normal deviates: a Box-Muller per pixel of a 4-megapixel
        // roll was most of the time spent rendering noisy corpora.
        let deviates: Vec<f32> = (0..4096)
            .map(|_| normal(&mut rng) * d.noise_sigma)
            .collect();
        for p in &mut out.data {
            let e = deviates[(rng.next_u64() >> 52) as usize];
            *p = (*p as f32 + e).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// Phone photo of the bottom of the roll: crop, magnify, rotate and tilt
/// onto a dark table, with a lighting gradient.
fn photo(img: &LumaImage, d: &Degradation, rng: &mut Rng) -> LumaImage {
    let part_h = (1000 + rng.random_range(0..300) as usize).min(img.height);
    let part = img.crop(0, img.height - part_h, img.width, part_h);
    let k = d.photo_scale.clamp(0.5, 4.0);
    let (pw, ph) = (part.width as f32 * k, part.height as f32 * k);
    let (cw, ch) = ((pw * 1.25) as usize, (ph * 1.15) as usize);
    let table = 50 + rng.random_range(0..60) as u8;
    // Where the page's corners land on the photo: centred, rotated, tilted.
    let (ox, oy) = (
        (cw as f32 - pw) / 2.0 + rng.random_range(-0.05..0.05) * pw,
        (ch as f32 - ph) / 2.0 + rng.random_range(-0.03..0.03) * ph,
    );
    let (sn, cs) = d.rotate_deg.to_radians().sin_cos();
    let (mx, my) = (ox + pw / 2.0, oy + ph / 2.0);
    let j = d.perspective * pw;
    let corner = |x: f32, y: f32, rng: &mut Rng| {
        let (dx, dy) = (x - mx, y - my);
        (
            mx + cs * dx - sn * dy + rng.random_range(-j..=j),
            my + sn * dx + cs * dy + rng.random_range(-j..=j),
        )
    };
    let dst = [
        corner(ox, oy, rng),
        corner(ox + pw, oy, rng),
        corner(ox + pw, oy + ph, rng),
        corner(ox, oy + ph, rng),
    ];
    let src = [
        (0.0, 0.0),
        (part.width as f32, 0.0),
        (part.width as f32, part.height as f32),
        (0.0, part.height as f32),
    ];
    let hm = homography(&dst, &src);
    let mut out = ops::warp(&part, cw, ch, table, |x, y| {
        let z = hm[6] * x + hm[7] * y + 1.0;
        (
            (hm[0] * x + hm[1] * y + hm[2]) / z,
            (hm[3] * x + hm[4] * y + hm[5]) / z,
        )
    });
    // Light falls off across the frame.
    let (gx, gy) = (rng.random_range(-0.3..0.3), rng.random_range(-0.3..0.3));
    for y in 0..ch {
        for x in 0..cw {
            let l = 1.0 + gx * (x as f32 / cw as f32 - 0.5) + gy * (y as f32 / ch as f32 - 0.5);
            let p = &mut out.data[y * cw + x];
            *p = (*p as f32 * l).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// Perspective warp: each corner moves by up to `amount * width`.
fn perspective(img: &LumaImage, amount: f32, rng: &mut Rng, fill: u8) -> LumaImage {
    let (w, h) = (img.width as f32, img.height as f32);
    let m = amount * w;
    // Destination quad of the source corners (inward moves so the page stays
    // mostly inside the frame).
    let dst = [
        (rng.random_range(0.0..=m), rng.random_range(0.0..=m)),
        (w - rng.random_range(0.0..=m), rng.random_range(0.0..=m)),
        (w - rng.random_range(0.0..=m), h - rng.random_range(0.0..=m)),
        (rng.random_range(0.0..=m), h - rng.random_range(0.0..=m)),
    ];
    let src = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    // Inverse mapping: destination pixel -> source pixel.
    let hm = homography(&dst, &src);
    ops::warp(img, img.width, img.height, fill, |x, y| {
        let z = hm[6] * x + hm[7] * y + 1.0;
        (
            (hm[0] * x + hm[1] * y + hm[2]) / z,
            (hm[3] * x + hm[4] * y + hm[5]) / z,
        )
    })
}

/// 3x3 homography (h33 = 1) mapping the 4 points `from` onto `to`.
fn homography(from: &[(f32, f32); 4], to: &[(f32, f32); 4]) -> [f32; 8] {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (from[i].0 as f64, from[i].1 as f64);
        let (u, v) = (to[i].0 as f64, to[i].1 as f64);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting.
    for col in 0..8 {
        let piv = (col..8)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, piv);
        let p = a[col][col];
        if p.abs() < 1e-12 {
            return [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
        }
        a[col].iter_mut().skip(col).for_each(|v| *v /= p);
        let pivot_row = a[col];
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col];
                for (v, pv) in row.iter_mut().zip(pivot_row).skip(col) {
                    *v -= f * pv;
                }
            }
        }
    }
    let mut h = [0f32; 8];
    for (i, hv) in h.iter_mut().enumerate() {
        *hv = a[i][8] as f32;
    }
    h
}

/// Encode a greyscale image as baseline JPEG.
pub fn encode_jpeg(img: &LumaImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    // Dimensions are ours (< 65536) and the buffer matches, so this cannot
    // fail; an empty Vec would surface as "unreadable" anyway.
    if enc
        .encode(
            &img.data,
            img.width as u16,
            img.height as u16,
            jpeg_encoder::ColorType::Luma,
        )
        .is_err()
    {
        out.clear();
    }
    out
}

/// Render a synthetic acta of `ballot` carrying `payload` in its QR code, degraded by
/// `degradation`, as JPEG bytes. Deterministic in (`ballot`, `payload`, `seed`,
/// `degradation`).
pub fn render_acta(ballot: Ballot, payload: &str, seed: u64, degradation: Degradation) -> Vec<u8> {
    let clean = render_clean(ballot, payload, seed);
    let img = degrade(&clean, &degradation, seed);
    encode_jpeg(&img, degradation.jpeg_quality)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_corners() {
        let from = [(0.0, 0.0), (10.0, 0.0), (10.0, 20.0), (0.0, 20.0)];
        let to = [(1.0, 2.0), (9.0, 0.5), (11.0, 19.0), (-1.0, 21.0)];
        let h = homography(&from, &to);
        for (f, t) in from.iter().zip(&to) {
            let z = h[6] * f.0 + h[7] * f.1 + 1.0;
            let u = (h[0] * f.0 + h[1] * f.1 + h[2]) / z;
            let v = (h[3] * f.0 + h[4] * f.1 + h[5]) / z;
            assert!(
                (u - t.0).abs() < 1e-3 && (v - t.1).abs() < 1e-3,
                "{u},{v} vs {t:?}"
            );
        }
    }

    #[test]
    fn deterministic() {
        let e = actas_core::ve2024::election();
        let b = Ballot::new(&e, &actas_core::ve2024::CARD_CODES);
        let p = "240111020.01.1.0001!1,2,3!0!0";
        let d = Degradation::of_kind(DegradationKind::Combined, 7);
        assert_eq!(d, Degradation::of_kind(DegradationKind::Combined, 7));
        assert_eq!(render_acta(b, p, 7, d), render_acta(b, p, 7, d));
    }

    #[test]
    fn words() {
        assert_eq!(words_for(305), "TRES, CERO, CINCO");
    }
}
