"""Missing data, once: the rules and DATA-MISSING flags of a screening grouped by the
answers they wait on, and the one resolution of each answer (rule book §3, §5.9, §11).

A missing answer is resolved by entering it (the re-screen then decides the rules) or by
accepting it as unknown with a §11 reason. Accepting it writes the §11 acceptance
(an Acknowledgement, which the sign-off hashes) of every not-evaluable rule and
DATA-MISSING flag waiting on it whose other missing answers are resolved too: a flag
that lists two answers counts as acknowledged only when both are. Deferring the
question to the visit is the disposition "needs more information", not an acceptance.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from screening import audit, rule_text
from screening.models import (
    Acknowledgement,
    Intake,
    MissingAnswerAcceptance,
    Screening,
)
from screening.questionnaire.labels import question_label
from screening.services.intakes import SignedIntakeError
from screening.services.review_hashes import (
    ReviewState,
    get_review_state,
    item_sha256,
)

DATA_MISSING_PREFIX = "DATA-MISSING-"
REASON_WORDS = dict(MissingAnswerAcceptance.Reason.choices)


class MissingDataError(Exception):
    """The resolution was refused; the message says what to do."""


def is_missing_data_flag(code: str) -> bool:
    """DATA-MISSING-* flags (§5.9) are answered by resolving the answers they list."""
    return code.startswith(DATA_MISSING_PREFIX)


@dataclass
class WaitingItem:
    """A not-evaluable rule or a DATA-MISSING flag that waits on missing answers."""

    kind: str
    code: str
    title: str
    paths: list[str]
    item: dict[str, Any]
    is_pending: bool


@dataclass
class MissingAnswer:
    """One missing answer with every item waiting on it."""

    path: str
    label: str
    waiting: list[WaitingItem] = field(default_factory=list)
    acceptance: MissingAnswerAcceptance | None = None

    @property
    def is_open(self) -> bool:
        return any(item.is_pending for item in self.waiting)

    @property
    def anchor(self) -> str:
        return "missing-" + "".join(c if c.isalnum() else "-" for c in self.path)


def latest_acceptances(
    rows: Iterable[MissingAnswerAcceptance],
) -> dict[str, MissingAnswerAcceptance]:
    """The newest acceptance of each path."""
    latest: dict[str, MissingAnswerAcceptance] = {}
    for row in sorted(rows, key=lambda row: row.pk):
        latest[row.path] = row
    return latest


def waiting_items(
    screening: Screening, state: ReviewState, titles: dict[str, str]
) -> list[WaitingItem]:
    """Every not-evaluable rule and DATA-MISSING flag, with the answers it waits on."""
    result = screening.result
    items = []
    for flag in result.get("flags", []):
        if is_missing_data_flag(flag["code"]):
            answers = (flag.get("evidence") or {}).get("answers") or {}
            items.append(
                WaitingItem(
                    kind=Acknowledgement.Kind.FLAG,
                    code=flag["code"],
                    title=flag.get("title") or flag["code"],
                    paths=list(answers),
                    item=flag,
                    is_pending=flag["code"] in state.pending_flags,
                )
            )
    for rule in result.get("not_evaluable", []):
        items.append(
            WaitingItem(
                kind=Acknowledgement.Kind.NOT_EVALUABLE,
                code=rule["code"],
                title=titles.get(rule["code"], rule["code"]),
                paths=list(rule.get("needs") or []),
                item=rule,
                is_pending=rule["code"] in state.pending_not_evaluable,
            )
        )
    return items


def list_missing_answers(
    screening: Screening | None,
    state: ReviewState,
    acceptances: Iterable[MissingAnswerAcceptance],
    titles: dict[str, str],
) -> list[MissingAnswer]:
    """One entry per missing answer, in the order the screening first needs them."""
    if screening is None:
        return []
    accepted = latest_acceptances(acceptances)
    by_path: dict[str, MissingAnswer] = {}
    for item in waiting_items(screening, state, titles):
        for path in item.paths:
            entry = by_path.get(path)
            if entry is None:
                entry = by_path[path] = MissingAnswer(
                    path=path, label=question_label(path), acceptance=accepted.get(path)
                )
            entry.waiting.append(item)
    return list(by_path.values())


def get_rule_titles(screening: Screening | None) -> dict[str, str]:
    """The titles of the screening's not-evaluable rules (the result keeps only codes),
    from the ruleset version that produced it."""
    if screening is None:
        return {}
    ruleset = rule_text.engine_ruleset(screening)
    titles = {}
    for item in screening.result.get("not_evaluable", []):
        rule = ruleset.rule(item["code"])
        if rule is not None:
            titles[item["code"]] = rule.title
    return titles


def has_missing_answers(screening: Screening | None) -> bool:
    """Whether any rule or DATA-MISSING flag waits on an answer (no query)."""
    if screening is None:
        return False
    result = screening.result
    return bool(result.get("not_evaluable")) or any(
        is_missing_data_flag(flag["code"]) for flag in result.get("flags", [])
    )


def _lock(intake: Intake) -> Intake:
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    if locked.is_signed:
        raise SignedIntakeError
    return locked


def _combined(
    paths: list[str], accepted: dict[str, MissingAnswerAcceptance]
) -> tuple[str, str]:
    """The reason and note of an item whose answers were accepted one by one."""
    rows = [accepted[path] for path in paths]
    reasons = {row.reason_code for row in rows}
    notes = list(dict.fromkeys(row.note for row in rows if row.note))
    if len(reasons) == 1:
        return reasons.pop(), "; ".join(notes)
    # Different reasons for different answers: §11 "other", saying which is which.
    parts = [
        f"{question_label(row.path)}: {REASON_WORDS[row.reason_code]}"
        + (f" ({row.note})" if row.note else "")
        for row in rows
    ]
    return MissingAnswerAcceptance.Reason.OTHER, "; ".join(parts)


@transaction.atomic
def do_accept_missing_answer(
    intake: Intake,
    *,
    path: str,
    reason_code: str,
    note: str,
    by: User,
) -> list[Acknowledgement]:
    """Accept one missing answer as unknown and write the §11 acceptance of every
    rule and DATA-MISSING flag waiting on it whose other answers are resolved."""
    intake = _lock(intake)
    if reason_code not in MissingAnswerAcceptance.Reason.values:
        raise MissingDataError("Choose one of the listed reasons.")
    if reason_code == MissingAnswerAcceptance.Reason.OTHER and not note.strip():
        raise MissingDataError("Say why in the note when the reason is 'other'.")
    screening = (
        Screening.objects.get(pk=intake.current_screening_id)
        if intake.current_screening_id
        else None
    )
    state = get_review_state(
        screening, Acknowledgement.objects.filter(intake=intake), []
    )
    items = (
        [i for i in waiting_items(screening, state, {}) if path in i.paths]
        if screening
        else []
    )
    if not items:
        raise MissingDataError(
            "This answer is no longer missing: the intake was screened again."
        )
    acceptance = MissingAnswerAcceptance.objects.create(
        intake=intake,
        path=path,
        reason_code=reason_code,
        note=note.strip(),
        accepted_by=by,
        accepted_at=timezone.now(),
    )
    accepted = latest_acceptances(MissingAnswerAcceptance.objects.filter(intake=intake))
    written = []
    with audit.batch():
        # Ids only: a field path or rule code can itself reveal a clinical fact.
        audit.record_for_intake(
            audit.Event.REVIEW_ACKNOWLEDGED,
            intake,
            actor=by,
            target=acceptance,
            category="screening_summary",
        )
        for item in items:
            if not item.is_pending or any(p not in accepted for p in item.paths):
                continue
            reason, combined_note = _combined(item.paths, accepted)
            ack = Acknowledgement.objects.create(
                intake=intake,
                kind=item.kind,
                rule_code=item.code,
                item_sha256=item_sha256(item.kind, item.item),
                reason_code=reason,
                note=combined_note,
                acknowledged_by=by,
                acknowledged_at=acceptance.accepted_at,
            )
            audit.record_for_intake(
                audit.Event.REVIEW_ACKNOWLEDGED,
                intake,
                actor=by,
                target=ack,
                category="screening_summary",
            )
            written.append(ack)
    return written
