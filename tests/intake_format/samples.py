"""The sample documents of this folder, loaded fresh for each test."""

import copy
from datetime import date
from pathlib import Path
from typing import Any, Final

from screening.intake_format import parse_json

DOCUMENTS: Final = Path(__file__).parent / "documents"
MINIMAL: Final = "example-6.1-complete-minimal.json"
NOT_ANSWERED: Final = "example-6.2-items-not-answered.json"
EVERY_KEY: Final = "every-optional-key.json"
# A day after every sample's intake_date.
TODAY: Final = date(2026, 11, 1)

_cache: dict[str, Any] = {}


def load(name: str = MINIMAL) -> dict[str, Any]:
    """A sample document as parse_json reads it; a new copy each call."""
    if name not in _cache:
        _cache[name] = parse_json((DOCUMENTS / name).read_bytes())
    return copy.deepcopy(_cache[name])
