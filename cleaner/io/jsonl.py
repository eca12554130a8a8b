"""JSON Lines records: parse, find the text and id, serialize back.

orjson when present (several times faster), the standard library otherwise or when
orjson refuses a value (integers beyond 64 bits). Field order is preserved both ways.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]


class RecordProblem(Exception):
    """This record cannot be cleaned; the message is the quarantine reason. `record` is
    the parsed object when the problem is its text field (so its id can be reported)."""

    def __init__(self, message: str, record: dict[str, Any] | None = None):
        super().__init__(message)
        self.record = record


def loads(raw: bytes) -> Any:
    if orjson is not None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # fall through: the standard library gives a clearer message
    return json.loads(raw)


def dumps(obj: Any) -> bytes:
    if orjson is not None:
        try:
            return orjson.dumps(obj)
        except TypeError:
            pass
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_record(raw: bytes, text_field: str) -> dict[str, Any]:
    """The record as a dict, or RecordProblem saying precisely what is wrong."""
    try:
        record = loads(raw)
    except UnicodeDecodeError as exc:
        raise RecordProblem(f"invalid UTF-8 at byte {exc.start} of the line") from None
    except ValueError as exc:
        raise RecordProblem(f"not valid JSON: {exc}") from None
    except RecursionError:  # orjson stops at 1024 levels, the standard library's fallback at Python's stack limit
        raise RecordProblem("JSON nested too deeply to parse (over 1000 levels of arrays or objects)") from None
    if not isinstance(record, dict):
        raise RecordProblem(f"not a JSON object but {type(record).__name__}")
    if text_field not in record:
        raise RecordProblem(f"no {text_field!r} field", record)
    value = record[text_field]
    if not isinstance(value, str):
        kind = "null" if value is None else type(value).__name__
        raise RecordProblem(f"field {text_field!r} is {kind}, not a string", record)
    return record


def record_id(record: dict[str, Any], id_field: str, line: int) -> str:
    value = record.get(id_field)
    if value is None or isinstance(value, dict | list):
        return str(line)
    return str(value)
