"""mizani.simulate: run a counterfactual scenario (docs/scenarios.md) from a
TOML file or a dict with the same keys, and get its tables as DataFrames."""
import json
import logging
import os

import pandas as pd

from . import _columns
from . import _mizani
from . import _toml

_log = logging.getLogger("mizani")


class SimulationResult:
    """Tables of a scenario run, as `mizani simulate` writes them (CSV):
    .countries, .pairs, .groups (None when the scenario defines no group),
    .coefficients, .focus, .goal (None when absent); .tables has them all by
    name; .results is the parsed results.json."""

    def __init__(self, tables, results_json):
        self.tables = {}
        self.captions = {}
        for name, table in tables.items():
            self.tables[name] = pd.DataFrame(table["data"], columns=table["columns"])
            self.captions[name] = table["caption"]
        self.results = json.loads(results_json)

    def __getattr__(self, name):
        if name in ("countries", "pairs", "groups", "coefficients", "focus", "goal"):
            return self.tables.get(name)
        raise AttributeError(name)

    def __repr__(self):
        parts = [f"{name} ({len(frame)} rows)" for name, frame in self.tables.items()]
        return f"<mizani.SimulationResult {self.results['scenario']['name']}: {', '.join(parts)}>"


def simulate(scenario, data_dir=None, output=None, replications=None, seed=None, threads=0,
             progress=None):
    """Runs a scenario.

    scenario      path of a .toml file, or a dict with the file's keys
                  ({"data": {...}, "model": {...}, "shocks": [{...}], ...})
    data_dir      folder for ${MIZANI_DATA} and relative data paths
    output        also write the CSV tables, results.json and report here
    replications  bootstrap replications (replaces [uncertainty] replications)
    progress      None: progress lines on the `mizani` logger (INFO); False:
                  none; or a callable(line)
    """
    path = _columns.as_path(scenario)
    if path is not None:
        text, file, base_dir, is_text = path, path, "", False
    elif isinstance(scenario, dict):
        text, file, base_dir, is_text = _toml.dumps(scenario), "<dict>", os.getcwd(), True
    else:
        raise TypeError(f"scenario must be a path or a dict, not {type(scenario).__name__}")
    if progress is None or progress is True:
        callback = _log.info if _log.isEnabledFor(logging.INFO) else None
    elif progress is False:
        callback = None
    elif callable(progress):
        callback = progress
    else:
        raise TypeError("progress must be None, False or a callable(line)")
    tables, results = _mizani.simulate(
        text, file, base_dir, is_text, "" if data_dir is None else os.fspath(data_dir),
        "" if output is None else os.fspath(output),
        -1 if replications is None else int(replications), -1 if seed is None else int(seed),
        int(threads), callback)
    return SimulationResult(tables, results)
