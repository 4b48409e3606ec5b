from datetime import UTC, datetime

import pytest
from django.template import Context, Template

from screening.forms.audit import AuditFilterForm
from screening.templatetags.audit_tags import (
    NONE,
    ROW_GAP,
    audit_headers,
    audit_row,
    audit_rows,
    field_errors,
)
from screening.views.audit import ROW_VALUES, _headers


def event(**changes):
    fields = {
        "seq": 7,
        "occurred_at": datetime(2026, 12, 6, 9, 5, 3, tzinfo=UTC),
        "actor_username": "",
        "actor_role": "",
        "clinic_id": None,
        "patient_id": None,
        "action": "auth.login",
        "data_category": "",
        "object_type": "",
        "object_id": "",
        "outcome": "success",
        "source_ip": None,
        "request_id": "",
    }
    values = {**fields, **changes}
    return tuple(values[name] for name in ROW_VALUES)


def cells(html: str) -> list[str]:
    return [cell.split("</td>")[0] for cell in html.split("<td")[1:]]


def test_it_writes_a_dash_in_each_empty_cell():
    assert cells(audit_row(event())) == [
        ">7",
        ' class="text-nowrap">2026-12-06 09:05:03',
        f">{NONE}",
        f">{NONE}",
        f">{NONE}",
        f">{NONE}",
        "><code>auth.login</code>",
        f">{NONE}",
        f">{NONE}",
        f">{NONE}",
        ">success",
        f">{NONE}",
        f'><small class="font-monospace">{NONE}</small>',
    ]


def test_it_shortens_the_request_id_and_escapes_every_value():
    row = audit_row(
        event(
            actor_username="a<b>",
            clinic_id=3,
            patient_id=10,
            request_id="0123456789abcdef",
            source_ip="127.0.0.1",
        )
    )

    assert cells(row)[2] == ">a&lt;b&gt;"
    assert cells(row)[4:6] == [">3", ">10"]
    assert cells(row)[11] == ">127.0.0.1"
    assert cells(row)[12] == '><small class="font-monospace">01234567…</small>'


def test_it_keeps_a_request_id_of_nine_characters_whole():
    row = audit_row(event(request_id="012345678"))

    assert cells(row)[12] == '><small class="font-monospace">012345678</small>'


def test_the_rows_are_each_rows_markup_between_the_loops_whitespace():
    rows = [event(), event(seq=8, request_id="012345678")]

    written = audit_rows(rows)

    assert written == f"{audit_row(rows[0])}{ROW_GAP}{audit_row(rows[1])}"
    assert audit_rows([]) == ""


# What the report's template wrote before these tags, the reference for their markup.
PARTIAL_ERRORS = Template(
    "{# A field's errors as crispy-forms wrote them. #}\n"
    "{% if field.errors %}\n"
    '  <div id="{{ field.auto_id }}_error" class="invalid-feedback">\n'
    "    {% for error in field.errors %}"
    '<span id="error_{{ forloop.counter }}_{{ field.auto_id }}">'
    "<strong>{{ error }}</strong></span>{% endfor %}\n"
    "  </div>\n"
    "{% endif %}\n"
)
HEADER_LOOP = Template(
    "{% for header in headers %}\n"
    '              <th scope="col" aria-sort="{{ header.sort }}">'
    '<a href="?{{ header.query }}">{{ header.label }}'
    '{% if header.sort == "ascending" %} ▲'
    '{% elif header.sort == "descending" %} ▼{% endif %}</a></th>\n'
    "            {% endfor %}"
)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"date_from": "nope", "patient": "x", "action": "<bogus>"},
        {"date_from": "2026-12-06", "date_to": "2026-12-01"},
    ],
)
def test_a_fields_errors_are_what_the_partial_wrote(data):
    form = AuditFilterForm(data)
    form.is_valid()

    for field, _ in form.columns():
        expected = PARTIAL_ERRORS.render(Context({"field": field}))
        assert field_errors(field) == expected


def test_the_headers_are_what_the_loop_wrote():
    form = AuditFilterForm({"sort": "-action", "user": "a&b"})
    form.is_valid()
    headers = _headers(form, "-action")

    assert audit_headers(headers) == HEADER_LOOP.render(Context({"headers": headers}))
    assert 'aria-sort="descending"' in audit_headers(headers)
    assert "user=a%26b&amp;" in audit_headers(headers)
