import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_validation import FORM_ROUTES, _client_for_route, _form_url

pytestmark = pytest.mark.django_db

# Logging out would end the fuzzing client's session, not test a form.
FUZZED = [name for name in FORM_ROUTES if name != "logout"]
EXAMPLES_PER_FORM = 20
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR 1=1--",
    "'; DROP TABLE screening_patient; --",
    "\x00",
    "Ωμέγα ☃ עברית العربية 日本語 🙂",
    "-1",
    "1e309",
    "NaN",
    "2026-02-30",
    "99999999999999999999999",
    "0x10",
    "null",
    "[]",
    "{}",
    "true",
    " ",
    "x" * 10_000,
]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)
# Writes a refused request may make: its audit row, the session's new expiry, axes'
# failure counters, and the throttling state of a second-factor device.
ALLOWED_WRITES = {
    "screening_auditevent",
    "django_session",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accessattemptexpiration",
    "otp_totp_totpdevice",
    "screening_recoverycodedevice",
}
WRITE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _tables_written(queries):
    return {m.group(1) for q in queries if (m := WRITE.match(q["sql"]))}


# POST-only views: their forms are on another page, which names the fields.
FORM_PAGES = {
    "screening:review-acknowledge": "screening:review-summary",
    "screening:review-missing-accept": "screening:review-summary",
    "screening:review-disposition": "screening:review-summary",
    "screening:review-sign": "screening:review-summary",
    "screening:review-pdf": "screening:review-summary",
    "screening:intake-ready": "screening:intake-detail",
    "screening:ruleset-discard": "screening:ruleset-detail",
    "screening:ruleset-draft-create": "screening:rule-index",
    "screening:rule-retire": "screening:rule-edit",
    "screening:test-case-approve": "screening:ruleset-cases",
}
# Rendering the PDF takes seconds, whatever was posted.
SLOW = {"screening:review-pdf": 5}


def _field_names(client, name, world):
    page = FORM_PAGES.get(name, name)
    body = client.get(_form_url(page, world)).content.decode()
    names = set(re.findall(r'name="([^"]+)"', body)) - {"csrfmiddlewaretoken"}
    return sorted(names) or ["q"]


@pytest.mark.parametrize("name", FUZZED)
def test_it_never_fails_or_half_writes_on_hostile_input__t_val_01(
    name, client_as, world
):
    client = _client_for_route(name, client_as)
    url = _form_url(name, world)
    fields = _field_names(client, name, world)
    examples = SLOW.get(name, EXAMPLES_PER_FORM)
    outcomes = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
        ],
    )
    @given(
        st.fixed_dictionaries({field: st.lists(values, max_size=2) for field in fields})
    )
    def post(data):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data)
        outcomes.append(response.status_code)
        assert response.status_code != 500, data
        if response.status_code != 302:  # refused: nothing may have been written
            assert _tables_written(queries.captured_queries) <= ALLOWED_WRITES, data

    post()
    assert len(outcomes) >= examples
    assert 500 not in outcomes
