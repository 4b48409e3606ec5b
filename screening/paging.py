"""Paging long lists without counting every row."""

import functools
from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections, router
from django.db.models import QuerySet
from django.utils.functional import cached_property

from screening import compiled

# A declaration of a list by one primary key (a clinic's patients by clinic id).
Rows = Callable[[Any], QuerySet[Any]]


class CappedPaginator(Paginator):
    """Counts no further than CAP rows: an exact COUNT of a long list (a clinic's
    whole audit trail, all its patients) grows with it and was the slowest statement
    of the pages that show one (#19). Beyond the cap a page says "more than" and asks
    for a narrower filter or a search, as search pages do. 1,000 rows are 20 pages of
    50."""

    CAP = 1_000

    @cached_property
    def count(self) -> int:
        return int(self.object_list[: self.CAP + 1].count())

    @property
    def is_capped(self) -> bool:
        return self.count > self.CAP

    @property
    def capped_pages(self) -> int:
        """The pages the cap fills: a capped list has more."""
        return self.CAP // self.per_page

    @classmethod
    def first_page(cls, rows: Rows, pk: Any, per_page: int) -> Page:
        """Page 1 of rows(pk), as CappedPaginator(rows(pk), per_page).page(1) gives
        it, its rows and its capped count each read by a statement compiled once per
        process (screening/compiled.py): the page most requests of a list ask for,
        whose two statements cost more to build through the ORM than to run (#19)."""
        paginator = cls(compiled.rows(_head(rows, per_page), pk), per_page)
        paginator.count = _count(_head(rows, cls.CAP + 1, keys=True), pk)
        return paginator.page(1)


@functools.lru_cache(maxsize=64)
def _head(rows: Rows, size: int, *, keys: bool = False) -> Rows:
    """The declaration of rows' first `size` rows (only their keys: to count them),
    one function per list and size: compiled.py keeps a statement by its function."""

    def head(pk: Any) -> QuerySet[Any]:
        found = rows(pk)
        return (found.values_list("pk") if keys else found)[:size]

    return head


def _count(rows: Rows, pk: Any) -> int:
    """How many rows rows(pk) has: COUNT over its compiled statement, as Django
    counts a sliced queryset (a subquery)."""
    alias = router.db_for_read(compiled.model_of(rows))
    sql, params = compiled.statement(rows, compiled.PLACEHOLDER_PK, alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM ({sql}) AS counted",  # noqa: S608 - compiled SQL, bound values
            compiled.values(params, compiled.PLACEHOLDER_PK, pk),
        )
        return int(cursor.fetchone()[0])
