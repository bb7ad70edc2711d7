"""The bad-input suite: mizani run as a hostile new user would.

Every case runs one command on a small damaged input made here, and asserts
the exit code (docs/cli.md, include/mizani/error.h) and the key words of the
message: the file, and the row, column or key where there is one. A case may
also check what is left on disk (no user file lost, no half-written output).
Cases marked `limited` run under an address-space limit of 2,000,000 KiB
(`ulimit -v 2000000`): a damaged size field must end in a message, never in an
allocation failure. Against an AddressSanitizer build the same bound goes
through ASAN_OPTIONS (see limit_memory), and any sanitizer report fails a case.

Usage: bad_input.py MIZANI [SHARED_DATA]   (run by tests/cli/bad_input.sh)
"""

import gzip
import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile

MIZANI = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix="mizani-bad-input-")
LIMIT_KIB = 2_000_000


def path(name):
    return os.path.join(WORK, name)


def write(name, content, mode="w", encoding="utf-8"):
    # A case's folder may be missing when the case before it failed.
    os.makedirs(os.path.dirname(path(name)), exist_ok=True)
    if "b" in mode:
        with open(path(name), mode) as out:
            out.write(content)
    else:
        with open(path(name), mode, encoding=encoding, newline="") as out:
            out.write(content)
    return path(name)


# --- Fixtures ---------------------------------------------------------------

GOOD_ROWS = [
    ("A", "B", 2000, "10", "100"), ("A", "C", 2000, "0", "200"), ("B", "A", 2000, "12", "100"),
    ("B", "C", 2000, "3", "150"), ("C", "A", 2000, "1", "200"), ("C", "B", 2000, "4", "150"),
    ("A", "B", 2001, "11", "100"), ("A", "C", 2001, "1", "200"), ("B", "A", 2001, "13", "100"),
    ("B", "C", 2001, "2", "150"), ("C", "A", 2001, "2", "200"), ("C", "B", 2001, "5", "150"),
]


def panel(replace=None, header="exporter,importer,year,trade,dist"):
    """The good panel as CSV text; `replace` maps (row 1-based, column) to text."""
    columns = header.split(",")
    lines = [header]
    for row_idx, row in enumerate(GOOD_ROWS, start=1):
        cells = [str(cell) for cell in row]
        for (row_no, column), text in (replace or {}).items():
            if row_no == row_idx:
                cells[columns.index(column)] = text
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


GOOD = write("good.csv", panel())
write("good.csv.gz", gzip.compress(panel().encode()), "wb")
F = "trade ~ log(dist) | exporter + importer"
F_LIN = "trade ~ dist | exporter + importer"

# Damaged gzip: the trailer's ISIZE claims 4 GiB; cut streams; junk after
# the magic bytes.
gz = bytearray(gzip.compress(panel().encode()))
gz[-4:] = b"\xff\xff\xff\xff"
write("isize.csv.gz", bytes(gz), "wb")
gz = bytearray(gzip.compress(panel().encode()))
write("cut.csv.gz", bytes(gz[: len(gz) // 2]), "wb")
write("junk.csv.gz", b"\x1f\x8b" + b"\x00" * 200, "wb")
big_gz = bytearray(gzip.compress(b"x,y\n" + b"1,2\n" * 100000))
big_gz[-4:] = struct.pack("<I", 0xFFFFFFF0)
write("bomb-isize.csv.gz", bytes(big_gz), "wb")


def stata_fixtures():
    """A valid .dta (format 118) from pandas, and damaged copies of it."""
    try:
        import pandas as pd  # Debian python3-pandas
    except ImportError:
        return False
    frame = pd.DataFrame({"exporter": ["A", "B", "C", "A"], "importer": ["B", "C", "A", "C"],
                          "trade": [1.0, 2.0, 3.0, 4.0], "dist": [1.0, 2.0, 3.0, 4.0]})
    frame.to_stata(path("good.dta"), write_index=False, version=118)
    data = bytearray(open(path("good.dta"), "rb").read())
    rows_at = data.index(b"<N>") + 3
    for name, rows in (("rows2e9.dta", 2_000_000_000), ("rows1e15.dta", 10**15),
                       ("rowsmax.dta", 2**63 - 1)):
        damaged = bytearray(data)
        damaged[rows_at:rows_at + 8] = struct.pack("<Q", rows)
        write(name, bytes(damaged), "wb")
    vars_at = data.index(b"<K>") + 3
    damaged = bytearray(data)
    damaged[vars_at:vars_at + 2] = struct.pack("<H", 65000)
    write("vars.dta", bytes(damaged), "wb")
    names_at = data.index(b"<varnames>") + len(b"<varnames>")
    damaged = bytearray(data)
    damaged[names_at] = 0
    write("nullname.dta", bytes(damaged), "wb")
    write("cut.dta", bytes(data[: len(data) * 2 // 3]), "wb")
    write("head.dta", bytes(data[:40]), "wb")
    inf_frame = frame.copy()
    inf_frame.loc[2, "dist"] = float("inf")
    try:
        inf_frame.to_stata(path("inf.dta"), write_index=False, version=118)
    except ValueError:
        pass
    return True


HAVE_STATA = stata_fixtures()
write("fake.dta", "not a stata file at all")

write("text.csv", panel({(4, "trade"): "abc"}))
write("inf-regressor.csv", panel({(12, "dist"): "inf"}))
write("ninf-regressor.csv", panel({(5, "dist"): "-Inf"}))
write("nan-regressor.csv", panel({(3, "dist"): "NaN"}))
write("inf-outcome.csv", panel({(7, "trade"): "inf"}))
write("nan-outcome.csv", panel({(2, "trade"): "nan"}))
write("huge.csv", panel({(9, "dist"): "1e400"}))
write("negative.csv", panel({(4, "trade"): "-3"}))
write("short.csv", "exporter,importer,year,trade,dist\nA,B,2000,10,100\nA,C,2000,5\n")
write("long.csv", "exporter,importer,year,trade,dist\nA,B,2000,10,100,7\n")
write("quote.csv", panel().replace("B,C,2000,3,150", 'B,"C,2000,3,150'))
write("empty.csv", "")
write("header-only.csv", "exporter,importer,year,trade,dist\n")
write("nul.csv", panel().replace("B,C,2000", "B\0X,C,2000"))
write("latin1.csv", panel().replace("B,", "C\u00f4te,"), encoding="latin-1")
write("utf8.csv", panel().replace("B,", "C\u00f4te,"))
write("bom.csv", "\ufeff" + panel())
write("dup.csv", panel(header="exporter,importer,year,trade,trade"))
os.makedirs(path("folder.csv"), exist_ok=True)
write("notes.xlsx", "not a spreadsheet")

# A 3-country world for simulate, one year, domestic flows included.
WORLD = "exporter,importer,year,trade\n" + "".join(
    f"{e},{i},2006,{1000 if e == i else 20}\n" for e in ("JPN", "KEN", "USA")
    for i in ("JPN", "KEN", "USA"))
write("world.csv", WORLD)
write("world-latin1.csv", WORLD.replace("USA", "C\u00f4T"), encoding="latin-1")
write("world-inf.csv", WORLD.replace("KEN,USA,2006,20", "KEN,USA,2006,inf"))
write("world-nul.csv", WORLD.replace("KEN,USA", "KEN\0,USA"))
# An agreement flag column made text by one 1e400 (data row 2, JPN->KEN).
write("world-rta-huge.csv", "exporter,importer,year,trade,rta\n" + "".join(
    f"{line},{'1e400' if line.startswith('JPN,KEN') else 0}\n"
    for line in WORLD.splitlines()[1:]))

TARIFF = """[[shocks]]
kind = "tariff"
exporters = "KEN"
importers = "JPN"
from_pct = 17
to_pct = 0
"""


def scenario(name, model="sigma = 5", shocks=TARIFF, extra="", data="world.csv",
             data_extra=""):
    return write(f"{name}.toml", f"""[data]
path = "{data}"
baseline_year = 2006
{data_extra}
[model]
{model}
[groups]
BLOC = ["JPN", "KEN"]
{shocks}
[output]
folder = "out-{name}"
{extra}
""")


GOAL = """[[shocks]]
name = "cut"
kind = "trade_cost"
members = "BLOC"
change_pct = 0
"""


def goal(target, extra=""):
    return f"""[goal]
outcome = "intra_group_share"
group = "BLOC"
target = {target}
shock = "cut"
range = [-20, 0]
{extra}"""


def sim(name):
    return [MIZANI, "-q", "simulate", path(f"{name}.toml")]


def est(data, formula=F, *more):
    return [MIZANI, "-q", "estimate", "-d", path(data) if "/" not in data else data, "-f",
            formula, *more]


def synth(*more, out="panel.csv"):
    return [MIZANI, "-q", "synth", "--exporters", "4", "--importers", "4", "--years", "2",
            *more, "-o", path(out)]


def demo(*more):
    return [MIZANI, "-q", "demo", *more]


# --- Disk checks --------------------------------------------------------------

def absent(name):
    return lambda: None if not os.path.exists(path(name)) else f"{name} was written"


def kept(name, content):
    def check():
        if not os.path.exists(path(name)):
            return f"user file {name} was deleted"
        if open(path(name)).read() != content:
            return f"user file {name} was changed"
        return None
    return check


def no_temp():
    left = [entry for entry in os.listdir(WORK) if ".tmp-" in entry or ".old-" in entry]
    return f"temporary files left: {left}" if left else None


def gzip_file(name):
    def check():
        with open(path(name), "rb") as data:
            if data.read(2) != b"\x1f\x8b":
                return f"{name} is not gzip"
        return None
    return check


def folder_holds(name, *files):
    def check():
        missing = [f for f in files if not os.path.exists(os.path.join(path(name), f))]
        return f"{name} lacks {missing}" if missing else None
    return check


def setup_user_folder(name, user_file="notes.txt"):
    """An output folder holding an earlier mizani result plus a user file."""
    def setup():
        subprocess.run(sim("good"), capture_output=True, check=False)
        if os.path.exists(path(name)):
            shutil.rmtree(path(name))
        shutil.copytree(path("out-good"), path(name))
        write(os.path.join(name, user_file), "my notes\n")
    return setup


scenario("good")
scenario("reuse")
scenario("user_files")
scenario("report_file")

# --- Cases --------------------------------------------------------------------
# (name, argv, exit code, regexes that must all appear in stdout+stderr,
#  options: setup, checks, limited, needs_stata)

CASES = []


def case(name, argv, code, *words, **options):
    CASES.append((name, argv, code, words, options))


# estimate: the file
case("estimate good file", est("good.csv"), 0, r"log\(dist\)")
case("estimate gzip", est("good.csv.gz"), 0, r"log\(dist\)")
case("missing file", est("nowhere.csv"), 3, r"nowhere\.csv")
case("folder as file", est("folder.csv"), 3, r"folder\.csv", "directory")
case("unknown extension", est("notes.xlsx"), 3, r"notes\.xlsx", r"\.csv")
case("empty file", est("empty.csv"), 4, r"empty\.csv")
case("header only", est("header-only.csv"), 5, r"header-only\.csv", "no observation")
case("too few fields", est("short.csv"), 4, r"short\.csv", "row 2")
case("too many fields", est("long.csv"), 4, r"long\.csv", "row 1")
case("unterminated quote", est("quote.csv"), 4, r"quote\.csv", "row 4")
case("duplicate header", est("dup.csv", "trade ~ dist | exporter"), 4, r"dup\.csv", "trade")
case("text in numeric column", est("text.csv"), 4, r"text\.csv", "row 4", "column 'trade'",
     "abc")
case("negative outcome", est("negative.csv"), 4, r"negative\.csv", "row 4", "column 'trade'",
     "negative")
case("inf regressor", est("inf-regressor.csv"), 4, r"inf-regressor\.csv", "row 12",
     "column 'dist'", "finite")
case("-inf regressor", est("ninf-regressor.csv", F_LIN), 4, "row 5", "column 'dist'", "finite")
case("nan regressor", est("nan-regressor.csv", F_LIN), 4, "row 3", "column 'dist'", "finite")
case("inf outcome", est("inf-outcome.csv"), 4, r"inf-outcome\.csv", "row 7",
     "column 'trade'", "finite")
case("nan outcome", est("nan-outcome.csv"), 4, "row 2", "column 'trade'", "finite")
case("1e400 out of range", est("huge.csv"), 4, "row 9", "column 'dist'", "range", "1e400")
case("NUL byte in text", est("nul.csv"), 4, r"nul\.csv", "row 4", "column 'exporter'", "NUL")
case("latin-1 text", est("latin1.csv"), 4, r"latin1\.csv", "row 3", "column 'exporter'",
     "UTF-8", "--encoding latin1")
case("latin-1 text converted", est("latin1.csv", F, "--encoding", "latin1"), 0, r"log\(dist\)")
case("utf-8 text", est("utf8.csv"), 0, r"log\(dist\)")
case("byte-order mark", est("bom.csv"), 0, r"log\(dist\)")
case("unknown encoding", est("good.csv", F, "--encoding", "ebcdic"), 2, "encoding")
# estimate: damaged gzip and size fields (item 7), under the memory limit
case("gzip ISIZE 4 GiB", est("isize.csv.gz"), 3, r"isize\.csv\.gz", limited=True)
case("gzip cut in half", est("cut.csv.gz"), 3, r"cut\.csv\.gz", "truncated", limited=True)
case("gzip junk after magic", est("junk.csv.gz"), 3, r"junk\.csv\.gz", limited=True)
case("gzip large ISIZE", est("bomb-isize.csv.gz", "x ~ y"), 3, r"bomb-isize\.csv\.gz",
     limited=True)
case("not a .dta", est("fake.dta"), 3, r"fake\.dta", limited=True)
case("dta good", est("good.dta", "trade ~ dist | exporter"), 0, "dist", needs_stata=True)
case("dta rows 2e9", est("rows2e9.dta", "trade ~ dist | exporter"), 3, r"rows2e9\.dta",
     "rows", limited=True, needs_stata=True)
case("dta rows 1e15", est("rows1e15.dta", "trade ~ dist | exporter"), 3, r"rows1e15\.dta",
     limited=True, needs_stata=True)
case("dta rows 2^63", est("rowsmax.dta", "trade ~ dist | exporter"), 3, r"rowsmax\.dta",
     limited=True, needs_stata=True)
case("dta 65000 variables", est("vars.dta", "trade ~ dist | exporter"), 3, r"vars\.dta",
     limited=True, needs_stata=True)
case("dta null variable name", est("nullname.dta", "trade ~ dist | exporter"), 3,
     r"nullname\.dta", "name", limited=True, needs_stata=True)
case("dta cut", est("cut.dta", "trade ~ dist | exporter"), 3, r"cut\.dta", limited=True,
     needs_stata=True)
case("dta header only", est("head.dta", "trade ~ dist | exporter"), 3, r"head\.dta",
     limited=True, needs_stata=True)
# estimate: the model
case("formula without ~", est("good.csv", "trade log(dist)"), 5, "~")
case("unknown column in formula", est("good.csv", "trade ~ log(distance) | exporter"), 5,
     "distance", "the file has")
case("unknown fixed effect", est("good.csv", "trade ~ log(dist) | origin"), 5, "origin")
case("fixed effect with one level", est("good.csv", "trade ~ log(dist) | exporter + year",
                                        "--filter", "year == 2000"), 5, "year", "single level")
case("all-zero outcome", est("good.csv", F, "--filter", "trade == 0"), 5, "trade")
case("unknown cluster column", est("good.csv", F, "--cluster", "nope"), 5, "--cluster",
     "'nope'", r"good\.csv")
case("cluster without --cluster", est("good.csv", F, "--vcov", "cluster"), 2, "--cluster")
case("cluster conflicts with iid", est("good.csv", F, "--vcov", "iid", "--cluster", "exporter"),
     2, "--vcov")
case("filter unknown operator", est("good.csv", F, "--filter", "year ~~ 2000"), 5, "year")
case("filter in: text level for numbers", est("good.csv", F, "--filter", "year in 2000,abc"), 5,
     "abc", "not a number")
case("filter in: number for a text column", est("good.csv", F, "--filter", "exporter in 1,2"), 5,
     "exporter", "no row has level '1'")
case("filter in: unknown level", est("good.csv", F, "--filter", "exporter in A,Z"), 5, "'Z'",
     "exporter")
case("filter ==: unknown level", est("good.csv", F, "--filter", "exporter == Q"), 5, "'Q'")
case("filter keeps no row", est("good.csv", F, "--filter", "year > 3000"), 5, "no")
case("tolerance -1", est("good.csv", F, "--tol", "-1"), 2, "--tol", "positive")
case("tolerance nan", est("good.csv", F, "--tol", "nan"), 2, "--tol", "positive")
case("fe tolerance inf", est("good.csv", F, "--fe-tol", "inf"), 2, "--fe-tol")
case("threads 0", est("good.csv", F, "--threads", "0"), 2, "--threads", ">= 1")
case("threads -3", est("good.csv", F, "--threads", "-3"), 2, "--threads")
case("max-iter 0", est("good.csv", F, "--max-iter", "0"), 2, "--max-iter")
case("not converged", est("good.csv", F, "--max-iter", "1", "--vcov", "iid"), 7, "converge")
case("unknown family", est("good.csv", F, "--family", "logit"), 2, "family")
case("unknown option", est("good.csv", F, "--frobnicate"), 2, "frobnicate")
case("output into a missing folder", est("good.csv", F, "-o", path("no/such/out.txt")), 9,
     "no/such/out.txt")
case("iteration progress starts with mizani:",
     [MIZANI, "estimate", "-d", GOOD, "-f", F, "--vcov", "iid"], 0, r"^mizani:   iteration",
     progress_lines=True)

# synth
case("synth good", synth(), 0, "")
case("synth gzip output", synth(out="panel.csv.gz"), 0, "", checks=[gzip_file("panel.csv.gz")])
case("synth xlsx output", synth(out="panel.xlsx"), 2, "--output", r"\.csv",
     checks=[absent("panel.xlsx")])
case("synth beta-dist nan", synth("--beta-dist", "nan", out="nan.csv"), 2, "beta-dist", "finite",
     checks=[absent("nan.csv")])
case("synth beta-rta inf", synth("--beta-rta", "inf", out="inf.csv"), 2, "beta-rta", "finite",
     checks=[absent("inf.csv")])
case("synth beta-rta 1e300", synth("--beta-rta", "1e300", out="big.csv"), 2, "coefficients",
     checks=[absent("big.csv")])
case("synth beta-dist -1e5", synth("--beta-dist", "-1e5", out="small.csv"), 2, "coefficients")
case("synth zeros 2", synth("--zeros", "2"), 2, "zeros")
case("synth zero exporters", synth("--exporters", "0"), 2, "exporter")
case("synth negative years", synth("--years", "-1"), 2, "year")
case("synth huge panel", [MIZANI, "-q", "synth", "--exporters", "100000", "--importers", "100000",
                          "-o", path("huge-panel.csv")], 2, "too large",
     checks=[absent("huge-panel.csv")])
case("synth unwritable", synth(out="no/such/panel.csv"), 9, "no/such/panel.csv")
case("synth no output", [MIZANI, "-q", "synth"], 2, "output")

# simulate
case("simulate good", sim("good"), 0, "", checks=[folder_holds("out-good", "results.json",
                                                               ".mizani-manifest")])
case("simulate again over its own output", sim("reuse"), 0, "",
     setup=lambda: subprocess.run(sim("reuse"), capture_output=True, check=False))
case("simulate keeps a user file", sim("user_files"), 9, "notes.txt", "did not write",
     setup=setup_user_folder("out-user_files"),
     checks=[kept("out-user_files/notes.txt", "my notes\n"),
             folder_holds("out-user_files", "results.json")])
case("simulate keeps a user file in report/", sim("report_file"), 9, "mine.txt",
     setup=setup_user_folder("out-report_file", "report/mine.txt"),
     checks=[kept("out-report_file/report/mine.txt", "my notes\n")])
case("simulate -o onto a file", sim("good") + ["-o", path("good.csv")], 9, r"good\.csv",
     "not a folder")
case("simulate -o under a file", sim("good") + ["-o", path("good.csv") + "/out"], 9,
     r"good\.csv")
case("missing scenario file", [MIZANI, "-q", "simulate", path("none.toml")], 3, r"none\.toml")
case("no scenario", [MIZANI, "-q", "simulate"], 2, "scenario")
case("invalid TOML", sim(os.path.splitext(os.path.basename(
    write("badtoml.toml", "[data\npath = 1\n")))[0]), 6, r"badtoml\.toml")
scenario("unknown_country", shocks=TARIFF.replace('"KEN"', '"UGA"'))
case("unknown country", sim("unknown_country"), 6, "UGA")
scenario("unknown_group", shocks='[[shocks]]\nkind = "agreement"\nmembers = "eac"\n'
         'coefficient = 0.5\n')
case("unknown group", sim("unknown_group"), 6, "eac")
scenario("low_sigma", model="sigma = 0.5")
case("sigma <= 1", sim("low_sigma"), 6, "sigma")
scenario("nan_sigma", model="sigma = nan")
case("sigma nan", sim("nan_sigma"), 6, "sigma")
scenario("unknown_key", model="sigma = 5\nsigam = 3")
case("unknown key", sim("unknown_key"), 6, "sigam")
scenario("bad_solver", model='sigma = 5\nsolver = "newton"')
case("unknown solver", sim("bad_solver"), 6, "newton")
scenario("bad_column", data_extra='trade = "value"')
case("unknown column", sim("bad_column"), 6, "value")
scenario("missing_year", data_extra="")
write("missing_year.toml", open(path("missing_year.toml")).read().replace("2006", "1999", 1))
case("no rows in the baseline year", sim("missing_year"), 6, "1999")
scenario("missing_data", data="nowhere.csv")
case("missing data file", sim("missing_data"), 3, r"nowhere\.csv")
scenario("latin1_data", data="world-latin1.csv")
case("latin-1 country code", sim("latin1_data"), 4, r"world-latin1\.csv", "row", "UTF-8",
     checks=[absent("out-latin1_data")])
scenario("inf_data", data="world-inf.csv")
case("inf flow in scenario data", sim("inf_data"), 4, r"world-inf\.csv", "row 6", "finite")
REGRESSOR = '[[shocks]]\nkind = "regressor"\nmembers = "*"\n'
scenario("regressor_no_term", shocks=REGRESSOR)
case("regressor shock without term", sim("regressor_no_term"), 6, r"regressor_no_term\.toml",
     "shocks", "needs term")
scenario("regressor_nan_to", shocks=REGRESSOR + 'term = "rta"\nto = nan\n')
case("regressor shock to = nan", sim("regressor_nan_to"), 6, r"regressor_nan_to\.toml", "to",
     "finite")
scenario("regressor_unestimated", shocks=REGRESSOR + 'term = "rta"\n')
case("regressor shock without an estimation", sim("regressor_unestimated"), 6, "rta")
scenario("bad_fitted_costs", model='sigma = 5\nbaseline = "fitted"\nfitted_costs = "guess"')
case("unknown fitted_costs", sim("bad_fitted_costs"), 6, "fitted_costs", "guess")
scenario("nul_data", data="world-nul.csv")
case("NUL in scenario data", sim("nul_data"), 4, r"world-nul\.csv", "NUL")
scenario("huge_flag", data="world-rta-huge.csv",
         shocks='[[shocks]]\nkind = "agreement"\nmembers = "BLOC"\ncoefficient = 0.5\n'
                'unless = "rta"\n')
case("1e400 in an unless column", sim("huge_flag"), 4, r"world-rta-huge\.csv", "row 2",
     "column 'rta'", "range", "1e400")
scenario("latin1_declared", data="world-latin1.csv", data_extra='encoding = "latin1"')
case("latin-1 data declared", sim("latin1_declared"), 0, "",
     checks=[folder_holds("out-latin1_declared", "results.json")])
scenario("bad_encoding", data_extra='encoding = "ebcdic"')
case("unknown encoding in scenario", sim("bad_encoding"), 6, "data.encoding", "ebcdic")
scenario("unreachable", shocks=GOAL, extra=goal(0.9999))
case("goal unreachable", sim("unreachable"), 8, "reaches at most")
scenario("goal_additive", shocks=GOAL, extra=goal(0.5))
write("goal_additive.toml", open(path("goal_additive.toml")).read().replace(
    "sigma = 5", 'sigma = 5\nimbalances = "additive"'))
case("goal with additive imbalances", sim("goal_additive"), 0, "")
scenario("goal_additive_deep", shocks=GOAL, extra=goal(0.5).replace("[-20, 0]", "[-99, 0]"))
case("goal with additive imbalances, deep cuts", sim("goal_additive_deep"), 0, "")
scenario("goal_zero_iter", shocks=GOAL, extra=goal(0.5, "max_iterations = 0"))
case("goal max_iterations 0", sim("goal_zero_iter"), 6, "max_iterations")
scenario("goal_tol", shocks=GOAL, extra=goal(0.5, "tolerance = -1"))
case("goal tolerance -1", sim("goal_tol"), 6, "tolerance")
case("simulate replications -1", sim("good") + ["--replications", "-1"], 2, "--replications")
case("simulate replications without estimation", sim("good") + ["--replications", "5"], 6,
     "--replications", r"\[estimation\]")
case("simulate threads 0", sim("good") + ["--threads", "0"], 2, "--threads")
case("simulate seed -5", sim("good") + ["--seed", "-5"], 2, "--seed")

# demo
case("demo replications 3", demo("--replications", "3", "-o", path("demo3")), 0, "report:",
     checks=[folder_holds("demo3", "report.html", ".mizani-manifest")])
case("demo replications -1", demo("--replications", "-1", "-o", path("demo-neg")), 2,
     "--replications", checks=[absent("demo-neg")])
case("demo threads 0", demo("--threads", "0"), 2, "--threads")
case("demo into a file's folder", demo("-o", path("good.csv") + "/x"), 9, r"good\.csv")
case("demo keeps a user file", demo("--replications", "0", "-o", path("demo3")), 9, "mine.txt",
     setup=lambda: write("demo3/mine.txt", "mine\n"), checks=[kept("demo3/mine.txt", "mine\n")])
case("demo into a folder of other files", demo("-o", WORK), 9, "did not write")
case("demo data dir missing", demo("--data-dir", path("nowhere")), 3, "nowhere")
case("demo progress lines", [MIZANI, "demo", "--replications", "4", "-o", path("demo-p")], 0,
     r"mizani: bootstrap 4/4", progress_lines=True)

# Usage
case("no command", [MIZANI], 2, "")
case("unknown command", [MIZANI, "frobnicate"], 2, "")


# --- Runner -------------------------------------------------------------------

def sanitized(binary):
    """True when `binary` is built with AddressSanitizer: GCC links libasan
    dynamically, clang (the asan preset) links its runtime statically, whose
    code names itself in the binary."""
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, check=False).stdout
        if b"libasan" in out:
            return True
        with open(binary, "rb") as handle:
            return b"AddressSanitizer" in handle.read()
    except OSError:
        return False


# AddressSanitizer reserves terabytes of address space for its shadow memory,
# so an address-space limit stops it from starting. Under ASan the same bound
# is put through its own options: no single allocation above the limit, and
# the process is stopped when its resident memory passes it; either ends in a
# sanitizer report, which fails the case.
SANITIZED = sanitized(MIZANI)
ASAN_LIMITS = f"max_allocation_size_mb={LIMIT_KIB // 1024}:hard_rss_limit_mb={LIMIT_KIB // 1024}"


def limit_memory():
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT_KIB * 1024, LIMIT_KIB * 1024))


def case_env(options):
    if not (SANITIZED and options.get("limited")):
        return None
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), ASAN_LIMITS]))
    return env


def run_case(name, argv, code, words, options):
    if options.get("needs_stata") and not HAVE_STATA:
        return "skip", "pandas (python3-pandas) missing: no .dta fixtures"
    if options.get("setup"):
        options["setup"]()
    result = subprocess.run(argv, cwd=WORK, capture_output=True, timeout=300,
                            preexec_fn=limit_memory if options.get("limited") else None,
                            env=case_env(options), check=False)
    stdout = result.stdout.decode("utf-8", "replace")
    stderr = result.stderr.decode("utf-8", "replace")
    problems = []
    if result.returncode != code:
        problems.append(f"exit {result.returncode}, expected {code}")
    if code != 0 and "mizani" not in stderr and code != 2:
        problems.append("no message on stderr")
    if "internal error" in stderr or "out of memory" in stderr:
        problems.append("internal error or allocation failure")
    if "Sanitizer" in stderr or "runtime error:" in stderr:
        problems.append("sanitizer report: " + stderr[stderr.find("=="):][:300])
    for word in words:
        if not re.search(word, stdout + stderr, re.MULTILINE):
            problems.append(f"message lacks /{word}/")
    if options.get("progress_lines"):
        bad = [line for line in stderr.splitlines() if not line.startswith("mizani:")]
        if bad or "\r" in stderr:
            problems.append(f"stderr lines not starting with 'mizani:' or with \\r: {bad[:3]}")
    try:
        result.stderr.decode("utf-8")
        result.stdout.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("output is not UTF-8")
    for check in options.get("checks", []):
        problem = check()
        if problem:
            problems.append(problem)
    problem = no_temp()
    if problem:
        problems.append(problem)
    detail = "; ".join(problems) if problems else stderr.strip().splitlines()[-1:] or [""]
    return ("FAIL" if problems else "ok"), (detail if problems else detail[0][:160])


def main():
    failures = skips = 0
    for name, argv, code, words, options in CASES:
        status, detail = run_case(name, argv, code, words, options)
        print(f"{status:4} {name} (exit {code}): {detail}")
        failures += status == "FAIL"
        skips += status == "skip"
    print(f"{len(CASES) - failures - skips} passed, {skips} skipped, {failures} failed "
          f"of {len(CASES)} cases")
    shutil.rmtree(WORK, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
