"""Markup of a choice widget's options, written once and kept (#19 goal 2).

An answer's options are the same on every page that shows it: only the field's name
(a row's prefix), its attributes (an error adds aria-invalid) and which option is
chosen change. Writing them escaped every value, label and attribute again, per
option, per page: most of a scales page's answer markup. Here each markup is kept
under what it is made of, and the caller marks the chosen option in it.
"""

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

# Every answer of every section in each kind of markup, with their rows' names and
# error states, fits many times over; past this the whole store starts again.
LIMIT = 4096

_kept: dict[Hashable, tuple[Any, Any]] = {}


def kept(key: tuple[Any, ...], choices: Any, write: Callable[[], T]) -> T:
    """write(), or what it returned before for this key and these same choices.

    The key names the choices by id(); the entry holds the choices themselves and is
    used only while they are the very same object, so a form that replaced a field's
    choices (or a new list given a dead one's id) gets its own markup. Choices with a
    lazy (translated) label are written each time: their words follow the language.
    """
    try:
        entry = _kept.get(key)
    except TypeError:  # an attribute value that cannot be a key: write it each time
        return write()
    if entry is not None and entry[0] is choices:
        return entry[1]  # type: ignore[no-any-return]
    markup = write()
    if not all(isinstance(label, str) for _, label in choices):
        return markup
    if len(_kept) >= LIMIT:
        _kept.clear()
    _kept[key] = (choices, markup)
    return markup


def first_index(values: list[str]) -> dict[str, int]:
    """Each option value's first position: ChoiceWidget marks only the first option
    equal to the value chosen."""
    first: dict[str, int] = {}
    for index, value in enumerate(values):
        first.setdefault(value, index)
    return first


def chosen(first: dict[str, int], values: list[str]) -> int:
    """The position of the option marked chosen for these values (-1: none), as
    ChoiceWidget.optgroups marks it: the first option whose value is among them."""
    return min((first[value] for value in values if value in first), default=-1)
