#!/usr/bin/python3
"""`mpirun -np K mizani estimate` against single-process runs (docs/distributed.md).

Usage: estimate_mpi.py MIZANI MPI_BUILT(ON/OFF)

Panels from `mizani synth` (both data-generating processes, with zeros) plus a
regressor that separates one zero observation. Each case runs once without a
launcher and again under mpirun with -np 1, 2 and 4 (oversubscribed); every
number of the JSON output (coefficients, every standard-error kind, the
fixed effects, counts) must agree to 1e-10 relative, and errors on bad input
must exit with the single-process code. Exit 77 (skipped) when the build has
no MPI or mpirun is absent.
"""
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

MIZANI = sys.argv[1]
if len(sys.argv) < 3 or sys.argv[2].upper() not in ("ON", "1", "TRUE"):
    print("skipped: mizani built without MPI (cmake -DMIZANI_MPI=ON)")
    sys.exit(77)
MPIRUN = shutil.which("mpirun")
if MPIRUN is None:
    print("skipped: mpirun not found (Debian: openmpi-bin)")
    sys.exit(77)

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
# Numbers that are timings, not results.
TIMING_KEYS = {"seconds", "time", "seconds_cleaning", "seconds_separation", "seconds_irls",
               "seconds_variance"}
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
failures = []
passes = 0


def run(args, ranks=None, env=None):
    cmd = [MIZANI] + args if ranks is None else [MPIRUN, "--oversubscribe", "-np", str(ranks),
                                                  MIZANI] + args
    return subprocess.run(cmd, env=env or ENV, capture_output=True, text=True, timeout=600)


def compare(a, b, path, out):
    """Appends to `out` every place where a and b differ (numbers: 1e-10 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            out.append(f"{path}: keys {sorted(set(a) ^ set(b))}")
            return
        for key in a:
            if key in TIMING_KEYS or "second" in key:
                continue
            compare(a[key], b[key], f"{path}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} vs {len(b)}")
            return
        for idx, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{path}[{idx}]", out)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if math.isnan(a) and math.isnan(b):
            return
        if abs(a - b) > 1e-10 * max(1.0, abs(a), abs(b)):
            out.append(f"{path}: {a!r} vs {b!r}")
    elif isinstance(a, str) and isinstance(b, str) and a != b:
        # Messages quote numbers ("relative deviance change 5.4e-14"): the
        # words must agree, the numbers as numbers (the last step's change
        # of the deviance is rounding noise of order 1e-14 either way).
        words_a, words_b = NUMBER.split(a), NUMBER.split(b)
        if words_a != words_b:
            out.append(f"{path}: {a!r} vs {b!r}")
            return
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
            compare(float(x), float(y), path, out)
    elif a != b:
        out.append(f"{path}: {a!r} vs {b!r}")


def check(name, args, ranks_list=(1, 2, 4), single_env=None):
    """Runs `args` (with {out} and {fe} placeholders) alone and under mpirun.

    single_env: the environment of every run (with MIZANI_FE_SOLVER=jacobi
    both sides project on the Jacobi path; by default both take the Schur
    path where the shard dimension is the one it eliminates: the same
    algorithm, the sums split across ranks)."""
    global passes
    def materialise(tag):
        return [x.replace("{out}", os.path.join(TMP, f"{name}.{tag}.json"))
                 .replace("{fe}", os.path.join(TMP, f"{name}.{tag}.fe.csv")) for x in args]
    single = run(materialise("single"), env=single_env)
    if single.returncode not in (0, 7):
        failures.append(f"{name}: single-process run failed ({single.returncode}): "
                        f"{single.stderr[-400:]}")
        return
    reference = json.load(open(os.path.join(TMP, f"{name}.single.json")))
    fe_reference = None
    if "{fe}" in args:
        fe_reference = list(csv.reader(open(os.path.join(TMP, f"{name}.single.fe.csv"))))
    for ranks in ranks_list:
        tag = f"np{ranks}"
        result = run(materialise(tag), ranks, env=single_env)
        if result.returncode != single.returncode:
            failures.append(f"{name} -np {ranks}: exit {result.returncode}, "
                            f"single process {single.returncode}: {result.stderr[-400:]}")
            continue
        diffs = []
        compare(reference, json.load(open(os.path.join(TMP, f"{name}.{tag}.json"))), name, diffs)
        if fe_reference is not None:
            fe = list(csv.reader(open(os.path.join(TMP, f"{name}.{tag}.fe.csv"))))
            compare([[float(v) if _num(v) else v for v in row] for row in fe_reference],
                    [[float(v) if _num(v) else v for v in row] for row in fe], f"{name}.fe", diffs)
        if diffs:
            failures.append(f"{name} -np {ranks}: {len(diffs)} difference(s), first: {diffs[:3]}")
        else:
            passes += 1
            print(f"ok   {name} -np {ranks}")


def _num(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def expect_code(name, args, code):
    global passes
    single = run(args)
    for ranks in (2, 4):
        result = run(args, ranks)
        if single.returncode != code or result.returncode != code:
            failures.append(f"{name} -np {ranks}: exit {result.returncode}, single "
                            f"{single.returncode}, expected {code}")
        else:
            passes += 1
            print(f"ok   {name} -np {ranks} (exit {code})")


TMP = tempfile.mkdtemp()
try:
    panels = {}
    for dgp in ("logistic", "hurdle"):
        path = os.path.join(TMP, f"{dgp}.csv")
        made = run(["synth", "-q", "--dgp", dgp, "--exporters", "16", "--importers", "16",
                    "--years", "6", "--seed", "3", "-o", path])
        if made.returncode != 0:
            failures.append(f"synth {dgp}: {made.stderr}")
            continue
        # A regressor that is positive on one zero flow of each year only:
        # those observations are separated (PPML drops them).
        rows = list(csv.DictReader(open(path)))
        marked = set()
        for row in rows:
            # Constant within each exporter: collinear with its fixed effect.
            row["excol"] = str(sum(map(ord, row["exporter"])) % 7)
            # A text group column with missing values: the shares' rows
            # travel to the ranks of their groups (--by under mpirun).
            missing = row["year"] == "1981" and row["importer"] < row["exporter"]
            row["block"] = "" if missing else f"B{sum(map(ord, row['importer'])) % 3}"

            # A regressor with gaps: its rows are dropped as missing.
            row["gappy"] = "" if len(marked) % 3 == 0 and int(row["year"]) % 2 == 0 and \
                row["importer"] < row["exporter"] else row["ln_dist"]
            row["sep"] = "0"
            if float(row["trade"]) == 0 and row["year"] not in marked:
                row["sep"] = "1"
                marked.add(row["year"])
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
            writer.writeheader()
            writer.writerows(rows)
        panels[dgp] = path

    two_way = "trade ~ ln_dist + contig + lang + rta + sep | exporter + importer"
    three_way = "trade ~ rta + sep | exporter^year + importer^year + pair_id"
    for dgp, path in panels.items():
        for vcov in (["--vcov", "iid"], ["--vcov", "hetero"], ["--cluster", "pair_id"],
                     ["--cluster", "exporter,importer"]):
            tag = vcov[-1].replace(",", "_")
            base = ["estimate", "-q", "-d", path, "--format", "json", "-o", "{out}"] + vcov
            check(f"{dgp}-by-year-ppml-{tag}", base + ["-f", two_way, "--by", "year"])
            check(f"{dgp}-by-year-ppml-nosep-{tag}",
                  base + ["-f", two_way, "--by", "year", "--no-separation-check"], (2,))
            check(f"{dgp}-by-year-ols-{tag}",
                  base + ["-f", "log(trade) ~ ln_dist + contig + lang + rta | exporter + importer",
                          "--family", "ols", "--by", "year"], (2,))
        # One model (PPML or OLS) is fitted by all ranks together, each its
        # shard of the rows: every number (coefficients, each vcov kind,
        # statistics, fixed effects) within 1e-10 of one process on the
        # same (Jacobi) path. The PPML cases keep the separated observation
        # (found on the whole frame, on every rank) out of the fit.
        jacobi = dict(ENV, MIZANI_FE_SOLVER="jacobi")
        models = {"ppml": ("trade ~ ln_dist + contig + lang + rta + sep | exporter + importer",
                           "trade ~ ln_dist + excol + rta | exporter + importer",
                           "trade ~ rta + sep | exporter^year + importer^year + pair_id",
                           "trade ~ ln_dist + contig + lang + rta"),
                  "ols": ("log(trade) ~ ln_dist + contig + lang + rta + sep | exporter + importer",
                          "log(trade) ~ ln_dist + excol + rta | exporter + importer",
                          "log(trade) ~ rta | exporter^year + importer^year",
                          "log(trade) ~ ln_dist + contig + lang + rta")}
        for family, (two, collinear, three, no_fe) in models.items():
            base = ["estimate", "-q", "-d", path, "--format", "json", "-o", "{out}", "--family",
                    family]
            for vcov in (["--vcov", "iid"], ["--vcov", "hetero"], ["--cluster", "pair_id"],
                         ["--cluster", "exporter,importer"]):
                tag = vcov[-1].replace(",", "_")
                check(f"{dgp}-sharded-{family}-two-way-{tag}",
                      base + ["--fe-output", "{fe}", "-f", two] + vcov, single_env=jacobi)
            # The collinearity check on reduced sums drops excol on every rank.
            check(f"{dgp}-sharded-{family}-collinear", base + ["--vcov", "hetero", "-f", collinear],
                  single_env=jacobi)
            check(f"{dgp}-sharded-{family}-three-way",
                  base + ["--fe-output", "{fe}", "--cluster", "pair_id", "-f", three],
                  single_env=jacobi)
            # No fixed effects: the rows are cut into blocks of rows.
            check(f"{dgp}-sharded-{family}-no-fe", base + ["--vcov", "hetero", "-f", no_fe])
            # The default path, the Schur complement, on both sides: the
            # sharded fit eliminates the shard dimension (its runs whole on
            # their rank) and reduces only the other levels.
            check(f"{dgp}-sharded-{family}-three-way-schur",
                  base + ["--fe-output", "{fe}", "--cluster", "pair_id", "-f", three])
            check(f"{dgp}-sharded-{family}-two-way-schur",
                  base + ["--fe-output", "{fe}", "--vcov", "hetero", "-f", two])
    # Rows dropped before the fit (a filter, missing values, then
    # singletons and all-zero groups of the three-way model on the shorter
    # panel): each rank builds its rows' frame from its share of the file,
    # the ranks agree on the counts and on the levels left, and every
    # number and fixed effect equals one process's (the default path).
    for dgp, path in panels.items():
        for family, lhs in (("ppml", "trade"), ("ols", "log(trade)")):
            check(f"{dgp}-shares-{family}-dropped",
                  ["estimate", "-q", "-d", path, "--format", "json", "-o", "{out}", "--family",
                   family, "--fe-output", "{fe}", "--vcov", "hetero", "--filter", "year != 1981",
                   "--filter", "year <= 1983", "-f",
                   f"{lhs} ~ gappy + rta + sep | exporter^year + importer^year + pair_id"])
    # Three exporters over four ranks: one rank has no rows of the sharded
    # fit and still takes part in every reduction.
    tiny = os.path.join(TMP, "tiny.csv")
    if run(["synth", "-q", "--exporters", "3", "--importers", "3", "--years", "4", "--zeros",
            "0", "--seed", "2", "-o", tiny]).returncode == 0:
        for family, lhs in (("ols", "log(trade)"), ("ppml", "trade")):
            check(f"tiny-sharded-{family}-empty-rank",
                  ["estimate", "-q", "-d", tiny, "--format", "json", "-o", "{out}", "--family",
                   family, "--vcov", "hetero", "-f",
                   f"{lhs} ~ ln_dist + rta | exporter + importer"],
                  (4,), single_env=dict(ENV, MIZANI_FE_SOLVER="jacobi"))
    else:
        failures.append("synth tiny panel failed")
    # --by a text column with missing values: each rank keeps its share of
    # the file and sends every row to the rank fitting its group.
    for dgp, path in panels.items():
        check(f"{dgp}-by-text-block", ["estimate", "-q", "-d", path, "--format", "json", "-o",
                                       "{out}", "--vcov", "hetero", "-f", two_way, "--by",
                                       "block"], (2, 4))
    # The sharded three-way fit above took the Schur path: its trace says so
    # (the bytes reduced a pass are the remaining levels').
    path = panels.get("logistic")
    if path is not None:
        traced = run(["estimate", "-q", "-d", path, "-f", three_way, "--vcov", "iid", "--format",
                      "json", "-o", os.path.join(TMP, "traced.json")], 2,
                     env=dict(ENV, MIZANI_TRACE="2"))
        if traced.returncode == 0 and re.search(
                r"projection \(Schur\).*bytes allreduced per pass \(2 ranks\)", traced.stderr):
            passes += 1
            print("ok   sharded three-way fit on the Schur path -np 2")
        else:
            failures.append("sharded three-way fit: no Schur projection in the trace: "
                            f"{traced.stderr[-400:]}")
    # --by under -np 2 equals separate runs, one per value, filtered.
    path = panels.get("logistic")
    if path is not None:
        by = run(["estimate", "-q", "-d", path, "-f", two_way, "--by", "year", "--format", "json",
                  "--vcov", "hetero", "-o", os.path.join(TMP, "by2.json")], 2)
        stacked = json.load(open(os.path.join(TMP, "by2.json"))) if by.returncode == 0 else None
        if stacked is None:
            failures.append(f"--by -np 2 failed: {by.stderr[-400:]}")
        else:
            for group in stacked["groups"]:
                alone = run(["estimate", "-q", "-d", path, "-f", two_way, "--format", "json",
                             "--vcov", "hetero", "--filter", f"year == {group['value']}"])
                separate = json.loads(alone.stdout)
                diffs = []
                for key in ("coefficients", "nobs"):
                    if key in separate:
                        compare(separate[key], group.get(key), f"year {group['value']}.{key}",
                                diffs)
                if diffs or "coefficients" not in separate:
                    failures.append(f"--by -np 2 vs separate run: {diffs[:3]}")
                else:
                    passes += 1
                    print(f"ok   --by -np 2, year {group['value']} equals its separate run")
    # A Stata file read in shares (each rank seeks to its rows; the text
    # levels agreed to the file's): the Advanced Guide's Chapter 1
    # application 1 from ../shared/data, when present; one model, and one
    # per year (--by: the rows travel to the ranks of their years, their
    # text codes meaning the same country on every rank).
    shared = os.environ.get("MIZANI_SHARED_DATA") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")
    dta = os.path.join(shared, "agtpa_yotov2016", "dta", "Chapter1", "Chapter1Application1.dta")
    if os.path.exists(dta):
        check("stata-shares-ppml",
              ["estimate", "-q", "-d", dta, "--format", "json", "-o", "{out}", "--fe-output",
               "{fe}", "--cluster", "pair_id", "--filter", "exporter != importer", "-f",
               "trade ~ log(DIST) + CNTG + LANG + CLNY | exporter^year + importer^year"], (2, 4))
        check("stata-shares-by-year",
              ["estimate", "-q", "-d", dta, "--format", "json", "-o", "{out}", "--cluster",
               "pair_id", "--filter", "exporter != importer", "--by", "year", "-f",
               "trade ~ log(DIST) + CNTG + LANG + CLNY | exporter + importer"], (2, 4))
    else:
        print(f"skipped: {dta} not found (the Stata case; set MIZANI_SHARED_DATA)")
    # One model from shares: the rows travel to their ranks (no rank holds
    # the table), which the trace reports.
    if path is not None:
        traced = run(["estimate", "-q", "-d", path, "-f", three_way, "--vcov", "iid", "--format",
                      "json", "-o", os.path.join(TMP, "routed.json")], 2,
                     env=dict(ENV, MIZANI_TRACE="1"))
        if traced.returncode == 0 and re.search(r"routing rows: rank 0 sent \d+ bytes",
                                                traced.stderr):
            passes += 1
            print("ok   one model -np 2: rows routed from the shares")
        else:
            failures.append(f"one model -np 2: no routing in the trace: {traced.stderr[-400:]}")
        # Every rank on this host: mizani asks Open MPI for pml ob1 (its
        # start-up skips probing UCX and the cm layers), which the trace
        # names; a pml the user chose (OMPI_MCA_pml, as --mca pml sets it)
        # is left alone and the trace does not claim the choice.
        if "on one host (pml ob1)" in traced.stderr:
            passes += 1
            print("ok   one host: pml ob1 asked for")
        else:
            failures.append(f"one host: no 'pml ob1' in the trace: {traced.stderr[-400:]}")
        chosen = run(["estimate", "-q", "-d", path, "-f", three_way, "--vcov", "iid", "--format",
                      "json", "-o", os.path.join(TMP, "chosen.json")], 2,
                     env=dict(ENV, MIZANI_TRACE="1", OMPI_MCA_pml="ob1"))
        if chosen.returncode == 0 and "Open MPI, 2 ranks:" in chosen.stderr and \
                "(pml ob1)" not in chosen.stderr:
            passes += 1
            print("ok   one host: the user's OMPI_MCA_pml left alone")
        else:
            failures.append(f"one host, pml chosen: exit {chosen.returncode}, "
                            f"{chosen.stderr[-400:]}")
    # Bad data in one rank's share: every rank exits with the single
    # process's code, and the message (with the file's row) is the same.
    if path is not None:
        rows = list(csv.DictReader(open(path)))
        for name, column, value, code in (("negative outcome", "trade", "-1", 4),
                                          ("text in a regressor", "rta", "yes", 4)):
            bad = os.path.join(TMP, f"bad-{column}.csv")
            changed = [dict(row) for row in rows]
            changed[-3][column] = value  # in the last rank's share
            with open(bad, "w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
                writer.writeheader()
                writer.writerows(changed)
            args = ["estimate", "-q", "-d", bad, "-f", three_way]
            single = run(args)
            message = [line for line in single.stderr.splitlines() if line.startswith("mizani:")]
            for ranks in (2, 4):
                result = run(args, ranks)
                if single.returncode != code or result.returncode != code or not message or \
                        message[-1] not in result.stderr:
                    failures.append(f"{name} -np {ranks}: exit {result.returncode} (single "
                                    f"{single.returncode}, expected {code}); single said "
                                    f"{message[-1:]}, mpirun said {result.stderr[-300:]}")
                else:
                    passes += 1
                    print(f"ok   {name} -np {ranks} (exit {code}, the same message)")
    expect_code("missing file", ["estimate", "-q", "-d", os.path.join(TMP, "absent.csv"),
                                 "-f", two_way], 3)
    if path is not None:
        expect_code("unknown column", ["estimate", "-q", "-d", path, "-f", "trade ~ nocol"], 5)
        expect_code("unknown column --by", ["estimate", "-q", "-d", path, "-f", "trade ~ nocol",
                                            "--by", "year"], 5)
        expect_code("unknown --by column", ["estimate", "-q", "-d", path, "-f", two_way,
                                            "--by", "nocol"], 5)
finally:
    shutil.rmtree(TMP, ignore_errors=True)

for failure in failures:
    print("FAIL", failure)
print(f"{passes} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
