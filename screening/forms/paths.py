"""Field paths inside one intake/1 section value: parse, look up and flatten."""

import re
from collections.abc import Iterator
from typing import Any, Final

# `a.b[0].c`, the way the rule book writes field paths.
_PART = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


class _Absent:
    """A path that names nothing in the value (an index past the end, a missing key)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()


def parse_path(path: str) -> list[str | int]:
    """`scales.phq9[8]` -> ["scales", "phq9", 8]; an unparsable path gives []."""
    parts: list[str | int] = []
    position = 0
    while position < len(path):
        match = _PART.match(path, position)
        if match is None:
            return []
        name, index = match.groups()
        parts.append(name if name is not None else int(index))
        position = match.end()
    return parts


def join_path(parts: list[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def relative_to_section(section: str, path: str) -> list[str | int]:
    """The parts of a full path below its section; [] when the path is the section."""
    parts = parse_path(path)
    if parts and parts[0] == section:
        return parts[1:]
    return parts


def value_at(value: Any, parts: list[str | int]) -> Any:
    """The value at the parts, or ABSENT when the path names nothing."""
    for part in parts:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return ABSENT
        elif not isinstance(value, dict) or part not in value:
            return ABSENT
        value = value[part]
    return value


def flatten(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """Every leaf of the value as (full path, value); an empty list is one leaf."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from flatten(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def pattern_of(path: str) -> str:
    """The path with its list indexes blanked: `trials[1].drug` -> `trials[].drug`."""
    return re.sub(r"\[\d+\]", "[]", path)
