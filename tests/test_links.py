import pytest
from django.urls import reverse, set_script_prefix

from screening.links import pk_url, url


@pytest.mark.parametrize(
    "name",
    [
        "screening:review-summary",
        "screening:patient-detail",
        "screening:intake-detail",
        "screening:review-acknowledge",
        "screening:review-missing-accept",
    ],
)
@pytest.mark.parametrize("pk", [1, 42, 8086421357])
def test_it_gives_the_url_reverse_gives(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_it_follows_the_script_prefix():
    set_script_prefix("/clinic-a/")
    try:
        assert pk_url("screening:patient-detail", 7) == reverse(
            "screening:patient-detail", args=[7]
        )
        assert pk_url("screening:patient-detail", 7).startswith("/clinic-a/")
    finally:
        set_script_prefix("/")


def test_it_refuses_a_url_without_one_key():
    with pytest.raises(Exception):  # noqa: B017, PT011 - NoReverseMatch or ValueError
        pk_url("screening:home", 1)


def test_it_refuses_a_key_that_is_not_a_number():
    with pytest.raises(ValueError):  # noqa: PT011
        pk_url("screening:patient-detail", "1/../admin")


@pytest.mark.parametrize("name", ["screening:home", "screening:patient-list"])
def test_a_url_without_a_key_is_the_one_reverse_gives_under_each_prefix(name):
    assert url(name) == reverse(name)
    set_script_prefix("/clinic-a/")
    try:
        assert url(name) == reverse(name)
        assert url(name).startswith("/clinic-a/")
    finally:
        set_script_prefix("/")
