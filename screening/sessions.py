"""The session store: Django's database sessions, the row read by a statement the ORM
compiles once per process (SESSION_ENGINE; #19 goal 1: less Python per request).

Every request of a logged-in person reads its session row; building that one-table
SELECT through the ORM cost as much as running it. Writing, expiry and clearing are
Django's own.
"""

from typing import Any

from django.contrib.sessions.backends import db
from django.db import router
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


def _session_row(key: str) -> Any:
    """The session row of that key, expired or not (the store checks the expiry)."""
    return db.SessionStore.get_model_class().objects.filter(session_key=key)
