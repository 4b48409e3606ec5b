"""{% section_form %}: crispy's {% crispy %} for the section pages, without its
wrapper templates when they add nothing (#19 goal 2).

{% crispy %} renders the layout, then whole_uni_form.html with display_form.html,
errors.html and inputs.html around it, in the page's whole context flattened, once
for the section form and once per list row. For a form with no <form> tag, no CSRF
field, no media, no buttons and no form-wide error to show, those templates write
only whitespace around the layout, which crispy's `specialspaceless` then strips: so
here the layout is returned as that would leave it. Any other form goes through
crispy's templates as before (tests/templatetags/test_section_form_tags.py).
"""

from typing import Any

from crispy_forms.templatetags.crispy_forms_tags import (
    CrispyFormNode,
    do_uni_form,
    whole_uni_form_template,
    whole_uni_formset_template,
)
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from django import template
from django.template import Context, VariableDoesNotExist
from django.template.base import Parser, Token
from django.template.loader import get_template
from django.utils.safestring import SafeString

register = template.Library()


class SectionFormNode(CrispyFormNode):
    def render(self, context: Context) -> str:
        try:
            rendered = self.get_render(context)
        except VariableDoesNotExist:
            return context.template.engine.string_if_invalid  # type: ignore[union-attr,no-any-return]
        if _only_whitespace_around(rendered, self.actual_helper):
            # The line breaks whole_uni_form.html has outside its specialspaceless.
            layout = remove_spaces(rendered["form"].form_html.strip())
            return SafeString(f"\n\n{layout}\n")
        # CrispyFormNode.render from here, on the context already rendered.
        flat = rendered.flatten()
        helper = self.actual_helper
        if helper is not None and getattr(helper, "template", False):
            wrapper = get_template(helper.template)
        elif flat["is_formset"]:
            wrapper = whole_uni_formset_template(self.template_pack)
        else:
            wrapper = whole_uni_form_template(self.template_pack)
        return wrapper.render(flat)  # type: ignore[no-any-return]


def _only_whitespace_around(rendered: Context, helper: Any) -> bool:
    """Whether crispy's wrapper templates would write nothing but whitespace around
    the form's layout."""
    if rendered["is_formset"] or getattr(helper, "template", False):
        return False
    form = rendered["form"]
    return bool(
        not rendered["form_tag"]
        and rendered["disable_csrf"]
        and not rendered["include_media"]
        and not rendered["inputs"]
        and getattr(form, "form_html", None)
        and not (rendered["form_show_errors"] and form.non_field_errors())
    )


@register.tag
def section_form(parser: Parser, token: Token) -> SectionFormNode:
    """{% section_form form %}: what {% crispy form %} writes (same arguments)."""
    node = do_uni_form(parser, token)
    return SectionFormNode(node.form, node.helper, template_pack=node.template_pack)
