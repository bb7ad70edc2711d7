"""Independent reference for mizani's ordered probit/logit on real panels.

Runs R's ordinal::clm (ordinal_reference.R; its covariance is the inverse of
the analytic Hessian) and, around R's estimates, computes the robust (HC0)
and country-clustered sandwich covariances from per-observation scores
written here in closed form with numpy. Nothing is differentiated
numerically. Prints JSON: estimates, log-likelihood, the three sets of
standard errors (cut-points and coefficients) and R's fit time. Exit code 77
when Rscript or the ordinal package is missing.

usage: ordinal_reference.py data.csv probit|logit
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from scipy import special

HERE = os.path.dirname(os.path.abspath(__file__))


def link_functions(link):
    """Distribution function, survival function and density of the link."""
    if link == "probit":
        return (special.ndtr, lambda z: special.ndtr(-z),
                lambda z: np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi))
    return (special.expit, lambda z: special.expit(-z),
            lambda z: special.expit(z) * special.expit(-z))


def scores(link, x, y, beta, cuts):
    """Per-observation d log P / d (cutpoints, beta), closed form.

    P(y = k) = F(cut_k - x'b) - F(cut_{k-1} - x'b), cut_{-1} = -inf and
    cut_{J-1} = +inf; the derivative with respect to cut_k is f(upper) / P,
    to cut_{k-1} is -f(lower) / P, to b is -x (f(upper) - f(lower)) / P.
    """
    cdf, survival, pdf = link_functions(link)
    num_cuts = len(cuts)
    eta = x @ beta
    padded = np.concatenate(([-np.inf], cuts, [np.inf]))
    upper = padded[y + 1] - eta
    lower = padded[y] - eta
    probability = np.where(lower > 0, survival(lower) - survival(upper),
                           cdf(upper) - cdf(lower))
    f_upper = np.where(np.isinf(upper), 0.0, pdf(np.where(np.isinf(upper), 0.0, upper)))
    f_lower = np.where(np.isinf(lower), 0.0, pdf(np.where(np.isinf(lower), 0.0, lower)))
    out = np.zeros((len(y), num_cuts + x.shape[1]))
    rows = np.arange(len(y))
    has_upper = y < num_cuts
    has_lower = y > 0
    out[rows[has_upper], y[has_upper]] += f_upper[has_upper] / probability[has_upper]
    out[rows[has_lower], y[has_lower] - 1] -= f_lower[has_lower] / probability[has_lower]
    out[:, num_cuts:] = -x * ((f_upper - f_lower) / probability)[:, None]
    return out, float(np.sum(np.log(probability)))


def main():
    path, link = sys.argv[1], sys.argv[2]
    if shutil.which("Rscript") is None:
        print("Rscript not found (Debian r-base-core, r-cran-ordinal)", file=sys.stderr)
        sys.exit(77)
    run = subprocess.run(["Rscript", os.path.join(HERE, "ordinal_reference.R"), path, link, "clm"],
                         capture_output=True, text=True, check=False)
    if run.returncode == 77:
        print(run.stderr, file=sys.stderr)
        sys.exit(77)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        sys.exit(1)
    r_fit = json.loads(run.stdout)
    data = np.genfromtxt(path, delimiter=",", names=True)
    names = data.dtype.names
    y = data["y"].astype(int)
    groups = data["cluster"].astype(int)
    x = np.column_stack([data[name] for name in names[2:]])
    beta = np.array(r_fit["beta"])
    cuts = np.array(r_fit["cutpoints"])
    bread = np.array(r_fit["vcov"])  # (cutpoints, beta): R's inverse analytic Hessian
    score, log_likelihood = scores(link, x, y, beta, cuts)
    robust = bread @ (score.T @ score) @ bread
    _, cluster_index = np.unique(groups, return_inverse=True)
    num_clusters = cluster_index.max() + 1
    cluster_scores = np.zeros((num_clusters, score.shape[1]))
    np.add.at(cluster_scores, cluster_index, score)
    num_obs, num_params = score.shape
    correction = num_clusters / (num_clusters - 1) * (num_obs - 1) / (num_obs - num_params)
    clustered = correction * bread @ (cluster_scores.T @ cluster_scores) @ bread
    num_cuts = len(cuts)

    def split(cov):
        se = np.sqrt(np.diag(cov))
        return se[:num_cuts].tolist(), se[num_cuts:].tolist()

    out = {"beta": beta.tolist(), "cutpoints": cuts.tolist(), "llf": r_fit["llf"],
           "llf_numpy": log_likelihood, "max_abs_score_sum": float(np.abs(score.sum(0)).max()),
           "r_max_abs_gradient": r_fit["max_abs_gradient"], "r_seconds": r_fit["seconds"],
           "num_clusters": int(num_clusters)}
    for name, cov in (("classical", bread), ("robust", robust), ("cluster", clustered)):
        out[f"se_cut_{name}"], out[f"se_beta_{name}"] = split(cov)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
