"""Crispy layout pieces of the intake forms: branching wrappers and list rows."""

from typing import Any

from crispy_forms.layout import Div, Fieldset, Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK, flatatt
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from screening.markup import escape
from screening.templatetags.answer_tags import answer_field


def grid_row(*cells: tuple[str, int]) -> Div:
    """A Bootstrap row of fields side by side: (field name, column width from md up)."""
    return WrittenDiv(
        *(WrittenDiv(name, css_class=f"col-md-{width}") for name, width in cells),
        css_class="row",
    )


def shown_if(condition: str, *fields: Any) -> Div:
    """Fields asked only when `name=value|value` holds (intake-format.md 2.1).

    The server decides what a hidden question stores; static/js/intake_form.js only
    hides the fields while the condition is false, for convenience.
    """
    return WrittenDiv(*fields, data_show_if=condition)


def hidden_if(condition: str, *fields: Any) -> Div:
    return WrittenDiv(*fields, data_hide_if=condition)


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


class WrittenDiv(Div):
    """crispy's Div, its markup written here: crispy renders bootstrap5/layout/div.html
    per div, with a context of its own, and a list row has a dozen divs (#19 goal 2).
    The markup is the template's own, to the byte (tests/forms/test_layout.py)."""

    def __init__(
        self,
        *fields: Any,
        css_id: str | None = None,
        css_class: str | None = None,
        template: str | None = None,
        **attrs: Any,
    ) -> None:
        # crispy's Div.__init__, but a div with no attributes skips flatatt: its
        # lazy-aware escaping of nothing was a fifth of building a list's rows.
        self.fields = list(fields)
        self.css_class = css_class
        self.css_id = css_id
        self.template = template or self.template
        self.flat_attrs = flatatt(attrs) if attrs else SafeString("")

    def render(
        self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return SafeString(
            f"<div {_attribute('id', self.css_id)} \n    "
            f"{_attribute('class', self.css_class)} {self.flat_attrs}>\n"
            f"        {fields}\n</div>\n"
        )


class WrittenFieldset(Fieldset):
    """crispy's Fieldset, its markup written here, as bootstrap5/layout/fieldset.html
    writes it (see WrittenDiv). A legend with template syntax goes to crispy, which
    renders the legend as a template."""

    def render(
        self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        legend = str(self.legend) if self.legend else ""
        if "{" in legend:
            return super().render(form, context, template_pack, **kwargs)  # type: ignore[no-any-return]
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return SafeString(
            f"<fieldset {_attribute('id', self.css_id)} \n    "
            f"{_attribute('class', self.css_class)}\n    {self.flat_attrs}>\n    "
            f"{f'<legend>{legend}</legend>' if legend else ''}\n    "
            f"{fields} \n</fieldset>\n"
        )


def _attribute(name: str, value: Any) -> str:
    """The id or class the layout templates write: none when empty."""
    return f'{name}="{escape(value)}"' if value else ""


def answers_written_directly(layout: LayoutObject) -> LayoutObject:
    """The layout with each field it names in a Layout, Div or Fieldset made an
    Answer, and each plain Div and Fieldset written directly (in place). Any other
    layout object keeps its own rendering."""
    for index, item in enumerate(layout.fields):
        if isinstance(item, str):
            layout.fields[index] = Answer(item)
            continue
        # Only the crispy classes themselves, on their own templates: a subclass or
        # another template writes other markup.
        if type(item) is Div and item.template == Div.template:
            item.__class__ = WrittenDiv
        elif type(item) is Fieldset and item.template == Fieldset.template:
            item.__class__ = WrittenFieldset
        if isinstance(item, (Layout, Div, Fieldset)):
            answers_written_directly(item)
    return layout
