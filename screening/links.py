"""Links to one object's page, the URL pattern reversed once per process (#19 goal 2).

A list page links each of its 25 to 50 rows, and `{% url %}` resolves the same pattern
again for each. A page that takes one primary key has one pattern: reversed once with
a marker where the key goes, then the key is written in. Same URL as `reverse()`
(tests/test_links.py compares them).
"""

import functools

from django.urls import get_script_prefix, reverse

# A key no row has; its digits stand where a row's key goes.
_MARKER = 8_086_421_357


def url(name: str) -> str:
    """reverse(name) for a URL that takes no argument."""
    return _without_args(name, get_script_prefix())


@functools.cache
def _without_args(name: str, prefix: str) -> str:
    # `prefix` is in the key, as for _around_key.
    return reverse(name)


def pk_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a URL that takes one integer key."""
    head, tail = _around_key(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


@functools.cache
def _around_key(name: str, prefix: str) -> tuple[str, str]:
    # `prefix` is in the key: reverse() writes the script prefix of the request.
    url = reverse(name, args=[_MARKER])
    head, marker, tail = url.partition(str(_MARKER))
    if not marker or str(_MARKER) in tail:
        raise ValueError(f"{name} does not take one key")
    return head, tail
