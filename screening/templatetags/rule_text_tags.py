"""Filters that put a flag's settings and source in words (screening/rule_text.py)."""

from collections.abc import Mapping
from typing import Any

from django import template

from screening import rule_text

register = template.Library()


@register.filter
def settings_in_words(settings: Mapping[str, Any] | None) -> list[str]:
    return rule_text.settings_words(settings or {})


@register.filter
def source_line(source: Mapping[str, Any] | None) -> str:
    return rule_text.source_line(source or {})
