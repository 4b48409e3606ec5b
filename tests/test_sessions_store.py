"""The session store (screening/sessions.py): Django's database sessions, the row read
by a statement compiled once (#19)."""

import datetime

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from screening.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return store.session_key


def test_it_loads_a_session_in_one_statement():
    key = saved(colour="teal")
    with CaptureQueriesContext(connection) as queries:
        store = SessionStore(key)
        assert store["colour"] == "teal"
    assert len(queries.captured_queries) == 1
    assert store.session_key == key


def test_an_expired_or_unknown_session_is_empty_and_loses_its_key():
    key = saved(colour="teal")
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    for gone in (key, "k" * 32):
        store = SessionStore(gone)
        assert dict(store.items()) == {}
        assert store.session_key is None


def test_it_saves_and_reads_back_as_django_does():
    store = SessionStore(saved(colour="teal"))
    store["colour"] = "amber"
    store.save()
    assert SessionStore(store.session_key)["colour"] == "amber"


def test_it_saves_inside_an_open_transaction_in_one_update_without_a_savepoint():
    store = SessionStore(saved(colour="teal"))
    store["colour"] = "amber"
    with CaptureQueriesContext(connection) as queries:
        store.save()
    [update] = [query["sql"] for query in queries.captured_queries]
    assert update.startswith("UPDATE")
    assert SessionStore(store.session_key)["colour"] == "amber"


def test_saving_a_session_deleted_meanwhile_fails_and_leaves_the_transaction_usable():
    store = SessionStore(saved(colour="teal"))
    store["colour"] = "amber"
    Session.objects.filter(session_key=store.session_key).delete()
    with pytest.raises(UpdateError):
        store.save()
    assert Session.objects.count() == 0  # the transaction still runs statements
