"""Versioned rulesets, their rules and the clinic's test cases (rule book §6.1).

A draft is the only thing a rule admin edits. Once published a version never changes:
the ORM refuses to save or delete its rules, and only its status may move on (published
-> superseded), so every stored screening can be re-run under the rules it ran with.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from screening.json_numbers import AnswerDecoder, AnswerEncoder


class PublishedRulesetError(Exception):
    """A published (or superseded, or discarded) ruleset is never changed."""


# Only a draft's content may change; a published version may only become superseded.
_FROZEN_STATUS_FIELDS = {"status"}


class RulesetVersionQuerySet(models.QuerySet["RulesetVersion"]):
    def update(self, **kwargs: Any) -> int:
        frozen = self.exclude(status=RulesetVersion.Status.DRAFT)
        if set(kwargs) - _FROZEN_STATUS_FIELDS and frozen.exists():
            raise PublishedRulesetError("only a draft ruleset's content may change")
        return super().update(**kwargs)

    def delete(self) -> NoReturn:  # type: ignore[override]
        # Screenings point at their version, and drafts are discarded, not deleted.
        raise PublishedRulesetError("ruleset versions are never deleted")


class RulesetVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"
        DISCARDED = "discarded", "Discarded"

    class Origin(models.TextChoices):
        SHIPPED = "shipped", "Shipped with the app"
        COPY = "copy", "Drafted from a published version"
        IMPORT = "import", "Imported from a ruleset/1 document"

    # Null for the shipped default ruleset, which every clinic starts from.
    clinic = models.ForeignKey(
        "screening.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rulesets",
    )
    # "default-1" for the shipped ruleset, "<clinic-slug>-<n>" once published.
    label = models.CharField(max_length=80, unique=True, null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    clinic_settings = models.JSONField(default=dict)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(
        max_length=10, choices=Origin.choices, default=Origin.SHIPPED
    )
    # Bumped by every edit of a draft: the conditional UPDATE's version, and the state
    # the impact preview was shown for (the publish gate compares the two).
    revision = models.PositiveIntegerField(default=1)
    # Everyone who drafted or edited it: none of them may approve it (two-person rule).
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    publish_reason = models.CharField(max_length=500, blank=True)

    objects = RulesetVersionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["clinic", "status"])]
        constraints = [
            # One open draft per clinic: every edit lands in the same place.
            models.UniqueConstraint(
                fields=["clinic"],
                condition=models.Q(status="draft"),
                name="one_draft_ruleset_per_clinic",
            )
        ]

    def __str__(self) -> str:
        return self.label or f"draft {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            stored = (
                RulesetVersion.objects.filter(pk=self.pk)
                .values_list("status", flat=True)
                .first()
            )
            changing = set(kwargs.get("update_fields") or ["*"])
            if stored != self.Status.DRAFT and changing - _FROZEN_STATUS_FIELDS:
                raise PublishedRulesetError("only a draft ruleset's content may change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PublishedRulesetError("ruleset versions are never deleted")

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def display_label(self) -> str:
        return self.label or f"Draft {self.pk} (revision {self.revision})"


class RuleQuerySet(models.QuerySet["Rule"]):
    def _refuse_unless_draft(self) -> None:
        if self.exclude(ruleset__status=RulesetVersion.Status.DRAFT).exists():
            raise PublishedRulesetError("rules of a published ruleset never change")

    def update(self, **kwargs: Any) -> int:
        self._refuse_unless_draft()
        return super().update(**kwargs)

    def delete(self) -> NoReturn:  # type: ignore[override]
        # Retired rules stay in the version's history; nothing is deleted.
        raise PublishedRulesetError("rules are retired, never deleted")

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        pks = [obj.pk for obj in objs]
        self.model.objects.filter(pk__in=pks)._refuse_unless_draft()
        return super().bulk_update(objs, *args, **kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list["Rule"]:
        objs = list(objs)
        ruleset_ids = {obj.ruleset_id for obj in objs}
        if (
            RulesetVersion.objects.filter(pk__in=ruleset_ids)
            .exclude(status=RulesetVersion.Status.DRAFT)
            .exists()
        ):
            raise PublishedRulesetError("rules of a published ruleset never change")
        return super().bulk_create(objs, *args, **kwargs)


class Rule(models.Model):
    class Severity(models.TextChoices):
        ABSOLUTE = "absolute", "Absolute"
        RELATIVE = "relative", "Relative"
        CAUTION = "caution", "Caution"
        INFO = "info", "Info"

    ruleset = models.ForeignKey(
        RulesetVersion, on_delete=models.CASCADE, related_name="rules"
    )
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    expression = models.TextField()
    message = models.TextField(blank=True)
    # The threshold in plain words, as the clinician's summary shows it ("BP above
    # 140/90 ..."); the condition above stays the rule admin's view.
    threshold_text = models.CharField(max_length=300, blank=True)
    source = models.JSONField(default=dict)
    enabled = models.BooleanField(default=True)
    locked = models.BooleanField(default=False)
    tests = models.JSONField(default=list, blank=True)
    # Anything else the ruleset document carries for this rule, kept for export.
    extra = models.JSONField(default=dict, blank=True)
    # A retired rule stays in its version (and in every later one) so its code is never
    # reused (rule book §4); the engine never sees it.
    is_retired = models.BooleanField(default=False)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["ruleset", "code"], name="rule_code_unique_in_ruleset"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        status = (
            RulesetVersion.objects.filter(pk=self.ruleset_id)
            .values_list("status", flat=True)
            .first()
        )
        if status != RulesetVersion.Status.DRAFT:
            raise PublishedRulesetError("rules of a published ruleset never change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PublishedRulesetError("rules are retired, never deleted")


class ClinicTestCase(models.Model):
    """An intake/1 document the clinic screens before every publish (rule book §6.1)."""

    clinic = models.ForeignKey(
        "screening.Clinic", on_delete=models.PROTECT, related_name="test_cases"
    )
    # The case id of its expected file ("V01"), unique in the clinic.
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    narrative = models.TextField(blank=True)
    # Fictional patients only: test documents carry no `patient` key.
    document = models.JSONField(encoder=AnswerEncoder, decoder=AnswerDecoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "code"], name="test_case_code_unique_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return self.code


class TestCaseExpectation(models.Model):
    """An approved expected result of a clinic test case; the newest that applies wins.

    The first comes with the case (its expected file). A later one is approved, with a
    reason, for the draft whose rules changed the result; it counts for that draft and,
    once the draft is published, for every later one. Rows are never changed.
    """

    # Not a pytest test class, whatever its name says.
    __test__ = False

    test_case = models.ForeignKey(
        ClinicTestCase, on_delete=models.PROTECT, related_name="expectations"
    )
    # In the format of the acceptance cases' expected/ files (vignettes/README.md).
    expected = models.JSONField(encoder=AnswerEncoder, decoder=AnswerDecoder)
    # Null for the expectation the case was loaded with.
    ruleset = models.ForeignKey(
        RulesetVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_expectations",
    )
    reason = models.CharField(max_length=500, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["approved_at", "pk"]

    def __str__(self) -> str:
        return f"Expectation {self.pk} of case {self.test_case_id}"


class ImpactPreview(models.Model):
    """An impact preview shown to a rule admin, for one exact draft revision."""

    ruleset = models.ForeignKey(
        RulesetVersion, on_delete=models.PROTECT, related_name="impact_previews"
    )
    revision = models.PositiveIntegerField()
    shown_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shown_at = models.DateTimeField()
    # Counts and intake ids only, never answers or names (security.md §2.5).
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-shown_at", "-pk"]

    def __str__(self) -> str:
        return f"Impact preview of ruleset {self.ruleset_id} r{self.revision}"
