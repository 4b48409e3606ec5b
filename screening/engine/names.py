"""Drug-name matching of clinical-reference.md §1.5."""

from __future__ import annotations


def normalise_name(name: str) -> str:
    """Trimmed, lower-cased, with each run of internal white space made one space.

    Nothing else changes: "paroxetine-cr" does not match "paroxetine cr".
    """
    return " ".join(name.lower().split())


def first_word(name: str) -> str:
    """The first word of the normalised name (the §10.2 table matches on it)."""
    normalised = normalise_name(name)
    return normalised.split(" ", 1)[0] if normalised else ""
