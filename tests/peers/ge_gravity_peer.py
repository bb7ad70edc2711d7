#!/usr/bin/python3
"""An independent peer of Stata ge_gravity (Zylkin 2019, v1.2; Baier, Yotov & Zylkin 2019).

Written from the iteration ge_gravity documents (its .ado comments and help
file): w_hat from market clearing, renormalised so that world output is
unchanged, then P_hat^-theta, then expenditure (additive E' = Y w_hat + D or
multiplicative E' = (Y + D) w_hat), until the flows stop moving. Outputs, as
ge_gravity defines them: real wage w_hat / P_hat; welfare = real wage under
multiplicative imbalances, (Y w_hat + D) / (Y + D) / P_hat under additive ones.

Usage: ge_gravity_peer.py FLOWS.csv.gz YEAR THETA EFFECT additive|multiplicative
Reads exporter, importer, year, trade, eu_enlargement (ge_gravity's example
panel); the partial effect is EFFECT on pairs whose eu_enlargement switches on
between the first and last year, as in the GEGravity example. Prints one line
per country: code welfare real_wage nominal_wage price_index.
"""
import sys

import numpy as np
import pandas as pd


def solve(flows, beta, theta, multiplicative, tol=1e-15, max_iter=1000000):
    expenditure = flows.sum(axis=0)
    output = flows.sum(axis=1)
    deficit = expenditure - output
    shares = flows / expenditure[None, :]
    weights = shares * np.exp(beta)
    w_hat = np.ones(len(output))
    p_term = np.ones(len(output))  # P_hat^-theta
    spending = expenditure.copy()
    last = flows.copy()
    positive = flows > 0
    for _ in range(max_iter):
        w_hat = ((weights @ (spending / p_term)) / output) ** (1.0 / (1.0 + theta))
        w_hat *= output.sum() / (output * w_hat).sum()
        p_term = weights.T @ (w_hat ** -theta)
        spending = (output + deficit) * w_hat if multiplicative else output * w_hat + deficit
        new = weights * (w_hat ** -theta)[:, None] / p_term[None, :] * spending[None, :]
        crit = np.max(np.abs(np.log(new[positive]) - np.log(last[positive])))
        last = new
        if crit <= tol:
            break
    price = p_term ** (-1.0 / theta)
    real_wage = w_hat / price
    if multiplicative:
        welfare = real_wage
    else:
        welfare = (output * w_hat + deficit) / (output + deficit) / price
    return welfare, real_wage, w_hat, price


def main():
    path, year, theta, effect, mode = sys.argv[1:6]
    data = pd.read_csv(path)
    first = data[data.year == data.year.min()].set_index(["exporter", "importer"])
    last = data[data.year == data.year.max()].set_index(["exporter", "importer"])
    switched = (last.eu_enlargement - first.eu_enlargement).rename("switched")
    base = data[data.year == int(year)].set_index(["exporter", "importer"]).join(switched)
    codes = sorted(set(base.index.get_level_values(0)))
    index = {code: k for k, code in enumerate(codes)}
    n = len(codes)
    flows = np.zeros((n, n))
    beta = np.zeros((n, n))
    for (exporter, importer), row in base.iterrows():
        flows[index[exporter], index[importer]] = row.trade
        if exporter != importer:
            beta[index[exporter], index[importer]] = float(effect) * row.switched
    welfare, real_wage, w_hat, price = solve(flows, beta, float(theta), mode == "multiplicative")
    for k, code in enumerate(codes):
        print(f"{code} {welfare[k]:.17g} {real_wage[k]:.17g} {w_hat[k]:.17g} {price[k]:.17g}")


if __name__ == "__main__":
    main()
