"""mizani from Python: gravity estimation (PPML/OLS with high-dimensional fixed
effects), general-equilibrium counterfactuals and scenario files, debt
financing (debt), sovereign ratings (rate) and product-level partial
equilibrium (pe), over the same C++ library as the ``mizani`` command
(docs/python.md).

    >>> import mizani
    >>> fit = mizani.fepois(df, "trade ~ log(DIST) + CNTG | exporter^year + importer^year",
    ...                     cluster="pair_id")
    >>> fit.tidy()
"""
from . import ge
from ._mizani import MizaniError
from .engines import DebtResult, PeResult, RateResult, debt, pe, rate
from .estimation import FitResult, feols, fepois
from .scenario import SimulationResult, simulate

__all__ = ["MizaniError", "FitResult", "fepois", "feols", "simulate", "SimulationResult", "ge",
           "debt", "DebtResult", "rate", "RateResult", "pe", "PeResult"]
__version__ = "0.1.0"
