import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.security.conftest import PASSWORD
from tests.security.routes import ROUTES, all_patterns

pytestmark = pytest.mark.django_db


def test_it_redirects_plain_http_to_https__t_hdr_01(https_settings):
    response = Client().get("/some/path?x=1", secure=False)
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/some/path?x=1"


def _html_routes(world):
    for pattern in all_patterns():
        route = ROUTES.get(pattern.name)
        if route is None:
            continue  # T-AC-02 fails for a URL missing from the table
        kwargs = route.url_kwargs(world["own"])
        yield pattern.name, reverse(pattern.name, kwargs=kwargs)


def test_it_sends_the_security_headers_on_every_page__t_hdr_02(
    https_settings, client_as, world
):
    client = client_as("clinician")
    client.raise_request_exception = False  # an error page needs the headers too
    checked = 0
    for name, url in _html_routes(world):
        response = client.get(url, secure=True)
        if not response["Content-Type"].startswith("text/html"):
            continue
        checked += 1
        hsts = response["Strict-Transport-Security"]
        assert "max-age=31536000" in hsts, name
        assert "includeSubDomains" in hsts, name
        csp = response["Content-Security-Policy"]
        for directive in (
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            assert directive in csp, name
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]
        assert "no-store" in response["Cache-Control"], name
        assert "charset=utf-8" in response["Content-Type"]
    assert checked >= 5


def test_it_sets_only_host_prefixed_secure_cookies__t_hdr_03(
    https_settings, member, clinic
):
    user = member(clinic, "intake_staff", "cookie-user")
    client = Client()
    page = client.get(reverse("login"), secure=True)
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    cookies = {**page.cookies, **response.cookies}
    assert set(cookies) == {"__Host-sessionid", "__Host-csrftoken"}
    for name, morsel in cookies.items():
        assert morsel["secure"] is True, name
        assert morsel["path"] == "/", name
        assert morsel["domain"] == "", name
        assert morsel["samesite"] == "Lax", name
        assert morsel["httponly"] is True, name


def test_it_clears_the_site_at_logout__t_hdr_07(client_as):
    client = client_as("intake_staff")
    key = client.session.session_key
    response = client.post(reverse("logout"), secure=True)
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not Session.objects.filter(session_key=key).exists()


def _assert_security_headers(response, what):
    assert "max-age=31536000" in response["Strict-Transport-Security"], what
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"], what
    assert response["X-Content-Type-Options"] == "nosniff", what
    assert response["Referrer-Policy"] == "same-origin", what
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", what
    assert response["X-Frame-Options"] == "DENY", what
    assert "camera=()" in response["Permissions-Policy"], what
    assert "no-store" in response["Cache-Control"], what


@pytest.mark.parametrize("method", ["PUT", "DELETE", "TRACE"])
def test_it_sends_the_security_headers_and_no_store_on_a_405__f12(
    method, https_settings, client_as, anonymous
):
    for who, client in (("clinician", client_as("clinician")), ("anon", anonymous)):
        for url in (reverse("login"), reverse("screening:patient-list")):
            response = client.generic(method, url, secure=True)
            assert response.status_code == 405, (who, url)
            _assert_security_headers(response, (method, who, url))
