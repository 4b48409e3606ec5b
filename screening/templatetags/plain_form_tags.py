"""{% plain_form %}: what {% crispy %} writes, to the byte, for a form whose layout is
fieldsets of plain fields, written here instead of through crispy's templates.

The summary's disposition and sign-off forms went through crispy's wrapper, fieldset
and field templates (field.html, radio_checkbox_select.html, attrs.html, the help and
error includes) with the page's whole context flattened for each: about a fifth of the
summary's server time for five fields (#19 goal 2). A layout of `Fieldset`s (no css
class, id, attributes or template of their own) and field names is written here, as
crispy-bootstrap5 would write it with a default helper whose only change is
`form_tag = False`, for these widgets: radio buttons, text, password and text areas,
a checkbox, hidden inputs. The widgets themselves are still Django's (and so the
project's form renderer's). Any other form, helper, layout object or widget goes
through crispy as before. tests/templatetags/test_plain_form_tags.py compares the two
for every state of the summary's forms.
"""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset
from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode, do_uni_form
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from django import forms, template
from django.forms import BoundField
from django.template import Context
from django.template.base import Parser, Token
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString

from screening.markup import escape

register = template.Library()
_CSRF = CsrfTokenNode()

# The widgets written here and the class crispy adds for each (its lowercased name).
_TEXT_WIDGETS = {
    forms.TextInput: "textinput",
    forms.PasswordInput: "passwordinput",
    forms.Textarea: "textarea",
}
# What FormHelper() sets on itself; the form's helper may add `form_tag` and `layout`.
_PLAIN_HELPER = {"attrs": {}, "inputs": [], "form_tag": False}
_ASTERISK = '<span class="asteriskField">*</span>'


class PlainFormNode(CrispyFormNode):
    def __init__(self, form: str, helper: str | None, template_pack: str) -> None:
        super().__init__(form, helper, template_pack=template_pack)
        self.variable = template.Variable(form)

    def render(self, context: Context) -> str:
        if self.helper is None:
            form = self.variable.resolve(context)
            written = _plain_form(form, context)
            if written is not None:
                return written
        return super().render(context)  # type: ignore[no-any-return]


@register.tag
def plain_form(parser: Parser, token: Token) -> PlainFormNode:
    """{% plain_form form %}: what {% crispy form %} writes (same arguments)."""
    node = do_uni_form(parser, token)
    return PlainFormNode(node.form, node.helper, template_pack=node.template_pack)


def _plain_form(form: Any, context: Context) -> SafeString | None:
    """whole_uni_form.html's markup for the form, or None when crispy must write it."""
    helper: Any = getattr(form, "helper", None)
    if not _is_plain_helper(helper):
        return None
    layout = _layout(form, helper.layout.fields)
    if layout is None:
        return None
    csrf = _CSRF.render(context)
    errors = form.non_field_errors()
    block = (
        '<div class="alert alert-block alert-danger"> <ul class="m-0"> '
        + "\n\t".join(f"<li>{escape(error)}</li>" for error in errors)
        + " </ul> </div>"
        if errors
        else ""
    )
    # whole_uni_form.html's white space around its parts, which its specialspaceless
    # then strips and squeezes, as it does inside a text area's value.
    body = f"{csrf}\n\n    {block}\n    {layout}".strip()
    return SafeString(f"\n\n{remove_spaces(body)}\n")


def _is_plain_helper(helper: Any) -> bool:
    if type(helper) is not FormHelper or helper.layout is None:
        return False
    own = {name: value for name, value in vars(helper).items() if name != "layout"}
    return own == _PLAIN_HELPER


def _layout(form: Any, items: list[Any]) -> str | None:
    """Layout.render's markup for `items`: fieldsets and field names."""
    written = []
    for item in items:
        if isinstance(item, str):
            field = _field(form, item)
        elif type(item) is Fieldset and _is_plain_fieldset(item):
            field = _fieldset(form, item)
        else:
            return None
        if field is None:
            return None
        written.append(field)
    return "".join(written)


def _is_plain_fieldset(fieldset: Fieldset) -> bool:
    return (
        not fieldset.css_class
        and not fieldset.css_id
        and not fieldset.flat_attrs
        and fieldset.template == Fieldset.template
        # crispy renders a legend as a template of its own.
        and "{" not in str(fieldset.legend)
    )


def _fieldset(form: Any, fieldset: Fieldset) -> str | None:
    fields = _layout(form, fieldset.fields)
    if fields is None:
        return None
    legend = f"<legend>{fieldset.legend}</legend>" if fieldset.legend else ""
    return f"<fieldset  \n    \n    >\n    {legend}\n    {fields} \n</fieldset>\n"


def _field(form: Any, name: str) -> str | None:
    """bootstrap5/field.html's markup for one field, white space as it leaves it."""
    if name not in form.fields:
        return None
    field = form[name]
    widget = field.field.widget
    kind = type(widget)
    if kind is forms.HiddenInput:
        return f"\n\n\n    {field}\n\n"
    if not field.label:
        return None
    if kind is forms.RadioSelect:
        written = _radio_field(field)
        if written is None:
            return None
    elif kind is forms.CheckboxInput:
        written = _checkbox_field(field)
    elif kind in _TEXT_WIDGETS:
        written = _text_field(field, _TEXT_WIDGETS[kind])
    else:
        return None
    return f"\n\n\n    {written}\n\n"


def _css(field: BoundField) -> str:
    classes = field.css_classes()
    return f" {classes}" if classes else ""


def _required(field: BoundField) -> str:
    return " requiredField" if field.field.required else ""


def _label_text(field: BoundField, closing: str, indent: int = 12) -> str:
    """A label's words and asterisk as field.html leaves them before `closing` (on
    a line of its own, `indent` spaces in, unless squeezed after the asterisk)."""
    label = escape(field.label)
    if field.field.required:
        return f"{label}{_ASTERISK} {closing}"
    return f"{label}\n{' ' * indent}{closing}"


def _widget_class(field: BoundField, base: str, added: str) -> str:
    """The class {% crispy_field %} gives the widget: its own, the widget's name, then
    the classes given, each once."""
    classes = field.field.widget.attrs.get("class", "")
    if not classes:
        classes = base
    elif base not in classes:
        classes += f" {base}"
    for name in added.split():
        if name not in classes.split():
            classes += f" {name}"
    return classes


def _errors(field: BoundField, tag: str) -> str:
    """field_errors.html (`span`) or field_errors_block.html (`p`)."""
    errors = field.errors
    if not errors:
        return ""
    messages = " ".join(
        f'<{tag} id="error_{number}_{field.auto_id}"><strong>{escape(error)}</strong>'
        f"</{tag}>"
        for number, error in enumerate(errors, start=1)
    )
    block = f'<div id="{errors.field_id}_error" class="invalid-feedback">'
    return f" {block} {messages} </div>"


def _help(field: BoundField) -> str:
    if not field.help_text:
        return ""
    named = f'id="{field.auto_id}_helptext" ' if field.auto_id else ""
    return f' <div {named}class="form-text">{field.help_text}</div>'


def _text_field(field: BoundField, base: str) -> str:
    invalid = " is-invalid" if field.errors else ""
    widget = field.as_widget(
        attrs={"class": _widget_class(field, base, f"form-control{invalid}")}
    )
    return (
        f'<div id="div_{field.auto_id}" class="mb-3{_css(field)}"> <label\n'
        f"                {_for(field)} "
        f'class="form-label{_required(field)}">\n'
        f"                {_label_text(field, '</label>')} "
        f"{widget}{_errors(field, 'span')}{_help(field)} </div>"
    )


def _for(field: BoundField) -> str:
    label_for = field.id_for_label
    return f'for="{label_for}"' if label_for else ""


def _checkbox_field(field: BoundField) -> str:
    invalid = " is-invalid" if field.errors else ""
    widget = field.as_widget(
        attrs={
            "class": _widget_class(field, "checkboxinput", f"form-check-input{invalid}")
        }
    )
    return (
        f'<div class="mb-3"> <div id="div_{field.auto_id}" '
        f'class="form-check{_css(field)}"> {widget} <label for="{field.id_for_label}"'
        f' class="form-check-label{_required(field)}">\n'
        f"                    {_label_text(field, '</label>', indent=16)}"
        f"{_errors(field, 'span')}{_help(field)} </div> </div>"
    )


def _radio_field(field: BoundField) -> str | None:
    """field.html with radio_checkbox_select.html: the options in a fieldset, the
    error after the last one."""
    widget = field.field.widget
    auto_id = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": auto_id} if auto_id else {})
    values = widget.format_value(field.value())
    groups = widget.optgroups(field.html_name, values, attrs)
    if not groups or any(name is not None for name, _, _ in groups):
        return None  # no options, or options in named groups: crispy writes them
    options = [option for _, group, _ in groups for option in group]
    invalid = " is-invalid" if field.errors else ""
    last = len(options) - 1
    written = " ".join(
        f'<div class="form-check"> <input type="{option["type"]}" '
        f'class="form-check-input{invalid}"  name="{escape(field.html_name)}" '
        f'value="{escape(option["value"])}" {_attributes(option["attrs"])}> '
        f'<label for="{escape(option["attrs"].get("id", ""))}" '
        f'class="form-check-label">\n            {escape(option["label"])}\n'
        f"        </label>{_errors(field, 'p') if index == last else ''} </div>"
        for index, option in enumerate(options)
    )
    described = field.aria_describedby
    fieldset = f' aria-describedby="{described}"' if described else ""
    return (
        f'<div id="div_{field.auto_id}" class="mb-3{_css(field)}"> '
        f"<fieldset{fieldset}> <legend\n                {_for(field)} "
        f'class="form-label{_required(field)} fs-6">\n'
        f"                {_label_text(field, '</legend>')} <div > {written} </div>"
        f"{_help(field)} </fieldset> </div>"
    )


def _attributes(attrs: dict[str, Any]) -> str:
    """attrs.html: each attribute after a space, True as a bare name, False left out."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
