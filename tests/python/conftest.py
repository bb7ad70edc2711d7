"""Shared fixtures of the Python module's tests: the shared data sets (tests
skip with a message when they are absent, like the C++ data tests) and the
`mizani` command line, the independent run the module is compared with."""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
                          check=False)
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
