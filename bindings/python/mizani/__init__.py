"""mizani from Python: gravity estimation (PPML/OLS with high-dimensional fixed
effects), general-equilibrium counterfactuals and scenario files, over the same
C++ library as the ``mizani`` command (docs/python.md).

    >>> import mizani
    >>> fit = mizani.fepois(df, "trade ~ log(DIST) + CNTG | exporter^year + importer^year",
    ...                     cluster="pair_id")
    >>> fit.tidy()
"""
from . import ge
from ._mizani import MizaniError
from .estimation import FitResult, feols, fepois
from .scenario import SimulationResult, simulate

__all__ = ["MizaniError", "FitResult", "fepois", "feols", "simulate", "SimulationResult", "ge"]
__version__ = "0.1.0"
