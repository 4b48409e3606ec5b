"""Crispy layout pieces of the intake forms: branching wrappers and list rows."""

from typing import Any

from crispy_forms.layout import Div, Fieldset, Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from screening.templatetags.answer_tags import answer_field


def grid_row(*cells: tuple[str, int]) -> Div:
    """A Bootstrap row of fields side by side: (field name, column width from md up)."""
    return Div(
        *(Div(name, css_class=f"col-md-{width}") for name, width in cells),
        css_class="row",
    )


def shown_if(condition: str, *fields: Any) -> Div:
    """Fields asked only when `name=value|value` holds (intake-format.md 2.1).

    The server decides what a hidden question stores; static/js/intake_form.js only
    hides the fields while the condition is false, for convenience.
    """
    return Div(*fields, data_show_if=condition)


def hidden_if(condition: str, *fields: Any) -> Div:
    return Div(*fields, data_hide_if=condition)


class MarkRestNo(LayoutObject):
    """A "mark the rest No" button for a block of yes/no items (#16): it answers only
    the items of its block not answered yet, when the user presses it."""

    template = "screening/intakes/includes/_mark_rest_no.html"

    def __init__(self, label: str) -> None:
        self.label = label
        self.fields: list[Any] = []

    def render(
        self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        return SafeString(render_to_string(self.template, {"label": self.label}))


class QuickScores(LayoutObject):
    """Quick entry of symptom scales from a paper form (#16): per instrument, one box
    that takes the item scores in order, one digit each, and checks the answers below
    as they are typed (static/js/quick_scores.js). The box has no name: the answers
    are what the form sends, so a page without the script is the same form."""

    template = "screening/intakes/includes/_quick_scores.html"

    def __init__(self, boxes: list[dict[str, Any]]) -> None:
        self.boxes = boxes
        self.fields: list[Any] = []

    def render(
        self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        return SafeString(render_to_string(self.template, {"boxes": self.boxes}))


class Rows(LayoutObject):
    """The rows of a RowsBlock: one fieldset per row, Remove, and Add another."""

    template = "screening/intakes/includes/_rows.html"

    def __init__(self, block: str) -> None:
        self.block = block
        self.fields: list[Any] = []

    def render(
        self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        block = form.blocks[self.block]
        return SafeString(
            render_to_string(
                self.template,
                {
                    "block": block,
                    "formset": block.formset,
                    "show_errors": form.helper.form_show_errors,
                },
            )
        )


class Answer(LayoutObject):
    """One answer of an intake form, written by the answer_field tag directly.

    Crispy renders a field named in a layout through the field template, with the
    whole page's context flattened into a new one, per field: on a page of 40 answers
    that cost as much as writing the answers (#19 goal 2). The markup is the same
    (tests/forms/test_layout.py renders every section both ways).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields = [name]  # crispy's get_field_names() still finds it

    def render(
        self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        rendered = getattr(form, "rendered_fields", None)
        if rendered is not None:
            rendered.add(self.name)
        markup = answer_field(form[self.name], context.get("form_show_errors"))
        # The field template's own line breaks around its tag, so the page is the same.
        return SafeString(f"\n\n{markup}\n")


def answers_written_directly(layout: LayoutObject) -> LayoutObject:
    """The layout with each field it names in a Layout, Div or Fieldset made an
    Answer (in place). Any other layout object keeps its own rendering."""
    for index, item in enumerate(layout.fields):
        if isinstance(item, str):
            layout.fields[index] = Answer(item)
        elif isinstance(item, (Layout, Div, Fieldset)):
            answers_written_directly(item)
    return layout
