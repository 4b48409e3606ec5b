"""T-HDR-05 and T-HDR-06: a browser walks every screen as the persona who uses it.

Under the production CSP: no `securitypolicyviolation` event, no console error, and
every request goes to the app's own host (no CDN, font or analytics host)."""

import shutil
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from screening.forms.intakes import SECTION_FORMS
from screening.services import drafts
from tests.browser.conftest import (  # noqa: F401 - fixtures the walk needs
    _live_server_outlives_the_browser,
    base_url,
    browser_type_launch_args,
    login,
)
from tests.factories import (
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
    screened_intake,
)
from tests.services.review_documents import REALISTIC

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium"),
]

# Runs before any page script: every CSP violation the page meets is kept for us.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Walk:
    """One persona's browser: every page it loads is checked after loading."""

    def __init__(self, browser, live_server, problems, hosts):
        self.context = browser.new_context()
        self.context.add_init_script(COLLECT_VIOLATIONS)
        self.page = self.context.new_page()
        self.live_server = live_server
        self.problems = problems
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: problems.append(f"pageerror {error}"))
        self.page.on("request", lambda request: hosts.append(request.url))
        self.page.on("response", self._response)
        self.visited: list[str] = []

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console {self.page.url}: {message.text}")

    def _response(self, response) -> None:
        # A missing stylesheet or script: the console only says "404", not which.
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def check(self) -> None:
        self.page.wait_for_load_state("networkidle")
        violations = self.page.evaluate("window.__cspViolations || []")
        self.problems.extend(f"csp {self.page.url}: {v}" for v in violations)
        self.visited.append(urlsplit(self.page.url).path)

    def visit(self, path: str) -> None:
        response = self.page.goto(self.live_server.url + path)
        assert response is not None, path
        assert response.status == 200, (path, response.status)
        self.check()


def _member(clinic, role: str, username: str, *, device: bool):
    user = UserFactory(username=username)
    MembershipFactory(user=user, clinic=clinic, role=role)
    return user, (TOTPDeviceFactory(user=user) if device else None)


@pytest.mark.django_db(transaction=True)
def test_it_walks_every_screen_without_csp_violations_or_foreign_hosts__t_hdr_05__t_hdr_06(  # noqa: E501
    live_server,
    browser,
    login,  # noqa: F811 - the browser tests' fixture, imported above
    clinic,
):
    staff, _ = _member(clinic, "intake_staff", "walk-staff", device=False)
    doctor, doctor_device = _member(clinic, "clinician", "walk-doctor", device=True)
    newcomer, _ = _member(clinic, "clinician", "walk-newcomer", device=False)
    admin, admin_device = _member(clinic, "rule_admin", "walk-admin", device=True)
    auditor, _ = _member(clinic, "auditor", "walk-auditor", device=False)
    superuser = UserFactory(username="walk-root", is_staff=True, is_superuser=True)
    superuser_device = TOTPDeviceFactory(user=superuser)
    intake = screened_intake(clinic, REALISTIC, by=staff)
    draft = drafts.do_create_draft(clinic, by=admin)
    problems: list[str] = []
    requested: list[str] = []

    def walk_as(user, device=None) -> Walk:
        walk = Walk(browser, live_server, problems, requested)
        walk.page.goto(live_server.url + reverse("login"))
        walk.check()  # the login page, before anything is typed
        login(walk.page, user, device)
        walk.check()  # the 2FA prompt was passed through; where login lands
        return walk

    # Intake staff: patients, the intake overview, every section page, import.
    walk = walk_as(staff)
    for path in [
        reverse("screening:patient-list"),
        reverse("screening:patient-create"),
        reverse("screening:patient-detail", args=[intake.patient_id]),
        reverse("screening:patient-edit", args=[intake.patient_id]),
        reverse("screening:intake-create", args=[intake.patient_id]),
        reverse("screening:intake-detail", args=[intake.pk]),
        *(
            reverse("screening:intake-section-edit", args=[intake.pk, slug])
            for slug in SECTION_FORMS
        ),
        reverse("screening:intake-clinician-edit", args=[intake.pk]),
        reverse("screening:intake-import"),
    ]:
        walk.visit(path)
    walk.context.close()

    # Clinician: the 2FA prompt, worklist, summary, the clinician-entered page.
    walk = Walk(browser, live_server, problems, requested)
    walk.page.goto(live_server.url + reverse("login"))
    walk.page.fill("#id_username", doctor.get_username())
    walk.page.fill("#id_password", "correct horse battery staple")
    walk.page.click("main button[type=submit]")
    walk.page.wait_for_url("**" + reverse("accounts-mfa-verify") + "**")
    walk.check()
    walk.context.close()
    walk = walk_as(doctor, doctor_device)
    for path in [
        reverse("screening:review-worklist"),
        reverse("screening:review-summary", args=[intake.pk]),
        reverse("screening:intake-clinician-edit", args=[intake.pk]),
    ]:
        walk.visit(path)
    walk.context.close()

    # A clinician without an authenticator app is sent to set one up (QR code).
    walk = walk_as(newcomer)
    assert reverse("accounts-mfa-enrol") in walk.page.url, walk.page.url
    walk.context.close()

    # Rule admin: rules index, the draft, vocabulary, its test cases and impact.
    walk = walk_as(admin, admin_device)
    for path in [
        reverse("screening:rule-index"),
        reverse("screening:ruleset-detail", args=[draft.pk]),
        reverse("screening:rule-vocabulary"),
        reverse("screening:ruleset-cases", args=[draft.pk]),
        reverse("screening:ruleset-impact", args=[draft.pk]),
    ]:
        walk.visit(path)
    walk.context.close()

    # Auditor: the audit report.
    walk = walk_as(auditor)
    walk.visit(reverse("screening:audit-list"))
    walk.context.close()

    # A superuser in Django's admin (OTP-verified through the same login).
    walk = walk_as(superuser, superuser_device)
    for path in [
        reverse("admin:index"),
        reverse("admin:screening_clinic_changelist"),
        reverse("admin:screening_clinic_change", args=[clinic.pk]),
    ]:
        walk.visit(path)
    walk.context.close()

    assert problems == []
    app_host = urlsplit(live_server.url).netloc
    foreign = sorted({u for u in requested if urlsplit(u).netloc != app_host})
    assert foreign == []
    assert len(requested) > 20  # the walk did load pages, styles and scripts
