"""The session store: Django's database sessions, the row read by a statement the ORM
compiles once per process (SESSION_ENGINE; #19 goal 1: less Python per request).

Every request of a logged-in person reads its session row; building that one-table
SELECT through the ORM cost as much as running it. Writing, expiry and clearing are
Django's own.
"""

import functools
from typing import Any

from django.contrib.sessions.backends import db
from django.db import router
from django.utils import timezone

# A session key nobody has: it marks where the key goes in the compiled statement.
_PLACEHOLDER_KEY = "placeholder-session-key-compiled-once"


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        """The unexpired row of this session key, else None (and no key), as
        Django's database store answers."""
        model = self.model
        sql, params = _row_statement(model, router.db_for_read(model))
        values = [self.session_key if v == _PLACEHOLDER_KEY else v for v in params]
        rows = list(model.objects.raw(sql, values))
        if rows and rows[0].expire_date > timezone.now():
            return rows[0]
        self._session_key = None
        return None


@functools.cache
def _row_statement(model: Any, alias: str) -> tuple[str, tuple[Any, ...]]:
    query = model.objects.filter(session_key=_PLACEHOLDER_KEY).query
    sql, params = query.get_compiler(using=alias).as_sql()
    if list(params).count(_PLACEHOLDER_KEY) != 1:
        raise RuntimeError("the session query must take the key in one place")
    return sql, tuple(params)
