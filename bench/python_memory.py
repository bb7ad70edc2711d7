"""Peak memory of mizani.fepois from a pandas DataFrame, to set beside the
`mizani estimate` command reading the same CSV (bench/README.md).

    /usr/bin/python3 bench/python_memory.py panel.csv [float64|int64|compact]

`panel.csv` is `mizani synth --exporters 250 --importers 250 --years 40 -o
panel.csv` (2,490,000 rows). Reads the columns the model uses (country codes
as categoricals; the numbers as float64 by default, `int64` leaves pandas'
int64 for the year and the 0/1 dummies, `compact` reads them as int16 and
int8), then fits the two-way model of bench/README.md. Prints the
resident memory after reading, the peak of the fit alone (the kernel's
high-water mark is reset before it: /proc/self/clear_refs) and the peak of
the whole process, in MiB.
"""
import resource
import sys
import time

import pandas as pd

import mizani

FORMULA = "trade ~ log(dist) + contig + lang + rta | exporter^year + importer^year"
COLUMNS = ["exporter", "importer", "year", "trade", "dist", "contig", "lang", "rta"]


def status_mib(key):
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


def main():
    path = sys.argv[1]
    numbers = sys.argv[2] if len(sys.argv) > 2 else "float64"
    start = time.perf_counter()
    # float64 columns are read in place; integer columns are widened into the
    # library's own float64 copy, freed once the model frame has read it.
    dtypes = {
        "float64": {name: "float64" for name in COLUMNS[2:]},
        "int64": {"trade": "float64", "dist": "float64"},
        "compact": {"trade": "float64", "dist": "float64", "year": "int16", "contig": "int8",
                    "lang": "int8", "rta": "int8"},
    }[numbers]
    dtypes.update(exporter="category", importer="category")
    frame = pd.read_csv(path, usecols=COLUMNS, dtype=dtypes)
    read_seconds = time.perf_counter() - start
    after_read = status_mib("VmRSS")
    peak_read = status_mib("VmHWM")
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")  # reset VmHWM to the current resident size
    start = time.perf_counter()
    fit = mizani.fepois(frame, FORMULA, vcov="iid", progress=False)
    fit_seconds = time.perf_counter() - start
    peak_fit = status_mib("VmHWM")
    print(f"numbers {numbers}: {dict(frame.dtypes.astype(str))}")
    print(f"rows {len(frame)}  nobs {fit.nobs}  coef {fit.coef().round(10).to_dict()}")
    print(f"read {read_seconds:.2f} s, fit {fit_seconds:.2f} s")
    print(f"resident after reading the DataFrame: {after_read:.1f} MiB "
          f"(peak while reading {peak_read:.1f} MiB; the DataFrame's own columns "
          f"{frame.memory_usage(deep=True).sum() / 2**20:.1f} MiB)")
    print(f"peak during the fit: {peak_fit:.1f} MiB "
          f"(the fit's own increment: {peak_fit - after_read:.1f} MiB)")
    print(f"peak of the process (ru_maxrss): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
