"""mizani.simulate and mizani.ge.solve: the NAFTA scenario of the Advanced
Guide from a file and from a dict, against `mizani simulate` on the same file
(its CSV tables hold exact numbers) and the book's RTA estimate; GE identities
and errors."""
import os

import numpy as np
import pandas as pd
import pytest

import mizani
from conftest import ROOT, run_cli, shared_data_dir, shared_file

NAFTA = os.path.join(ROOT, "examples", "nafta.toml")


@pytest.fixture(scope="module")
def nafta_data():
    return shared_file("agtpa_yotov2016/csv/Chapter2Application2.csv.gz")


@pytest.fixture(scope="module")
def nafta(nafta_data):
    return mizani.simulate(NAFTA, data_dir=shared_data_dir(), replications=0, progress=False)


def nafta_dict(data):
    return {
        "name": "nafta-removal",
        "data": {"path": data, "baseline_year": 2006},
        "estimation": {
            "formula": "trade ~ RTA | exporter^year + importer^year + pair_id",
            "filters": ["year in 1986:2006:4"],
            "cluster": "pair_id",
            "separation_check": False,
        },
        "model": {"sigma": 7, "mode": "full", "imbalances": "multiplicative"},
        "groups": {"NAFTA": ["CAN", "MEX", "USA"]},
        "shocks": [{"name": "no-nafta", "kind": "agreement", "members": "NAFTA",
                    "coefficient": "estimated", "term": "RTA", "remove": True}],
        "output": {"focus": "MEX->USA"},
    }


def test_nafta_file_equals_cli_tables(nafta, tmp_path):
    out = tmp_path / "cli"
    run_cli("simulate", NAFTA, "--data-dir", shared_data_dir(), "--replications", "0",
            "-o", str(out))
    for name in ("countries", "pairs", "groups", "coefficients"):
        cli = pd.read_csv(out / f"{name}.csv", keep_default_na=False, na_values=[""])
        ours = nafta.tables[name]
        assert list(ours.columns) == list(cli.columns), name
        for column in ours.columns:
            if pd.api.types.is_numeric_dtype(cli[column]):
                np.testing.assert_allclose(ours[column].astype(float), cli[column], rtol=1e-12,
                                           atol=0, err_msg=f"{name}.{column}")
            else:
                assert ours[column].astype(str).tolist() == cli[column].astype(str).tolist()
    # The book's three-way PPML estimate of RTA (Advanced Guide, ch. 2): 0.557.
    coefficients = nafta.coefficients.set_index("term")
    assert round(coefficients.loc["RTA", "estimate"], 3) == 0.557
    assert len(nafta.countries) == 69
    assert nafta.results["ge"]["termination"] == "converged"
    assert nafta.results["scenario"]["name"] == "nafta-removal"


def test_nafta_dict_equals_file(nafta, nafta_data):
    from_dict = mizani.simulate(nafta_dict(nafta_data), replications=0, progress=False)
    for name in ("countries", "pairs", "groups"):
        pd.testing.assert_frame_equal(from_dict.tables[name], nafta.tables[name],
                                      check_exact=True)


def test_nafta_on_a_dataframe_equals_file(nafta, nafta_data):
    # The scenario's data as a DataFrame (read by pandas: text ids, int64
    # years and dummies) instead of [data] path: the same tables.
    frame = pd.read_csv(nafta_data, float_precision="round_trip")
    scenario = nafta_dict(nafta_data)
    del scenario["data"]["path"]
    from_frame = mizani.simulate(scenario, data=frame, replications=0, progress=False)
    for name in ("countries", "pairs", "groups", "coefficients"):
        ours, theirs = from_frame.tables[name], nafta.tables[name]
        assert list(ours.columns) == list(theirs.columns), name
        for column in ours.columns:
            if pd.api.types.is_numeric_dtype(theirs[column]):
                np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-12, atol=0,
                                           err_msg=f"{name}.{column}")
            else:
                assert ours[column].tolist() == theirs[column].tolist(), f"{name}.{column}"
    # A column the scenario needs and the DataFrame lacks: the data error.
    with pytest.raises(mizani.MizaniError, match="RTA") as err:
        mizani.simulate(scenario, data=frame.drop(columns=["RTA"]), replications=0,
                        progress=False)
    assert err.value.code in (5, 6)


def test_simulate_errors_carry_the_exit_code(nafta_data):
    bad = nafta_dict(nafta_data)
    bad["model"]["sigma"] = 0.5
    with pytest.raises(mizani.MizaniError, match="sigma") as err:
        mizani.simulate(bad, progress=False)
    assert err.value.code == 6 and err.value.code_name == "bad_scenario"
    with pytest.raises(TypeError, match="path or a dict"):
        mizani.simulate(3)
    with pytest.raises(mizani.MizaniError) as err:
        mizani.simulate("no_such_scenario.toml")
    assert err.value.code == 3


def three_countries():
    codes = ["A", "B", "C"]
    flows = pd.DataFrame([[50.0, 10.0, 5.0], [8.0, 60.0, 7.0], [4.0, 6.0, 40.0]], index=codes,
                         columns=codes)
    return flows


def test_ge_solve_no_change_returns_the_baseline():
    flows = three_countries()
    solution = mizani.ge.solve(flows, 1.0, sigma=5)
    assert solution.converged
    np.testing.assert_allclose(solution.new_flows.to_numpy(), flows.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(solution.countries["welfare_change_pct"], 0, atol=1e-8)


def test_ge_solve_identities_and_agreement():
    flows = three_countries()
    effects = np.ones((3, 3))
    effects[0, 1] = effects[1, 0] = np.exp(0.5)  # an agreement between A and B
    solution = mizani.ge.solve(flows, effects, theta=4, groups={"AB": ["A", "B"]})
    assert solution.converged and solution.market_clearing_residual < 1e-9
    countries = solution.countries.set_index("country")
    # Market clearing: sales equal output, purchases equal expenditure.
    np.testing.assert_allclose(solution.new_flows.sum(axis=1), countries["output_after"],
                               rtol=1e-9)
    np.testing.assert_allclose(solution.new_flows.sum(axis=0), countries["expenditure_after"],
                               rtol=1e-9)
    # Real GDP = 100 (w_hat / P_hat - 1).
    real = 100 * (countries["factory_gate_price_hat"] / countries["inward_resistance_hat"] - 1)
    np.testing.assert_allclose(countries["real_gdp_change_pct"], real, rtol=1e-9)
    assert countries.loc["A", "welfare_change_pct"] > 0 > countries.loc["C", "welfare_change_pct"]
    group = solution.groups.iloc[0]
    assert group["intra_share_after"] > group["intra_share_before"]


def test_ge_solve_bad_input():
    with pytest.raises(mizani.MizaniError) as err:
        mizani.ge.solve(-three_countries(), 1.0, sigma=5)
    assert err.value.code == 6
    with pytest.raises(ValueError, match="square"):
        mizani.ge.solve(np.ones((2, 3)), 1.0, sigma=5)
    with pytest.raises(ValueError, match="theta and sigma"):
        mizani.ge.solve(three_countries(), 1.0)
