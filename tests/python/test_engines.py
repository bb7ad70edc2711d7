"""mizani.debt, mizani.rate and mizani.pe against the `mizani debt`, `mizani
rate` and `mizani pe` commands run on the same example files: every table the
command writes as CSV (full precision) equals the module's DataFrame to 1e-12;
errors carry the exit code the command returns for the same input."""
import os
import re
import shutil
import tomllib

import pytest

import mizani
from conftest import (ROOT, assert_tables_equal_csv, run_cli, run_cli_status, shared_data_dir,
                      shared_file)

FINANCING = os.path.join(ROOT, "examples", "kenya_financing.toml")
RATINGS = os.path.join(ROOT, "examples", "africa_ratings.toml")
PRODUCTS = os.path.join(ROOT, "examples", "kenya_japan_products.toml")
PATHS, SEED = "300", "11"  # a small Monte Carlo: the comparison, not the economics


@pytest.fixture(scope="module")
def debt_data():
    shared_file("kenya_debt/kenya_external_debt_register_2023-06-30.csv")
    shared_file("imf_weo_2025apr/weo_2025apr_long.csv.gz")
    shared_file("fx_history")
    return shared_data_dir()


@pytest.fixture(scope="module")
def debt_run(debt_data):
    return mizani.debt(FINANCING, data_dir=debt_data, paths=int(PATHS), seed=int(SEED),
                       progress=False)


def test_debt_equals_cli(debt_run, debt_data, tmp_path):
    out = tmp_path / "cli"
    run_cli("debt", FINANCING, "-o", str(out), "--data-dir", debt_data, "--paths", PATHS,
            "--seed", SEED)
    assert_tables_equal_csv(debt_run.tables, out)
    # The views of the issue: the strategies' cost-risk table, the DSA paths,
    # the yen-against-dollar comparison.
    strategies = tomllib.load(open(FINANCING, "rb"))["strategy"]
    assert debt_run.cost_risk["strategy"].tolist() == [s["name"] for s in strategies]
    assert set(debt_run.dsa["strategy"]) == {s["name"] for s in strategies}
    assert "baseline" in set(debt_run.dsa["shock"])
    assert set(debt_run.comparison["currency"]) >= {"USD", "JPY"}
    assert debt_run.break_even == debt_run.results["break_even_appreciation"]
    assert debt_run.results["scenario"]["paths"] == int(PATHS)
    assert "DebtResult" in repr(debt_run) and "frontier" in repr(debt_run)


def test_debt_from_dict_and_overrides(debt_run, debt_data):
    with open(FINANCING, "rb") as file:
        scenario = tomllib.load(file)
    scenario["data"] = {"folder": debt_data}
    from_dict = mizani.debt(scenario, paths=int(PATHS), seed=int(SEED), progress=False)
    overridden = mizani.debt(FINANCING, overrides={"fx": {"paths": int(PATHS), "seed": int(SEED)}},
                             data_dir=debt_data, progress=False)
    for other in (from_dict, overridden):
        assert sorted(other.tables) == sorted(debt_run.tables)
        for name, frame in debt_run.tables.items():
            assert other.tables[name].equals(frame), name
    # An override changes what it should: a higher KES rate moves the parity
    # path, hence the KES all-in cost of the dollar bond.
    higher = mizani.debt(FINANCING, overrides={"market": {"rates": {"KES": 0.12}},
                                               "fx": {"paths": 50, "seed": 1}},
                         data_dir=debt_data, progress=False)
    lower = mizani.debt(FINANCING, overrides={"fx": {"paths": 50, "seed": 1}},
                        data_dir=debt_data, progress=False)
    column = "all-in KES, parity path"
    assert (higher.comparison[column] > lower.comparison[column]).all()


def test_debt_output_folder_holds_the_same_tables(debt_data, tmp_path):
    result = mizani.debt(FINANCING, data_dir=debt_data, paths=50, seed=3,
                         output=tmp_path / "out", progress=False)
    assert_tables_equal_csv(result.tables, tmp_path / "out")
    assert (tmp_path / "out" / "results.json").exists()
    assert (tmp_path / "out" / "report.html").exists()


def test_debt_errors_carry_the_exit_code(debt_data, tmp_path):
    with open(FINANCING, "rb") as file:
        scenario = tomllib.load(file)
    scenario["scenario"]["carrying_capacity"] = "huge"
    with pytest.raises(mizani.MizaniError, match="carrying_capacity") as err:
        mizani.debt(scenario, data_dir=debt_data, progress=False)
    bad = tmp_path / "bad.toml"
    bad.write_text(mizani._toml.dumps(scenario))
    code, stderr = run_cli_status("debt", str(bad), "-o", str(tmp_path / "out"), "--data-dir",
                                  debt_data)
    assert err.value.code == code == 6 and err.value.code_name == "bad_scenario"
    assert err.value.bug is False and "carrying_capacity" in stderr
    with pytest.raises(mizani.MizaniError, match="at least 1") as err:
        mizani.debt(FINANCING, data_dir=debt_data, paths=0, progress=False)
    assert err.value.code == 2
    with pytest.raises(mizani.MizaniError, match="not found") as err:
        mizani.debt(str(tmp_path / "missing.toml"), progress=False)
    code, _ = run_cli_status("debt", str(tmp_path / "missing.toml"), "-o", str(tmp_path / "o"))
    assert err.value.code == code == 3


@pytest.fixture(scope="module")
def rating_data():
    shared_file("imf_weo_2025apr/countriesratings.csv")
    shared_file("imf_weo_2025apr/weo_2025apr_long.csv.gz")
    return shared_data_dir()


@pytest.mark.parametrize("command,extra", [("fit", ()), ("evaluate", ()), ("score", ()),
                                           ("explain", ("--country", "KEN"))])
def test_rate_equals_cli(rating_data, tmp_path, command, extra):
    out = tmp_path / command
    config = RATINGS
    if command == "evaluate":
        # The back-test over the example's last five years for two agencies:
        # the full roll (2010-2024, four agencies, random effects) takes minutes.
        config = str(tmp_path / "africa_ratings.toml")
        shutil.copy(os.path.join(os.path.dirname(RATINGS), "africa_scorecard.toml"), tmp_path)
        text = open(RATINGS).read()
        short = re.sub(r"(?m)^first_test_year = .*$", "first_test_year = 2020", text)
        short = re.sub(r"(?m)^agencies = .*$", 'agencies = ["S&P", "Moody\'s"]', short)
        assert short != text
        open(config, "w").write(short)
    run_cli("rate", command, config, "--data-dir", rating_data, "-o", str(out), *extra)
    country = extra[1] if extra else None
    result = mizani.rate(config, command, data_dir=rating_data, country=country, progress=False)
    assert_tables_equal_csv(result.tables, out)
    assert result.command == command and "RateResult" in repr(result)
    if command == "fit":
        assert result.coefficients is not None and result.thresholds is not None
        assert len(result.predicted) > 0 and result.scorecard is None
    if command == "score":
        assert len(result.scorecard) > 0


def test_rate_errors_carry_the_exit_code(rating_data, tmp_path):
    with pytest.raises(mizani.MizaniError, match="expected 'fit'") as err:
        mizani.rate(RATINGS, "guess", data_dir=rating_data, progress=False)
    assert err.value.code == 2 and err.value.code_name == "usage"
    with pytest.raises(mizani.MizaniError, match="ZZZ") as err:
        mizani.rate(RATINGS, "explain", data_dir=rating_data, country="ZZZ", progress=False)
    code, _ = run_cli_status("rate", "explain", RATINGS, "--data-dir", rating_data, "--country",
                             "ZZZ", "-o", str(tmp_path / "o"))
    assert err.value.code == code and code != 0
    with pytest.raises(TypeError, match="must be a path"):
        mizani.rate({"data": {}}, "fit")


@pytest.fixture(scope="module")
def pe_data():
    shared_file("baci_hs17_2020_zaf_partial_sample")
    return shared_data_dir()


def test_pe_equals_cli(pe_data, tmp_path):
    out = tmp_path / "cli"
    run_cli("pe", PRODUCTS, "-o", str(out), "--data-dir", pe_data)
    result = mizani.pe(PRODUCTS, data_dir=pe_data, progress=False)
    assert_tables_equal_csv(result.tables, out)
    assert result.results is result.tables["smart_lines"]
    assert len(result.lines) == len(result.tables["lines_status"])
    assert "PeResult" in repr(result)
    with open(out / "lines_status.csv", encoding="utf-8") as file:
        assert file.readline().strip() == f"# {result.badge}" and result.badge


@pytest.mark.parametrize("model", ["smart", "gsim"])
def test_pe_on_complete_lines_equals_cli(tmp_path, model):
    # The example leaves its lines to fill (no effect to compare): a complete
    # table, two markets and two products, elasticities given as numbers.
    (tmp_path / "lines.csv").write_text(
        "reporter,partner,product,trade_value,tariff\n"
        "JPN,KEN,090240,100,10\nJPN,LKA,090240,300,10\nJPN,CHN,090240,250,10\n"
        "JPN,KEN,060319,40,0\nJPN,COL,060319,500,0\n"
        "KEN,UGA,090240,50,25\nKEN,TZA,090240,70,25\nKEN,LKA,090240,20,25\n")
    (tmp_path / "s.toml").write_text(
        f'title = "two markets"\nmodel = "{model}"\nfocus = "KEN"\n'
        '[inputs]\ntable = "lines.csv"\n'
        '[elasticities]\nimport_demand = -1.2\nsubstitution = 3.0\nexport_supply = 5\n'
        '[[change]]\npartners = ["KEN"]\ntariff = 0\n'
        '[[change]]\npartners = ["LKA"]\nproducts = ["090240"]\ntariff_cut = 50\n')
    out = tmp_path / "cli"
    run_cli("pe", str(tmp_path / "s.toml"), "-o", str(out), "--data-dir", str(tmp_path))
    result = mizani.pe(tmp_path / "s.toml", data_dir=tmp_path, progress=False)
    assert_tables_equal_csv(result.tables, out)
    assert result.badge == "" and (result.lines["status"] == "simulated").all()
    effects = result.results
    if model == "smart":
        # Three lines and the total; duty-free tea for Kenya in Japan and the
        # halved rate on Sri Lanka's tea in Kenya create trade (the flowers
        # were duty-free already).
        assert len(effects) == 4 and effects["market"].tolist()[-1] == "all"
        creation = effects.set_index(["market", "product"])["creation"]
        assert creation[("JPN", "090240")] > 0 and creation[("KEN", "090240")] > 0
        assert creation[("JPN", "060319")] == 0
    else:
        assert len(effects) == 2
        assert (result.tables["gsim_solver"]["max_residual"] < 1e-9).all()


def test_pe_errors_carry_the_exit_code(pe_data, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(open(PRODUCTS, encoding="utf-8").read().replace('model = "smart"',
                                                                   'model = "magic"'))
    with pytest.raises(mizani.MizaniError) as err:
        mizani.pe(bad, data_dir=pe_data, progress=False)
    code, stderr = run_cli_status("pe", str(bad), "-o", str(tmp_path / "o"), "--data-dir",
                                  pe_data)
    assert err.value.code == code != 0
    assert str(err.value) in stderr


@pytest.mark.parametrize("kind,code,bug,message", [
    ("error", 9, False, "^an output error$"),
    ("bad_alloc", 1, False, "^out of memory$"),
    ("logic", 1, True, r"^internal error: a logic error \(please report\)$"),
])
def test_error_boundary_maps_every_exception(kind, code, bug, message):
    # The module's one path from a C++ exception to Python: Guard and
    # StatusOf (status.h), as the command's main() (exit code = code).
    with pytest.raises(mizani.MizaniError, match=message) as err:
        mizani._mizani._raise_for_test(kind)
    assert err.value.code == code and err.value.bug is bug
    assert mizani._mizani._raise_for_test("none") == 0
