//! Small numeric toolkit: moments, quantiles, correlations and the distribution functions the
//! tests need. Conventions follow NumPy/SciPy defaults where the reference figures were computed
//! with them (linear quantiles, biased skew/kurtosis, sample standard deviation with ddof = 1).

/// 97.5 % point used for every 95 % interval in the report (the conventional 1.96).
pub const Z95: f64 = 1.96;

pub fn mean(a: &[f64]) -> f64 {
    if a.is_empty() {
        return f64::NAN;
    }
    a.iter().sum::<f64>() / a.len() as f64
}

/// Variance with `ddof` degrees of freedom removed (0: population, 1: sample).
pub fn var(a: &[f64], ddof: usize) -> f64 {
    if a.len() <= ddof {
        return f64::NAN;
    }
    let m = mean(a);
    a.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (a.len() - ddof) as f64
}

pub fn sd(a: &[f64], ddof: usize) -> f64 {
    var(a, ddof).sqrt()
}

/// Biased (population) skewness, as `scipy.stats.skew` by default.
pub fn skew(a: &[f64]) -> f64 {
    let m = mean(a);
    let s = sd(a, 0);
    a.iter().map(|x| ((x - m) / s).powi(3)).sum::<f64>() / a.len() as f64
}

/// Biased excess kurtosis, as `scipy.stats.kurtosis` by default.
pub fn kurtosis_excess(a: &[f64]) -> f64 {
    let m = mean(a);
    let v = var(a, 0);
    a.iter().map(|x| (x - m).powi(4)).sum::<f64>() / a.len() as f64 / (v * v) - 3.0
}

/// Sorted copy (NaN-free input expected).
pub fn sorted(a: &[f64]) -> Vec<f64> {
    let mut s = a.to_vec();
    s.sort_by(|x, y| x.total_cmp(y));
    s
}

/// Quantile of sorted data with linear interpolation (NumPy's default method, same lerp).
pub fn quantile_sorted(s: &[f64], q: f64) -> f64 {
    if s.is_empty() {
        return f64::NAN;
    }
    let pos = q * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    let t = pos - lo as f64;
    let (a, b) = (s[lo], s[hi]);
    if a == b {
        return a;
    }
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

pub fn median_sorted(s: &[f64]) -> f64 {
    let n = s.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    sxy / (sxx * syy).sqrt()
}

/// Ranks 0-based with ties given their average rank.
pub fn average_ranks(a: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..a.len()).collect();
    idx.sort_by(|&i, &j| a[i].total_cmp(&a[j]));
    let mut r = vec![0.0; a.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && a[idx[j + 1]] == a[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Standard normal upper tail P(Z > z).
pub fn norm_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// Two-sided normal p-value.
pub fn norm_p2(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// Regularised upper incomplete gamma Q(a, x).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let lnpre = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P(a, x).
        let mut sum = 1.0 / a;
        let mut term = sum;
        let mut ap = a;
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * lnpre.exp()
    } else {
        // Continued fraction for Q(a, x) (modified Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        lnpre.exp() * h
    }
}

/// Chi-square survival function with `df` degrees of freedom.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, x / 2.0)
}

/// log of the binomial probability mass Bin(k; n, p).
pub fn ln_binom_pmf(k: u64, n: u64, p: f64) -> f64 {
    if p <= 0.0 {
        return if k == 0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if p >= 1.0 {
        return if k == n { 0.0 } else { f64::NEG_INFINITY };
    }
    let (k, n) = (k as f64, n as f64);
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
        + k * p.ln()
        + (n - k) * (-p).ln_1p()
}

/// Exact two-sided binomial test (SciPy's `binomtest`: sum of the probabilities of outcomes no
/// more likely than the observed one, with a relative tolerance of 1e-7).
pub fn binom_test_two_sided(k: u64, n: u64, p: f64) -> f64 {
    if (k as f64) == p * n as f64 {
        return 1.0;
    }
    let d = ln_binom_pmf(k, n, p).exp() * (1.0 + 1e-7);
    let total: f64 = (0..=n)
        .map(|j| ln_binom_pmf(j, n, p).exp())
        .filter(|&v| v <= d)
        .sum();
    total.min(1.0)
}

/// Asymptotic Kolmogorov distribution: P(sqrt(n) D > x).
pub fn kolmogorov_sf(x: f64) -> f64 {
    if x < 0.27 {
        return 1.0;
    }
    let mut s = 0.0;
    for k in 1..200 {
        let kf = k as f64;
        let term = (-2.0 * kf * kf * x * x).exp();
        s += if k % 2 == 1 { term } else { -term };
        if term < 1e-18 {
            break;
        }
    }
    (2.0 * s).clamp(0.0, 1.0)
}

/// One-sample Kolmogorov-Smirnov test of data in [0, 1] against U(0, 1): (D, asymptotic p).
pub fn ks_uniform(data: &[f64]) -> (f64, f64) {
    let s = sorted(data);
    let n = s.len() as f64;
    let mut d: f64 = 0.0;
    for (i, &x) in s.iter().enumerate() {
        let hi = (i + 1) as f64 / n - x;
        let lo = x - i as f64 / n;
        d = d.max(hi).max(lo);
    }
    let sq = n.sqrt();
    (d, kolmogorov_sf((sq + 0.12 + 0.11 / sq) * d))
}

/// Index of `x` in `bins` equal bins on [lo, hi] exactly as `numpy.histogram` assigns it (edges
/// from `linspace`, last bin closed); `None` outside the range.
pub fn np_hist_index(x: f64, lo: f64, hi: f64, bins: usize) -> Option<usize> {
    if !(x >= lo && x <= hi) {
        return None;
    }
    let step = (hi - lo) / bins as f64;
    let edge = |k: usize| {
        if k == bins { hi } else { k as f64 * step + lo }
    };
    let norm = bins as f64 / (hi - lo);
    let mut i = ((x - lo) * norm).floor() as i64;
    if i >= bins as i64 {
        i = bins as i64 - 1;
    }
    let mut i = i.max(0) as usize;
    if x < edge(i) && i > 0 {
        i -= 1;
    }
    if i + 1 < bins && x >= edge(i + 1) {
        i += 1;
    }
    Some(i)
}

/// Greatest common divisor.
pub fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_functions_match_known_values() {
        // scipy.stats.chi2.sf(116.10882872287308, 9)
        let p = chi2_sf(116.10882872287308, 9.0);
        assert!((p / 8.347972504403898e-21 - 1.0).abs() < 1e-9, "{p}");
        assert!((chi2_sf(8.2066925117323, 9.0) / 0.5134584320639808 - 1.0).abs() < 1e-9);
        assert!((norm_sf(1.6412754892309263) / 0.050370120843632786 - 1.0).abs() < 1e-9);
        assert!((norm_p2(10.535197726593406) / 5.945819391144416e-26 - 1.0).abs() < 1e-9);
        assert_eq!(gcd(650, 100), 50);
    }

    #[test]
    fn quantiles_follow_numpy() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&s, 0.5), 2.5);
        assert!((quantile_sorted(&s, 0.1) - 1.3).abs() < 1e-12);
        assert_eq!(median_sorted(&s), 2.5);
        assert_eq!(np_hist_index(0.57, 0.0, 1.0, 100), Some(56));
        assert_eq!(np_hist_index(1.0, 0.0, 1.0, 100), Some(99));
        assert_eq!(np_hist_index(0.0, 0.0, 1.0, 100), Some(0));
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0]), vec![1.5, 0.0, 1.5]);
    }
}
