import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.sessions.models import Session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.models import AuditEvent
from tests.security.test_validation import FORM_ROUTES, _client_for_route, _form_url

pytestmark = pytest.mark.django_db

# Logging out would end the fuzzing client's session, not test a form.
FUZZED = [name for name in FORM_ROUTES if name != "logout"]
EXAMPLES_PER_FORM = 25
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
SKIPPED_TABLES = {AuditEvent, Session, AccessAttempt, AccessFailureLog, AccessLog}


# A refused code still counts against the device: throttling state, not user data.
DEVICE_STATE = {
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "last_used_at",
    "last_t",
    "drift",
}


def _snapshot():
    return {
        model._meta.label: [
            {k: v for k, v in row.items() if k not in DEVICE_STATE}
            for row in model.objects.order_by("pk").values()
        ]
        for model in apps.get_models()
        if model not in SKIPPED_TABLES and not model._meta.proxy
    }


def _field_names(client, url):
    body = client.get(url).content.decode()
    names = set(re.findall(r'name="([^"]+)"', body)) - {"csrfmiddlewaretoken"}
    return sorted(names) or ["q"]


@pytest.mark.parametrize("name", FUZZED)
def test_it_never_fails_or_half_writes_on_hostile_input__t_val_01(
    name, client_as, world
):
    client = _client_for_route(name, client_as)
    url = _form_url(name, world)
    fields = _field_names(client, url)
    outcomes = []

    @settings(
        max_examples=EXAMPLES_PER_FORM,
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
        before = _snapshot()
        response = client.post(url, data)
        outcomes.append(response.status_code)
        assert response.status_code != 500, data
        if response.status_code != 302:  # refused: nothing may have been written
            assert _snapshot() == before, data

    post()
    assert len(outcomes) >= EXAMPLES_PER_FORM
    assert 500 not in outcomes
