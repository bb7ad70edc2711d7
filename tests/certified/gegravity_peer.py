#!/usr/bin/python3
"""Independent peer for gegravity_test.cc (numpy/scipy, Debian python3).

Solves the gegravity 0.3 one-sector model (Herman 2021, OneSectorGE) on the
vendored sample, written from the model's equations: baseline multilateral
resistances from t_ij^(1-sigma) = exp(b'x), output shares Y_i/Y and
expenditure shares E_j/E, DEU's inward resistance fixed; then the CAN-JPN
agreement in full GE, solved twice with scipy's hybr:

  fixed    gegravity's own system: the shares Y_i/Y, E_j/E stay at their
           baseline values in the resistance and price equations. Prints
           gegravity's documented results to the last digit.
  cleared  the same system with the shares updated by the new prices
           (Y'_i = p_i Y_i, E'_j = kappa phi_j Y'_j): goods markets clear.
           This is the equilibrium exact hat algebra computes from the
           modeled baseline.

Usage: gegravity_peer.py [tests/certified/gegravity_sample_2006.csv]
"""
import os
import sys

import numpy as np
import pandas as pd
from scipy.optimize import root

SIGMA = 5
PTA = 0.4711383
COEFFICIENTS = {"lndist": -0.3898623, "contiguity": 0.891577, "common_language": 0.0326249,
                "pta": PTA, "international": -3.412584}
CONSTANT = 16.32434
REFERENCE = "DEU"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "gegravity_sample_2006.csv")
    data = pd.read_csv(path)
    cost = np.exp(CONSTANT + sum(beta * data[name] for name, beta in COEFFICIENTS.items()))
    codes = sorted(c for c in data.exporter.unique() if c != REFERENCE) + [REFERENCE]
    n = len(codes)
    index = {code: i for i, code in enumerate(codes)}
    costs, output, expend = np.zeros((n, n)), np.zeros(n), np.zeros(n)
    for row, value in zip(data.itertuples(), cost):
        costs[index[row.exporter], index[row.importer]] = value
        output[index[row.exporter]] = row.Y
        expend[index[row.importer]] = row.E
    out_share, exp_share = output / output.sum(), expend / expend.sum()

    def resistances(x, t, ys, es):
        # x: 1/P_j^(1-sigma) for j < n-1 (the reference's is 1), 1/Pi_i^(1-sigma).
        imr, omr = np.append(x[:n - 1], 1), x[n - 1:2 * n - 1]
        return [1 - imr[:n - 1] * (t[:, :n - 1] * (ys * omr)[:, None]).sum(0),
                1 - omr * (t * (es * imr)[None, :]).sum(1)]

    base = root(lambda x: np.concatenate(resistances(x, costs, out_share, exp_share)),
                np.ones(2 * n - 1), method="hybr", tol=1e-13)
    imr0, omr0 = np.append(base.x[:n - 1], 1), base.x[n - 1:]
    flows0 = costs * expend[None, :] * (out_share * omr0)[:, None] * imr0[None, :]
    print(f"baseline: {base.message} AUS->CAN {flows0[index['AUS'], index['CAN']]:.6f}")
    shocked = costs.copy()
    for a, b in (("CAN", "JPN"), ("JPN", "CAN")):
        shocked[index[a], index[b]] *= np.exp(PTA)
    price_param = out_share * omr0

    def shares(price, cleared):
        new_output = price * output
        new_expend = expend / output * new_output
        if cleared:
            # E'_j = kappa phi_j Y'_j, kappa keeping world expenditure in
            # proportion to world output (mizani's kMultiplicative closure).
            new_expend *= expend.sum() / output.sum() * new_output.sum() / new_expend.sum()
        return new_output, new_expend

    def full_ge(x, cleared):
        price = x[2 * n - 1:]
        ys, es = out_share, exp_share
        if cleared:
            new_output, new_expend = shares(price, cleared)
            ys, es = new_output / new_output.sum(), new_expend / new_expend.sum()
        equations = resistances(x, shocked, ys, es)
        equations.append(1 - ys * x[n - 1:2 * n - 1] / (price_param * price ** (1 - SIGMA)))
        return np.concatenate(equations)

    for label, cleared in (("fixed", False), ("cleared", True)):
        solved = root(lambda x: full_ge(x, cleared), np.concatenate([base.x, np.ones(n)]),
                      method="hybr", tol=1e-13)
        imr1, omr1 = np.append(solved.x[:n - 1], 1), solved.x[n - 1:2 * n - 1]
        price = solved.x[2 * n - 1:]
        new_output, new_expend = shares(price, cleared)
        flows1 = (shocked * new_expend[None, :] * (new_output / new_output.sum() * omr1)[:, None]
                  * imr1[None, :])
        # imr = P^(sigma-1); real GDP Y/P.
        gdp = 100 * (price * (imr0 / imr1) ** (1 / (SIGMA - 1)) - 1)
        for code in ("AUS", "AUT", "BEL", "BRA", "CAN", "JPN"):
            i = index[code]
            foreign_x = (flows1[i].sum() - flows1[i, i]) / (flows0[i].sum() - flows0[i, i])
            foreign_m = (flows1[:, i].sum() - flows1[i, i]) / (flows0[:, i].sum() - flows0[i, i])
            print(f"{label:8s} {code} price {100 * (price[i] - 1):+.6f} gdp {gdp[i]:+.6f} "
                  f"exports {100 * (foreign_x - 1):+.6f} imports {100 * (foreign_m - 1):+.6f} "
                  f"domestic {100 * (flows1[i, i] / flows0[i, i] - 1):+.6f}")
        gap = np.abs(flows1.sum(1) / new_output * new_output.sum() / new_expend.sum() - 1).max()
        print(f"{label:8s} AUS->CAN {flows1[index['AUS'], index['CAN']]:.6f} "
              f"largest market-clearing gap {gap:.2e}")


if __name__ == "__main__":
    main()
