"""Engine facts, and the adapter from an intake/1 document (intake-format.md 2-3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from screening.engine import instruments
from screening.engine.dates import parse_date
from screening.engine.exact import to_exact
from screening.engine.names import normalise_name
from screening.engine.substances import STIMULANTS
from screening.engine.uncertain import OneOf
from screening.engine.vocabulary import (
    CSSRS_QUESTIONS,
    PCL5_CLUSTER_NAMES,
    plain_facts,
    summed_lists,
    summed_name,
)
from screening.intake_format.fields import CHECKLIST_ITEMS
from screening.questionnaire.instruments.dast10 import DAST10
from screening.questionnaire.model import DATE, DECIMAL, INTEGER, Instrument, Question

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Facts:
    """What the engine knows about one intake before settings and dates are applied.

    `values` maps fact names (VOCABULARY) to values, None meaning unknown. `answers`
    holds, for facts that are not a single field, the document answers they rest on
    (path -> value); `missing` the unanswered paths behind an unknown fact; `members`
    the answers behind each member of a set fact; `thresholds` the cut-off a derived
    fact applied. The lists are kept for the settings- and date-dependent facts.
    """

    intake_date: date
    values: Mapping[str, Any]
    answers: Mapping[str, Mapping[str, Any]]
    missing: Mapping[str, Mapping[str, Any]]
    members: Mapping[str, Mapping[str, Mapping[str, Any]]]
    thresholds: Mapping[str, str]
    derived: Mapping[str, Any]
    indication: Row
    medications: tuple[Row, ...] | None
    trials: tuple[Row, ...] | None
    substance_use_disorders: tuple[Row, ...] | None
    non_medical_use: tuple[Row, ...] | None


class _Builder:
    """Collects facts with their answers and missing paths."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.answers: dict[str, Mapping[str, Any]] = {}
        self.missing: dict[str, Mapping[str, Any]] = {}
        self.members: dict[str, Mapping[str, Mapping[str, Any]]] = {}
        self.thresholds: dict[str, str] = {}
        self.derived: dict[str, Any] = {}

    def field(self, path: str, value: Any, *, absent_parent: str | None = None) -> None:
        self.values[path] = value
        if absent_parent is not None:
            self.missing[path] = {absent_parent: None}

    def derive(
        self,
        name: str,
        value: Any,
        answers: Mapping[str, Any],
        missing: Mapping[str, Any] | None = None,
    ) -> None:
        self.values[name] = value
        self.answers[name] = answers
        if missing:
            self.missing[name] = missing


def facts_from_document(doc: Mapping[str, Any]) -> Facts:
    """Engine facts from an intake/1 document, raw or in normal form.

    Applies checklist_default (§1.2) and the absent-key rules (intake-format.md 2.2).
    Numbers may be int, float or Decimal; they are kept exact, never as binary floats.
    """
    build = _Builder()
    build.field("intake_date", parse_date(doc["intake_date"]))
    for question in plain_facts():
        block = doc.get(question.path.split(".")[0]) or {}
        build.field(question.path, _plain(question, block.get(question.name)))
    status = (doc.get("demographics") or {}).get("pregnancy_status")
    if status == "unknown":
        # "unknown" is an answer, but the three REPRO rules read it like null (§5.4).
        build.values["demographics.pregnancy_status"] = None
        build.answers["demographics.pregnancy_status"] = {
            "demographics.pregnancy_status": status
        }
    indication = doc.get("indication") or {}
    for block, items in CHECKLIST_ITEMS.items():
        _checklist(build, block, doc.get(block) or {}, items)
    medications = _rows(doc.get("medications"))
    trials = _rows(doc.get("antidepressant_trials"))
    substance_use = doc.get("substance_use") or {}
    disorders = _rows(substance_use.get("substance_use_disorders"))
    non_medical = _rows(substance_use.get("non_medical_use"))
    _medications(build, medications)
    _substance_use(build, substance_use, disorders, non_medical)
    _scales(build, doc.get("scales") or {})
    return Facts(
        intake_date=build.values["intake_date"],
        values=build.values,
        answers=build.answers,
        missing=build.missing,
        members=build.members,
        thresholds=build.thresholds,
        derived=build.derived,
        indication=indication,
        medications=medications,
        trials=trials,
        substance_use_disorders=disorders,
        non_medical_use=non_medical,
    )


def _plain(question: Question, value: Any) -> Any:
    """A plain answer as a fact: dates parsed, numbers exact (§14)."""
    if value is None:
        return None
    if question.kind == DATE:
        return parse_date(value)
    if question.kind in (INTEGER, DECIMAL):
        return to_exact(value)
    return value


def _rows(value: Sequence[Row] | None) -> tuple[Row, ...] | None:
    return None if value is None else tuple(value)


def _checklist(
    build: _Builder, block: str, answers: Row, items: Mapping[str, Any]
) -> None:
    all_false = answers.get("checklist_default") == "all_false"
    for item, no_value in items.items():
        # A listed item keeps its value, an explicit null included (§1.2).
        value = answers.get(item, no_value if all_false else None)
        if isinstance(value, str) and item.endswith("_date"):
            value = parse_date(value)
        build.field(f"{block}.{item}", value)


def _set_fact(
    build: _Builder,
    name: str,
    path: str,
    rows: tuple[Row, ...] | None,
    key: str,
    *,
    extra: tuple[str, ...] = (),
    skip: str | None = None,
    normalise: bool = False,
) -> None:
    """A set fact over one column of a list, with the answers behind each member."""
    if rows is None:
        build.derive(name, None, {path: None}, {path: None})
        return
    members: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(rows):
        value = row.get(key)
        if value is None or value == skip:
            continue
        member = normalise_name(value) if normalise else value
        answers = members.setdefault(member, {})
        answers[f"{path}[{index}].{key}"] = value
        for other in extra:
            answers[f"{path}[{index}].{other}"] = row.get(other)
    build.derive(
        name,
        frozenset(members),
        {p: v for answers in members.values() for p, v in answers.items()},
    )
    build.members[name] = members


def _medications(build: _Builder, medications: tuple[Row, ...] | None) -> None:
    _set_fact(
        build,
        "medication_classes",
        "medications",
        medications,
        "class",
        extra=("name",),
    )
    _set_fact(
        build, "medication_names", "medications", medications, "name", normalise=True
    )


def _substance_use(
    build: _Builder,
    substance_use: Row,
    disorders: tuple[Row, ...] | None,
    non_medical: tuple[Row, ...] | None,
) -> None:
    sud_path = "substance_use.substance_use_disorders"
    nmu_path = "substance_use.non_medical_use"
    _set_fact(build, "sud_substances", sud_path, disorders, "substance", skip="tobacco")
    _set_fact(
        build,
        "non_medical_use_substances",
        nmu_path,
        non_medical,
        "substance",
        extra=("last_use",),
    )
    unclassified = {
        f"{sud_path}[{index}].{key}": None
        for index, row in enumerate(disorders or ())
        if row.get("substance") != "tobacco"
        and row.get("status") is None
        and row.get("last_met_criteria") is None
        for key in ("status", "last_met_criteria")
    }
    build.derive("sud_entry_unclassified", bool(unclassified), unclassified)
    undated = {
        f"{nmu_path}[{index}].last_use": None
        for index, row in enumerate(non_medical or ())
        if row.get("substance") in STIMULANTS and row.get("last_use") is None
    }
    build.derive("stimulant_last_use_missing", bool(undated), undated)

    audit_path = "substance_use.audit_c"
    audit = substance_use.get("audit_c")
    for q in ("q1", "q2", "q3"):
        build.field(
            f"{audit_path}.{q}",
            audit.get(q) if audit else None,
            absent_parent=None if audit else audit_path,
        )
    items = None if audit is None else [audit.get(q) for q in ("q1", "q2", "q3")]
    audit_score = instruments.score_items(
        items, audit_path, item_max=4, length=3, bands=((12, "scored"),)
    )
    if audit is not None:
        # AUDIT-C answers are named q1-q3, not indexed like a list.
        audit_score = replace(
            audit_score,
            missing={
                f"{audit_path}.{q}": None
                for q in ("q1", "q2", "q3")
                if audit.get(q) is None
            },
        )
    audit_answers = (
        {f"{audit_path}.{q}": audit.get(q) for q in ("q1", "q2", "q3")}
        if audit
        else {audit_path: None}
    )
    _total_fact(build, "audit_c_total", audit_score, audit_answers)
    sex = build.values["demographics.sex_for_scoring"]
    positive = instruments.audit_c_positive(audit_score, sex)
    build.derive(
        "audit_c_positive",
        positive,
        {**audit_answers, "demographics.sex_for_scoring": sex},
        audit_score.missing,
    )
    build.thresholds["audit_c_positive"] = (
        f"audit_c_total >= {instruments.audit_c_cutoff(sex)}"
        f" (sex_for_scoring {sex or 'not recorded'})"
    )
    build.derived["audit_c_total"] = audit_score.total
    build.derived["audit_c_positive"] = positive

    _list_instrument(build, DAST10, substance_use.get("dast10_answers"))


def _listed(items: Sequence[Any] | None) -> list[Any] | None:
    return None if items is None else list(items)


def _list_items(
    build: _Builder, path: str, items: Sequence[Any] | None, length: int
) -> None:
    for index in range(length):
        name = f"{path}[{index}]"
        if items is None:
            build.field(name, None, absent_parent=path)
        else:
            build.field(name, items[index] if index < len(items) else None)


def _total_fact(
    build: _Builder, name: str, score: instruments.Score, answers: Mapping[str, Any]
) -> None:
    value: Any = (
        score.total if score.total is not None else OneOf(score.possible_totals)
    )
    build.derive(name, value, answers, score.missing)


def _list_instrument(
    build: _Builder, instrument: Instrument, items: Sequence[Any] | None
) -> None:
    """A summed list instrument's items, `<name>_total` and `<name>_band` (§8)."""
    path, name = instrument.path, summed_name(instrument)
    _list_items(build, path, items, instrument.length)
    score = instruments.score_declared(instrument, items)
    _total_fact(build, f"{name}_total", score, {path: _listed(items)})
    build.derive(f"{name}_band", score.band, {path: _listed(items)})
    build.derived[f"{name}_total"] = score.total
    build.derived[f"{name}_band"] = score.band


def _scales(build: _Builder, scales: Row) -> None:
    for instrument in summed_lists("scales"):
        _list_instrument(build, instrument, scales.get(instrument.path.split(".")[1]))
    item9 = build.values["scales.phq9[8]"]
    build.derive(
        "phq9_item9",
        item9,
        {"scales.phq9[8]": item9},
        build.missing.get("scales.phq9[8]", {"scales.phq9[8]": None}),
    )
    build.derived["phq9_item9"] = item9

    clusters = instruments.pcl5_clusters(scales.get("pcl5"))
    pcl5_answers = {"scales.pcl5": _listed(scales.get("pcl5"))}
    for cluster in PCL5_CLUSTER_NAMES:
        build.derive(
            f"pcl5_clusters.{cluster}",
            clusters.sums[cluster] if clusters.sums else None,
            pcl5_answers,
        )
        build.derive(
            f"pcl5_endorsed_items_ge2.{cluster}",
            clusters.endorsed[cluster] if clusters.endorsed else None,
            pcl5_answers,
        )
    build.derive("pcl5_dsm5_cluster_rule_met", clusters.rule_met, pcl5_answers)
    build.derived["pcl5_clusters"] = clusters.sums
    build.derived["pcl5_endorsed_items_ge2"] = clusters.endorsed
    build.derived["pcl5_dsm5_cluster_rule_met"] = clusters.rule_met

    cssrs_path = "scales.cssrs_screener"
    screener = scales.get("cssrs_screener")
    for q in CSSRS_QUESTIONS:
        build.field(
            f"{cssrs_path}.{q}",
            screener.get(q) if screener else None,
            absent_parent=None if screener else cssrs_path,
        )
    cssrs = instruments.score_cssrs(screener, cssrs_path)
    build.derive(
        "cssrs_risk",
        cssrs.risk if cssrs.risk is not None else OneOf(cssrs.possible),
        {f"{cssrs_path}.{q}": screener.get(q) for q in CSSRS_QUESTIONS}
        if screener
        else {cssrs_path: None},
        cssrs.missing,
    )
    build.derived["cssrs_risk"] = cssrs.risk

    madrs = scales.get("madrs_total")
    build.field("scales.madrs_total", madrs)
    build.derive("madrs_total", madrs, {"scales.madrs_total": madrs})
    band = (
        instruments.NOT_ADMINISTERED
        if madrs is None
        else instruments.band_of(madrs, instruments.MADRS_BANDS)
    )
    build.derive("madrs_band", band, {"scales.madrs_total": madrs})
    build.derived["madrs_total"] = madrs
    build.derived["madrs_band"] = band
