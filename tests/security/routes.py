"""Every URL pattern of the app, walked from the URLconf, and the expected statuses.

A URL that exists in the URLconf but not in ROUTES fails T-AC-02, so a new view joins
the permission tests automatically and fails until its row is written.
"""

from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

ROLES = ("intake_staff", "clinician", "rule_admin", "auditor", "clinic_admin")
# The admin site is Django's own, behind OTPAdminSite: T-AC-06 covers it as a whole.
EXCLUDED_NAMESPACES = ("admin",)

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name"
    route: str  # the pattern text, e.g. "intakes/<int:pk>/export/"
    params: tuple[str, ...]
    int_params: tuple[str, ...] = ()

    def any_kwargs(self) -> dict[str, object]:
        """Some value for every parameter (for tests refused before any lookup)."""
        return {name: 1 if name in self.int_params else "x" for name in self.params}


@dataclass(frozen=True)
class Route:
    """Expected GET statuses in the user's own clinic (another clinic's object: 404)."""

    anonymous: int
    intake_staff: int
    clinician: int
    rule_admin: int
    auditor: int
    # The fifth role came later (issue #17): it sees no intake and no patient, so a row
    # that does not name it refuses it.
    clinic_admin: int = FORBIDDEN
    # What the URL's <int:pk> points at (a key of the `world` fixture), if anything.
    obj: str | None = None
    # GET on another clinic's object: 404 unless the method itself is refused first.
    other: int = NOT_FOUND
    # Form views: posted to by the fuzz, CSRF and size tests.
    is_form: bool = False
    # Extra kwargs for parameters other than the object's pk.
    kwargs: dict[str, object] = field(default_factory=dict)
    # Further id parameters and the `world` objects they point at.
    more: dict[str, str] = field(default_factory=dict)

    def status(self, role: str) -> int:
        return getattr(self, role)

    def url_kwargs(
        self, side: dict[str, Any], pk: int | None = None
    ) -> dict[str, object]:
        """The URL's kwargs for one clinic's objects (`world["own"]` or `["other"]`)."""
        kwargs = dict(self.kwargs)
        if self.obj:
            kwargs["pk"] = pk if pk is not None else side[self.obj].pk
        for param, key in self.more.items():
            kwargs[param] = side[key].pk
        return kwargs


def _everyone(status: int, *, anonymous: int = REDIRECT, **kw: object) -> Route:
    return Route(anonymous, status, status, status, status, status, **kw)  # type: ignore[arg-type]


def _post_only(obj: str | None, **kwargs: object) -> Route:
    """A POST-only view: a GET is refused (405) before any object is fetched."""
    return Route(
        REDIRECT,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        obj=obj,
        other=NOT_ALLOWED,
        is_form=True,
        kwargs=kwargs,
    )


def _rule_admin_form(obj: str) -> Route:
    """A page that changes a draft: rule admins only."""
    return Route(REDIRECT, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, obj=obj, is_form=True)


ROUTES: dict[str, Route] = {
    # LoginView(redirect_authenticated_user=True) sends a logged-in user home.
    "login": _everyone(REDIRECT, anonymous=OK, is_form=True),
    "logout": _everyone(NOT_ALLOWED),
    # Enrolment: a user who already has a device goes on; clinicians, rule admins and
    # clinic admins (verified in these tests) have one.
    "accounts-mfa-enrol": Route(
        REDIRECT, OK, REDIRECT, REDIRECT, OK, REDIRECT, is_form=True
    ),
    # The prompt: no device -> enrolment; already verified -> on.
    "accounts-mfa-verify": _everyone(REDIRECT, is_form=True),
    "accounts-recovery-codes": Route(
        REDIRECT, REDIRECT, OK, OK, REDIRECT, OK, is_form=True
    ),
    "accounts-password": _everyone(OK, is_form=True),
    "screening:home": _everyone(OK),
    "screening:health": _everyone(OK, anonymous=OK),
    "screening:session-renew": _everyone(OK),
    # The clinic admin's home: what they manage (issues #17, #18).
    "screening:clinic-admin": Route(
        REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK
    ),
    # The clinic admin's consent documents and CSV of intakes (#18).
    "screening:consent-documents": Route(
        REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, is_form=True
    ),
    "screening:consent-document": Route(
        REDIRECT,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        obj="consent_document",
        is_form=True,
    ),
    "screening:consent-document-publish": _post_only("consent_document"),
    "screening:intake-csv-export": Route(
        REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK
    ),
    "screening:clinic-text-pack-upload": Route(
        REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, is_form=True
    ),
    "screening:clinic-patient-settings": Route(
        REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, is_form=True
    ),
    # POST: the auditors' MRN lookup (issue #16).
    "screening:audit-list": Route(
        REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, is_form=True
    ),
    "screening:audit-export": Route(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "screening:intake-import": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, is_form=True
    ),
    "screening:intake-import-report": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="imported_intake"
    ),
    "screening:intake-export": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="intake", is_form=True
    ),
    # A FHIR Bundle of the intake: a GET that is an audited export (intake.exported).
    "screening:intake-fhir": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="intake"
    ),
    # The questionnaire holds no patient's data: every role may read it.
    "screening:questionnaire-fhir": _everyone(OK),
    "screening:patient-list": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, is_form=True
    ),
    "screening:patient-create": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, is_form=True
    ),
    "screening:patient-detail": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="patient"
    ),
    "screening:patient-edit": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="patient", is_form=True
    ),
    # Staff record a patient's consent for an intake (#18).
    "screening:intake-consent": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="intake", is_form=True
    ),
    "screening:intake-create": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="patient", is_form=True
    ),
    "screening:intake-detail": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="intake"
    ),
    "screening:intake-section-edit": Route(
        REDIRECT,
        OK,
        OK,
        FORBIDDEN,
        FORBIDDEN,
        obj="intake",
        is_form=True,
        kwargs={"section": "vitals"},
    ),
    # Intake staff read the clinician-entered sections; only clinicians post them.
    "screening:intake-clinician-edit": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="intake", is_form=True
    ),
    # POST only: a GET is refused before the intake is fetched.
    "screening:intake-ready": _post_only("intake"),
    "screening:intake-section-draft": _post_only("intake", section="vitals"),
    "screening:intake-section-draft-at-timeout": _post_only("intake", section="vitals"),
    # Staff confirm a section carried over from the last intake (#18).
    "screening:intake-section-confirm": _post_only("intake", section="allergies"),
    # The tablet hand-off (issue #17): staff who edit the intake start and end it.
    "screening:intake-self-report": Route(
        REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, obj="intake"
    ),
    "screening:intake-self-report-start": _post_only("intake"),
    "screening:intake-self-report-end": _post_only("intake"),
    # The patient's pages: the entry page is public; the others answer 403 to any
    # session that is not the tablet's own (no login redirect: a patient has none).
    "tablet:entry": _everyone(OK, anonymous=OK, is_form=True),
    "tablet:question": Route(
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        is_form=True,
        kwargs={"number": 1},
    ),
    "tablet:consent": Route(
        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, is_form=True
    ),
    "tablet:check": Route(
        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, is_form=True
    ),
    "tablet:done": Route(
        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN
    ),
    # A clinician records what was done about an urgent marker (issue #15).
    "screening:intake-urgent-clear": _post_only("intake"),
    # A signed intake's re-review after a rule change: clinicians only.
    "screening:intake-rereview": Route(
        REDIRECT, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, obj="intake", is_form=True
    ),
    "screening:review-worklist": Route(REDIRECT, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
    "screening:review-summary": Route(
        REDIRECT, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, obj="intake"
    ),
    "screening:review-acknowledge": _post_only("intake"),
    "screening:review-missing-accept": _post_only("intake"),
    "screening:review-disposition": _post_only("intake"),
    "screening:review-sign": _post_only("intake"),
    "screening:review-pdf": _post_only("intake"),
    "screening:intake-addendum": Route(
        REDIRECT, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, obj="intake", is_form=True
    ),
    # Rules: clinicians read them, rule admins change them; auditors and intake
    # staff see none.
    "screening:rule-index": Route(REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN),
    "screening:rule-vocabulary": Route(REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN),
    "screening:ruleset-diff": Route(REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN),
    "screening:ruleset-import": Route(
        REDIRECT, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, is_form=True
    ),
    "screening:ruleset-draft-create": _post_only(None),
    "screening:ruleset-detail": Route(
        REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN, obj="draft"
    ),
    "screening:ruleset-export": Route(
        REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN, obj="draft"
    ),
    "screening:rule-create": _rule_admin_form("draft"),
    "screening:ruleset-settings-edit": _rule_admin_form("draft"),
    "screening:ruleset-tests-run": _rule_admin_form("draft"),
    "screening:ruleset-cases": _rule_admin_form("draft"),
    "screening:ruleset-impact": _rule_admin_form("draft"),
    "screening:ruleset-publish": _rule_admin_form("draft"),
    "screening:ruleset-discard": _post_only("draft"),
    "screening:test-case-approve": Route(
        REDIRECT,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        obj="draft",
        more={"case_pk": "test_case"},
        other=NOT_ALLOWED,
        is_form=True,
    ),
    "screening:rule-edit": _rule_admin_form("rule"),
    "screening:rule-tests-edit": _rule_admin_form("rule"),
    "screening:rule-retire": _post_only("rule"),
    "screening:rescreen-job-detail": Route(
        REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN, obj="rescreen_job"
    ),
    "screening:rescreen-job-progress": Route(
        REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN, obj="rescreen_job"
    ),
}


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str | None
) -> list[Pattern]:
    found: list[Pattern] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner in EXCLUDED_NAMESPACES:
                continue
            found += _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            converters = entry.pattern.converters
            params = tuple(converters)
            ints = tuple(
                p for p, c in converters.items() if isinstance(c, IntConverter)
            )
            found.append(Pattern(name, prefix + str(entry.pattern), params, ints))
    return found


def all_patterns() -> list[Pattern]:
    """Every named URL of the app outside the admin site."""
    return _walk(get_resolver().url_patterns, "", None)
