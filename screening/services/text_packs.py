"""Instrument text packs: the clinic's licensed wording, checked against the
declaration, versioned and audited (issue #17; rule book §9).

The app ships topic labels, never an instrument's published wording. A clinic admin
loads a JSON pack per instrument and language:

    {"format": "text-pack/1", "instrument": "PHQ9", "language": "es",
     "version": "2025-01", "source": "...", "licence": "...", "stem": "...",
     "options": [{"value": 0, "text": "..."}, ...],
     "items": ["...", {"text": "...", "options": [...]}, ...]}

`options` at the top serves every item that has none of its own (AUDIT-C's items
each have their own). The pack must match the declaration: as many items, and for
each item the declared option values in the declared order.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from screening import audit, questionnaire
from screening.models import Clinic, TextPack
from screening.questionnaire.model import PATIENT, Instrument

FORMAT: Final = "text-pack/1"
MAX_TEXT: Final = 1000
DEMO_NOTICE: Final = gettext_noop("demo wording — not the validated instrument")


class TextPackError(Exception):
    """A pack refused; `problems` lists every reason, each a whole sentence."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def self_reported_instruments() -> list[Instrument]:
    """The instruments a patient may answer: entry PATIENT only, so never the DAST-10
    or the C-SSRS (rule book §9: topics only, the C-SSRS clinician-entered)."""
    found = [i for i in questionnaire.instruments() if i.entry == PATIENT]
    # The symptom scales first (PHQ-9, GAD-7, PCL-5), then the AUDIT-C.
    return sorted(found, key=lambda i: not i.path.startswith("scales."))


def _instrument(key: Any) -> Instrument | None:
    return next((i for i in self_reported_instruments() if i.key == key), None)


@dataclass(frozen=True)
class CheckedPack:
    instrument: Instrument
    language: str
    label: str
    source: str
    licence: str
    stem: str
    items: list[dict[str, Any]]


def _text(value: Any, what: str, problems: list[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"Give {what} as text.")
        return ""
    if len(value) > MAX_TEXT:
        problems.append(f"Shorten {what} to at most {MAX_TEXT} characters.")
    return value.strip()


def _options(raw: Any, declared: list[Any], where: str, problems: list[str]) -> list:
    if not isinstance(raw, list):
        problems.append(f"Give the options of {where} as a list.")
        return []
    if len(raw) != len(declared):
        problems.append(
            f"{where} has {len(raw)} options; the declaration has {len(declared)}."
        )
        return []
    options = []
    for n, (option, value) in enumerate(zip(raw, declared, strict=True), start=1):
        if (
            not isinstance(option, dict)
            or option.get("value") != value
            or (isinstance(option.get("value"), bool) != isinstance(value, bool))
        ):
            problems.append(f"Option {n} of {where} must have the value {value!r}.")
            continue
        text = _text(option.get("text"), f"the text of option {n} of {where}", problems)
        options.append({"value": value, "text": text})
    return options


def check_pack(document: Any) -> CheckedPack:
    """The pack if it matches the declaration; TextPackError listing every problem."""
    if not isinstance(document, dict):
        raise TextPackError(["The file must hold one JSON object."])
    problems: list[str] = []
    if document.get("format") != FORMAT:
        problems.append(f'Set "format" to "{FORMAT}".')
    instrument = _instrument(document.get("instrument"))
    if instrument is None:
        keys = ", ".join(i.key for i in self_reported_instruments())
        raise TextPackError(
            [*problems, f'Set "instrument" to one the patient answers: {keys}.']
        )
    language = document.get("language")
    if language not in dict(settings.PATIENT_LANGUAGES):
        codes = ", ".join(code for code, _ in settings.PATIENT_LANGUAGES)
        problems.append(f'Set "language" to one of {codes}.')
    label = _text(document.get("version"), '"version"', problems)[:60]
    source = _text(document.get("source"), '"source"', problems)[:300]
    licence = _text(document.get("licence"), '"licence"', problems)
    stem = _text(document.get("stem"), '"stem"', problems)
    raw_items = document.get("items")
    if not isinstance(raw_items, list):
        raise TextPackError([*problems, 'Give "items" as a list.'])
    if len(raw_items) != instrument.length:
        problems.append(
            f"The pack has {len(raw_items)} items; {instrument.name} has "
            f"{instrument.length}."
        )
        raise TextPackError(problems)
    shared = document.get("options")
    items = []
    for n, (raw, item) in enumerate(zip(raw_items, instrument.items, strict=True), 1):
        where = f"item {n}"
        declared = [option.value for option in item.options]
        if isinstance(raw, str):
            raw = {"text": raw}
        if not isinstance(raw, dict):
            problems.append(f"Give {where} as text or an object.")
            continue
        text = _text(raw.get("text"), f"the text of {where}", problems)
        options = _options(raw.get("options", shared), declared, where, problems)
        items.append({"text": text, "options": options})
    if problems:
        raise TextPackError(problems)
    return CheckedPack(instrument, str(language), label, source, licence, stem, items)


def parse_pack(content: bytes) -> CheckedPack:
    """check_pack() of an uploaded file's bytes."""
    try:
        document = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise TextPackError(["The file is not JSON (UTF-8)."]) from None
    return check_pack(document)


@transaction.atomic
def do_load_pack(
    clinic: Clinic, pack: CheckedPack, *, by: User, is_demo: bool = False
) -> TextPack:
    """Store the pack as the next version of its instrument and language; audit it."""
    key = pack.instrument.key
    latest = TextPack.objects.filter(
        clinic=clinic, instrument=key, language=pack.language
    ).aggregate(Max("version"))["version__max"]
    body = {"stem": pack.stem, "items": pack.items}
    stored = TextPack.objects.create(
        clinic=clinic,
        instrument=key,
        language=pack.language,
        version=(latest or 0) + 1,
        label=pack.label,
        source=pack.source,
        licence=pack.licence,
        stem=pack.stem,
        items=pack.items,
        is_demo=is_demo,
        sha256=hashlib.sha256(audit.canonical(body)).hexdigest(),
        loaded_by=by,
        loaded_at=timezone.now(),
    )
    audit.record(
        audit.Event.TEXT_PACK_LOADED,
        actor=by,
        clinic=clinic,
        target=stored,
        category="clinic_settings",
        object_version=stored.version,
        detail={"instrument": key, "language": pack.language, "demo": is_demo},
    )
    return stored


def current_packs(clinic: Clinic) -> dict[tuple[str, str], TextPack]:
    """The newest pack of each (instrument, language) of the clinic."""
    found: dict[tuple[str, str], TextPack] = {}
    for pack in TextPack.objects.filter(clinic=clinic).order_by("version"):
        found[(pack.instrument, pack.language)] = pack
    return found


def current_pack(clinic: Clinic, instrument: str, language: str) -> TextPack | None:
    return (
        TextPack.objects.filter(clinic=clinic, instrument=instrument, language=language)
        .order_by("-version")
        .first()
    )


# The demo packs' stems: our own plain words, not an instrument's published stem.
DEMO_STEMS: Final = {
    "PHQ9": gettext_noop("Over the last 2 weeks, how often has this bothered you?"),
    "GAD7": gettext_noop("Over the last 2 weeks, how often has this bothered you?"),
    "PCL5": gettext_noop(
        "In the past month, how much were you bothered by this, after a very "
        "stressful experience?"
    ),
    "AUDITC": gettext_noop("About drinking alcohol"),
}


def demo_pack(instrument: Instrument, language: str) -> CheckedPack:
    """A pack built from the app's own topic labels: for the demo clinic only."""
    with translation.override(language):
        items = [
            {
                "text": translation.gettext(item.label),
                "options": [
                    {"value": o.value, "text": translation.gettext(o.label)}
                    for o in item.options
                ],
            }
            for item in instrument.items
        ]
        stem = translation.gettext(DEMO_STEMS[instrument.key])
        notice = translation.gettext(DEMO_NOTICE)
    return CheckedPack(
        instrument,
        language,
        "demo",
        "The app's topic labels",
        notice,
        stem,
        items,
    )


def do_load_demo_packs(clinic: Clinic, *, by: User) -> list[TextPack]:
    """A demo pack of every self-reported instrument in every patient language."""
    return [
        do_load_pack(clinic, demo_pack(instrument, language), by=by, is_demo=True)
        for instrument in self_reported_instruments()
        for language, _ in settings.PATIENT_LANGUAGES
    ]
