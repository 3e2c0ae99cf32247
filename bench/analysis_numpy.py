#!/usr/bin/env python3
"""NumPy counterpart of `actas-analysis`'s full report on the V1 actas, for the benchmark.

Computes the same sections with the same simulation sizes (totals and states, turnout, worst
cases, ratio projections, bulletin comparison, round-decimal analytics and both simulations,
digit tests with the 2BL binomial null, integer percentages, fingerprint, Klimek grid fit,
Shpilkin) and prints its timings and a few figures to compare with the Rust run.

Usage: analysis_numpy.py [CSV] [--quick]
"""

import csv
import math
import sys
import time

import numpy as np

SEED = 20240728
RE_TOTAL, RE_ABROAD, TABLES_TOTAL = 21_392_464, 69_211, 30_026
CNE1 = {"NM": 5_150_092, "EG": 4_445_978, "others": 462_704}
CNE2 = {"NM": 6_408_844, "EG": 5_326_104, "LM": 152_360, "AE": 116_421, "BERA": 92_903,
        "JOBR": 84_231, "JABE": 64_452, "CF": 40_902, "EM": 29_611, "DC": 20_056}
CANDS = ["NM", "LM", "JABE", "JOBR", "AE", "CF", "DC", "EG", "EM", "BERA"]
TOL = 5e-5


def load(path):
    with open(path, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    col = lambda k: np.array([int(r[k]) for r in rows], dtype=np.int64)
    d = {k: col(k) for k in ["COD_EDO", "CENTRO", "MESA", "RE", "VOTOS_VALIDOS", "VOTOS_NULOS"] + CANDS}
    return d


def np_hist_index(x, bins):
    edges = np.linspace(0, 1, bins + 1)
    idx = np.floor(x * bins).astype(np.int64)
    idx[idx == bins] = bins - 1
    idx = np.clip(idx, 0, bins - 1)
    idx[x < edges[idx]] -= 1
    inc = (x >= edges[np.minimum(idx + 1, bins)]) & (idx != bins - 1)
    idx[inc] += 1
    return idx


def chi2_sf9(x):
    # Q(4.5, x/2) for half-integer shape: erfc(sqrt y) + e^-y sum y^(k+1/2)/Gamma(k+3/2)
    y = x / 2.0
    s = math.erfc(math.sqrt(y))
    for k in range(4):
        s += math.exp(-y + (k + 0.5) * math.log(y) - math.lgamma(k + 1.5))
    return s


def norm_p2(z):
    return math.erfc(abs(z) / math.sqrt(2))


LOGFACT = None


def ln_binom_pmf(j, n, p):
    return LOGFACT[n] - LOGFACT[j] - LOGFACT[n - j] + j * np.log(p) + (n - j) * np.log1p(-p)


def binom_test(k, n, p):
    j = np.arange(n + 1)
    pmf = np.exp(ln_binom_pmf(j, n, p))
    d = pmf[k] * (1 + 1e-7)
    return min(1.0, pmf[pmf <= d].sum())


def benford2():
    return np.array([sum(math.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)])


def second_digits(x):
    x = x.copy()
    while (x >= 100).any():
        x = np.where(x >= 100, x // 10, x)
    return x % 10


def digit_tests(counts, valid, parish, null_reps, rng, candidate=True):
    out = {}
    P = benford2()
    mu = (P * np.arange(10)).sum()
    var_b = (P * np.arange(10) ** 2).sum() - mu ** 2
    c = counts[counts >= 10]
    sd = second_digits(c)
    h = np.bincount(sd, minlength=10)
    n = len(sd)
    e = P * n
    chi2 = ((h - e) ** 2 / e).sum()
    m = sd.mean()
    out["2bl"] = dict(n=n, chi2=chi2, p=chi2_sf9(chi2), mean=m, z=(m - mu) / math.sqrt(var_b / n),
                      ci=(m - 1.96 * sd.std(ddof=1) / math.sqrt(n), m + 1.96 * sd.std(ddof=1) / math.sqrt(n)))
    for name, cc in [("last", c), ("last_all", counts)]:
        ld = cc % 10
        hh = np.bincount(ld, minlength=10)
        nn = len(ld)
        chi = ((hh - nn / 10) ** 2 / (nn / 10)).sum()
        c05 = np.isin(ld, [0, 5]).mean()
        out[name] = dict(chi2=chi, p=chi2_sf9(chi), mean=ld.mean(), z=(ld.mean() - 4.5) / math.sqrt(8.25 / nn),
                         c05=c05, zc05=(c05 - 0.2) / math.sqrt(0.16 / nn))
    if not candidate:
        return out
    a, b = (c // 10) % 10, c % 10
    rep, adj = int((a == b).sum()), int((np.abs(a - b) == 1).sum())
    out["bs"] = dict(rep=rep / len(c), p_rep=binom_test(rep, len(c), 0.1), adj=adj / len(c),
                     p_adj=binom_test(adj, len(c), 0.18))
    r = np.round(100 * counts / valid).astype(np.int64)
    s = np.isin(r % 10, [0, 5]).mean()
    out["p05s"] = dict(share=s, z=(s - 0.2) / math.sqrt(0.16 / len(r)))
    # 2BL null: W ~ Bin(valid, parish share)
    pw = np.bincount(parish, weights=counts)
    pv = np.bincount(parish, weights=valid)
    ps = (pw / pv)[parish]
    means = []
    for _ in range(null_reps):
        w = rng.binomial(valid, ps)
        w = w[w >= 10]
        means.append(second_digits(w).mean())
    means = np.array(means)
    out["null"] = dict(mean=means.mean(), sd=means.std(ddof=1), z=(m - means.mean()) / means.std(ddof=1))
    return out


def integer_percent(k, n):
    obs = int(((100 * k) % n == 0).sum())
    E = V = 0.0
    for ki, ni in zip(k.tolist(), n.tolist()):
        if ki > ni:
            continue
        if ki == 0 or ki == ni:
            P = 1.0
        else:
            step = ni // math.gcd(ni, 100)
            js = np.arange(0, ni + 1, step)
            P = np.exp(ln_binom_pmf(js, ni, ki / ni)).sum()
        E += P
        V += P * (1 - P)
    z = (obs - E) / math.sqrt(V)
    return dict(observed=obs, expected=E, z=z, p=0.5 * math.erfc(z / math.sqrt(2)))


def avg_ranks(a):
    order = np.argsort(a, kind="mergesort")
    sa = a[order]
    _, first, counts = np.unique(sa, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0
    ranks = np.empty(len(a))
    ranks[order] = np.repeat(avg, counts)
    return ranks


def ratio(y, x, cid, f):
    n = len(y)
    R = y.sum() / x.sum()
    e = y - R * x
    v = (1 - f) / (n * x.mean() ** 2) * e.var(ddof=1)
    ec = np.bincount(cid, weights=e)
    m = (np.bincount(cid) > 0).sum()
    vc = (1 - f) * m / (m - 1) * (ec ** 2).sum() / x.sum() ** 2
    return R, math.sqrt(v), math.sqrt(vc)


def klimek(t, s, rng_seed):
    def robust(v):
        q1, q3 = np.quantile(v, [0.25, 0.75])
        return np.median(v), (q3 - q1) / 1.349
    with np.errstate(divide="ignore"):
        lg = np.log(s / (1 - s))
    mu_t, sd_t = robust(t)
    mu_l, sd_l = robust(lg)
    hobs = np.histogram2d(t, s, bins=50, range=[[0, 1], [0, 1]])[0]
    hobs /= hobs.sum()
    n = len(t)
    rng = np.random.default_rng(rng_seed)
    ts = np.clip(rng.normal(mu_t, sd_t, n), 0, 1)
    vs = 1 / (1 + np.exp(-rng.normal(mu_l, sd_l, n)))
    u = rng.random(n)
    xi = np.clip(rng.exponential(0.1, n), 0, 1)
    xe = np.clip(1 - np.abs(rng.normal(0, 0.075, n)), 0, 1)
    best = None
    grid = np.round(np.arange(11) * 0.01, 2)
    for fi in grid:
        for fe in grid:
            x = np.where(u < fi, xi, np.where(u < fi + fe, xe, 0.0))
            tn = ts + x * (1 - ts)
            ok = tn > 0
            vn = (vs * ts + x * (1 - ts) + x * (1 - vs) * ts)[ok] / tn[ok]
            h = np.histogram2d(tn[ok], vn, bins=50, range=[[0, 1], [0, 1]])[0]
            h /= h.sum()
            l2 = ((h - hobs) ** 2).sum()
            if best is None or l2 < best[0]:
                best = (l2, fi, fe)
    return best


def shpilkin(t, W, V):
    b = np_hist_index(t, 100)
    wb = np.bincount(b, weights=W, minlength=100)
    vb = np.bincount(b, weights=V, minlength=100)
    mode = int(vb.argmax())
    r = wb[: mode + 1].sum() / (vb[: mode + 1] - wb[: mode + 1]).sum()
    ex = wb[mode + 1:] - r * (vb[mode + 1:] - wb[mode + 1:])
    q = np.quantile(t, np.linspace(0, 1, 11))
    d = np.searchsorted(q[1:-1], t, side="left")
    dec = [W[d == k].sum() / V[d == k].sum() for k in range(10)]
    return dict(mode=mode, r=r, excess=np.clip(ex, 0, None).sum(), net=ex.sum(), deciles=dec)


def round_decimal(comp, quick, per_sim, d):
    T = sum(comp.values())
    ids = sorted(comp, key=lambda k: -comp[k])
    ids = [k for k in ids if k != "others"] + (["others"] if "others" in comp else [])
    res = {}
    for k in ids:
        pct = 100 * comp[k] / T
        q = round(1000 * comp[k] / T)
        res[k] = dict(dev=pct - round(pct * 10) / 10, cmpt=comp[k] - q / 1000 * T,
                      nearest=abs(1000 * comp[k] - q * T) * 2 <= 1000)
    hits = sum(v["nearest"] for v in res.values())
    out = dict(components=res, hits=hits)
    if hits < 2:
        return out
    # Smooth prior simulation.
    n_total = 2_000_000 if quick else 100_000_000
    rng = np.random.default_rng(SEED)
    lo, hi = round(T * 0.95), round(T * 1.05)
    shares = np.array([comp[k] / T for k in ids])
    each = np.zeros(len(ids), dtype=np.int64)
    all_hits = all_near = 0
    chunk = 5_000_000
    done = 0
    while done < n_total:
        m = min(chunk, n_total - done)
        Ts = rng.integers(lo, hi + 1, m)
        counts = np.empty((len(ids), m), dtype=np.int64)
        rest = Ts.copy()
        for j in range(len(ids) - 1):
            c = np.round((shares[j] + 0.01 * rng.standard_normal(m)) * Ts).astype(np.int64)
            counts[j] = c
            rest -= c
        counts[-1] = rest
        ok = (counts >= 0).all(axis=0)
        x = 1000 * counts / Ts
        dist = np.abs(x - np.round(x))
        within = (dist / 10 <= TOL) & ok
        r = (1000 * counts) % Ts
        near = (np.minimum(r, Ts - r) * 2 <= 1000) & ok
        each += within.sum(axis=1)
        all_hits += int(within.all(axis=0).sum())
        all_near += int(near.all(axis=0).sum())
        done += m
    out["smooth"] = dict(n=n_total, rates=each / n_total, all=all_hits, all_near=all_near)
    # Table bootstrap.
    reps = 1_000 if quick else 20_000
    rng = np.random.default_rng(SEED + 1)
    cols = []
    named = [k for k in ids if k != "others"]
    for k in named:
        cols.append(d[k])
    if "others" in ids:
        cols.append(d["VOTOS_VALIDOS"] - sum(d[k] for k in named))
    cols.append(d["VOTOS_VALIDOS"])
    M = np.stack(cols, axis=1).astype(np.int64)
    n = len(M)
    sums = np.empty((reps, M.shape[1]), dtype=np.int64)
    batch = 100
    for b0 in range(0, reps, batch):
        bsz = min(batch, reps - b0)
        idx = rng.integers(0, n, (bsz, per_sim))
        for c in range(M.shape[1]):
            sums[b0:b0 + bsz, c] = M[idx, c].sum(axis=1)
    pct = 100 * sums[:, :-1] / sums[:, -1:]
    hit = np.abs(pct - np.round(pct * 10) / 10) <= TOL
    top = pct[:, 0]
    frac = np.sort((top * 10) % 1.0)
    nn = len(frac)
    D = max((np.arange(1, nn + 1) / nn - frac).max(), (frac - np.arange(nn) / nn).max())
    out["bootstrap"] = dict(rates=hit.mean(axis=0), joint2=int((hit[:, 0] & hit[:, 1]).sum()),
                            sd=top.std(ddof=1), ks=D)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quick = "--quick" in sys.argv
    path = args[0] if args else "../shared/data/ve2024/resultados_2024_v1.csv"
    t0 = time.perf_counter()
    d = load(path)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    global LOGFACT
    LOGFACT = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, 40_001)))])
    RE, VV, VN = d["RE"], d["VOTOS_VALIDOS"], d["VOTOS_NULOS"]
    EG, NM = d["EG"], d["NM"]
    cast = VV + VN
    n = len(RE)
    OT = VV - EG - NM
    # 1. Totals, states, turnout.
    totals = {k: int(d[k].sum()) for k in CANDS}
    _, cid = np.unique(d["CENTRO"], return_inverse=True)
    _, pid = np.unique(d["CENTRO"] // 1000, return_inverse=True)
    states = {}
    for s in np.unique(d["COD_EDO"]):
        k = d["COD_EDO"] == s
        states[int(s)] = dict(EG=int(EG[k].sum()), NM=int(NM[k].sum()), RE=int(RE[k].sum()),
                              turnout=VV[k].sum() / RE[k].sum())
    t = cast / RE
    q = np.quantile(t, [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
    mt, st = t.mean(), t.std()
    turnout = dict(mean=mt, sd=t.std(ddof=1), skew=((t - mt) ** 3).mean() / st ** 3,
                   kurt=((t - mt) ** 4).mean() / st ** 4 - 3, q=q,
                   hist=np.histogram(t, bins=100, range=(0, 1))[0])
    # 2. Worst cases.
    re_sum = int(RE.sum())
    gap = totals["EG"] - totals["NM"]
    turn = cast.sum() / re_sum
    sh_nm = NM / VV
    dec = sh_nm >= np.quantile(sh_nm, 0.9)
    worst = {}
    for name, reg in [("total", RE_TOTAL), ("in_country", RE_TOTAL - RE_ABROAD)]:
        M = reg - re_sum
        B = M * turn
        o = OT.sum() / VV.sum()
        worst[name] = dict(A=gap - M, B=gap - B, C=(gap + M) / (2 * M), C2=(gap + B) / (2 * B), D=gap / M,
                           E=gap / (M / (TABLES_TOTAL - n)), F=(gap + (1 - o) * B) / (2 * B),
                           G=(totals["EG"] + EG[dec].sum() / RE[dec].sum() * M)
                           - (totals["NM"] + NM[dec].sum() / RE[dec].sum() * M))
    # 3. Ratio projections.
    f = n / TABLES_TOTAL
    proj = {}
    for name, y in [("EG", EG), ("NM", NM), ("others", OT), ("valid", VV)] + [(c, d[c]) for c in CANDS if c not in ("EG", "NM")]:
        proj[name] = ratio(y.astype(float), RE.astype(float), cid, f)
    shares = {c: ratio(d[c].astype(float), VV.astype(float), cid, f) for c in CANDS}
    strat = {}
    for c in ["EG", "NM"]:
        est = var = 0.0
        for s in np.unique(d["COD_EDO"]):
            k = d["COD_EDO"] == s
            w = RE[k].sum() / re_sum
            y, x = d[c][k].astype(float), VV[k].astype(float)
            R = y.sum() / x.sum()
            e = y - R * x
            est += w * R
            var += w * w * e.var(ddof=1) / (k.sum() * x.mean() ** 2)
        strat[c] = (est, math.sqrt(var))
    # 4. Official bulletins.
    d["others"] = OT
    per_sim = round(0.8 * TABLES_TOTAL)
    rd1 = round_decimal(CNE1, quick, per_sim, d)
    rd2 = round_decimal(CNE2, quick, round(0.9687 * TABLES_TOTAL), d)
    # 5. Forensics.
    rng = np.random.default_rng(SEED + 2)
    reps = 50 if quick else 200
    digits = {"EG": digit_tests(EG, VV, pid, reps, rng), "NM": digit_tests(NM, VV, pid, reps, rng),
              "valid": digit_tests(VV, VV, pid, 0, rng, candidate=False)}
    p05t = np.isin(np.round(100 * cast / RE).astype(np.int64) % 10, [0, 5]).mean()
    ip = {"turnout": integer_percent(cast, RE), "NM_share": integer_percent(NM, VV),
          "EG_share": integer_percent(EG, VV)}
    fp = {}
    for c in ["EG", "NM"]:
        s = d[c] / VV
        H = np.histogram2d(t, s, bins=100, range=[[0, 1], [0, 1]])[0]
        i, j = np.unravel_index(H.argmax(), H.shape)
        ms, ss = s.mean(), s.std()
        fp[c] = dict(pearson=np.corrcoef(t, s)[0, 1], spearman=np.corrcoef(avg_ranks(t), avg_ranks(s))[0, 1],
                     skew=((s - ms) ** 3).mean() / ss ** 3, peak=(i * 0.01, j * 0.01),
                     klimek=klimek(t, s, SEED), shpilkin=shpilkin(t, d[c], VV))
    t_report = time.perf_counter() - t1
    print(f"numpy: tables {n} | smooth draws {rd1['smooth']['n']} | bootstrap {len(rd1['bootstrap']['rates']) and (1000 if quick else 20000)}x{per_sim} | 2BL null reps {reps}")
    print(f"numpy figures: margin {gap}; worst A lead {worst['total']['A']}; EG share {shares['EG'][0]:.6f} (SE cl {shares['EG'][2]:.6f});"
          f" smooth all-three {rd1['smooth']['all']}; NM 2BL null z {digits['NM']['null']['z']:.2f};"
          f" EG 2BL null z {digits['EG']['null']['z']:.2f}; Kobak turnout {ip['turnout']['observed']}/{ip['turnout']['expected']:.4f};"
          f" Shpilkin NM excess {fp['NM']['shpilkin']['excess']:.1f}; Klimek NM f_i {fp['NM']['klimek'][1]}")
    print(f"python_load_s {t_load:.3f}")
    print(f"python_report_s {t_report:.3f}")
    print(f"python_total_s {t_load + t_report:.3f}")


if __name__ == "__main__":
    main()
