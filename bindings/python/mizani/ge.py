"""mizani.ge.solve: one-sector general-equilibrium counterfactuals of
structural gravity by exact hat algebra (docs/ge-solver.md)."""
import numpy as np
import pandas as pd

from . import _mizani


class GeSolution:
    """A counterfactual: .countries (one row per country), .new_flows and
    .flow_change_pct (exporter rows, importer columns), .groups, and the
    solver's report (.converged, .iterations, .market_clearing_residual...)."""

    def __init__(self, raw, codes):
        self._raw = raw
        self.countries = pd.DataFrame(raw["countries"])
        self.new_flows = pd.DataFrame(raw["new_flows"], index=codes, columns=codes)
        self.baseline_flows = pd.DataFrame(raw["baseline_flows"], index=codes, columns=codes)
        self.flow_change_pct = pd.DataFrame(raw["flow_change_pct"], index=codes, columns=codes)
        self.groups = pd.DataFrame(
            [(name, [codes[i] for i in members], before, after)
             for name, members, before, after in raw["groups"]],
            columns=["group", "members", "intra_share_before", "intra_share_after"])
        for key in ("converged", "termination", "message", "iterations", "max_log_excess_supply",
                    "market_clearing_residual", "budget_residual", "world_output_hat",
                    "expenditure_scale"):
            setattr(self, key, raw[key])

    def __repr__(self):
        return (f"<mizani.ge.GeSolution {len(self.countries)} countries, {self.termination} "
                f"after {self.iterations} iterations>")


def _square(matrix, name):
    if isinstance(matrix, pd.DataFrame):
        values = matrix.to_numpy(dtype=np.float64)
    else:
        values = np.asarray(matrix, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] != values.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {values.shape}")
    return values


def solve(flows, partial_effects, theta=None, sigma=None, codes=None, mode="full",
          imbalance="additive", reference=None, tolerance=1e-10, max_iterations=2000, groups=None):
    """Solves the counterfactual.

    flows            N x N baseline flows X_ij (exporter rows, importer columns,
                     domestic flows on the diagonal); a DataFrame's index names
                     the countries
    partial_effects  N x N B_ij = exp(b_ij), 1 = no change (scalar 1 allowed)
    theta / sigma    trade elasticity theta = sigma - 1
    mode             "full" (endowment economy) or "conditional"
    imbalance        "additive", "multiplicative" or "removed"
    reference        country code whose inward resistance is the numeraire
                     (default: world output)
    groups           {"NAFTA": ["CAN", "MEX", "USA"]}: intra-group trade shares
    """
    if (theta is None) == (sigma is None):
        raise ValueError("give exactly one of theta and sigma")
    theta = float(theta if theta is not None else sigma - 1.0)
    values = _square(flows, "flows")
    if codes is None:
        codes = ([str(code) for code in flows.index] if isinstance(flows, pd.DataFrame)
                 else [str(i) for i in range(values.shape[0])])
    codes = list(codes)
    if np.isscalar(partial_effects):
        effects = np.full(values.shape, float(partial_effects))
    else:
        effects = _square(partial_effects, "partial_effects")
    index = {code: i for i, code in enumerate(codes)}

    def position(code):
        if code not in index:
            raise KeyError(f"unknown country '{code}'")
        return index[code]

    reference_idx = -1 if reference is None else position(reference)
    group_idx = {name: [position(code) for code in members]
                 for name, members in (groups or {}).items()}
    raw = _mizani.ge_solve(values, effects, codes, theta, mode, imbalance, reference_idx,
                           float(tolerance), int(max_iterations), group_idx)
    return GeSolution(raw, codes)
