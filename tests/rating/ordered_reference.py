"""Independent reference for mizani's ordered probit/logit (tests/rating).

Fits statsmodels' OrderedModel to a CSV written by the C++ test and prints
estimates, standard errors (classical, HC0 sandwich, country-clustered) and
the log-likelihood as JSON. Columns: y (category 0..J-1), cluster (integer
id), then the regressors. Run with Debian's /usr/bin/python3
(python3-statsmodels); exit code 77 when statsmodels is absent.

usage: ordered_reference.py data.csv probit|logit
"""
import json
import warnings
import sys

try:
    import numpy as np
    import pandas as pd
    from statsmodels.miscmodels.ordinal_model import OrderedModel
except ImportError as error:  # pragma: no cover
    print(f"statsmodels not available: {error}", file=sys.stderr)
    sys.exit(77)


def main():
    warnings.simplefilter("ignore")
    path, link = sys.argv[1], sys.argv[2]
    frame = pd.read_csv(path)
    y = frame["y"].to_numpy()
    groups = frame["cluster"].to_numpy()
    exog = frame.drop(columns=["y", "cluster"])
    levels = np.sort(np.unique(y))
    endog = pd.Series(pd.Categorical(y, categories=levels, ordered=True))
    model = OrderedModel(endog, exog, distr=link)
    # BFGS to the neighbourhood, then Newton (numerical Hessian) to polish.
    first = model.fit(method="bfgs", maxiter=3000, disp=0, gtol=1e-5)
    fit = model.fit(start_params=first.params, method="newton", maxiter=50, disp=0, tol=1e-12)
    params = fit.params.to_numpy()
    hc0 = model.fit(start_params=params, method="newton", maxiter=0, disp=0, cov_type="HC0")
    clustered = model.fit(start_params=params, method="newton", maxiter=0, disp=0,
                          cov_type="cluster", cov_kwds={"groups": groups})
    out = {
        "names": list(fit.params.index),
        "params": params.tolist(),
        "bse": fit.bse.to_numpy().tolist(),
        "bse_hc0": hc0.bse.to_numpy().tolist(),
        "bse_cluster": clustered.bse.to_numpy().tolist(),
        "llf": float(fit.llf),
        "cutpoints": model.transform_threshold_params(params)[1:-1].tolist(),
        "max_abs_score": float(np.max(np.abs(model.score(params)))),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
