"""Step 1 of intake-format.md 4.1: strict JSON (RFC 8259) in UTF-8, one object."""

import json
import re
from decimal import Decimal
from typing import Any, NoReturn

from screening.intake_format.issues import ROOT, DocumentInvalid, Issue, format_path

# The escape of a UTF-16 surrogate (\ud800 to \udfff), or a backslash before "u" that
# only looks like one, or (in text given as str) a surrogate itself: a search finds
# every place that can hold one.
_SURROGATE = re.compile("\\\\u[dD][89a-fA-F]|[\ud800-\udfff]")


class _RefusedError(Exception):
    """Raised inside the decoder by a hook; parse_json turns it into an Issue."""


class _DuplicateKeyError(_RefusedError):
    pass


class _ConstantError(_RefusedError):
    pass


def parse_json(raw: bytes | str) -> Any:
    """Parse one intake/1 file: strict JSON in UTF-8 whose top level is an object.

    Numbers with a fraction or exponent become Decimal so doses stay exact. Raises
    DocumentInvalid with one issue on any refusal.
    """
    text = _decode(raw) if isinstance(raw, bytes) else raw
    if text.startswith("\ufeff"):
        _refuse(ROOT, "the file starts with a byte order mark: write UTF-8, no BOM")
    try:
        value = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_refuse_duplicate_keys,
        )
    except _RefusedError:
        # The hooks cannot see where they are, so parse again, leniently, to say where.
        path, message = _locate_refusal(text)
        _refuse(path, message)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        _refuse(ROOT, f"not valid JSON: {exc.msg} ({where})")
    except RecursionError:
        _refuse(ROOT, "not valid JSON here: objects and lists are nested too deeply")
    except ValueError:  # Python reads integers of at most 4300 digits
        _refuse(ROOT, "a number has too many digits to be read")
    # A surrogate can only come from a \uD800-\uDFFF escape (UTF-8 cannot hold one)
    # or from text given as str: without either, no value needs walking (#19).
    bad_text = _first_unpaired_surrogate(value, []) if _SURROGATE.search(text) else None
    if bad_text is not None:
        _refuse(
            format_path(bad_text),
            "holds an unpaired surrogate escape (\\ud800-\\udfff), which is not text",
        )
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else "a single value"
        _refuse(ROOT, f"the top level must be a JSON object, not {kind}")
    return value


def _decode(raw: bytes) -> str:
    # json.loads would guess UTF-16/32 from the NUL bytes, or skip a BOM: refuse both.
    encoding = json.detect_encoding(raw)
    if encoding == "utf-8-sig":
        _refuse(ROOT, "the file starts with a byte order mark: write UTF-8, no BOM")
    if encoding != "utf-8":
        name = encoding.upper().replace("-LE", "").replace("-BE", "")
        _refuse(ROOT, f"the file is {name} text, not UTF-8: save it as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start]
        _refuse(
            ROOT,
            f"the file is not UTF-8: byte 0x{byte:02x} at offset {exc.start} is not "
            "valid UTF-8 (save the file as UTF-8)",
        )


def _refuse(path: str, message: str) -> NoReturn:
    raise DocumentInvalid([Issue(path, message)])


def _refuse_constant(name: str) -> NoReturn:
    raise _ConstantError(name)


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKeyError
    return result


class _Constant:
    """Stands for NaN/Infinity in the lenient second parse."""

    def __init__(self, name: str) -> None:
        self.name = name


class _TaggedDict(dict[str, Any]):
    """An object of the lenient second parse that remembers its repeated keys."""

    duplicates: list[str]


def _keep_duplicates(pairs: list[tuple[str, Any]]) -> _TaggedDict:
    result = _TaggedDict(pairs)
    seen: set[str] = set()
    result.duplicates = []
    for key, _value in pairs:
        if key in seen and key not in result.duplicates:
            result.duplicates.append(key)
        seen.add(key)
    return result


def _locate_refusal(text: str) -> tuple[str, str]:
    try:
        value = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_Constant,
            object_pairs_hook=_keep_duplicates,
        )
    except json.JSONDecodeError as exc:  # a syntax error after the refused part
        return ROOT, f"not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
    except (RecursionError, ValueError):
        value = None
    found = _first_refusal(value, [])
    if found is None:
        return ROOT, "not valid JSON: NaN, Infinity or a duplicate key"
    return found


def _first_refusal(value: Any, path: list[str | int]) -> tuple[str, str] | None:
    if isinstance(value, _Constant):
        return (
            format_path(path),
            f"{value.name} is not a JSON number (write null for a value not known)",
        )
    if isinstance(value, _TaggedDict) and value.duplicates:
        key = value.duplicates[0]
        return (
            format_path([*path, key]),
            f'duplicate key "{key}": a key may appear only once in an object',
        )
    children: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for name, child in children:
        found = _first_refusal(child, [*path, name])
        if found is not None:
            return found
    return None


def _first_unpaired_surrogate(
    value: Any, path: list[str | int]
) -> list[str | int] | None:
    if isinstance(value, str):
        return None if _is_text(value) else path
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_unpaired_surrogate(item, [*path, index])
            if found is not None:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            if not _is_text(key):
                return path
            found = _first_unpaired_surrogate(item, [*path, key])
            if found is not None:
                return found
    return None


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
