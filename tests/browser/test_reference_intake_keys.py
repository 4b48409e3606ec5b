"""The reference intake (tests/browser/reference-intake.json, a copy of the shared
one) entered with the keyboard only, every key through one counting helper: the key
presses besides the typed characters of the values stay within 150 (#16)."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from screening.models import Intake
from screening.services import exports
from tests.factories import ClinicFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = Path(__file__).with_name("reference-intake.json")
BUDGET = 150  # key presses besides the characters of the typed values
# What the pages need today (401 before the #16 work on key presses, 203 before the
# radio type-ahead and Enter as "Save and continue", 182 before type-ahead on a
# focused question and the focus moving on after "Mark the rest No", 164 before the
# scales' quick-entry boxes, 132 before the lists' "none" answers in their own words,
# 129 before a new patient's page focused the primary indication): a change that
# needs more fails this test.
TODAY = 127


class Keyboard:
    """The only way this test touches the page: key presses, each one counted."""

    def __init__(self, page: Page) -> None:
        self.page, self.keys, self.characters, self.loads = page, 0, 0, 0
        page.on("load", self._loaded)

    def _loaded(self, _page: Page) -> None:
        self.loads += 1

    def close(self) -> None:
        """Stop counting: the page loads of what follows are another count's."""
        self.page.remove_listener("load", self._loaded)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def type(self, text: str) -> None:
        """The characters of a value: counted as keys and as typed characters."""
        for character in text:
            self.page.keyboard.type(character)
        self.keys += len(text)
        self.characters += len(text)

    def active(self) -> dict:
        return self.page.evaluate(
            "() => { const e = document.activeElement; return {name: e.name || '',"
            " id: e.id || '', type: e.type || '', value: e.value || '',"
            " text: e.textContent || '',"
            " link: e.tagName === 'A' || e.tagName === 'BUTTON'}; }"
        )

    def before(self, name: str = "", text: str = "", id_: str = "") -> bool:
        """Whether the control (by name, by id, or a shown button or link by its text)
        comes before the focus on the page: a skilled user who sees the page goes back
        with Shift+Tab rather than round it."""
        return self.page.evaluate(
            "([name, text, id]) => { const target = id"
            " ? document.getElementById(id) : name"
            " ? document.getElementsByName(name)[0]"
            " : [...document.querySelectorAll('a, button')].find(e =>"
            " e.textContent.includes(text) && e.getClientRects().length"
            " && e.tabIndex >= 0);"
            " const here = document.activeElement;"
            " return !!target && here !== document.body && target !== here"
            " && !!(target.compareDocumentPosition(here)"
            " & Node.DOCUMENT_POSITION_FOLLOWING); }",
            [name, text, id_],
        )

    def tab_to(self, name: str = "", text: str = "", id_: str = "") -> None:
        """Tab (or Shift+Tab) to a control by name, by id (a box without a name), or a
        button or link by its text."""
        key = "Shift+Tab" if self.before(name, text, id_) else "Tab"
        for _ in range(400):
            now = self.active()
            if (
                (id_ and now["id"] == id_)
                or (name and now["name"] == name)
                or (text and now["link"] and text in now["text"])
            ):
                return
            self.press(key)
        raise AssertionError(f"never reached {id_ or name or text}")

    def press_button(self, text: str) -> None:
        """A button that acts on the page without loading another."""
        self.tab_to(text=text)
        self.press("Enter")

    def choose(self, name: str, value: str) -> None:
        """A radio group: arrow keys move and check (with wrap-around, the browser's
        own behaviour); Space checks the focused option of a group none is checked in;
        typing the start of an option's label or its score checks it (the page's
        type-ahead). Whichever takes fewer keys, as a practised user would. An option
        already checked, such as one carried from the patient, is skipped."""
        radios = f'input[type=radio][name="{name}"]'
        if self.page.locator(f'{radios}[value="{value}"]').is_checked():
            return
        options = self.page.locator(radios).evaluate_all(
            "radios => radios.filter(r => r.getClientRects().length).map(r =>"
            " ({value: r.value, checked: r.checked, text: (r.labels[0] ?"
            " r.labels[0].textContent : r.value).trim().toLowerCase()}))"
        )
        values = [option["value"] for option in options]
        if self.on_group_of(name):
            # The page focused the question's group: type-ahead starts from its
            # checked option, else its first; arrow keys do nothing there.
            checked = [option["checked"] for option in options]
            start = checked.index(True) if any(checked) else 0
            typed = type_ahead(options, start, values.index(value))
            if typed:
                for key in typed:
                    self.press(key)
                assert self.page.locator(f'{radios}[value="{value}"]').is_checked()
                assert self.active()["name"] == name, "the focus is on the option"
                return
        self.tab_to(name)
        here = values.index(self.active()["value"])
        steps = (values.index(value) - here) % len(values)
        if steps == 0:
            arrows = [" "]
        elif steps <= len(values) - steps:
            arrows = ["ArrowRight"] * steps
        else:
            arrows = ["ArrowLeft"] * (len(values) - steps)
        typed = type_ahead(options, here, values.index(value))
        for key in typed if typed and len(typed) < len(arrows) else arrows:
            self.press(key)
        assert self.page.locator(f'{radios}[value="{value}"]').is_checked(), (
            name,
            value,
        )
        assert self.active()["name"] == name, "the focus stays in the group"

    def on_group_of(self, name: str) -> bool:
        """Whether the focus is on the fieldset holding the options named name."""
        return self.page.evaluate(
            "(name) => { const e = document.activeElement;"
            " return e.tagName === 'FIELDSET' && !!e.querySelector("
            '`input[type=radio][name="${name}"]`); }',
            name,
        )

    def fill(self, name: str, text: str) -> None:
        self.tab_to(name)
        self.type(text)

    def fill_box(self, id_: str, text: str) -> None:
        """A text box without a name (a quick-entry box), found by its id."""
        self.tab_to(id_=id_)
        self.type(text)

    def pick(self, name: str, value: str) -> None:
        """A closed select: type the start of the option's label (type-ahead)."""
        self.tab_to(name)
        select = self.page.locator(f'select[name="{name}"]')
        label = select.locator(f'option[value="{value}"]').inner_text()
        for character in label.lower():
            if select.input_value() == value:
                break
            self.press(character)
        assert select.input_value() == value, (name, value)

    def activate(self, text: str) -> None:
        """Press a button or link with Enter, waiting for the page it opens."""
        self.tab_to(text=text)
        with self.page.expect_navigation():
            self.press("Enter")

    def submit(self, text: str) -> None:
        """Send the form by its button named text: Enter where the focus is on a text
        box or an option and the form's default button (its first) sends what that
        button sends, which is the browser's implicit submission; else Tab to the
        button (a textarea takes Enter as a new line)."""
        if self.active()["type"] in TEXT_BOXES | {"radio"} and self.page.evaluate(
            "(text) => { const form = document.activeElement.form;"
            " if (!form) return false;"
            " const buttons = [...form.querySelectorAll('button[type=submit]')];"
            " const named = buttons.find(b => b.textContent.includes(text)"
            " && b.getClientRects().length);"
            " return !!named && buttons[0].name === named.name"
            " && buttons[0].value === named.value; }",
            text,
        ):
            with self.page.expect_navigation():
                self.press("Enter")
        else:
            self.activate(text)

    def save_and_continue(self) -> None:
        """The section forms' default button is "Save and continue"."""
        self.submit("Save and continue")


TEXT_BOXES = {"text", "number", "date", "email", "tel", "search", "url"}
SCORE = re.compile(r"^\S+\s+[\u2014\u2013-]\s+(.*)$")


def _texts(option: dict) -> list[str]:
    score = SCORE.match(option["text"])
    return [option["text"], score.group(1)] if score else [option["text"]]


def _starts(option: dict, prefix: str) -> bool:
    return any(text.startswith(prefix) for text in _texts(option))


def _lands_on(options: list[dict], here: int, keys: str) -> int | None:
    """Where the page's type-ahead (static/js/radio_typeahead.js, mirrored here step
    by step) leaves the choice after typing keys from the focus on options[here]."""
    current, checked, typed = here, options[here]["checked"], ""
    for key in keys:
        typed += key
        found = None
        for prefix in (typed, key) if len(typed) > 1 else (typed,):
            start = current + 1 if checked else current
            order = [(start + n) % len(options) for n in range(len(options))]
            if len(prefix) > 1 and len(set(prefix)) > 1:
                order = [current, *order]
            else:
                prefix = prefix[0]
            found = next((n for n in order if _starts(options[n], prefix)), None)
            if found is not None:
                break
            typed = key  # nothing starts with the longer prefix: a new one
        if found is None:
            return None
        current, checked = found, True
    return current


def type_ahead(options: list[dict], here: int, target: int) -> list[str]:
    """The fewest characters that check options[target] from the focus on
    options[here] by the page's type-ahead: the start of its label, or its first
    character again and again (cycling through the answers it starts), or []."""
    tries = []
    for text in _texts(options[target]):
        typeable = ""
        for character in text:
            if character.isspace() or not character.isascii():
                break  # the type-ahead takes printable keys only
            typeable += character
        tries += [typeable[:n] for n in range(1, len(typeable) + 1)]
        tries += [typeable[:1] * n for n in range(2, len(options) + 1) if typeable]
    for keys in sorted(tries, key=len):
        if _lands_on(options, here, keys) == target:
            return list(keys)
    return []


YES_NO = {True: "yes", False: "no"}


def enter_present_sections(k: Keyboard, ref: dict) -> None:
    """Demographics, indication and vitals: typed at every visit (never carried)."""
    d = ref["demographics"]
    k.choose("sex_for_scoring", d["sex_for_scoring"])
    k.choose("reproductive_potential", YES_NO[d["reproductive_potential"]])
    k.choose("pregnancy_status", d["pregnancy_status"])
    k.fill("pregnancy_status_basis", d["pregnancy_status_basis"])
    k.choose("breastfeeding", YES_NO[d["breastfeeding"]])
    k.save_and_continue()

    i = ref["indication"]
    k.fill("detail", i["detail"])
    k.choose("episode", i["episode"])
    k.fill("current_episode_start", i["current_episode_start"])
    k.choose("episode_severity_clinician", i["episode_severity_clinician"])
    k.choose("augmentation_used", YES_NO[i["augmentation_used"]])
    k.choose("ect_used", YES_NO[i["ect_used"]])
    k.save_and_continue()

    v = ref["vitals"]
    for name in ("bp_systolic", "bp_diastolic", "heart_rate", "bmi"):
        k.fill(name, str(v[name]))
    k.save_and_continue()


def start_first_intake(k: Keyboard) -> None:
    """From the new-patient page: the patient, then an intake for depression."""
    k.fill("mrn", "UX-0045")
    k.fill("family_name", "Reference")
    k.fill("given_name", "Ruth")
    k.fill("date_of_birth", "1981-06-30")
    k.choose("sex_for_scoring", "female")
    k.submit("Create patient")
    # The page waits on the primary indication's group: its first letter chooses it.
    k.choose("primary_indication", "major_depressive_disorder")
    k.submit("Start the intake")
    k.activate("Demographics")  # the first section of the task list


def enter_reference_intake(k: Keyboard, ref: dict) -> None:
    enter_present_sections(k, ref)
    for part in ("medical_history", "psychiatric_history"):
        # Then the focus is on the next question not answered: other conditions.
        k.press_button("Mark every question not answered yet")
        k.fill("other_conditions", "\n".join(ref[part]["other_conditions"]))
        k.save_and_continue()

    k.choose("asked", "none")  # allergies
    k.save_and_continue()

    (m,) = ref["medications"]
    k.choose("asked", "rows")
    k.fill("rows-0-name", m["name"])
    k.pick("rows-0-drug_class", m["class"])
    k.fill("rows-0-daily_dose_mg", str(m["daily_dose_mg"]))
    k.save_and_continue()

    k.choose("asked", "rows")
    for n, trial in enumerate(ref["antidepressant_trials"]):
        if n:
            k.activate("Add another row")
        p = f"rows-{n}-"
        k.fill(p + "drug", trial["drug"])
        for name in ("daily_dose_mg", "weeks_at_dose", "adherence_pct"):
            k.fill(p + name, str(trial[name]))
        if trial["improvement_pct"] is not None:
            k.fill(p + "improvement_pct", str(trial["improvement_pct"]))
        k.choose(p + "outcome", trial["outcome"])
        k.choose(p + "current_episode", YES_NO[trial["current_episode"]])
        k.choose(p + "target", trial["target"])
        k.choose(p + "ongoing", YES_NO[trial["ongoing"]])
        if trial["stopped_reason"]:
            k.fill(p + "stopped_reason", trial["stopped_reason"])
    k.save_and_continue()

    s = ref["substance_use"]
    k.choose("audit_given", "yes")
    for q in ("q1", "q2", "q3"):
        k.choose(f"audit_{q}", str(s["audit_c"][q]))
    k.choose("dast_given", "yes")
    # The few Yes answers first, then "mark the rest No" (the items of DAST-10 only).
    for n, answer in enumerate(s["dast10_answers"], start=1):
        if answer:
            k.choose(f"dast_{n}", YES_NO[answer])
    k.press_button("Mark every DAST-10 item not answered yet")
    (sud,) = s["substance_use_disorders"]
    k.choose("sud_asked", "rows")
    k.pick("sud-0-substance", sud["substance"])
    k.pick("sud-0-severity", sud["severity"])
    k.pick("sud-0-status", sud["status"])
    k.fill("sud-0-last_met_criteria", sud["last_met_criteria"])
    k.fill("sud-0-detail", sud["detail"])
    k.choose("nmu_asked", "none")
    k.choose("dissociative_misuse_lifetime", YES_NO[s["dissociative_misuse_lifetime"]])
    k.save_and_continue()

    # From the paper forms: each scale's scores typed into its quick-entry box, which
    # checks the answers (and "Administered") as they are typed.
    sc = ref["scales"]
    for scale in ("phq9", "gad7"):
        k.fill_box(f"quick-{scale}", "".join(str(score) for score in sc[scale]))
    k.submit("Save symptom scales")


def test_the_reference_intake_takes_few_keys_besides_its_values(
    page, live_server, login
):
    ref = json.loads(REFERENCE.read_text())
    clinic = ClinicFactory(name="Riverside", slug="riverside")
    staff = UserFactory(username="front-desk")
    MembershipFactory(user=staff, clinic=clinic, role="intake_staff")
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, staff)
    page.goto(live_server.url + reverse("screening:patient-create"))
    k = Keyboard(page)

    start_first_intake(k)
    enter_reference_intake(k, ref)

    exported = json.loads(exports.do_export_intake(Intake.objects.get(), by=staff).text)
    print(  # noqa: T201 (the issue asks for this line, seen with -s)
        f"reference intake (first visit): {k.keys} key presses, "
        f"{k.characters} typed characters, {k.loads} page loads"
    )
    for document in (exported, ref):
        document.pop("intake_date")
        document["patient"].pop("mrn")
    assert exported == ref
    besides = k.keys - k.characters
    assert besides <= BUDGET, f"{besides} key presses besides the values"
    assert besides <= TODAY, f"{besides} key presses besides the values, was {TODAY}"
