"""Paging long lists without counting every row."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


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
