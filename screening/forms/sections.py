"""SectionForm: one intake/1 section edited on one page, checked like the importer.

A section form turns posted answers into the section's intake/1 value, applies the
branching of intake-format.md 2.1, and then runs the importer's own checks
(`intake_format.validate_section`) on that value, attaching each Issue to the field its
path names. Implausible values (section 4.2 warnings) are kept only once the user ticks
"I have checked these values" and says why. List sections hold their rows in RowsBlocks
(formsets that work without JavaScript).
"""

from collections.abc import Iterator
from typing import Any, ClassVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.http import QueryDict
from django.utils import timezone

from screening import intake_format
from screening.forms.answers import (
    ON,
    WHY,
    AnswerField,
    ChoiceAnswerField,
    DateAnswerField,
    EventDateField,
    ReasonField,
)
from screening.forms.layout import answers_written_directly
from screening.forms.paths import (
    ABSENT,
    flatten,
    join_path,
    parse_path,
    relative_to_section,
    value_at,
)
from screening.models import Intake, IntakeSection
from screening.questionnaire.labels import answer_text, question_label
from screening.services.documents import section_value

FIELD_TEMPLATE = "includes/_answer_field.html"
MAX_ROWS = 50  # intake/1 lists hold at most 50 entries (intake-format.md §1)
WARNINGS_PENDING = (
    "Some values are unusual. Check the values marked below. If they are right, tick "
    "\u201cI have checked these values\u201d, say why, and save again."
)
CONFIRM_IF_RIGHT = "If it is right, confirm it below."
ROWS_ERROR = (
    "Correct the rows marked below, or tick \u201cRemove\u201d on a row you do not "
    "want."
)


class AnswerForm(forms.Form):
    """A form whose fields are intake/1 answers at known paths, with companions."""

    # Field name -> path relative to the value this form edits; default: the name.
    paths: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_warnings: dict[str, list[str]] = {}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.field_template = FIELD_TEMPLATE
        # No widget of ours has media (the CSP allows no inline script either): asking
        # every widget of a 40-answer page for it cost more than a query (#19).
        self.helper.include_media = False
        for name, field in list(self.fields.items()):
            if isinstance(field, EventDateField):
                self.fields[name + ON] = DateAnswerField(
                    label=f"Date of: {field.label}"
                )
            if isinstance(field, AnswerField) and field.has_reason:
                self.fields[name + WHY] = ReasonField.copied()

    @classmethod
    def path_of(cls, name: str) -> str:
        return cls.paths.get(name, name)

    @classmethod
    def answer_names(cls) -> Iterator[str]:
        for name, field in cls.base_fields.items():
            if isinstance(field, AnswerField):
                yield name

    @classmethod
    def initial_from(
        cls, value: Any, reasons: dict[str, str], base: str
    ) -> dict[str, Any]:
        """Widget values for a stored value; `base` is the full path of that value."""
        initial: dict[str, Any] = {}
        base_parts = parse_path(base)  # each path parsed once: a page has 40 to 120
        for name in cls.answer_names():
            field = cls.base_fields[name]
            parts = parse_path(cls.path_of(name))
            path = join_path([*base_parts, *parts])
            stored = value_at(value, parts)
            stored = None if stored is ABSENT else stored
            initial[name] = field.initial_for(stored)  # type: ignore[attr-defined]
            if isinstance(field, EventDateField) and isinstance(stored, str):
                initial[name + ON] = stored
            if field.has_reason and path in reasons:  # type: ignore[attr-defined]
                initial[name + WHY] = reasons[path]
        return initial

    def answer(self, name: str) -> Any:
        """The cleaned answer (None when not answered, or when it failed to clean)."""
        return getattr(self, "cleaned_data", {}).get(name)

    def event_date(self, name: str) -> Any:
        """Never -> False, Date -> the typed date, Not answered -> None."""
        choice, typed = self.answer(name), self.answer(name + ON)
        if choice == "never":
            if typed:
                self.add_error(
                    name,
                    "You chose \u201cNever\u201d but typed a date: clear the date "
                    "or choose \u201cDate\u201d.",
                )
            return False
        if choice == "date" and not typed and name + ON not in self.errors:
            self.add_error(
                name,
                "Type the date, or choose \u201cNever\u201d or "
                "\u201cNot answered\u201d.",
            )
        # A typed date wins over "Not answered": the user meant to record it.
        return typed or None

    def reasons_for(self, value: Any, base: str) -> dict[str, str]:
        """The reasons given for the answers that are null in the built value."""
        reasons: dict[str, str] = {}
        for name in self.answer_names():
            reason = self.answer(name + WHY)
            if not reason:
                continue
            parts = parse_path(self.path_of(name))
            if value_at(value, parts) is None:  # null, and not inside a null block
                reasons[join_path([*parse_path(base), *parts])] = reason
        return reasons

    def name_for(self, parts: list[str | int]) -> str | None:
        """The field whose path is the longest prefix of `parts`."""
        by_path = {tuple(parse_path(self.path_of(name))): name for name in self.fields}
        for end in range(len(parts), 0, -1):
            name = by_path.get(tuple(parts[:end]))
            if name is not None:
                return name
        return None

    def mark_invalid(self) -> None:
        """Mark the widgets of fields with errors for Bootstrap's styling."""
        if not self.helper.form_show_errors:
            return
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                widget.attrs["class"] = f"{css} is-invalid".strip()


class RowForm(AnswerForm):
    """One row of a list (an allergy, a medication, a trial, ...)."""

    use_required_attribute = False
    # Answers only a clinician enters (rule book §9): for anyone else they are left
    # out of the page and keep their stored value when the row is saved.
    clinician_only: ClassVar[tuple[str, ...]] = ()

    def build_row(self) -> dict[str, Any]:
        """The row's intake/1 value: each answer under its path. A row whose value is
        more than its answers (a trial) says so by overriding this."""
        return {self.path_of(name): self.answer(name) for name in self.answer_names()}

    def row_layout(self) -> Layout:
        raise NotImplementedError

    def __init__(
        self, *args: Any, may_enter_clinician_answers: bool = True, **kwargs: Any
    ) -> None:
        self.may_enter_clinician_answers = may_enter_clinician_answers
        super().__init__(*args, **kwargs)
        if not may_enter_clinician_answers:
            for name in self.clinician_only:
                for part in (name, name + WHY):
                    if part in self.fields:  # disabled: the stored value stands
                        self.fields[part].disabled = True
        self.helper.layout = answers_written_directly(self.row_layout())


class BaseRowFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    # The words of intake/1's own refusal (intake_format.schema), shown beside the
    # list (#13 F5).
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": "This list has too many rows: it may have at most %(num)d "
        "entries. Remove rows until there are %(num)d or fewer.",
    }

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this row"
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


class RowsBlock:
    """A list answer: "Was this asked?" in the section form, and the rows (a formset).

    Not asked -> null, none (in the list's words: "No known allergies") -> [],
    Listed below -> the rows, in order.
    """

    NOT_ASKED, NONE, ROWS = "", "none", "rows"

    def __init__(
        self,
        owner: "SectionForm",
        *,
        asked: str,
        path: str,
        row_form: type[RowForm],
        prefix: str,
        noun: str,
    ) -> None:
        self.owner, self.asked, self.path, self.prefix, self.noun = (
            owner,
            asked,
            path,
            prefix,
            noun,
        )
        self.parts = relative_to_section(owner.section, path)
        stored = value_at(owner.stored, self.parts)
        rows = stored if isinstance(stored, list) else []
        formset_class = forms.formset_factory(
            row_form,
            formset=BaseRowFormSet,
            # A blank row only to start a list: under saved rows it read as a saved,
            # empty one; "Add another row" adds it.
            extra=0 if rows else 1,
            can_delete=True,
            max_num=MAX_ROWS,
            # Rows posted past the limit are still shown with the refusal, so nothing
            # typed is lost; beyond this bound (a tampered count) they are dropped.
            absolute_max=2 * MAX_ROWS,
            validate_max=True,
        )
        data = owner.data if owner.is_bound else None
        if data is not None and owner.adding_row == prefix:
            total = f"{prefix}-TOTAL_FORMS"
            shown = data.get(total, "")
            count = int(shown) if shown.isdigit() else 0  # a tampered count: no rows
            data[total] = str(min(count + 1, MAX_ROWS))
            data[asked] = self.ROWS
        initial = [
            row_form.initial_from(row, owner.stored_reasons, f"{path}[{index}]")
            for index, row in enumerate(rows)
        ]
        # The stored rows are the initial values also when posted: a disabled
        # (clinician-only) answer keeps its stored value through them.
        self.formset = formset_class(
            data,
            prefix=prefix,
            initial=initial,
            form_kwargs={
                "may_enter_clinician_answers": owner.may_enter_clinician_answers
            },
        )
        self.kept: list[RowForm] = []

    def initial_asked(self) -> str:
        stored = value_at(self.owner.stored, self.parts)
        if stored is None or stored is ABSENT:
            return self.NOT_ASKED
        return self.ROWS if stored else self.NONE

    def is_valid(self) -> bool:
        return self.formset.is_valid()

    def filled_rows(self) -> list[RowForm]:
        self.formset.errors  # noqa: B018 - cleans every row, so each has cleaned_data
        kept = []
        for form in self.formset.forms:
            if self.formset.can_delete and self.formset._should_delete_form(form):
                continue
            if not form.has_changed() and form.empty_permitted:
                continue  # a blank extra row
            kept.append(form)
        return kept

    def build(self) -> list[dict[str, Any]] | None:
        """The list value; an answer contradicting the rows is an error, not a loss."""
        self.kept = self.filled_rows()
        if self.formset.non_form_errors():
            return None  # refused as a whole (too many rows), said beside the list
        asked = self.owner.answer(self.asked)
        if asked is None and self.asked in self.owner.errors:
            return None
        words = dict(self.owner.fields[self.asked].choices)
        if asked is None or asked == self.NONE:
            if self.kept:
                chosen = words[self.NOT_ASKED if asked is None else self.NONE]
                self.owner.add_error(
                    self.asked,
                    f"You chose \u201c{chosen}\u201d but filled in rows: choose "
                    f"\u201c{words[self.ROWS]}\u201d, or remove the rows.",
                )
            return None if asked is None else []
        if not self.kept:
            self.owner.add_error(
                self.asked,
                f"Fill in at least one row, or choose \u201c{words[self.NONE]}\u201d.",
            )
        return [form.build_row() for form in self.kept]

    def reasons(self, rows: list[dict[str, Any]] | None) -> dict[str, str]:
        reasons: dict[str, str] = {}
        for index, (form, row) in enumerate(zip(self.kept, rows or [], strict=False)):
            reasons.update(form.reasons_for(row, f"{self.path}[{index}]"))
        return reasons

    def row_for(self, index: int) -> RowForm | None:
        return self.kept[index] if index < len(self.kept) else None


def asked_field(label: str, none_label: str) -> ChoiceAnswerField:
    """Whether a list was asked: none (in the list's words), listed below, or not."""
    return ChoiceAnswerField(
        choices=[
            (RowsBlock.NONE, none_label),
            (RowsBlock.ROWS, "Listed below"),
        ],
        null_label="Not asked",
        label=label,
    )


class SectionForm(AnswerForm):
    """The page of one intake/1 section (or, for scales, of some of its keys)."""

    section: ClassVar[str]
    title: ClassVar[str]
    # A note shown above the form (licensing, who is recorded as entering it).
    notice: ClassVar[str] = ""
    # For a page that edits only some keys of a dict section (the two scales pages).
    own_keys: ClassVar[tuple[str, ...] | None] = None

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    warned = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm_warnings = forms.BooleanField(
        required=False, label="I have checked these values and they are right"
    )
    confirm_reason = forms.CharField(
        required=False,
        max_length=500,
        label="Why the values are right",
        help_text="For example: rechecked on a second reading.",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        section: IntakeSection,
        intake: Intake,
        age: int | None = None,
        may_enter_clinician_answers: bool = True,
    ) -> None:
        self.section_row, self.intake, self.age = section, intake, age
        self.may_enter_clinician_answers = may_enter_clinician_answers
        self.today = timezone.localdate()
        self.stored = section_value(section, intake)
        self.stored_reasons = dict(section.missing_reasons or {})
        self.adding_row: str | None = None
        if data is not None:
            data = data.copy()  # mutable: "add row" and a conflict update it
            self.adding_row = data.get("add_row") or None
        initial = self.initial_from(self.stored, self.stored_reasons, self.section)
        initial["version"] = section.version
        super().__init__(data, initial=initial)
        self.blocks: dict[str, RowsBlock] = {}
        self.make_blocks()
        for block in self.blocks.values():
            self.initial[block.asked] = block.initial_asked()
        for form in self.all_forms():
            for field in form.fields.values():
                if isinstance(field, DateAnswerField):
                    field.latest = intake.intake_on
        self.value: Any = None
        self.missing_reasons: dict[str, str] = {}
        self.confirmed_warnings: dict[str, str] = {}
        self.warnings_pending: list[intake_format.Issue] = []
        self.helper.render_hidden_fields = True
        # No autofocus: on an option, one stray arrow key would change an answer
        # (#16); static/js/intake_focus.js places the focus.
        self.helper.layout = answers_written_directly(self.layout())

    # What each section defines

    def make_blocks(self) -> None:
        """Create the section's RowsBlocks (list sections only)."""

    def layout(self) -> Layout:
        raise NotImplementedError

    def build(self) -> Any:
        """The section's (own) value from the cleaned answers, branching applied."""
        raise NotImplementedError

    def hidden_not_asked(self, value: Any) -> list[str]:
        """Relative paths hidden by branching that get the reason "not_asked"."""
        return []

    def skipped(self, value: Any) -> list[str]:
        """Relative paths hidden by branching whose null is their named skip value.

        They carry no reason: the question was not asked by design (2.1).
        """
        return []

    # The flow

    def all_forms(self) -> Iterator[AnswerForm]:
        yield self
        for block in self.blocks.values():
            yield from block.formset.forms

    def is_valid(self) -> bool:
        if self.adding_row is not None:
            # Not a save: show the new row, keep every value, judge nothing yet.
            for form in self.all_forms():
                form.helper.form_show_errors = False
            self.focus_new_row()
            return False
        super().is_valid()  # field checks and clean()
        # Every block is validated (no short cut), so every row shows its errors.
        rows_ok = all([block.is_valid() for block in self.blocks.values()])  # noqa: C419
        self.value = self.merged(self.build())
        self.missing_reasons = self.merged_reasons(self.reasons(self.value))
        self.attach_issues(self.check_section())
        if not rows_ok:
            whole = [
                error
                for block in self.blocks.values()
                for error in block.formset.non_form_errors()
            ]
            self.add_error(None, whole or ROWS_ERROR)
        if "version" in self.errors:  # only a tampered page posts no version number
            self.add_error(None, "This page is out of date. Open the section again.")
        if not self.errors:
            self.check_warnings()
        for form in self.all_forms():
            form.mark_invalid()
        return not self.errors and rows_ok

    def merged(self, own: Any) -> Any:
        if self.own_keys is None:
            return own
        return {**(self.stored or {}), **own}

    def owns(self, path: str) -> bool:
        parts = relative_to_section(self.section, path)
        return self.own_keys is None or (bool(parts) and parts[0] in self.own_keys)

    def reasons(self, value: Any) -> dict[str, str]:
        reasons = self.reasons_for(value, self.section)
        for block in self.blocks.values():
            reasons.update(block.reasons(value_at(value, block.parts)))
        for rel in self.skipped(value):
            reasons.pop(join_path([self.section, *parse_path(rel)]), None)
        for rel in self.hidden_not_asked(value):
            reasons[join_path([self.section, *parse_path(rel)])] = "not_asked"
        return reasons

    def merged_reasons(self, own: dict[str, str]) -> dict[str, str]:
        """The reasons to store: this page's, the other scales page's, and any stored
        reason no field of this page manages (an imported note's reason, say) while
        its field is still null, so an edit never loses what an import recorded."""
        managed = set(self.managed_paths())
        kept = {
            path: reason
            for path, reason in self.stored_reasons.items()
            if not self.owns(path)
            or (
                path not in managed
                and value_at(self.value, relative_to_section(self.section, path))
                is None
            )
        }
        return {**kept, **own}

    def managed_paths(self) -> Iterator[str]:
        """Full paths of the answers this page gives a reason select (or clears)."""
        forms: list[tuple[AnswerForm, str]] = [(self, self.section)]
        for block in self.blocks.values():
            forms += [
                (row, f"{block.path}[{index}]")
                for index, row in enumerate(block.formset.forms)
            ]
        for form, base in forms:
            for name in form.answer_names():
                if form.fields[name].has_reason:  # type: ignore[attr-defined]
                    yield join_path(
                        [*parse_path(base), *parse_path(form.path_of(name))]
                    )
        for rel in [*self.skipped(self.value), *self.hidden_not_asked(self.value)]:
            yield join_path([self.section, *parse_path(rel)])

    def check_section(self) -> list[intake_format.Issue]:
        return intake_format.validate_section(
            self.section,
            self.value,
            intake_date=self.intake.intake_on,
            today=self.today,
            age=self.age,
            missing_reasons=self.missing_reasons,
        )

    def locate(self, path: str) -> tuple[AnswerForm, str | None]:
        """The form and field an Issue's path names (None: a non-field message)."""
        if path.startswith("missing_reasons["):
            return self.locate(path[len("missing_reasons[") : -1].strip('"'))
        parts = relative_to_section(self.section, path)
        for block in self.blocks.values():
            depth = len(block.parts)
            if parts[:depth] == block.parts and len(parts) > depth:
                index = parts[depth]
                row = block.row_for(index) if isinstance(index, int) else None
                if row is None:
                    return self, block.asked
                return row, row.name_for(parts[depth + 1 :])
            if parts == block.parts:
                return self, block.asked
        return self, self.name_for(parts)

    def attach_issues(self, issues: list[intake_format.Issue]) -> None:
        for issue in issues:
            form, name = self.locate(issue.path)
            if name is not None and name in form.errors:
                continue  # the field's own message already says what to do
            form.add_error(name, sentence(issue.message))

    def check_warnings(self) -> None:
        warnings = intake_format.section_warnings(
            self.section,
            self.value,
            intake_date=self.intake.intake_on,
            age=self.age,
            medical_history=self.other_section("medical_history"),
        )
        previous = dict(self.section_row.confirmed_warnings or {})
        confirmed = {p: r for p, r in previous.items() if not self.owns(p)}
        pending = []
        for issue in warnings:
            if not self.owns(issue.path):
                continue
            parts = relative_to_section(self.section, issue.path)
            unchanged = value_at(self.stored, parts) == value_at(self.value, parts)
            if issue.path in previous and unchanged:
                confirmed[issue.path] = previous[issue.path]
            else:
                pending.append(issue)
        shown = set(self.cleaned_data.get("warned", "").split())
        reason = (self.cleaned_data.get("confirm_reason") or "").strip()
        ticked = self.cleaned_data.get("confirm_warnings")
        if pending and ticked and {w.path for w in pending} <= shown:
            if reason:
                confirmed.update(dict.fromkeys((w.path for w in pending), reason))
                pending = []
            else:
                self.add_error(
                    "confirm_reason",
                    "Say why the values are right, for example \u201crechecked on a "
                    "second reading\u201d.",
                )
        self.confirmed_warnings = confirmed
        if pending:
            self.warnings_pending = pending
            self.data["warned"] = " ".join(sorted({w.path for w in pending}))
            if not reason:
                self.data["confirm_warnings"] = ""
            for issue in pending:
                form, name = self.locate(issue.path)
                text = sentence(issue.message, then=CONFIRM_IF_RIGHT)
                if name is None:
                    form.add_error(None, f"{question_label(issue.path)}: {text}")
                else:
                    form.field_warnings.setdefault(name, []).append(text)
            self.add_error(None, WARNINGS_PENDING)
            self.helper.layout.append(
                Fieldset(
                    "Check these values",
                    "confirm_warnings",
                    "confirm_reason",
                    css_class="border border-warning rounded p-3 mb-3",
                )
            )

    def other_section(self, kind: str) -> Any:
        """Another section's saved value (a warning may compare against it)."""
        other = self.intake.sections_by_kind.get(kind)
        return section_value(other, self.intake) if other is not None else None

    def focus_new_row(self) -> None:
        block = next(
            (b for b in self.blocks.values() if b.prefix == self.adding_row), None
        )
        if block is not None and block.formset.forms:
            row = block.formset.forms[-1]
            first = row.helper.layout.get_field_names()[0].name
            row.fields[first].widget.attrs["autofocus"] = True

    # After a save was refused as stale

    def conflict_rows(self, saved: IntakeSection) -> list[dict[str, str]]:
        """Field by field, what the user submitted beside what is saved now."""
        saved_value = saved.data if saved.is_saved else None
        mine = dict(self._leaves(self.value, self.missing_reasons))
        theirs = dict(self._leaves(saved_value, saved.missing_reasons or {}))
        rows = []
        for path in dict.fromkeys([*mine, *theirs]):
            if not self.owns(path) or mine.get(path) == theirs.get(path):
                continue
            rows.append(
                {
                    "question": question_label(path),
                    "yours": mine.get(path, "Not answered"),
                    "saved": theirs.get(path, "Not answered"),
                }
            )
        return rows

    def _leaves(self, value: Any, reasons: dict[str, str]) -> Iterator[tuple[str, str]]:
        for path, leaf in flatten(value, self.section):
            text = answer_text(path, leaf)
            if leaf is None and path in reasons:
                text = f"{text} ({reasons[path].replace('_', ' ')})"
            yield path, text

    def accept_version(self, version: int) -> None:
        """Let the user resubmit their values against the version now saved."""
        self.data["version"] = str(version)


def sentence(message: str, then: str = "Correct this answer.") -> str:
    """An importer message as a sentence that ends by telling the user what to do."""
    text = message.strip()
    text = text[:1].upper() + text[1:]
    if not text.endswith("."):
        text += "."
    return f"{text} {then}"
