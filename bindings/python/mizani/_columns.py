"""pandas columns -> the column dictionary the compiled module reads.

Numeric float64 columns are passed as the DataFrame's own memory (a NumPy view,
no copy); integer, boolean and float32 columns as they are (the module widens
them into its own float64 copy, freed during the fit), other numeric dtypes
converted to float64 here. Categorical
columns pass their own codes (not widened here) and categories; text columns
are factorised once.
"""
import os

import numpy as np
import pandas as pd

from . import _mizani
from ._mizani import MizaniError

# ErrorCode values of include/mizani/error.h.
BAD_DATA = 4
BAD_MODEL = 5

_CODE_NAMES = {4: "bad_data", 5: "bad_model", 2: "usage"}


def error(code, message):
    """A MizaniError as the compiled module raises it."""
    exc = MizaniError(message)
    exc.code = code
    exc.code_name = _CODE_NAMES.get(code, "internal")
    exc.bug = False
    return exc


def _text_column(values):
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    levels = [value if isinstance(value, str) else str(value) for value in uniques]
    return (codes.astype(np.int32, copy=False), levels)


def to_column(series):
    """One pandas Series -> a float64 array or a (codes, levels) pair."""
    dtype = series.dtype
    name = series.name
    if isinstance(dtype, pd.CategoricalDtype):
        # The codes as pandas keeps them (int8 for up to 127 categories,
        # int16 up to 32767): the module widens them into its own int32
        # codes, the one copy the command line holds too.
        codes = series.cat.codes.to_numpy()
        levels = [value if isinstance(value, str) else str(value) for value in dtype.categories]
        return (codes, levels)
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            # Nullable Int64/Float64/boolean: <NA> becomes NaN (missing).
            return series.to_numpy(dtype=np.float64, na_value=np.nan)
        values = series.to_numpy(copy=False)
        if values.dtype == np.float64 or values.dtype.kind in "biu" or values.dtype == np.float32:
            # float64: read in place. Integers, booleans and float32: widened
            # by the module into its own float64 copy, which the fit frees
            # once read (a copy made here would live until the fit returns).
            return values
        return values.astype(np.float64)
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return _text_column(series)
    raise TypeError(
        f"column '{name}' has dtype {dtype}; mizani reads numbers, text and categoricals "
        "(convert dates to a year or a number first)")


def filter_tokens(filters):
    """The words of the filters that may name columns, as `mizani estimate`
    takes them (the library's rule, FilterColumnCandidates)."""
    return [token for text in filters for token in _mizani.filter_columns(text)]


def model_columns(model_columns_of_formula, frame, cluster, filters):
    """Columns of `frame` the model reads, in a stable order; unknown model or
    cluster columns raise MizaniError(bad_model) listing the frame's columns."""
    check_frame(frame)
    wanted = list(model_columns_of_formula) + list(cluster)
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        known = ", ".join(str(name) for name in frame.columns)
        raise error(BAD_MODEL, f"<DataFrame>: unknown column(s) {', '.join(missing)}; "
                               f"the DataFrame has: {known}")
    # Filters compare columns with values: every identifier that names a
    # column is read; the others are values ("KEN") or the word `in`.
    for text in filters:
        wanted += [token for token in filter_tokens([text]) if token in frame.columns]
    return list(dict.fromkeys(wanted))


def check_frame(frame):
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame or a path, not {type(frame).__name__}")


def frame_columns(frame, names):
    check_frame(frame)
    if frame.columns.has_duplicates:
        dup = frame.columns[frame.columns.duplicated()].unique().tolist()
        raise error(BAD_DATA, f"<DataFrame>: duplicate column name(s) {dup}")
    return {name: to_column(frame[name]) for name in names}


def as_path(data):
    """A str path for str and os.PathLike data, else None."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    return None
