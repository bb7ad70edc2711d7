"""Shared fixtures of the Python module's tests: the shared data sets (tests
skip with a message when they are absent, like the C++ data tests) and the
`mizani` command line, the independent run the module is compared with."""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The environment the command runs in: the one this process started with.
# dask.distributed's LocalCluster (test_dask.py) writes OMP_NUM_THREADS=1 into
# os.environ for its workers; a command started after it would then run
# OpenMP on one thread while the module in this process keeps its threads,
# and the rating model's standard errors move by 1e-11 relative with the
# thread count (Eigen's parallel products), past the 1e-12 of the tests.
_ENV = dict(os.environ)


def shared_data_dir():
    return os.environ.get("MIZANI_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))


def shared_file(relative):
    path = os.path.join(shared_data_dir(), relative)
    if not os.path.exists(path):
        pytest.skip(f"shared data not found: ../shared/data/{relative} "
                    "(set MIZANI_SHARED_DATA to the folder holding the data sets)")
    return path


def mizani_binary():
    binary = os.environ.get("MIZANI_BINARY", os.path.join(ROOT, "build", "mizani"))
    if not os.path.exists(binary):
        pytest.skip(f"the mizani command is not built ({binary})")
    return binary


def run_cli(*args):
    """Runs `mizani ARGS` and returns its stdout."""
    done = subprocess.run([mizani_binary(), "--quiet", *args], capture_output=True, text=True,
                          check=False, env=_ENV)
    assert done.returncode == 0, done.stderr
    return done.stdout


def cli_estimate(*args):
    return json.loads(run_cli("estimate", "--format", "json", *args))


@pytest.fixture(scope="session")
def fixest_trade_path():
    return shared_file("fixest_trade_eu15/trade.csv.gz")


@pytest.fixture(scope="session")
def fixest_trade(fixest_trade_path):
    import pandas as pd
    return pd.read_csv(fixest_trade_path)


@pytest.fixture(scope="session")
def chapter1_path():
    return shared_file("agtpa_yotov2016/csv/Chapter1Application1.csv.gz")


@pytest.fixture(scope="session")
def chapter1(chapter1_path):
    import pandas as pd
    return pd.read_csv(chapter1_path)


def run_cli_status(*args):
    """Runs `mizani ARGS` and returns (exit code, stderr)."""
    done = subprocess.run([mizani_binary(), "--quiet", *args], capture_output=True, text=True,
                          check=False, env=_ENV)
    return done.returncode, done.stderr


def _same_cell(ours, theirs):
    if isinstance(ours, float):
        if theirs == "":
            return ours != ours  # NaN is written as an empty field
        return abs(ours - float(theirs)) <= 1e-12 * abs(float(theirs))
    return str(ours) == theirs


def assert_tables_equal_csv(tables, folder):
    """Every table the module returned equals <folder>/<name>.csv the command
    wrote (numbers to 1e-12 relative, text exactly), and the command wrote no
    table the module did not return."""
    import numpy as np
    import pandas as pd
    written = sorted(name[:-4] for name in os.listdir(folder) if name.endswith(".csv"))
    assert sorted(tables) == written
    for name, ours in tables.items():
        path = os.path.join(folder, f"{name}.csv")
        with open(path, encoding="utf-8") as file:
            # A report with a badge ("INPUT CELLS TO FILL") starts each CSV
            # with it as a comment line.
            skip = 1 if file.readline().startswith("# ") else 0
        cli = pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=skip)
        assert list(ours.columns) == list(cli.columns), name
        assert len(ours) == len(cli), name
        for column in ours.columns:
            if pd.api.types.is_numeric_dtype(ours[column]):
                theirs = pd.to_numeric(cli[column].replace("", np.nan))
                np.testing.assert_allclose(ours[column].to_numpy(float), theirs.to_numpy(float),
                                           rtol=1e-12, atol=0, equal_nan=True,
                                           err_msg=f"{name}.{column}")
            else:
                for row_idx, (a, b) in enumerate(zip(ours[column], cli[column])):
                    assert _same_cell(a, b), f"{name}.{column} row {row_idx}: {a!r} != {b!r}"
