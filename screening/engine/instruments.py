"""Instrument scoring of clinical-reference.md §8: PHQ-9, GAD-7, PCL-5, AUDIT-C,
DAST-10, the C-SSRS screener and MADRS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any, Final

from screening.questionnaire.instruments.dast10 import DAST10
from screening.questionnaire.instruments.gad7 import GAD7
from screening.questionnaire.instruments.madrs import MADRS
from screening.questionnaire.instruments.pcl5 import PCL5
from screening.questionnaire.instruments.phq9 import PHQ9
from screening.questionnaire.model import Instrument

NOT_ADMINISTERED: Final = "not_administered"
INCOMPLETE: Final = "incomplete"

# The bands are declared with each instrument (screening/questionnaire/instruments/).
PHQ9_BANDS: Final = PHQ9.bands
GAD7_BANDS: Final = GAD7.bands
PCL5_BANDS: Final = PCL5.bands
DAST10_BANDS: Final = DAST10.bands
MADRS_BANDS: Final = MADRS.bands

# §8.3: B = items 1-5, C = 6-7, D = 8-14, E = 15-20 (0-based slices); DSM-5 counts.
PCL5_CLUSTERS: Final = {"B": (0, 5), "C": (5, 7), "D": (7, 14), "E": (14, 20)}
PCL5_CLUSTER_RULE: Final = {"B": 1, "C": 1, "D": 2, "E": 2}

CSSRS_RISKS: Final = ("none", "low", "moderate", "high")


@dataclass(frozen=True)
class Score:
    """A summed instrument: total (None unless complete), band, completion range."""

    total: int | None
    band: str
    low: int
    high: int
    missing: Mapping[str, Any]

    @property
    def possible_totals(self) -> frozenset[object]:
        """Every total a completion of the unanswered items can give."""
        return frozenset(range(self.low, self.high + 1))


def band_of(total: int, bands: Sequence[tuple[int, str]]) -> str:
    """The band whose upper bound is the first >= total."""
    for upper, name in bands:
        if total <= upper:
            return name
    return bands[-1][1]


def score_items(
    items: Sequence[int | None] | None,
    path: str,
    *,
    item_max: int,
    length: int,
    bands: Sequence[tuple[int, str]],
) -> Score:
    """Sum a list of item scores; a null list or item never gives a lower score (§3)."""
    if items is None:
        return Score(None, NOT_ADMINISTERED, 0, item_max * length, {path: None})
    answered = [item for item in items if item is not None]
    low = sum(answered)
    if len(answered) == len(items):
        return Score(low, band_of(low, bands), low, low, {})
    missing = {
        f"{path}[{index}]": None for index, item in enumerate(items) if item is None
    }
    return Score(None, INCOMPLETE, low, low + item_max * len(missing), missing)


def score_dast10(answers: Sequence[bool | None] | None, path: str) -> Score:
    """DAST-10: 1 point per Yes, except item 3, where No scores 1 (§8.5)."""
    return score_declared(DAST10, answers, path=path)


def score_declared(
    instrument: Instrument, items: Sequence[Any] | None, *, path: str | None = None
) -> Score:
    """A declared summed list instrument: yes/no items score 1 for yes, reversed
    items (DAST-10 item 3) score 1 for no, then the items are summed (§8)."""
    points: list[int | None] | None = None
    if items is not None:
        reversed_items = {n - 1 for n in instrument.scoring.reversed_items}
        points = [
            None if item is None else int(item) ^ (index in reversed_items)
            for index, item in enumerate(items)
        ]
    return score_items(
        points,
        path or instrument.path,
        item_max=instrument.scoring.item_max,
        length=instrument.length,
        bands=instrument.bands,
    )


def audit_c_positive(score: Score, sex_for_scoring: str | None) -> bool | None:
    """>= 4 for "male", otherwise >= 3, decided over the completions (§8.4)."""
    cutoff = audit_c_cutoff(sex_for_scoring)
    if score.low >= cutoff:
        return True
    if score.high < cutoff:
        return False
    return None


def audit_c_cutoff(sex_for_scoring: str | None) -> int:
    """The AUDIT-C cut-off; the lower one applies when sex for scoring is unrecorded."""
    return 4 if sex_for_scoring == "male" else 3


@dataclass(frozen=True)
class Pcl5Clusters:
    """Cluster sums, endorsed counts and the DSM-5 cluster rule (§8.3)."""

    sums: dict[str, int | None] | None
    endorsed: dict[str, int] | None
    rule_met: bool | None


def pcl5_clusters(items: Sequence[int | None] | None) -> Pcl5Clusters:
    """The §8.3 cluster values; the cluster rule is three-valued (unanswered items)."""
    if items is None:
        return Pcl5Clusters(None, None, None)
    sums: dict[str, int | None] = {}
    endorsed: dict[str, int] = {}
    parts: list[bool | None] = []
    for name, (start, stop) in PCL5_CLUSTERS.items():
        cluster = items[start:stop]
        known = [item for item in cluster if item is not None]
        unanswered = len(cluster) - len(known)
        sums[name] = sum(known) if not unanswered else None
        count = sum(1 for item in known if item >= 2)
        endorsed[name] = count
        needed = PCL5_CLUSTER_RULE[name]
        if count >= needed:
            parts.append(True)
        elif count + unanswered < needed:
            parts.append(False)
        else:
            parts.append(None)
    complete = all(item is not None for item in items)
    rule_met: bool | None
    if False in parts:
        rule_met = False
    elif None in parts:
        rule_met = None
    else:
        rule_met = True
    return Pcl5Clusters(sums, endorsed if complete else None, rule_met)


@dataclass(frozen=True)
class CssrsResult:
    """The C-SSRS risk (None unless complete) and the bands its completions can give."""

    risk: str | None
    possible: frozenset[object]
    missing: Mapping[str, Any]


def cssrs_band(answers: Mapping[str, bool]) -> str:
    """The §8.6 table for a complete screener."""
    q6_recent = answers["q6"] and answers["q6_within_3_months"]
    high = answers["q4"] or answers["q5"] or q6_recent
    moderate = answers["q3"] or (answers["q6"] and not answers["q6_within_3_months"])
    if high:
        return "high"
    if moderate:
        return "moderate"
    if answers["q1"] or answers["q2"]:
        return "low"
    return "none"


def _branches(
    screener: Mapping[str, Any], gate: str, dependants: tuple[str, ...]
) -> list[dict[str, bool]]:
    """Completions of one branching question and the questions it opens (§8.6)."""
    answer = screener.get(gate)
    closed = {gate: False, **dict.fromkeys(dependants, False)}
    if answer is False:
        return [closed]
    opened = []
    for values in product(
        *[
            (True, False) if screener.get(q) is None else (screener[q],)
            for q in dependants
        ]
    ):
        opened.append({gate: True, **dict(zip(dependants, values, strict=True))})
    return opened if answer is True else [closed, *opened]


def score_cssrs(screener: Mapping[str, Any] | None, path: str) -> CssrsResult:
    """C-SSRS screener risk, and the bands every completion of the gaps can give."""
    if screener is None:
        return CssrsResult(None, frozenset(CSSRS_RISKS), {path: None})
    missing = {
        f"{path}.{question}": None
        for question, required in (
            ("q1", True),
            ("q2", True),
            ("q3", screener.get("q2") is True),
            ("q4", screener.get("q2") is True),
            ("q5", screener.get("q2") is True),
            ("q6", True),
            ("q6_within_3_months", screener.get("q6") is True),
        )
        if required and screener.get(question) is None
    }
    q1_values = (True, False) if screener.get("q1") is None else (screener["q1"],)
    bands: set[object] = set()
    for q1, thoughts, behaviour in product(
        q1_values,
        _branches(screener, "q2", ("q3", "q4", "q5")),
        _branches(screener, "q6", ("q6_within_3_months",)),
    ):
        bands.add(cssrs_band({"q1": q1, **thoughts, **behaviour}))
    risk = None if missing else str(next(iter(bands)))
    return CssrsResult(risk, frozenset(bands), missing)
