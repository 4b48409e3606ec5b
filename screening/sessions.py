"""The session store: Django's database sessions, the row read by a statement the ORM
compiles once per process (SESSION_ENGINE; #19 goal 1: less Python per request).

Every request of a logged-in person reads its session row; building that one-table
SELECT through the ORM cost as much as running it. Writing, expiry and clearing are
Django's own.
"""

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import connections, router
from django.utils import timezone

from screening import compiled

# A session key nobody has: it marks where the key goes in the compiled statement.
_PLACEHOLDER_KEY = "placeholder-session-key-compiled-once"


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        """The unexpired row of this session key, else None (and no key), as
        Django's database store answers."""
        model = self.model
        sql, params = compiled.statement(
            _session_row, _PLACEHOLDER_KEY, router.db_for_read(model)
        )
        values = compiled.values(params, _PLACEHOLDER_KEY, self.session_key)
        rows = list(model.objects.raw(sql, values))
        if rows and rows[0].expire_date > timezone.now():
            return rows[0]
        self._session_key = None
        return None

    def save(self, must_create: bool = False) -> None:
        """Django's save; but an update inside a transaction already open (the one
        that also appends the request's audit rows) is one UPDATE in it, without a
        savepoint of its own (two round trips fewer). A session deleted meanwhile
        (logged out in another tab) updates no row and raises UpdateError, as
        Django's does, and leaves that transaction usable."""
        using = router.db_for_write(self.model)
        if must_create or self.session_key is None:
            super().save(must_create)
            return
        if not connections[using].in_atomic_block:
            super().save(must_create)
            return
        updated = (
            self.model.objects.using(using)
            .filter(session_key=self.session_key)
            .update(
                session_data=self.encode(self._get_session()),
                expire_date=self.get_expiry_date(),
            )
        )
        if not updated:
            raise UpdateError


def _session_row(key: str) -> Any:
    """The session row of that key, expired or not (the store checks the expiry)."""
    return db.SessionStore.get_model_class().objects.filter(session_key=key)
