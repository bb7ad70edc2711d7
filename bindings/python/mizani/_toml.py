"""A dict -> TOML text writer for scenario dicts (the standard library reads
TOML but does not write it). Covers what scenario files use: strings,
numbers, booleans, dates, lists of those, tables and arrays of tables."""
import datetime
import json
import math


def _value(value, key):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()  # TOML dates and times as tomllib reads them
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item, key) for item in value) + "]"
    raise TypeError(f"scenario key '{key}': cannot write a {type(value).__name__} to TOML")


def _is_table_array(value):
    return isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value)


def _emit(table, prefix, lines):
    nested = []
    for key, value in table.items():
        if not isinstance(key, str):
            raise TypeError(f"scenario keys must be strings, not {type(key).__name__}")
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) or _is_table_array(value):
            nested.append((path, value))
        else:
            lines.append(f"{json.dumps(key)} = {_value(value, path)}")
    for path, value in nested:
        header = ".".join(json.dumps(part) for part in path.split("."))
        if isinstance(value, dict):
            lines.append(f"\n[{header}]")
            _emit(value, path, lines)
        else:
            for item in value:
                lines.append(f"\n[[{header}]]")
                _emit(item, path, lines)


def dumps(scenario):
    if not isinstance(scenario, dict):
        raise TypeError(f"a scenario is a dict or a path, not {type(scenario).__name__}")
    lines = []
    _emit(scenario, "", lines)
    return "\n".join(lines) + "\n"
