"""The one field-path grammar: `antidepressant_trials[1].drug`, `scales.phq9[8]`.

A path is how the rule book, the intake/1 `missing_reasons`, the fact vocabulary and the
declaration name an answer: names joined by dots, list indexes in brackets. A pattern
blanks the indexes (`antidepressant_trials[].drug`) and names every row at once.
"""

import re
from collections.abc import Iterator
from typing import Any, Final

# One step of a path: `.name` (or a leading `name`) or `[index]`.
_PART: Final = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
# The strict form intake/1 accepts in `missing_reasons` (intake-format.md 3.12):
# lower-case names and indexes without leading zeros.
STRICT_PART: Final = re.compile(r"\.?([a-z][a-z0-9_]*)|\[(0|[1-9][0-9]*)\]")
_INDEX: Final = re.compile(r"\[\d+\]")

Parts = list[str | int]


class _Absent:
    """A path that names nothing in the value (an index past the end, a missing key)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()


def parse_path(path: str, *, part: re.Pattern[str] = _PART) -> Parts:
    """`scales.phq9[8]` -> ["scales", "phq9", 8]; an unparsable path gives []."""
    parts: Parts = []
    position = 0
    while position < len(path):
        match = part.match(path, position)
        if match is None:
            return []
        name, index = match.groups()
        parts.append(name if name is not None else int(index))
        position = match.end()
    return parts


def join_path(parts: Parts) -> str:
    """["scales", "phq9", 8] -> `scales.phq9[8]`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def section_of(path: str) -> str:
    """The intake/1 section a path belongs to: `scales.phq9[8]` -> `scales`."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def relative_to_section(section: str, path: str) -> Parts:
    """The parts of a full path below its section; [] when the path is the section."""
    parts = parse_path(path)
    if parts and parts[0] == section:
        return parts[1:]
    return parts


def pattern_of(path: str) -> str:
    """The path with its list indexes blanked: `trials[1].drug` -> `trials[].drug`."""
    return _INDEX.sub("[]", path)


def value_at(value: Any, parts: Parts) -> Any:
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
