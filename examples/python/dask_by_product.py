"""One PPML per product, spread over a Dask cluster, gathered into one table.

    /usr/bin/python3 examples/python/dask_by_product.py                 # a LocalCluster
    /usr/bin/python3 examples/python/dask_by_product.py --scheduler tcp://head:8786

The panel is R fixest's `trade` data (15 EU countries, 20 products,
2007-2016) from ../shared/data when present, else a synthetic product panel.
Each task fits

    Euros ~ log(dist_km) | Origin + Destination + Year      (one product)

with errors clustered by origin, and returns plain numbers, so results travel
back to the client as small dicts. Every worker needs `import mizani` (see
docs/python.md, "Running on a cluster"). Each fit uses one thread (threads=1):
Dask already runs one task per core.
"""
import argparse
import os

import numpy as np
import pandas as pd

FORMULA = "Euros ~ log(dist_km) | Origin + Destination + Year"


def synthetic_panel(num_products=8, num_countries=12, num_years=6, seed=1):
    """A product panel with a known distance elasticity per product
    (-1 - product/10) and Poisson-distributed flows."""
    rng = np.random.default_rng(seed)
    countries = [f"C{idx:02d}" for idx in range(num_countries)]
    location = rng.uniform(0, 1000, size=(num_countries, 2))
    rows = []
    for product in range(1, num_products + 1):
        elasticity = -1.0 - product / 10
        for year in range(2000, 2000 + num_years):
            for origin in range(num_countries):
                for dest in range(num_countries):
                    if origin == dest:
                        continue
                    dist = float(np.hypot(*(location[origin] - location[dest]))) + 50
                    mean = np.exp(12 + elasticity * np.log(dist) + 0.1 * origin - 0.05 * dest)
                    rows.append((countries[dest], countries[origin], product, year, dist,
                                 float(rng.poisson(mean))))
    return pd.DataFrame(rows, columns=["Destination", "Origin", "Product", "Year", "dist_km",
                                       "Euros"])


def load_panel(shared_data=None):
    shared_data = shared_data or os.environ.get("MIZANI_SHARED_DATA") or os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "data")
    path = os.path.join(shared_data, "fixest_trade_eu15", "trade.csv.gz")
    if os.path.exists(path):
        return pd.read_csv(path)
    return synthetic_panel()


def fit_product(product, frame, formula=FORMULA):
    """Runs on a worker: the fit of one product as plain numbers."""
    import mizani  # imported on the worker

    fit = mizani.fepois(frame, formula, cluster="Origin", threads=1, progress=False)
    return {"product": product, "coef": fit.coef().to_dict(), "se": fit.se().to_dict(),
            "nobs": fit.nobs, "converged": fit.converged, "dropped": fit.dropped}


def by_product(client, panel, formula=FORMULA):
    """Submits one task per product and gathers them, sorted by product."""
    futures = [client.submit(fit_product, product, group.reset_index(drop=True), formula,
                             key=f"mizani-product-{product}")
               for product, group in panel.groupby("Product", sort=True)]
    return sorted(client.gather(futures), key=lambda row: row["product"])


def as_table(results):
    return pd.DataFrame([{"product": row["product"], "nobs": row["nobs"],
                          **{f"coef {name}": value for name, value in row["coef"].items()},
                          **{f"se {name}": value for name, value in row["se"].items()}}
                         for row in results]).set_index("product")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", help="address of a running Dask scheduler")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster workers")
    parser.add_argument("--shared-data", help="folder holding fixest_trade_eu15/")
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    panel = load_panel(args.shared_data)
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(LocalCluster(n_workers=args.workers, threads_per_worker=1))
    with client:
        print(as_table(by_product(client, panel)).to_string())


if __name__ == "__main__":
    main()
