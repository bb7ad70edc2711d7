"""mizani.simulate: run a counterfactual scenario (docs/scenarios.md) from a
TOML file or a dict with the same keys, and get its tables as DataFrames."""
import json
import os

from . import _columns
from . import _mizani
from . import _report
from . import _toml


class SimulationResult:
    """Tables of a scenario run, as `mizani simulate` writes them (CSV):
    .countries, .pairs, .groups (None when the scenario defines no group),
    .coefficients, .focus, .goal (None when absent); .tables has them all by
    name; .results is the parsed results.json."""

    def __init__(self, tables, results_json):
        self.tables, self.captions = _report.frames(tables)
        self.results = json.loads(results_json)

    def __getattr__(self, name):
        if name in ("countries", "pairs", "groups", "coefficients", "focus", "goal"):
            return self.tables.get(name)
        raise AttributeError(name)

    def __repr__(self):
        return _report.describe("SimulationResult", self.results["scenario"]["name"], self.tables)


def simulate(scenario, data_dir=None, output=None, replications=None, seed=None, threads=0,
             progress=None, data=None):
    """Runs a scenario.

    scenario      path of a .toml file, or a dict with the file's keys
                  ({"data": {...}, "model": {...}, "shocks": [{...}], ...})
    data_dir      folder for ${MIZANI_DATA} and relative data paths
    output        also write the CSV tables, results.json and report here
    replications  bootstrap replications (replaces [uncertainty] replications)
    progress      None: progress lines on the `mizani` logger (INFO); False:
                  none; or a callable(line)
    data          a pandas DataFrame to run on instead of the file named by
                  [data] path (which may then be left out of a dict); its
                  columns are read as mizani.fepois reads them (float64 in
                  place, text and categoricals as codes)
    """
    path = _columns.as_path(scenario)
    if path is not None:
        text, file, base_dir, is_text = path, path, "", False
    elif isinstance(scenario, dict):
        if data is not None and "path" not in scenario.get("data", {}):
            scenario = dict(scenario, data=dict(scenario.get("data", {}), path="<DataFrame>"))
        text, file, base_dir, is_text = _toml.dumps(scenario), "<dict>", os.getcwd(), True
    else:
        raise TypeError(f"scenario must be a path or a dict, not {type(scenario).__name__}")
    callback = _report.line_callback(progress)
    tables, results = _mizani.simulate(
        text, file, base_dir, is_text, "" if data_dir is None else os.fspath(data_dir),
        "" if output is None else os.fspath(output),
        -1 if replications is None else int(replications), -1 if seed is None else int(seed),
        int(threads), callback,
        None if data is None else _columns.frame_columns(data, list(data.columns)))
    return SimulationResult(tables, results)
