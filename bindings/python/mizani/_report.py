"""What the engines share on the Python side: their report tables (the ones
the commands write as <name>.csv) as DataFrames, and progress lines."""
import logging

import pandas as pd

_log = logging.getLogger("mizani")


def frames(tables):
    """{name: {"columns", "data", "caption", ...}} -> ({name: DataFrame},
    {name: caption})."""
    out = {}
    captions = {}
    for name, table in tables.items():
        out[name] = pd.DataFrame(table["data"], columns=table["columns"])
        captions[name] = table["caption"]
    return out, captions


def line_callback(progress):
    """None (or True): progress lines on the `mizani` logger (INFO), when it
    would print them; False: none; a callable(line): that."""
    if progress is None or progress is True:
        return _log.info if _log.isEnabledFor(logging.INFO) else None
    if progress is False:
        return None
    if callable(progress):
        return progress
    raise TypeError("progress must be None, False or a callable(line)")


def describe(kind, title, tables):
    parts = [f"{name} ({len(frame)} rows)" for name, frame in tables.items()]
    return f"<mizani.{kind} {title}: {', '.join(parts)}>"
