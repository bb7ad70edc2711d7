"""mizani.debt, mizani.rate and mizani.pe: the financing, sovereign-rating and
product-level trade-policy engines, run from their files as the `mizani debt`,
`mizani rate` and `mizani pe` commands run them, with the tables those commands
write as CSV returned as DataFrames (same numbers, docs/python.md)."""
import json
import os
import shutil
import tempfile
import tomllib

import pandas as pd

from . import _columns
from . import _mizani
from . import _report
from . import _toml


class _Tables:
    """Tables by name (.tables), their captions, attribute access by name."""

    _kind = "Result"
    _aliases = {}

    def __init__(self, tables, title):
        self.tables, self.captions = _report.frames(tables)
        self.title = title

    def __getattr__(self, name):
        aliases = type(self)._aliases
        if name in aliases:
            return self.tables.get(aliases[name])
        if name != "tables" and name in self.__dict__.get("tables", {}):
            return self.tables[name]
        raise AttributeError(name)

    def __repr__(self):
        return _report.describe(self._kind, self.title, self.tables)


class DebtResult(_Tables):
    """A financing scenario's run (`mizani debt`): .cost_risk (the cost-risk
    frontier of the strategies: interest/GDP mean and 95th percentile), .dsa
    (projections of every strategy under every shock, year by year),
    .stress_tests (LIC-DSF-style), .comparison (the instruments: yield and
    all-in cost, yen against dollar), .break_even (the yen appreciation a year
    at which both cost the same in dollars); every table by its CSV name in
    .tables; .results is results.json; .summary what the command prints."""

    _kind = "DebtResult"
    _aliases = {"cost_risk": "frontier", "dsa": "projections", "comparison": "instruments"}

    def __init__(self, tables, results_json, summary):
        self.results = json.loads(results_json)
        super().__init__(tables, self.results["scenario"]["name"] or self.results["scenario"]["file"])
        self.summary = summary

    @property
    def break_even(self):
        return self.results["break_even_appreciation"]


class RateResult(_Tables):
    """A rating run (`mizani rate fit|evaluate|score|explain`):
    .coefficients, .thresholds (the cut-points), .predicted (indicated ratings
    of `fit`), .scorecard (scores of `score`); None when the command does not
    make that table. Every table by its CSV name in .tables; .summary what the
    command prints."""

    _kind = "RateResult"
    _aliases = {"coefficients": "coefficients", "thresholds": "cutpoints",
                "predicted": "indicated", "scorecard": "scores"}

    def __init__(self, command, tables, summary, title):
        super().__init__(tables, f"{command}: {title}")
        self.command = command
        self.summary = summary


class PeResult(_Tables):
    """A product-level scenario (`mizani pe`): .lines (the status of every
    reporter x product line), .results (effects by line: smart_lines for
    SMART, gsim_products for GSIM); every table by its CSV name in .tables;
    .badge is "INPUT CELLS TO FILL" while some input cells are missing (the
    rows with them are left out; see .cells_to_fill), else empty."""

    _kind = "PeResult"

    def __init__(self, tables, lines, title, badge):
        super().__init__(tables, title + (f" [{badge}]" if badge else ""))
        self.badge = badge
        self.lines = pd.DataFrame(lines, columns=["reporter", "product", "description", "status",
                                                  "detail"])

    @property
    def results(self):
        return self.tables.get("smart_lines", self.tables.get("gsim_products"))


def _path(value, what):
    path = _columns.as_path(value)
    if path is None:
        raise TypeError(f"{what} must be a path, not {type(value).__name__}")
    return path


def _merge(base, overrides):
    """`overrides` written over `base`, tables merged key by key (lists,
    arrays of tables included, are replaced whole)."""
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _debt_file(scenario, overrides, folder):
    """The scenario file to run: the path itself, or (a dict, or a path with
    overrides) the merged scenario written as TOML into `folder`, its data
    folder made absolute from where the original would resolve it."""
    path = _columns.as_path(scenario)
    if path is not None and not overrides:
        return path
    if path is not None:
        with open(path, "rb") as file:
            merged = tomllib.load(file)
        base_dir = os.path.dirname(os.path.abspath(path))
    elif isinstance(scenario, dict):
        merged = scenario
        base_dir = os.getcwd()
    else:
        raise TypeError(f"scenario must be a path or a dict, not {type(scenario).__name__}")
    if overrides:
        if not isinstance(overrides, dict):
            raise TypeError(f"overrides must be a dict, not {type(overrides).__name__}")
        merged = _merge(merged, overrides)
    data = dict(merged.get("data", {}))
    folder_value = data.get("folder")
    if isinstance(folder_value, str) and "${" not in folder_value and not os.path.isabs(
            folder_value):
        data["folder"] = os.path.normpath(os.path.join(base_dir, folder_value))
        merged = dict(merged, data=data)
    target = os.path.join(folder, "scenario.toml")
    with open(target, "w", encoding="utf-8") as file:
        file.write(_toml.dumps(merged))
    return target


def debt(scenario, overrides=None, data_dir=None, paths=None, seed=None, threads=0, output=None,
         progress=None):
    """Runs a financing scenario (docs/finance.md) as `mizani debt` does.

    scenario   path of a .toml file, or a dict with the file's keys
    overrides  a dict written over the scenario's keys, table by table
               ({"fx": {"paths": 500}, "market": {"rates": {"KES": 0.10}}});
               lists (instruments, strategies) are replaced whole
    data_dir   the shared data folder (replaces [data] folder)
    paths, seed  Monte Carlo paths and seed (replace [fx] paths and seed)
    output     also write the CSV tables, results.json and the report here
    progress   None: lines on the `mizani` logger (INFO); False: none; or a
               callable(line)
    """
    folder = tempfile.mkdtemp(prefix="mizani-debt-")
    try:
        path = _debt_file(scenario, overrides, folder)
        tables, results, summary = _mizani.debt(
            path, "" if data_dir is None else os.fspath(data_dir),
            -1 if paths is None else int(paths), -1 if seed is None else int(seed), int(threads),
            "" if output is None else os.fspath(output), _report.line_callback(progress))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return DebtResult(tables, results, summary)


def rate(config, command="fit", data_dir=None, country=None, year=None, agency=None, link=None,
         output=None, progress=None):
    """Runs the sovereign rating model (docs/rating.md) as `mizani rate
    COMMAND CONFIG` does: command is "fit" (coefficients, cut-points,
    indicated ratings), "evaluate" (the rolling back-test), "score" (the
    scorecard) or "explain" (one country). country, year, agency and link
    replace the file's; output also writes the report there."""
    tables, summary, title = _mizani.rate(
        str(command), _path(config, "config"), "" if data_dir is None else os.fspath(data_dir),
        country or "", 0 if year is None else int(year), agency or "", link or "",
        "" if output is None else os.fspath(output), _report.line_callback(progress))
    return RateResult(command, tables, summary, title)


def pe(scenario, data_dir=None, output=None, progress=None):
    """Runs a product-level partial-equilibrium scenario (SMART or GSIM,
    docs/pe.md) as `mizani pe` does. data_dir resolves paths written
    "shared:..." (default: $MIZANI_SHARED_DATA, else ../shared/data, as the
    command)."""
    if data_dir is None:
        data_dir = os.environ.get("MIZANI_SHARED_DATA") or "../shared/data"
    tables, lines, title, badge = _mizani.pe(
        _path(scenario, "scenario"), os.fspath(data_dir),
        "" if output is None else os.fspath(output), _report.line_callback(progress))
    return PeResult(tables, lines, title, badge)
