"""What a clinic offers patients on the tablet: languages and crisis text (#17)."""

from typing import Final

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, override

from screening import audit
from screening.models import Clinic, PatientSettings

# For US clinics: the 988 Suicide & Crisis Lifeline (call or text 988, any time).
DEFAULT_CRISIS_TEXT: Final = gettext_noop(
    "If you are having thoughts of harming yourself, or feel you are in crisis, you "
    "are not alone. Call or text 988 to reach the 988 Suicide & Crisis Lifeline, any "
    "time, day or night. In an emergency, call 911. Please also tell a member of "
    "our staff before you leave today."
)


class StaleSettingsError(Exception):
    """Someone saved the settings after the form was opened."""


def get_settings(clinic: Clinic) -> PatientSettings:
    found, _ = PatientSettings.objects.get_or_create(clinic=clinic)
    return found


def crisis_text(found: PatientSettings, language: str) -> str:
    """The clinic's crisis text in the language, else the default translated."""
    own = (found.crisis_texts or {}).get(language, "").strip()
    if own:
        return own
    with override(language):
        return gettext(DEFAULT_CRISIS_TEXT)


def offered_languages(found: PatientSettings) -> list[tuple[str, str]]:
    """(code, name in its own language) of the languages the tablet offers."""
    return [(c, n) for c, n in settings.PATIENT_LANGUAGES if c in found.languages]


@transaction.atomic
def do_save_settings(
    found: PatientSettings,
    *,
    languages: list[str],
    crisis_texts: dict[str, str],
    version: int,
    by: User,
) -> PatientSettings:
    """Save the languages and crisis texts unless someone saved first; audit it."""
    now = timezone.now()
    texts = {code: text.strip() for code, text in crisis_texts.items() if text.strip()}
    changed = PatientSettings.objects.filter(pk=found.pk, version=version).update(
        languages=languages,
        crisis_texts=texts,
        version=F("version") + 1,
        updated_by=by,
        updated_at=now,
    )
    if not changed:
        raise StaleSettingsError
    found.refresh_from_db()
    audit.record(
        audit.Event.CLINIC_SETTINGS_CHANGED,
        actor=by,
        clinic=found.clinic,
        target=found,
        category="clinic_settings",
        object_version=found.version,
        detail={"languages": languages, "crisis_texts": sorted(texts)},
    )
    return found
