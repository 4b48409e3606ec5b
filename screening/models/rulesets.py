"""Versioned screening rulesets and their rules (rule book §6.1)."""

from django.conf import settings
from django.db import models


class RulesetVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

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

    class Meta:
        indexes = [models.Index(fields=["clinic", "status"])]

    def __str__(self) -> str:
        return self.label or f"draft {self.pk}"


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
    source = models.JSONField(default=dict)
    enabled = models.BooleanField(default=True)
    locked = models.BooleanField(default=False)
    tests = models.JSONField(default=list, blank=True)
    # Anything else the ruleset document carries for this rule, kept for export.
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["ruleset", "code"], name="rule_code_unique_in_ruleset"
            )
        ]

    def __str__(self) -> str:
        return self.code
