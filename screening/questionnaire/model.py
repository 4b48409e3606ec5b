"""The building blocks of the declaration: questions, conditions, instruments, pages.

Every value is frozen. A path is written as the rule book writes it (`vitals.bmi`,
`antidepressant_trials[].drug`, `scales.phq9[8]`); see `paths.py` for the grammar.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

# What a question's answer is (and how its form field, schema and fact look).
YES_NO: Final = "yes_no"  # true / false / null
INTEGER: Final = "integer"
DECIMAL: Final = "decimal"  # a JSON number, kept exact
CHOICE: Final = "choice"  # one of the declared options
DATE: Final = "date"  # YYYY-MM-DD
EVENT_DATE: Final = "event_date"  # a date, false for never, or null
TEXT: Final = "text"
LINES: Final = "lines"  # a list of short texts, one per line
ROWS: Final = "rows"  # a list of rows: null = not asked, [] = none
KINDS: Final = (YES_NO, INTEGER, DECIMAL, CHOICE, DATE, EVENT_DATE, TEXT, LINES, ROWS)

# Who may enter an answer (the patient self-report issue builds on this).
STAFF: Final = "staff"  # intake staff or a clinician
CLINICIAN: Final = "clinician"  # a clinician only (rule book §8.6, §8.7, §9)
PATIENT: Final = "patient"  # the patient may answer it themselves; staff may too
ENTRIES: Final = (STAFF, CLINICIAN, PATIENT)

# The reasons intake/1 allows for an unanswered question (intake-format.md 2.4).
MISSING_REASONS: Final = ("declined", "unknown", "not_asked")

LOINC: Final = "http://loinc.org"
# Our own code system, for what has no LOINC code (the MADRS total, rule book §9).
LOCAL: Final = "urn:screening:questionnaire"

Answer = str | int | bool | None
Operator = Literal["=", "!="]


@dataclass(frozen=True)
class Option:
    """One answer option: the stored value and its words."""

    value: str | int | bool
    label: str


@dataclass(frozen=True)
class Code:
    """A code for a question or a score (LOINC where one exists)."""

    system: str
    code: str
    display: str


@dataclass(frozen=True)
class When:
    """One test of an "asked only if" condition; maps onto a FHIR enableWhen."""

    path: str  # the full path of the question it reads
    operator: Operator
    value: Answer

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the test holds for the answers (full path -> answer)."""
        answer = answers.get(self.path)
        if self.value is None:  # `!= None` is FHIR's `exists`
            equal = answer is None
        else:
            equal = answer is not None and answer == self.value and _same(answer, self)
        return equal if self.operator == "=" else not equal


def _same(answer: Any, when: When) -> bool:
    # True == 1 in Python; a yes/no answer never equals an item score.
    return isinstance(answer, bool) == isinstance(when.value, bool)


@dataclass(frozen=True)
class Condition:
    """ "Asked only if": tests combined by all or any (FHIR enableBehavior)."""

    whens: tuple[When, ...]
    behavior: Literal["all", "any"] = "all"

    def holds(self, answers: Mapping[str, Any]) -> bool:
        tests = (when.holds(answers) for when in self.whens)
        return all(tests) if self.behavior == "all" else any(tests)


def asked_if(path: str, operator: Operator, value: Answer) -> Condition:
    """A condition of one test: `asked_if("indication.primary", "=", "ptsd")`."""
    return Condition((When(path, operator, value),))


def all_of(*conditions: Condition) -> Condition:
    return Condition(tuple(w for c in conditions for w in c.whens), "all")


def any_of(*conditions: Condition) -> Condition:
    return Condition(tuple(w for c in conditions for w in c.whens), "any")


@dataclass(frozen=True)
class Fact:
    """A question that rules read directly, as the vocabulary lists it (§14)."""

    meaning: str
    example: Any
    # The fact's values when they differ from the options (pregnancy "unknown").
    values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Question:
    """One answer of the intake, at one path."""

    path: str
    kind: str
    label: str
    help: str = ""
    unit: str = ""
    # The range intake/1 accepts (its schema), and the plausible range of §4.2 warnings.
    minimum: int | None = None
    maximum: int | None = None
    exclusive_minimum: bool = False
    places: int | None = None  # decimal places a form accepts
    plausible: tuple[int, int] | None = None
    options: tuple[Option, ...] = ()
    # False: never null (age, the primary indication, a row's name).
    nullable: bool = True
    # True: a note or detail that never counts as unanswered.
    optional: bool = False
    reasons: tuple[str, ...] = MISSING_REASONS
    asked_if: Condition | None = None
    # What the question holds when it is not asked: its named skip value (2.1).
    not_asked_value: Answer = None
    # "not_asked" when a skipped question also records that reason, else None.
    not_asked_reason: str | None = None
    entry: str = STAFF
    codes: tuple[Code, ...] = ()
    fact: Fact | None = None
    # The value `checklist_default: "all_false"` gives an unlisted checklist item.
    no_value: Any = None
    # Whether intake/1 requires the key in its object.
    required: bool = False
    # The words of "not answered" when they say more ("Not recorded").
    null_label: str = ""
    # An instrument item's number as the form shows it ("1", "q6 within 3 months").
    number: str = ""
    # Never carried into the next intake, though its section is (#18): it feeds an
    # absolute rule (rule book §5.9, DATA-MISSING-CI-CHECKLIST) or describes the
    # present episode. Names that say "now" (`*_current`, `*_untreated`,
    # `uncontrolled_*`) need no mark: questionnaire/carry_over.py reads them.
    asked_afresh: bool = False

    @property
    def name(self) -> str:
        """The last name of the path: `bp_systolic`, `drug`, `q6_within_3_months`."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def counted(self) -> bool:
        """Whether an unanswered value counts against the section's progress."""
        return self.nullable and not self.optional

    def option_label(self, value: Any) -> str | None:
        """The words of a stored value's option; None when it is no option's."""
        for option in self.options:
            if When(self.path, "=", option.value).holds({self.path: value}):
                return option.label
        return None


@dataclass(frozen=True)
class RowList:
    """A list answer: "Was this asked?" and its rows (null = not asked, [] = none)."""

    path: str
    label: str
    noun: str  # what one row is called: "Trial 2: weeks at dose"
    legend: str
    row: tuple[Question, ...]  # paths `<list>[].<name>`
    asked_label: str = "Was this asked?"
    # The answer "asked, and there are none", in the list's own words ("No known
    # allergies"): it starts with a letter of its own, so typing it chooses it (#16).
    none_label: str = "None"
    required: bool = True
    max_items: int = 50  # intake-format.md §1 erratum: every list holds at most 50
    entry: str = STAFF
    # The formset prefix of its rows on the form ("rows" on a page that is one list).
    form_prefix: str = "rows"
    # Stable history: the next intake starts from these rows (#18).
    carried_over: bool = False

    def column(self, name: str) -> Question:
        return next(q for q in self.row if q.name == name)


@dataclass(frozen=True)
class Scoring:
    """How an instrument's items make its total (rule book §8)."""

    method: Literal["sum", "cssrs", "total_only"]
    item_max: int = 0
    # 1-based items scored on "No" (DAST-10 item 3, rule book §8.5).
    reversed_items: tuple[int, ...] = ()
    # (highest total, band) in ascending order.
    bands: tuple[tuple[int, str], ...] = ()
    # Change markers of the trends (#18), only where the rule book gives a number:
    # a reliable and a clinically meaningful change in points, and remission (a
    # total at or below this).
    reliable_change: int | None = None
    meaningful_change: int | None = None
    remission_at_most: int | None = None


@dataclass(frozen=True)
class Instrument:
    """A scored instrument: items, scoring, bands, completion and licence (§8-9)."""

    key: str  # the engine's code: PHQ9, AUDITC, CSSRS
    path: str  # `scales.phq9`
    name: str  # "PHQ-9"
    legend: str  # the fieldset legend of its form
    given_label: str
    items: tuple[Question, ...]
    scoring: Scoring
    completion: str  # the rule for a complete answer, in words
    licence: str  # what the app may show (rule book §9)
    total_codes: tuple[Code, ...] = ()
    panel_codes: tuple[Code, ...] = ()
    # The fact its items make for rules, when they are read as one list (§14).
    fact: Fact | None = None
    entry: str = STAFF
    # Whether progress counts it as unanswered while it is not administered.
    expected: bool = False
    required: bool = False
    # The field-name prefix of its items on the form: `phq9_1`, `audit_q1`.
    form_prefix: str = ""
    given_words: tuple[str, str] = ("Administered", "Not administered")
    # Whether its value is a list of items (PHQ-9) or an object of named items.
    is_list: bool = True
    # Item topics only, never the licensed wording (DAST-10, C-SSRS).
    topics_only: bool = False
    # Its name on the summary and in diffs, when that is not `name`.
    label: str = ""
    # Offered to the patient on the tablet only when it holds (or staff tick it). Not
    # "asked only if": it never hides the staff form or clears a staff answer (#17).
    patient_asked_if: Condition | None = None

    @property
    def title(self) -> str:
        return self.label or self.name

    @property
    def length(self) -> int:
        return len(self.items)

    @property
    def bands(self) -> tuple[tuple[int, str], ...]:
        return self.scoring.bands

    def item_path(self, index: int) -> str:
        """The path of item `index` (0-based): `scales.phq9[8]`, `...audit_c.q2`."""
        item = self.items[index]
        return f"{self.path}[{index}]" if self.is_list else item.path

    def field_name(self, index: int) -> str:
        """Its item's field name on the form: `phq9_1`, `audit_q1`, `madrs_total`."""
        if self.scoring.method == "total_only":
            return self.items[index].name
        if self.is_list:
            return f"{self.form_prefix}_{index + 1}"
        return f"{self.form_prefix}_{self.items[index].name}"


@dataclass(frozen=True)
class Group:
    """A fieldset of a page: a legend and the paths of its questions, in order."""

    legend: str
    paths: tuple[str, ...]
    # Shown only when it holds (the whole fieldset).
    asked_if: Condition | None = None


@dataclass(frozen=True)
class Page:
    """One form page: a section, or (for `scales`) some of its keys."""

    slug: str  # the URL slug; "" for the clinician-entered page
    section: str
    title: str
    groups: tuple[Group, ...]
    notice: str = ""
    # The keys of the section this page writes (None: the whole section).
    keys: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Section:
    """One intake/1 section: its questions, lists and instruments, in schema order."""

    name: str
    title: str
    questions: tuple[Question, ...] = ()
    lists: tuple[RowList, ...] = ()
    instruments: tuple[Instrument, ...] = ()
    # A list section (allergies, medications, trials) is one RowList.
    is_list: bool = False
    # A checklist (§1.2): `checklist_default` may fill unlisted items.
    is_checklist: bool = False
    # Stable history: the next intake starts from its questions' answers (#18).
    carried_over: bool = False
    pages: tuple[Page, ...] = field(default=())
