"""Patient self-report (issue #17): the clinic's text packs and patient settings, the
hand-off sessions of the clinic tablet, and the answers given on it."""

from django.conf import settings
from django.db import models

from screening.json_numbers import AnswerDecoder, AnswerEncoder


def _english_only() -> list[str]:
    return ["en"]


class PatientSettings(models.Model):
    """What a clinic offers patients on the tablet: languages and crisis text."""

    clinic = models.OneToOneField(
        "screening.Clinic", on_delete=models.PROTECT, related_name="patient_settings"
    )
    # Language codes of settings.PATIENT_LANGUAGES the tablet offers, in that order.
    languages = models.JSONField(default=_english_only)
    # Language code -> the clinic's own crisis text; a language without one shows
    # the default (naming the 988 Suicide & Crisis Lifeline), translated.
    crisis_texts = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Patient settings of clinic {self.clinic_id}"


class TextPack(models.Model):
    """One version of the clinic's licensed wording of an instrument in a language.

    Never edited: a new upload is a new version; the newest is the one shown, and
    every self-reported answer keeps the version it was shown with.
    """

    clinic = models.ForeignKey(
        "screening.Clinic", on_delete=models.PROTECT, related_name="text_packs"
    )
    instrument = models.CharField(max_length=20)  # the declaration's key: PHQ9
    language = models.CharField(max_length=8)
    version = (
        models.PositiveIntegerField()
    )  # 1, 2, ... per clinic, instrument, language
    label = models.CharField(max_length=60)  # the pack's own version words
    source = models.CharField(max_length=300)
    licence = models.CharField(max_length=1000)
    stem = models.TextField()
    # [{"text": ..., "options": [{"value": 0, "text": ...}, ...]}, ...] in item order.
    items = models.JSONField()
    is_demo = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument", "language", "version"],
                name="one_text_pack_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.language} v{self.version}"


class SelfReport(models.Model):
    """One hand-off of the tablet to a patient, for one intake."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FINISHED = "finished", "Finished"
        ENDED = "ended", "Ended by staff"
        EXPIRED = "expired", "Expired"

    clinic = models.ForeignKey(
        "screening.Clinic", on_delete=models.PROTECT, related_name="+"
    )
    intake = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="self_reports"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # SHA-256 of the normalised code: the code itself is shown once and never stored.
    code_sha256 = models.CharField(max_length=64, db_index=True)
    # SHA-256 of a random token kept in the first tablet session that took the code.
    tablet_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    language = models.CharField(max_length=8, default="en")
    # Staff ticked the PCL-5 (it is asked anyway when the indication is PTSD).
    include_pcl5 = models.BooleanField(default=False)
    # Section kind -> its version when the session started (conflicts at finish).
    section_versions = models.JSONField(default=dict)
    # Section kinds that staff changed meanwhile: left for staff to resolve.
    conflicts = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # The consent page (#18): the published document shown, and the patient's answer.
    # Agreed (a typed name and a time) becomes the intake's consent record at finish;
    # "talk to staff first" is kept as skipped and records nothing.
    consent_document = models.ForeignKey(
        "screening.ConsentDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_typed_name = models.CharField(max_length=200, blank=True)
    consent_agreed_at = models.DateTimeField(null=True, blank=True)
    consent_skipped = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["intake", "status"])]

    def __str__(self) -> str:
        return f"Self-report {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class SelfReportAnswer(models.Model):
    """One answer as the patient gave it (pending until the report is finished)."""

    report = models.ForeignKey(
        SelfReport, on_delete=models.PROTECT, related_name="answers"
    )
    path = models.CharField(max_length=80)  # `scales.phq9[8]`, `notes.medicines`
    value = models.JSONField(null=True, encoder=AnswerEncoder, decoder=AnswerDecoder)
    # "declined" when the patient chose "prefer not to say".
    reason = models.CharField(max_length=20, blank=True)
    text_pack = models.ForeignKey(
        TextPack, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "path"], name="one_answer_per_report_path"
            )
        ]

    def __str__(self) -> str:
        return f"Self-report {self.report_id} {self.path}"


class CodeAttempt(models.Model):
    """A code typed on the entry page, for the rate limit (no code, no address kept:
    a keyed hash of the address only)."""

    source_sha256 = models.CharField(max_length=64)
    succeeded = models.BooleanField(default=False)
    attempted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["source_sha256", "attempted_at"])]

    def __str__(self) -> str:
        return f"Code attempt {self.pk}"
