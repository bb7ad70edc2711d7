"""mizani.fepois / feols from DataFrames and paths, checked against the
`mizani estimate` command line run independently on the file (to 1e-12),
against published references (R fixest's documentation, the Advanced Guide),
and for categorical/string ids, missing values, wrong types, zero-copy
columns, progress, Ctrl-C and the released GIL."""
import _thread
import threading
import time
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import mizani
from mizani import _columns, _mizani
from conftest import cli_estimate, run_cli

FIXEST_PPML = "Euros ~ log(dist_km) | Origin + Destination + Product + Year"
TABLE1_PPML = "trade ~ log(DIST) + CNTG + LANG + CLNY | exporter^year + importer^year"
TABLE1_FILTERS = ["exporter != importer", "year in 1986:2006:4"]


def close(actual, expected, rel=1e-12):
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    np.testing.assert_allclose(actual, expected, rtol=rel, atol=0)


def test_fixest_documentation_example_equals_cli_and_published(fixest_trade, fixest_trade_path):
    fit = mizani.fepois(fixest_trade, FIXEST_PPML, cluster="Origin", ssc="fixest", progress=False)
    cli = cli_estimate("-d", fixest_trade_path, "-f", FIXEST_PPML, "--cluster", "Origin",
                       "--ssc", "fixest")
    close(fit.coef(), [row["estimate"] for row in cli["coefficients"]])
    close(fit.se(), [row["std_error"] for row in cli["coefficients"]])
    assert fit.nobs == cli["nobs"] == 38325
    # R fixest's documentation prints -1.52787 (0.115678), t = -13.208.
    assert abs(fit.coef()["log(dist_km)"] - -1.52787) < 5e-6
    assert abs(fit.se()["log(dist_km)"] - 0.115678) < 5e-7
    tidy = fit.tidy()
    assert list(tidy.columns) == ["Estimate", "Std. Error", "t value", "Pr(>|t|)", "2.5%", "97.5%"]
    assert tidy.index.name == "Coefficient"
    assert abs(tidy.loc["log(dist_km)", "t value"] - -13.208) < 5e-4


def test_table1_column4_from_dataframe_equals_cli(chapter1, chapter1_path, tmp_path):
    fit = mizani.fepois(chapter1, TABLE1_PPML, cluster="pair_id", filters=TABLE1_FILTERS,
                        progress=False)
    args = ["-d", chapter1_path, "-f", TABLE1_PPML, "--cluster", "pair_id"]
    for text in TABLE1_FILTERS:
        args += ["--filter", text]
    cli = cli_estimate(*args)
    close(fit.coef(), [row["estimate"] for row in cli["coefficients"]])
    close(fit.se(), [row["std_error"] for row in cli["coefficients"]])
    close(fit.deviance, cli["deviance"])
    assert fit.nobs == 28152  # the book's N
    assert fit.dropped == {"filtered": 71829}
    assert sum(fit.dropped.values()) == cli["dropped_total"]
    # The Advanced Guide prints -0.841 (0.032) for log(DIST).
    assert round(fit.coef()["log(DIST)"], 3) == -0.841
    assert round(fit.se()["log(DIST)"], 3) == 0.032
    # Fixed effects equal the command line's --fe-output, level by level.
    fe_path = tmp_path / "fe.csv"
    run_cli("estimate", *args, "--fe-output", str(fe_path))
    cli_fe = pd.read_csv(fe_path, comment="#", dtype={"level": str})
    fixef = fit.fixef()
    for dimension, rows in cli_fe.groupby("dimension"):
        # Absolute 1e-12: some effects are near zero (largest |value| ~ 4).
        np.testing.assert_allclose(fixef[dimension].loc[rows["level"]].to_numpy(),
                                   rows["estimate"].to_numpy(), rtol=0, atol=1e-12)


def test_path_and_dataframe_give_the_same_fit(fixest_trade, fixest_trade_path):
    from_frame = mizani.fepois(fixest_trade, FIXEST_PPML, cluster="Origin", progress=False)
    from_path = mizani.fepois(fixest_trade_path, FIXEST_PPML, cluster="Origin", progress=False)
    close(from_frame.coef(), from_path.coef(), rel=0)
    close(from_frame.se(), from_path.se(), rel=0)


def test_path_reads_only_the_model_columns_as_the_command(fixest_trade, fixest_trade_path):
    # A filter naming values ("FR"), not only columns: the first read of the
    # model's columns fails on them and every column is read, as `mizani
    # estimate` does; the fit equals the command's and the DataFrame's.
    filters = ["Origin in FR,DE,IT", "Year >= 2008"]
    from_path = mizani.fepois(fixest_trade_path, FIXEST_PPML, cluster="Origin", filters=filters,
                              progress=False)
    from_frame = mizani.fepois(fixest_trade, FIXEST_PPML, cluster="Origin", filters=filters,
                               progress=False)
    cli = cli_estimate("-d", fixest_trade_path, "-f", FIXEST_PPML, "--cluster", "Origin",
                       "--filter", filters[0], "--filter", filters[1])
    assert from_path.nobs == from_frame.nobs == cli["nobs"] < len(fixest_trade)
    close(from_path.coef(), from_frame.coef(), rel=0)
    close(from_path.coef(), [row["estimate"] for row in cli["coefficients"]])
    assert _columns.filter_tokens(filters) == ["Origin", "FR", "DE", "IT", "Year"]
    # A column the formula names and the file lacks: the command's message.
    with pytest.raises(mizani.MizaniError, match="unknown column.*GDP") as err:
        mizani.fepois(fixest_trade_path, "Euros ~ GDP | Origin", progress=False)
    assert err.value.code == 5


def test_feols_two_way_clustering_equals_fixest(fixest_trade, fixest_trade_path):
    # fixest 0.12.1: feols(log(Euros) ~ log(dist_km) | Origin + Destination +
    # Product + Year, cluster = ~Origin + Destination): -2.169875976 (0.1713674529).
    fml = "log(Euros) ~ log(dist_km) | Origin + Destination + Product + Year"
    fit = mizani.feols(fixest_trade, fml, cluster=["Origin", "Destination"], ssc="fixest",
                       progress=False)
    assert abs(fit.coef()["log(dist_km)"] / -2.169875976 - 1) < 1e-9
    assert abs(fit.se()["log(dist_km)"] / 0.1713674529 - 1) < 1e-6
    cli = cli_estimate("-d", fixest_trade_path, "-f", fml, "--family", "ols", "--cluster",
                       "Origin,Destination", "--ssc", "fixest")
    close(fit.coef(), [row["estimate"] for row in cli["coefficients"]])
    close(fit.se(), [row["std_error"] for row in cli["coefficients"]])


def test_categorical_string_and_numeric_ids_give_identical_fits(chapter1):
    base = mizani.fepois(chapter1, TABLE1_PPML, cluster="pair_id", filters=TABLE1_FILTERS,
                         progress=False)
    categorical = chapter1.astype({"exporter": "category", "importer": "category"})
    string = chapter1.astype({"exporter": "string", "importer": "string"})
    codes = chapter1.assign(exporter=pd.factorize(chapter1["exporter"])[0] + 1,
                            importer=pd.factorize(chapter1["importer"])[0] + 1)
    for frame in (categorical, string):
        fit = mizani.fepois(frame, TABLE1_PPML, cluster="pair_id", filters=TABLE1_FILTERS,
                            progress=False)
        close(fit.coef(), base.coef(), rel=1e-13)
        close(fit.se(), base.se(), rel=1e-13)
    # Integer country ids: the filter exporter != importer compares numbers.
    fit = mizani.fepois(codes, TABLE1_PPML, cluster="pair_id", filters=TABLE1_FILTERS,
                        progress=False)
    close(fit.coef(), base.coef(), rel=1e-13)
    assert fit.nobs == base.nobs


def test_missing_values_are_dropped_and_counted(chapter1):
    frame = chapter1[chapter1.exporter != chapter1.importer].copy()
    frame = frame[frame.year.isin(range(1986, 2007, 4))].reset_index(drop=True)
    rng = np.random.default_rng(7)
    rows = rng.choice(len(frame), size=60, replace=False)
    frame.loc[rows[:20], "trade"] = np.nan
    frame.loc[rows[20:40], "DIST"] = np.nan
    frame["exporter"] = frame["exporter"].astype(object)
    frame.loc[rows[40:], "exporter"] = None
    fit = mizani.fepois(frame, TABLE1_PPML, cluster="pair_id", progress=False)
    assert fit.dropped["missing"] == 60
    clean = frame.drop(index=rows).reset_index(drop=True)
    reference = mizani.fepois(clean, TABLE1_PPML, cluster="pair_id", progress=False)
    assert fit.nobs == reference.nobs
    close(fit.coef(), reference.coef())
    close(fit.se(), reference.se())


def test_wrong_types_raise_clear_exceptions(chapter1):
    with pytest.raises(TypeError, match="DataFrame or a path"):
        mizani.fepois(42, TABLE1_PPML)
    with pytest.raises(TypeError, match="formula must be a string"):
        mizani.fepois(chapter1, 42)
    with pytest.raises(TypeError, match="cluster must be"):
        mizani.fepois(chapter1, TABLE1_PPML, cluster=3)
    dated = chapter1.assign(year=pd.to_datetime(chapter1["year"].astype(str)))
    with pytest.raises(TypeError, match="column 'year' has dtype datetime64"):
        mizani.fepois(dated, TABLE1_PPML)
    with pytest.raises(mizani.MizaniError, match="unknown column.*GDP") as err:
        mizani.fepois(chapter1, "trade ~ GDP | exporter")
    assert err.value.code == 5 and err.value.code_name == "bad_model"
    text_outcome = chapter1.assign(trade=chapter1["trade"].astype(str).where(
        chapter1.index != 3, "n/a"))
    with pytest.raises(mizani.MizaniError, match="column 'trade' is not numeric: row 4") as err:
        mizani.fepois(text_outcome, TABLE1_PPML)
    assert err.value.code == 4
    with pytest.raises(mizani.MizaniError) as err:
        mizani.fepois(chapter1, "trade ~ log(DIST")
    assert err.value.code == 5 and "unbalanced parenthesis" in str(err.value)
    with pytest.raises(mizani.MizaniError, match="vcov must be") as err:
        mizani.fepois(chapter1, TABLE1_PPML, vcov="bogus")
    assert err.value.code == 2
    with pytest.raises(mizani.MizaniError, match="no_such_file.csv") as err:
        mizani.fepois("no_such_file.csv", TABLE1_PPML)
    assert err.value.code == 3
    assert isinstance(err.value, RuntimeError)


def test_float64_columns_are_read_in_place_not_copied(chapter1):
    frame = chapter1.astype({"exporter": "category", "CNTG": "float64"})
    names = ["trade", "DIST", "CNTG", "exporter", "year"]
    columns = _columns.frame_columns(frame, names)
    addresses = _mizani.column_addresses(columns)
    for name in ["trade", "DIST", "CNTG"]:
        view = frame[name].to_numpy(copy=False)
        assert view.dtype == np.float64
        assert addresses[name] == view.__array_interface__["data"][0], name
    # Integer columns are widened by the module into its own copy (freed
    # during the fit), categoricals give their codes.
    assert columns["year"] is not None and columns["year"].dtype == frame["year"].dtype
    assert addresses["year"] == 0
    assert addresses["exporter"] == 0


def _synthetic_panel(rows, seed):
    """A Poisson panel with two 100-level categorical ids and regressors of
    several dtypes: float64, int64, int8 and bool."""
    rng = np.random.default_rng(seed)
    exporter = rng.integers(0, 100, rows)
    importer = rng.integers(0, 100, rows)
    x = rng.normal(size=rows)
    dummy = rng.integers(0, 2, rows)
    small = rng.integers(-3, 4, rows).astype(np.int8)
    flag = rng.random(rows) < 0.3
    effects = rng.normal(scale=0.5, size=100)
    mean = np.exp(0.5 + 0.3 * x + 0.2 * dummy + 0.05 * small - 0.1 * flag + effects[exporter] -
                  effects[importer])
    return pd.DataFrame({
        "y": rng.poisson(mean).astype(np.float64),
        "x": x,
        "dummy": dummy,
        "small": small,
        "flag": flag,
        "exporter": pd.Categorical.from_codes(exporter, [f"E{code}" for code in range(100)]),
        "importer": pd.Categorical.from_codes(importer, [f"I{code}" for code in range(100)]),
    })


def test_large_columns_are_not_copied_on_the_python_side():
    # Python-side allocations (NumPy's are traced by tracemalloc; the
    # library's own are not) of a fit on 400,000 rows: one float64 copy of a
    # single column would be 3.2 MB. float64 columns are read in place,
    # integer and boolean ones widened by the module, categoricals lend their
    # int8 codes.
    frame = _synthetic_panel(400_000, seed=3)
    fml = "y ~ x + dummy + small + flag | exporter + importer"
    tracemalloc.start()
    try:
        fit = mizani.fepois(frame, fml, vcov="iid", progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fit.converged and fit.nobs == len(frame)
    assert peak < 1_000_000, f"{peak:,} bytes allocated by Python during the fit"
    # The widened columns give the fit of the same numbers as float64, to
    # the last bit, and the coefficients of the data-generating process.
    as_float = frame.astype({"dummy": "float64", "small": "float64", "flag": "float64"})
    reference = mizani.fepois(as_float, fml, vcov="iid", progress=False)
    close(fit.coef(), reference.coef(), rel=0)
    close(fit.se(), reference.se(), rel=0)
    truth = np.array([0.3, 0.2, 0.05, -0.1])
    assert np.all(np.abs(fit.coef().to_numpy() - truth) < 5 * fit.se().to_numpy())


def test_progress_callback_and_logging(fixest_trade, caplog):
    seen = []
    mizani.fepois(fixest_trade, FIXEST_PPML, progress=lambda it, dev, rel: seen.append(it))
    assert seen == list(range(1, len(seen) + 1)) and len(seen) >= 3
    with caplog.at_level("INFO", logger="mizani"):
        mizani.fepois(fixest_trade, FIXEST_PPML)
    assert any("iteration 1 " in record.getMessage() for record in caplog.records)


def test_ctrl_c_stops_a_fit_between_iterations(fixest_trade):
    calls = []

    def interrupt(iteration, deviance, change):
        calls.append(iteration)
        if iteration == 2:
            _thread.interrupt_main()  # what Ctrl-C does

    with pytest.raises(KeyboardInterrupt):
        mizani.fepois(fixest_trade, FIXEST_PPML, progress=interrupt)
    assert calls == [1, 2]
    # The library is usable afterwards.
    assert mizani.fepois(fixest_trade, FIXEST_PPML, progress=False).converged


def test_gil_is_released_during_a_fit(fixest_trade):
    big = pd.concat([fixest_trade] * 8, ignore_index=True)
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    worker = threading.Thread(target=count)
    start = time.perf_counter()
    worker.start()
    fit = mizani.fepois(big, FIXEST_PPML, threads=1, progress=False)
    elapsed = time.perf_counter() - start
    stop.set()
    worker.join()
    assert fit.converged
    # A thread holding the GIL for the whole fit would leave the counter
    # silent; released, it ticks about once per millisecond throughout.
    during = [t for t in ticks if t < start + elapsed]
    assert elapsed > 0.05 and len(during) > 0.3 * elapsed / 0.001 * 0.1


def test_repr_is_the_command_lines_table(fixest_trade):
    fit = mizani.fepois(fixest_trade, FIXEST_PPML, cluster="Origin", progress=False)
    text = repr(fit)
    assert "log(dist_km)" in text and "38,325" in text or "38325" in text
