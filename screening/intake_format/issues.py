"""Issue (path + message), DocumentInvalid, and how paths and values are written."""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

ROOT: Final = "(document)"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_SHOWN = 40  # characters of a value quoted in a message: enough to recognise it


@dataclass(frozen=True)
class Issue:
    """One refusal or warning: a field path as the rule book writes it, and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DocumentInvalid(Exception):  # noqa: N818 (the name is part of the agreed API)
    """The document is refused; `issues` lists every reason (intake-format.md 4.1)."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues: list[Issue] = list(issues)
        super().__init__(self.issues)

    def __str__(self) -> str:
        count = len(self.issues)
        lines = [f"intake/1 document refused ({count} error{'s' * (count != 1)}):"]
        lines += [f"  {issue}" for issue in self.issues]
        return "\n".join(lines)


def format_path(parts: Iterable[str | int]) -> str:
    """Write a path the rule book's way: `a.b[0].c`; `(document)` for the root."""
    text = ""
    previous: str | int | None = None
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif previous == "missing_reasons" and text == "missing_reasons":
            # Its keys are field paths themselves, so they are always quoted.
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
        elif _NAME.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
        previous = part
    return text or ROOT


def describe(value: Any) -> str:
    """A value as JSON text for a message: `null`, `true`, `"45"`, `12.5`."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, Decimal | int | float):
        return str(value)
    if isinstance(value, str):
        shown = value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "…"
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def dedupe(issues: Iterable[Issue]) -> list[Issue]:
    """Drop repeated issues, keeping the first of each in order."""
    return list(dict.fromkeys(issues))
