"""The form renderer: Django's, with the plain `<input>` and `<textarea>` written here.

Every text, number, date and hidden input of every form went through two or three
templates (text.html, input.html, attrs.html) and a fresh context: a section page has
dozens, the flagged summary's acknowledgement forms hundreds, and their templates were
a tenth of those pages' server time (#19 goal 2). The markup is the templates' own, to
the byte (tests/forms/test_renderer.py compares every kind with them); any other
template is rendered by Django as before.
"""

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.safestring import SafeString

from screening.forms.answers import attributes, option_tag
from screening.markup import escape

# The widget templates that are input.html and nothing else.
_INPUTS = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
_TEXTAREA = "django/forms/widgets/textarea.html"


class Renderer(DjangoTemplates):
    def render(
        self,
        template_name: str,
        context: dict[str, Any],
        request: HttpRequest | None = None,
    ) -> SafeString:
        # Django's renderer strips what a template writes: neither ends in a newline.
        if template_name in _INPUTS:
            return option_tag(context["widget"])
        if template_name == _TEXTAREA:
            widget = context["widget"]
            value = widget["value"]
            return SafeString(
                f'<textarea name="{escape(widget["name"])}"'
                f"{attributes(widget['attrs'])}>\n"
                f"{escape(value) if value else ''}</textarea>"
            )
        return super().render(template_name, context, request)
