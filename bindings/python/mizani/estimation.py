"""fepois / feols: PPML and OLS with high-dimensional fixed effects, in the
habits of pyfixest and R fixest."""
import json
import logging

import numpy as np
import pandas as pd

from . import _columns
from . import _mizani

_log = logging.getLogger("mizani")


def _string_list(value, what):
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()] if what == "cluster" \
            else [value]
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(value)
    raise TypeError(f"{what} must be a string or a list of strings, not {type(value).__name__}")


def _progress_callback(progress):
    """None: log each iteration on the `mizani` logger (INFO); False: nothing;
    a callable: progress(iteration, deviance, relative_change)."""
    if progress is False:
        return None
    if progress is None or progress is True:
        if not _log.isEnabledFor(logging.INFO):
            return None
        return lambda it, dev, rel: _log.info(
            "iteration %d  deviance %.10g  relative change %.3g", it, dev, rel)
    if callable(progress):
        return progress
    raise TypeError("progress must be None, False or a callable(iteration, deviance, change)")


def _fit(family, data, formula, vcov, cluster, filters, ssc, tol, fe_tol, maxiter, threads,
         drop_singletons, separation, progress):
    if not isinstance(formula, str):
        raise TypeError(f"formula must be a string, not {type(formula).__name__}")
    args = _mizani.FitArgs()
    args.formula = formula
    args.family = family
    args.filters = _string_list(filters, "filters")
    args.cluster = _string_list(cluster, "cluster")
    args.vcov = "" if vcov is None else vcov
    if not isinstance(args.vcov, str):
        raise TypeError(f"vcov must be a string, not {type(vcov).__name__}")
    args.ssc = ssc
    args.tolerance = float(tol)
    args.fe_tolerance = float(fe_tol)
    args.max_iterations = int(maxiter)
    args.threads = int(threads)
    args.drop_singletons = bool(drop_singletons)
    args.check_separation = bool(separation)
    path = _columns.as_path(data)
    if path is not None:
        source = path  # read as `mizani estimate` reads it: only the model's columns
    else:
        names = _columns.model_columns(_mizani.model_columns(formula), data, args.cluster,
                                       args.filters)
        source = _columns.frame_columns(data, names)
    raw = _mizani.fit(source, args, _progress_callback(progress))
    return FitResult(raw)


def fepois(data, fml, vcov=None, cluster=None, filters=None, ssc="stata", tol=1e-8,
           fe_tol=1e-10, maxiter=100, threads=0, drop_singletons=True, separation=True,
           progress=None):
    """Poisson pseudo-maximum likelihood (PPML) with fixed effects.

    data      a pandas DataFrame or a path (.csv, .csv.gz, .tsv, .dta)
    fml       "trade ~ log(DIST) + CNTG | exporter^year + importer^year" (fixest syntax)
    vcov      "iid", "hetero" ("HC1"), "cluster" ("CRV1"); default: cluster when
              `cluster` is given, hetero otherwise
    cluster   a column or a list of columns (two or more: multi-way)
    filters   row filters as the command line's --filter: "exporter != importer",
              "year in 1986:2006:4"
    ssc       small-sample convention: "stata" (default, as the Advanced Guide),
              "fixest" (R fixest defaults) or "none"
    progress  None: each iteration on the `mizani` logger at INFO; False: silent;
              or a callable(iteration, deviance, relative_change)

    Float64 columns of a DataFrame are read in place (not copied); integer and
    boolean ones are widened by the library, the copy freed during the fit.
    The GIL is released during the fit; Ctrl-C stops it between two
    iterations.
    """
    return _fit("poisson", data, fml, vcov, cluster, filters, ssc, tol, fe_tol, maxiter, threads,
                drop_singletons, separation, progress)


def feols(data, fml, vcov=None, cluster=None, filters=None, ssc="stata", tol=1e-8,
          fe_tol=1e-10, maxiter=100, threads=0, drop_singletons=True, progress=None):
    """OLS with fixed effects; arguments as fepois."""
    return _fit("gaussian", data, fml, vcov, cluster, filters, ssc, tol, fe_tol, maxiter, threads,
                drop_singletons, False, progress)


class FitResult:
    """A fitted model. The numbers are the library's, as `mizani estimate`
    prints them (normal-approximation inference, as fixest and ppmlhdfe)."""

    def __init__(self, raw):
        self._raw = raw
        self._json = None

    def _summary(self):
        if self._json is None:
            self._json = json.loads(self._raw.to_json())
        return self._json

    # Sample accounting.
    @property
    def nobs(self):
        """Observations used in the fit."""
        return self._raw.nobs

    @property
    def rows_read(self):
        return self._raw.rows_read

    @property
    def dropped(self):
        """Observations removed, by reason (missing, filtered, singleton, ...)."""
        return dict(self._raw.dropped)

    @property
    def converged(self):
        return self._raw.converged

    @property
    def termination(self):
        return self._raw.termination

    @property
    def message(self):
        return self._raw.message

    @property
    def iterations(self):
        return self._raw.iterations

    @property
    def deviance(self):
        return self._raw.deviance

    @property
    def pseudo_r2(self):
        return self._raw.pseudo_r2

    @property
    def family(self):
        return self._raw.family

    @property
    def formula(self):
        return self._raw.formula

    @property
    def collinear(self):
        """Regressors dropped as collinear."""
        return list(self._raw.collinear)

    @property
    def vcov_description(self):
        return self._raw.vcov_description

    # Coefficients.
    def coef(self):
        return pd.Series(np.asarray(self._raw.coef), index=self._raw.coef_names, name="Estimate")

    def se(self):
        return pd.Series(np.asarray(self._raw.se), index=self._raw.coef_names, name="Std. Error")

    def vcov(self):
        names = self._raw.coef_names
        return pd.DataFrame(np.asarray(self._raw.vcov), index=names, columns=names)

    def tidy(self):
        """One row per coefficient, columns as pyfixest's tidy(): Estimate,
        Std. Error, t value (a z statistic), Pr(>|t|), 2.5%, 97.5%."""
        rows = self._summary()["coefficients"]
        frame = pd.DataFrame(
            {
                "Estimate": [row["estimate"] for row in rows],
                "Std. Error": [row["std_error"] for row in rows],
                "t value": [row["z"] for row in rows],
                "Pr(>|t|)": [row["p_value"] for row in rows],
                "2.5%": [row["ci_low"] for row in rows],
                "97.5%": [row["ci_high"] for row in rows],
            },
            index=pd.Index([row["name"] for row in rows], name="Coefficient"))
        return frame

    def fixef(self):
        """Fixed-effect estimates: {"exporter^year": Series indexed by level}.
        Normalisation in `fe_normalisation`."""
        return {name: pd.Series(values, index=labels, name=name)
                for name, (labels, values) in self._raw.fixed_effects.items()}

    @property
    def fe_normalisation(self):
        return self._raw.fe_normalisation

    def to_json(self):
        """The JSON `mizani estimate --format json` prints."""
        return self._raw.to_json()

    def summary(self):
        return self._raw.to_table()

    def __repr__(self):
        return self._raw.to_table()
