"""axe-core on every page of every role, at a desktop and a phone width (issue #16).

Every GET page a role may open (tests/security/routes.py, so a new view joins the walk
by its row there), every intake section, and the pages on the way in (login, the 2FA
prompt and setup) are loaded once per role in one browser, then checked at 1280 and
390 px: no critical or serious axe violation, and at 390 px no sideways scroll.
axe-core is vendored for the tests only (tests/browser/vendor/README.md).
"""

import datetime
import shutil
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import totp

from screening.forms.intakes import SECTION_FORMS
from screening.middleware import needs_mfa
from screening.models import PatientSettings, SelfReport
from screening.services import intakes, self_reports, text_packs
from tests.browser.conftest import FACTORY_PASSWORD
from tests.factories import (
    IntakeFactory,
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
    published_consent,
    screened_intake,
)
from tests.security.conftest import _seed
from tests.security.routes import OK, ROLES, ROUTES
from tests.services.review_documents import REALISTIC, realistic
from tests.services.test_reviews import signed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium"),
]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = (1280, 390)
# Routes whose GET answers JSON, CSV or a status, not a page to read (a new one makes
# the walk fail with "Download is starting" until it is listed here).
NOT_PAGES = {
    "screening:session-renew",
    "screening:health",
    "screening:audit-export",
    "screening:ruleset-export",
    "screening:rescreen-job-progress",
    "screening:intake-fhir",
    "screening:questionnaire-fhir",
    "screening:intake-csv-export",
}
# axe's two worst impact levels; "moderate" and "minor" are reported, not failed.
FAILING = ("critical", "serious")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => ["critical", "serious"].includes(v.impact))
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.length} x `
      + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}"""
SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"


def pages_of(role: str, objects: dict) -> list[str]:
    """Every page the role may open in its own clinic, every intake section included."""
    paths = []
    for name, route in ROUTES.items():
        if name in NOT_PAGES or route.status(role) != OK:
            continue
        if name == "screening:intake-section-edit":
            intake = objects["intake"].pk
            paths += [
                reverse(name, kwargs={"pk": intake, "section": slug})
                for slug in SECTION_FORMS
            ]
            continue
        paths.append(reverse(name, kwargs=route.url_kwargs(objects)))
    return paths


class Axe:
    """One browser context per person; every page is checked at both widths."""

    def __init__(self, browser, live_server):
        self.browser = browser
        self.live_server = live_server
        self.problems: list[str] = []
        self.checked = 0

    def open(self, user=None, device=None):
        # The app's CSP forbids inline scripts, and axe is injected as one.
        context = self.browser.new_context(bypass_csp=True)
        page = context.new_page()
        if user is not None:
            self.log_in(page, user, device)
        return context, page

    def log_in(self, page, user, device) -> None:
        self.visit(page, reverse("login"))
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", FACTORY_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        if device is not None:
            self.check(page)  # the 2FA prompt
            code = totp(device.bin_key, device.step, device.t0, device.digits)
            page.fill("#id_code", f"{code:0{device.digits}d}")
            page.click("main button[type=submit]")
            page.wait_for_load_state()

    def visit(self, page, path: str, *, status: int = OK) -> None:
        response = page.goto(self.live_server.url + path)
        assert response is not None, path
        assert response.status == status, (path, response.status)
        self.check(page)

    def check(self, page) -> None:
        page.wait_for_load_state("load")
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        where = page.url.removeprefix(self.live_server.url)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found = page.evaluate(RUN_AXE)
            self.problems += [f"{where} @{width}: {v}" for v in found]
            overflow = page.evaluate(SIDEWAYS)
            if width < 768 and overflow > 0:
                self.problems.append(f"{where} @{width}: scrolls sideways {overflow}px")
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        self.checked += 1


@pytest.mark.django_db(transaction=True)
def test_it_finds_no_serious_accessibility_violation_on_any_page_of_any_role(
    live_server, browser, clinic, other_clinic
):
    started = time.monotonic()
    seeder = UserFactory(username="seed-a")
    MembershipFactory(user=seeder, clinic=clinic, role="intake_staff")
    objects = _seed(clinic, seeder, name="Owner")
    # A screened, realistic intake: the summary and overview show flags and scores,
    # and (a second visit after a signed first one) the trends of #18.
    signer = UserFactory(username="seed-doctor")
    MembershipFactory(user=signer, clinic=clinic, role="clinician")
    first = screened_intake(clinic, REALISTIC, by=seeder)
    signed(first, signer)
    objects["intake"] = screened_intake(
        clinic, realistic(intake_date="2026-12-01"), by=seeder, patient=first.patient
    )
    # A third, started from the signed one: its carried sections wait (#18).
    carried = intakes.do_create_intake(
        first.patient,
        intake_on=datetime.date(2026, 12, 2),
        primary_indication="major_depressive_disorder",
        by=seeder,
        carry_from=first,
    )
    axe = Axe(browser, live_server)

    context, page = axe.open()
    axe.visit(page, reverse("login"))
    axe.visit(page, "/no-such-page/", status=404)  # people meet it too
    context.close()

    for role in ROLES:
        user = UserFactory(username=f"axe-{role}")
        MembershipFactory(user=user, clinic=clinic, role=role)
        device = TOTPDeviceFactory(user=user) if needs_mfa(user) else None
        context, page = axe.open(user, device)
        for path in pages_of(role, objects):
            axe.visit(page, path)
        context.close()

    staff = UserFactory(username="axe-carried")
    MembershipFactory(user=staff, clinic=clinic, role="intake_staff")
    context, page = axe.open(staff)
    axe.visit(page, reverse("screening:intake-detail", args=[carried.pk]))
    axe.visit(page, reverse("screening:intake-create", args=[first.patient.pk]))
    for slug in SECTION_FORMS:
        axe.visit(
            page, reverse("screening:intake-section-edit", args=[carried.pk, slug])
        )
    context.close()
    # The patient's pages on the clinic tablet (issue #17), in both languages: entry,
    # a choice and its error summary, a free-text page, the answers check, the finish
    # page, and what a staff URL shows the tablet.
    text_packs.do_load_demo_packs(clinic, by=seeder)
    PatientSettings.objects.update_or_create(
        clinic=clinic, defaults={"languages": ["en", "es"]}
    )
    # An intake without consent: the consent page comes first (#18), with its errors.
    published_consent(clinic)
    for language in ("en", "es"):
        unconsented = IntakeFactory(
            patient=objects["intake"].patient, created_by=seeder
        )
        report, code = self_reports.do_start(unconsented, by=seeder, include_pcl5=False)
        context, page = axe.open()
        axe.visit(page, reverse("tablet:entry"))
        page.check(f"input[name=language][value={language}]")
        page.fill("#id_code", code)
        page.click("main button[type=submit]")
        page.wait_for_url("**/p/consent/")
        axe.check(page)
        with page.expect_navigation():
            page.click("main button[type=submit] >> nth=0")  # no tick, no name
        axe.check(page)
        page.check("#id_agree")
        page.fill("#id_typed_name", "Axe Walker")
        page.click("main button[type=submit] >> nth=0")
        page.wait_for_url("**/p/q/1/")
        axe.check(page)
        with page.expect_navigation():
            page.click("main button[type=submit]")  # no answer: the error summary
        axe.check(page)
        report = SelfReport.objects.select_related("intake", "clinic").get(pk=report.pk)
        steps = self_reports.plan(report)
        axe.visit(page, reverse("tablet:question", args=[len(steps)]))
        packs = self_reports.packs_for(report)
        for step in steps:
            choice = "none" if step.kind == "text" else "declined"
            pack = packs.get(step.instrument)
            self_reports.do_answer(report, step, choice=choice, pack=pack)
        axe.visit(page, reverse("tablet:check"))
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert page.url.endswith(reverse("tablet:done")), page.url
        axe.check(page)
        axe.visit(page, reverse("screening:patient-list"), status=403)
        context.close()
    # The overview of that intake (#17): a finished session whose answers to one
    # section wait for staff, and a session running now.
    SelfReport.objects.filter(pk=report.pk).update(conflicts=["medical_history"])
    self_reports.do_start(unconsented, by=seeder, include_pcl5=False)
    context, page = axe.open(staff)
    axe.visit(page, reverse("screening:intake-detail", args=[unconsented.pk]))
    assert page.locator("[data-self-report-conflicts]").count() == 1
    assert page.locator("[data-self-report-running]").count() == 1
    context.close()

    # A clinician without an authenticator app is sent to set one up.
    newcomer = UserFactory(username="axe-newcomer")
    MembershipFactory(user=newcomer, clinic=clinic, role="clinician")
    context, page = axe.open(newcomer)
    assert reverse("accounts-mfa-enrol") in page.url, page.url
    axe.check(page)
    context.close()

    print(  # noqa: T201 - the walk's duration, a figure for the issue's report (-s)
        f"\naxe walk: {axe.checked} pages x {len(WIDTHS)} widths"
        f" in {time.monotonic() - started:.0f} s"
    )
    assert not axe.problems, "\n".join(axe.problems)
