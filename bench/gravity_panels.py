#!/usr/bin/env python3
"""Writes gravity panels from processes other than `mizani synth`'s two.

The speed comparison with fixest (bench/README.md) must not rest on the
data-generating processes the engine was tuned on. `mizani synth` draws the
first two (`--dgp ppml` and `--dgp hurdle`); this script draws four more,
each written after the description of a process of the benchmark notes
(earlier sessions' scripts were local and lost with their machines; these
follow the same descriptions with new code and new draws):

  gravity    the third process: Poisson counts around a gravity mean with
             exporter and importer sizes that trend and take random-walk
             shocks, -log distance, contiguity, a common language, `rta` on
             a quarter of the pairs from a random year on, and a N(0, 1)
             pair residual. Every pair and year; about half the flows zero.
  missing    a years-missing process (after the sixth): each pair-year kept
             with probability 0.8, trade in dollars with lognormal noise,
             zeros below a threshold on a latent index (about 40%), a fifth
             of the pairs never trading.
  small      the seventh process, small counts: Zipf country sizes, a pair
             present with a probability rising in both sizes, 15% of the
             years missing at random, Poisson counts with about 89% zeros.
  separated  the fourth process: 70% of the pairs observed over a random
             span of at least a third of the years, exporter-year and
             importer-year shocks, a pair residual, about 45% zeros from a
             threshold on the latent index, and a `sanction` dummy equal to
             1 on every zero flow of 1% of the pairs (so those rows are
             separated in PPML).

Columns: exporter, importer, year, trade, dist, contig, lang, rta (and
sanction for `separated`); rows by pair, then year, as `mizani synth`.

  bench/gravity_panels.py PROCESS COUNTRIES YEARS SEED OUTPUT.csv

  gravity 250 40 1     2,490,000 rows      gravity 700 40 1   19,572,000 rows
  missing 280 40 1     about 2.50M rows    small 560 40 1     about 2.55M rows
  separated 420 30 1   about 2.4M rows

Needs numpy (Debian python3-numpy, installed by scripts/setup.sh). Progress
goes to stderr; the file is written to OUTPUT.tmp and renamed when whole.
"""

import os
import sys

import numpy as np

BETA = {"dist": -1.0, "contig": 0.5, "lang": 0.3, "rta": 0.4}
PAIRS_PER_CHUNK = 20_000


def geography(rng, n):
    """Distances from points on a plane, contiguity for the nearest 2% of
    pairs, a common language on a symmetric 15% of pairs."""
    xy = rng.uniform(0.0, 10.0, size=(n, 2))
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)) * 1000.0 + 100.0
    off = ~np.eye(n, dtype=bool)
    contig = (dist < np.quantile(dist[off], 0.02)) & off
    lang = np.triu(rng.random((n, n)) < 0.15, 1)
    lang = lang | lang.T
    return dist, contig.astype(np.int8), lang.astype(np.int8)


def sizes(rng, n, years, zipf=False):
    """Log sizes by country and year: a level, a trend and random-walk shocks."""
    if zipf:
        level = -np.log(np.arange(1, n + 1, dtype=float))
        level = level[rng.permutation(n)] * 1.2
    else:
        level = rng.normal(0.0, 1.0, n)
    trend = rng.normal(0.02, 0.01, n)
    walk = np.cumsum(rng.normal(0.0, 0.05, (n, years)), axis=1)
    return level[:, None] + trend[:, None] * np.arange(years)[None, :] + walk


def rta_start(rng, pairs, years):
    """Year index from which `rta` is 1: a quarter of the pairs, a random year."""
    start = np.full(pairs, years, dtype=np.int64)
    signed = rng.random(pairs) < 0.25
    start[signed] = rng.integers(0, years, signed.sum())
    return start


def solve(target, share, low=-60.0, high=60.0):
    """The c in [low, high] where share(c), increasing in c, equals target
    (bisection to 1e-9)."""
    for _ in range(200):
        mid = 0.5 * (low + high)
        if share(mid) < target:
            low = mid
        else:
            high = mid
        if high - low < 1e-9:
            break
    return 0.5 * (low + high)


def draw(process, n, years, seed):
    """Yields (exporter, importer, year, trade, dist, contig, lang, rta,
    sanction) arrays, a chunk of pairs at a time."""
    rng = np.random.default_rng(seed)
    dist, contig, lang = geography(rng, n)
    exp_size = sizes(rng, n, years, zipf=process == "small")
    imp_size = sizes(rng, n, years, zipf=False) if process != "small" else \
        exp_size + rng.normal(0.0, 0.3, (n, years))
    exporter, importer = np.nonzero(~np.eye(n, dtype=bool))
    pairs = exporter.size
    present = np.ones(pairs, dtype=bool)
    first = np.zeros(pairs, dtype=np.int64)
    last = np.full(pairs, years, dtype=np.int64)
    never = np.zeros(pairs, dtype=bool)
    sanctioned = np.zeros(pairs, dtype=bool)
    if process == "small":
        # Presence rises in both sizes: a logistic in the sum of the levels,
        # shifted so that about 24% of the pairs are present.
        score = 1.5 * (exp_size[exporter, 0] + exp_size[importer, 0])
        shift = solve(0.24, lambda c: np.mean(1.0 / (1.0 + np.exp(-(score + c)))))
        present = rng.random(pairs) < 1.0 / (1.0 + np.exp(-(score + shift)))
    if process == "separated":
        present = rng.random(pairs) < 0.7
        span = rng.integers(max(1, years // 3), years + 1, pairs)
        first = rng.integers(0, years - span + 1)
        last = first + span
        sanctioned = rng.random(pairs) < 0.01
    if process == "missing":
        never = rng.random(pairs) < 0.2
    keep_pairs = np.nonzero(present)[0]
    start = rta_start(rng, pairs, years)
    residual = rng.normal(0.0, 1.0, pairs)
    year_shock_e = rng.normal(0.0, 0.1, (n, years)) if process == "separated" else 0.0
    year_shock_i = rng.normal(0.0, 0.1, (n, years)) if process == "separated" else 0.0
    def linear_index(pp, tt, rta):
        e, i = exporter[pp], importer[pp]
        eta = (exp_size[e, tt] + imp_size[i, tt] + BETA["dist"] * np.log(dist[e, i])
               + BETA["contig"] * contig[e, i] + BETA["lang"] * lang[e, i] + BETA["rta"] * rta
               + residual[pp])
        if process == "separated":
            eta = eta + year_shock_e[e, tt] + year_shock_i[i, tt]
        return eta

    # The constant (Poisson processes) or the threshold (the others) that
    # gives the process its share of zeros, on a sample of pair-years drawn
    # from a separate stream so that the panel's own draws do not depend on it.
    sample_rng = np.random.default_rng(seed + 7919)
    sp = keep_pairs[sample_rng.integers(0, keep_pairs.size, 200_000)]
    st = sample_rng.integers(first[sp], last[sp])
    sample = linear_index(sp, st, (st >= start[sp]).astype(np.int8))
    zero_share = {"gravity": 0.50, "missing": 0.25, "small": 0.89, "separated": 0.45}[process]
    constant = threshold = 0.0
    if process in ("gravity", "small"):
        constant = solve(1.0 - zero_share,
                         lambda c: 1.0 - np.mean(np.exp(-np.exp(sample + c))))
    else:
        threshold = np.quantile(sample + sample_rng.normal(0.0, 1.0, sample.size), zero_share)
    for begin in range(0, keep_pairs.size, PAIRS_PER_CHUNK):
        p = keep_pairs[begin:begin + PAIRS_PER_CHUNK]
        t = np.arange(years)
        pp = np.repeat(p, years)
        tt = np.tile(t, p.size)
        keep = (tt >= first[pp]) & (tt < last[pp])
        if process == "missing":
            keep &= rng.random(pp.size) < 0.8
        if process == "small":
            keep &= rng.random(pp.size) < 0.85
        pp, tt = pp[keep], tt[keep]
        e, i = exporter[pp], importer[pp]
        rta = (tt >= start[pp]).astype(np.int8)
        eta = constant + linear_index(pp, tt, rta)
        if process in ("gravity", "small"):
            trade = rng.poisson(np.exp(eta)).astype(float)
        else:
            latent = eta + rng.normal(0.0, 1.0, eta.size)
            trade = np.where(latent < threshold, 0.0,
                             np.exp(eta + rng.normal(0.0, 0.5, eta.size)))
            if process == "missing":
                trade[never[pp]] = 0.0
        sanction = ((trade == 0.0) & sanctioned[pp]).astype(np.int8)
        yield e, i, tt, trade, dist[e, i], contig[e, i], lang[e, i], rta, sanction


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    process, n, years, seed, output = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    if process not in ("gravity", "missing", "small", "separated"):
        print(f"gravity_panels: unknown process {process!r}", file=sys.stderr)
        return 2
    if n < 2 or years < 1:
        print("gravity_panels: COUNTRIES must be at least 2 and YEARS at least 1",
              file=sys.stderr)
        return 2
    names = np.array([f"C{k:03d}" for k in range(1, n + 1)])
    header = "exporter,importer,year,trade,dist,contig,lang,rta"
    if process == "separated":
        header += ",sanction"
    rows = zeros = 0
    tmp = output + ".tmp"
    with open(tmp, "w", encoding="ascii") as out:
        out.write(header + "\n")
        for e, i, tt, trade, dist, contig, lang, rta, sanction in draw(process, n, years, seed):
            columns = [names[e], names[i], (1980 + tt).astype(str),
                       np.char.mod("%.10g", trade), np.char.mod("%.6f", dist),
                       contig.astype(str), lang.astype(str), rta.astype(str)]
            if process == "separated":
                columns.append(sanction.astype(str))
            lines = columns[0]
            for column in columns[1:]:
                lines = np.char.add(np.char.add(lines, ","), column)
            out.write("\n".join(lines.tolist()))
            out.write("\n")
            rows += trade.size
            zeros += int((trade == 0.0).sum())
            print(f"gravity_panels: {rows:,} rows", file=sys.stderr, end="\r")
    os.replace(tmp, output)
    print(f"gravity_panels: {process}: {rows:,} rows, {zeros / max(rows, 1):.1%} zeros "
          f"-> {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
