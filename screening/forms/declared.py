"""Form fields, layouts and branching made from the questionnaire declaration.

A section form asks `declared_fields()` for its fields, `page_layout()` for its
fieldsets and "asked only if" wrappers, and `DeclaredValues` for the section value with
each skipped question's named skip value (intake-format.md 2.1). What is particular to
one page (a cross-field check, a default) stays in that page's form.
"""

from collections.abc import Iterator
from typing import Any

from crispy_forms.layout import Div, Fieldset, Layout
from django import forms

from screening import questionnaire
from screening.forms.answers import (
    ChoiceAnswerField,
    DateAnswerField,
    DecimalAnswerField,
    EventDateField,
    GivenField,
    IntegerAnswerField,
    LinesField,
    TextAnswerField,
    YesNoField,
)
from screening.forms.layout import MarkRestNo, QuickScores, Rows, hidden_if, shown_if
from screening.forms.sections import SectionForm
from screening.questionnaire.model import (
    CHOICE,
    DATE,
    DECIMAL,
    EVENT_DATE,
    INTEGER,
    LINES,
    TEXT,
    YES_NO,
    Condition,
    Instrument,
    Page,
    Question,
    RowList,
)
from screening.questionnaire.paths import relative_to_section

Choices = list[tuple[str, str]]


def widget_value(value: Any) -> str:
    """An answer as its widget posts it: True -> "yes", 2 -> "2"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def choices(question: Question) -> Choices:
    return [(widget_value(o.value), o.label) for o in question.options]


def scored_choices(question: Question) -> Choices:
    """A symptom scale's answers with their scores in front ("2 — More than half
    the days"), as on the paper form, so typing the digit chooses one (#16). Other
    numbered answers ("NYHA II", AUDIT-C's "1 or 2" that scores 0) keep their words:
    a number in front would only confuse."""
    if not question.path.startswith("scales."):
        return choices(question)
    return [(widget_value(o.value), f"{o.value} — {o.label}") for o in question.options]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def answer_field(question: Question, *, label: str = "", **extra: Any) -> forms.Field:
    """The form field of one declared question; `extra` adds what a page needs."""
    label = label or question.label
    if question.help:
        extra.setdefault("help_text", question.help)
    nullable = question.nullable
    if question.kind == YES_NO and question.options:
        # Yes and no in words of their own, and null an answer of its own too.
        return ChoiceAnswerField(
            choices=choices(question),
            label=label,
            null_label=question.null_label,
            reason=bool(question.reasons),
            **extra,
        )
    if question.kind == YES_NO:
        return YesNoField(label=label, nullable=nullable, **extra)
    if question.kind == CHOICE:
        if question.null_label:
            extra.setdefault("null_label", question.null_label)
        numbered = all(isinstance(o.value, int) for o in question.options)
        if numbered:
            extra.setdefault("coerce", int)
        return ChoiceAnswerField(
            choices=scored_choices(question) if numbered else choices(question),
            label=label,
            nullable=nullable,
            **extra,
        )
    if question.kind == INTEGER:
        return IntegerAnswerField(
            label=label,
            min_value=question.minimum,
            max_value=question.maximum,
            unit=question.unit,
            nullable=nullable,
            **extra,
        )
    if question.kind == DECIMAL:
        if question.places is not None:
            extra.setdefault("max_places", question.places)
        if question.exclusive_minimum:
            extra.setdefault("exclusive_minimum", True)
        return DecimalAnswerField(
            label=label,
            min_value=question.minimum,
            max_value=question.maximum,
            unit=question.unit,
            **extra,
        )
    if question.kind == DATE:
        return DateAnswerField(label=label, **extra)
    if question.kind == EVENT_DATE:
        return EventDateField(label=label, **extra)
    if question.kind == LINES:
        return LinesField(label=label, **extra)
    if question.kind == TEXT:
        if not nullable:
            extra.setdefault("required", True)
        return TextAnswerField(label=label, **extra)
    raise ValueError(f"{question.path}: no form field for kind {question.kind}")


def item_label(instrument: Instrument, index: int) -> str:
    """An item's label on its form: `9. Thoughts of ...`, `q6 within 3 months: ...`."""
    item = instrument.items[index]
    if instrument.is_list:
        return f"{index + 1}. {item.label}"
    separator = ". " if item.number.isdigit() else ": "
    return f"{item.number}{separator}{item.label}"


def instrument_fields(instrument: Instrument) -> dict[str, forms.Field]:
    """Administered / not administered, then each item, by field name."""
    if instrument.scoring.method == "total_only":
        total = instrument.items[0]
        return {instrument.field_name(0): answer_field(total)}
    given, not_given = instrument.given_words
    fields: dict[str, forms.Field] = {
        given_name(instrument): GivenField(
            label=instrument.given_label, given=given, not_given=not_given
        )
    }
    for index in range(instrument.length):
        fields[instrument.field_name(index)] = answer_field(
            instrument.items[index], label=item_label(instrument, index)
        )
    return fields


def given_name(instrument: Instrument) -> str:
    return f"{instrument.form_prefix}_given"


def instrument_paths(instrument: Instrument, section: str) -> dict[str, str]:
    """Field name -> path below the section, for an instrument's fields."""

    def below(path: str) -> str:
        return path[len(section) + 1 :]

    if instrument.scoring.method == "total_only":
        return {instrument.field_name(0): below(instrument.path)}
    paths = {given_name(instrument): below(instrument.path)}
    for index in range(instrument.length):
        paths[instrument.field_name(index)] = below(instrument.item_path(index))
    return paths


def asked_name(rows: RowList) -> str:
    return "asked" if rows.form_prefix == "rows" else f"{rows.form_prefix}_asked"


def field_names(page: Page) -> dict[str, str]:
    """Full path -> field name, for every answer the page asks directly."""
    section = questionnaire.section(page.section)
    names = {q.path: q.name for q in section.questions}
    for rows in section.lists:
        names[rows.path] = asked_name(rows)
    for instrument in section.instruments:
        if instrument.scoring.method != "total_only":
            names[instrument.path] = given_name(instrument)
        for index, item in enumerate(instrument.items):
            names[instrument.item_path(index) if instrument.is_list else item.path] = (
                instrument.field_name(index)
            )
    return names


def _on_page(page: Page, path: str) -> bool:
    keys = page.keys
    return keys is None or relative(page.section, path).split(".")[0] in keys


def declared_questions(page: Page) -> Iterator[Question]:
    """The plain questions of the page, notes included, in section order."""
    section = questionnaire.section(page.section)
    yield from (q for q in section.questions if _on_page(page, q.path))


def declared_fields(
    page: Page, extra: dict[str, dict[str, Any]] | None = None
) -> dict[str, forms.Field]:
    """The fields of the page's plain questions and instruments, by field name.

    `extra` gives a field page-only arguments (an error message, say) by name.
    """
    extra = extra or {}
    fields = {
        q.name: answer_field(q, **extra.get(q.name, {}))
        for q in declared_questions(page)
    }
    section = questionnaire.section(page.section)
    for group in page.groups:
        for each in section.instruments:
            if each.path in group.paths:
                fields |= instrument_fields(each)
    return fields


def branch(condition: Condition, names: dict[str, str], *fields: Any) -> Div:
    """The fields wrapped in the data-show-if / data-hide-if of a condition.

    The server decides what a hidden question stores; the script only hides it.
    """
    if len(condition.whens) > 1 and condition.behavior == "all":
        first, *rest = condition.whens
        inner = branch(Condition(tuple(rest)), names, *fields)
        return branch(Condition((first,)), names, inner)
    name = names[condition.whens[0].path]
    if condition.behavior == "any" and any(w.operator == "!=" for w in condition.whens):
        raise ValueError("an 'any' condition joins '=' tests only")
    values = [widget_value(w.value) for w in condition.whens]
    when = condition.whens[0]
    if when.operator == "=":
        return shown_if(f"{name}={'|'.join(values)}", *fields)
    if when.value is None:  # asked once the question has any answer
        answered = questionnaire.question(when.path)
        options = [widget_value(o.value) for o in answered.options] if answered else []
        return shown_if(f"{name}={'|'.join(options)}", *fields)
    return hidden_if(f"{name}={values[0]}", *fields)


def _runs(
    entries: list[tuple[Any, Condition | None]], names: dict[str, str]
) -> list[Any]:
    """Consecutive entries asked under one condition share one wrapper."""
    laid: list[Any] = []
    index = 0
    while index < len(entries):
        entry, condition = entries[index]
        if condition is None:
            laid.append(entry)
            index += 1
            continue
        run = [entry]
        index += 1
        while index < len(entries) and entries[index][1] == condition:
            run.append(entries[index][0])
            index += 1
        laid.append(branch(condition, names, *run))
    return laid


def instrument_layout(instrument: Instrument, names: dict[str, str]) -> list[Any]:
    """Administered?, then the items (with their branching) shown once it is."""
    if instrument.scoring.method == "total_only":
        return [instrument.field_name(0)]
    items = _runs(
        [
            (instrument.field_name(i), instrument.items[i].asked_if)
            for i in range(instrument.length)
        ],
        names,
    )
    given = given_name(instrument)
    if all(item.kind == YES_NO for item in instrument.items):
        # A list of yes/no items, mostly No (DAST-10): "mark the rest No" saves a Tab
        # and an arrow key per item; pressing it is an answer, nothing is pre-set.
        label = f"Mark every {instrument.name} item not answered yet \u201cNo\u201d"
        shown = Div(
            MarkRestNo(label),
            *items,
            data_show_if=f"{given}=yes",
            data_mark_scope="",
        )
        return [given, shown]
    return [given, shown_if(f"{given}=yes", *items)]


def page_layout(page: Page) -> Layout:
    """The page's fieldsets in order, each question wrapped in its condition."""
    section = questionnaire.section(page.section)
    names = field_names(page)
    questions = {q.path: q for q in section.questions}
    instruments = {i.path: i for i in section.instruments}
    lists = {r.path: r for r in section.lists}
    fieldsets = []
    for group in page.groups:
        entries: list[tuple[Any, Condition | None]] = []
        for path in group.paths:
            if path in instruments:
                entries += [
                    (e, None) for e in instrument_layout(instruments[path], names)
                ]
            elif path in lists:
                rows = lists[path]
                entries += [(asked_name(rows), None), (Rows(rows.form_prefix), None)]
            else:
                asked = questions[path]
                own = None if asked.asked_if == group.asked_if else asked.asked_if
                entries.append((asked.name, own))
        fieldset = Fieldset(group.legend, *_runs(entries, names))
        fieldsets.append(
            branch(group.asked_if, names, fieldset) if group.asked_if else fieldset
        )
    return Layout(*fieldsets)


def relative(section: str, path: str) -> str:
    """`vitals.bmi` -> `bmi` below its section."""
    parts = relative_to_section(section, path)
    return ".".join(str(p) for p in parts)


def skip_values(
    questions: Iterator[Question], value: dict[str, Any], section: str
) -> None:
    """Give each question that is not asked its named skip value, in place (2.1)."""
    answers = {f"{section}.{key}": answer for key, answer in value.items()}
    for asked in questions:
        if not questionnaire.asked(asked, answers):
            value[asked.name] = asked.not_asked_value


def not_asked_reasons(
    questions: Iterator[Question], value: Any, section: str
) -> list[str]:
    """Relative paths of skipped questions that record the reason "not_asked"."""
    answers = {f"{section}.{key}": answer for key, answer in (value or {}).items()}
    return [
        asked.name
        for asked in questions
        if asked.not_asked_reason and not questionnaire.asked(asked, answers)
    ]


class DeclaredSectionForm(SectionForm):
    """A page whose questions are all plain declared questions."""

    slug: str

    @classmethod
    def page(cls) -> questionnaire.Page:
        return questionnaire.page(cls.slug)

    def layout(self) -> Layout:
        return page_layout(self.page())

    def build(self) -> dict[str, Any]:
        asked = list(declared_questions(self.page()))
        value = {q.name: self.answer(q.name) for q in asked}
        skip_values(iter(asked), value, self.section)
        return value

    def hidden_not_asked(self, value: Any) -> list[str]:
        return not_asked_reasons(declared_questions(self.page()), value, self.section)


def declare(form: type[SectionForm], slug: str, **extra: dict[str, Any]) -> None:
    """Give a section form its page's title and declared fields; `extra` adds a
    field's page-only arguments by name."""
    page = questionnaire.page(slug)
    form.section, form.title, form.notice = page.section, page.title, page.notice
    form.base_fields.update(declared_fields(page, extra))


def page_instruments(page: Page) -> list[Instrument]:
    """The instruments the page asks, in page order."""
    section = questionnaire.section(page.section)
    return [
        each
        for group in page.groups
        for each in section.instruments
        if each.path in group.paths
    ]


def refuse_answers_when_not_given(form: Any, given: str, items: list[str]) -> None:
    """Answers under "Not administered" would be dropped: say so, never lose them."""
    if form.answer(given) is None and any(form.answer(i) is not None for i in items):
        form.add_error(
            given,
            "You chose \u201cNot administered\u201d but some questions have answers. "
            "Choose \u201cAdministered\u201d to keep them, or clear them first.",
        )


def instrument_value(form: Any, instrument: Instrument) -> Any:
    """An instrument's value from the cleaned answers: its items, branching applied,
    or None when it was not administered."""
    names = [instrument.field_name(i) for i in range(instrument.length)]
    if instrument.scoring.method == "total_only":
        return form.answer(names[0])
    refuse_answers_when_not_given(form, given_name(instrument), names)
    if not form.answer(given_name(instrument)):
        return None
    if instrument.is_list:
        return [form.answer(name) for name in names]
    value = {
        item.name: form.answer(name)
        for item, name in zip(instrument.items, names, strict=True)
    }
    answers = {f"{instrument.path}.{key}": answer for key, answer in value.items()}
    for item in instrument.items:
        if not questionnaire.asked(item, answers):
            value[item.name] = item.not_asked_value
    return value


def skipped_items(instrument: Instrument, value: Any, section: str) -> list[str]:
    """Relative paths of items not asked by design, whose null needs no reason."""
    if instrument.is_list or not isinstance(value, dict) or not value:
        return []
    answers = {f"{instrument.path}.{key}": answer for key, answer in value.items()}
    return [
        relative(section, item.path)
        for item in instrument.items
        if item.not_asked_value is None
        and not item.not_asked_reason
        and not questionnaire.asked(item, answers)
    ]


def takes_quick_scores(instrument: Instrument) -> bool:
    """A symptom scale whose items are all asked and each scored by one digit, as
    typed from the paper form (its answers show their scores, `scored_choices`)."""
    return (
        instrument.path.startswith("scales.")
        and instrument.scoring.method == "sum"
        and instrument.is_list
        and 0 < instrument.scoring.item_max <= 9
        and not any(item.asked_if for item in instrument.items)
    )


def quick_score_boxes(page: Page) -> list[dict[str, Any]]:
    """What the quick-entry box of each such instrument of the page needs."""
    return [
        {
            "id": f"quick-{each.form_prefix}",
            "name": each.name,
            "length": each.length,
            "max": each.scoring.item_max,
            "given": given_name(each),
            "items": " ".join(each.field_name(i) for i in range(each.length)),
        }
        for each in page_instruments(page)
        if takes_quick_scores(each)
    ]


class InstrumentsForm(DeclaredSectionForm):
    """A page of instruments (and perhaps lists and questions besides)."""

    def layout(self) -> Layout:
        layout = super().layout()
        boxes = quick_score_boxes(self.page())
        if boxes:
            layout.fields.insert(0, QuickScores(boxes))
        return layout

    @classmethod
    def declare_paths(cls) -> None:
        for each in page_instruments(cls.page()):
            cls.paths = {**cls.paths, **instrument_paths(each, cls.section)}

    def offer_expected(self, *, first_time: bool) -> None:
        """An instrument every intake expects is offered as given until first saved."""
        if not first_time:
            return
        for each in page_instruments(self.page()):
            if each.expected and each.scoring.method != "total_only":
                self.initial[given_name(each)] = "yes"

    def instrument_values(self) -> dict[str, Any]:
        return {
            relative(self.section, each.path): instrument_value(self, each)
            for each in page_instruments(self.page())
        }

    def skipped(self, value: Any) -> list[str]:
        return [
            path
            for each in page_instruments(self.page())
            for path in skipped_items(
                each, (value or {}).get(relative(self.section, each.path)), self.section
            )
        ]


def row_fields(
    rows: RowList,
    names: dict[str, str] | None = None,
    **extra: dict[str, Any],
) -> dict[str, forms.Field]:
    """The fields of one row of a list, by field name (`names` renames a column whose
    name cannot be a field's, such as `class`); labels start with a capital. `extra`
    gives a field page-only arguments (`select=True` for a drop-down)."""
    names = names or {}
    fields: dict[str, forms.Field] = {}
    for column in rows.row:
        name = names.get(column.name, column.name)
        more = dict(extra.get(name, {}))
        fields[name] = answer_field(column, label=capitalised(column.label), **more)
    return fields


def row_layout(rows: RowList, *names: str) -> list[Any]:
    """Row fields (by column name) in order, each wrapped in its condition."""
    columns = {column.name: column for column in rows.row}
    paths = {column.path: column.name for column in rows.row}
    return _runs([(name, columns[name].asked_if) for name in names], paths)
