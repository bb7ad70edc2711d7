"""Peak memory of mizani.fepois from a pandas DataFrame, to set beside the
`mizani estimate` command reading the same CSV (bench/README.md).

    /usr/bin/python3 bench/python_memory.py panel.csv

`panel.csv` is `mizani synth --exporters 250 --importers 250 --years 40 -o
panel.csv` (2,490,000 rows). Reads the columns the model uses (country codes
as categoricals, numbers as float64), then fits the two-way model of bench/README.md. Prints the
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
    start = time.perf_counter()
    # Numbers as float64: the library reads such columns in place; int64
    # columns (pandas' default for 0/1 dummies and years) would be converted,
    # one copy each.
    dtypes = {name: "float64" for name in COLUMNS[2:]}
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
