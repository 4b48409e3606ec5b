"""Per-request statements the ORM compiles once per process (#19 goal 1).

Every request of a logged-in person reads the same rows: the session, the user, the
memberships. The statements never change but for one value, and building them through
the ORM cost as much as running them, on every request of every page. Each stays
declared as a queryset (the one declaration), is compiled on first use for the
database it runs on, and is then run with the request's value where a placeholder was.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet

# A primary key no row has: it marks where a request's id goes in a compiled statement.
PLACEHOLDER_PK = -1_946_203_517


def statement(
    build: Callable[[Any], QuerySet[Any]], placeholder: Any, alias: str
) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters of build(placeholder) on that database; the placeholder
    must stand in exactly one place."""
    compiled = _compiled(build, placeholder, alias)
    return compiled.sql, compiled.params


def values(params: tuple[Any, ...], placeholder: Any, value: Any) -> list[Any]:
    """The parameters with the request's value in the placeholder's place."""
    return [value if param == placeholder else param for param in params]


def instances(
    build: Callable[[Any], QuerySet[Any]], placeholder: Any, value: Any, alias: str
) -> list[Model]:
    """The objects build(value) would give, select_related ones included, from the
    statement compiled once (what Django's ModelIterable does after compiling)."""
    prepared = _compiled(build, placeholder, alias)
    if prepared.annotations:
        raise RuntimeError(f"{build.__name__}: annotations are not read here")
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(prepared.sql, values(prepared.params, placeholder, value))
        rows = cursor.fetchall()
    # The backend's and the fields' converters, as the compiler applies them.
    converters = [
        (index, found)
        for index, col in enumerate(prepared.columns)
        if (
            found := connection.ops.get_db_converters(col)
            + col.get_db_converters(connection)
        )
    ]
    objects = []
    for row in rows:
        row = list(row)
        for index, found in converters:
            for converter in found:
                row[index] = converter(row[index], prepared.columns[index], connection)
        built = _build(prepared.klass_info, prepared.columns, row, alias)
        if built is not None:
            objects.append(built)
    return objects


def rows(build: Callable[[Any], QuerySet[Any]], pk: Any) -> list[Model]:
    """instances() of build(pk) on the database its model is read from, with
    PLACEHOLDER_PK standing for the primary key: the common case of a page's rows
    that belong to one intake, patient or user."""
    return instances(build, PLACEHOLDER_PK, pk, router.db_for_read(_model(build)))


@functools.cache
def _model(build: Callable[[Any], QuerySet[Any]]) -> type[Model]:
    return build(PLACEHOLDER_PK).model


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    columns: list[Any]  # the selected columns, in order
    klass_info: dict[str, Any]  # which columns make which object (Django's own)
    annotations: bool


@functools.cache
def _compiled(
    build: Callable[[Any], QuerySet[Any]], placeholder: Any, alias: str
) -> _Compiled:
    compiler = build(placeholder).query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if list(params).count(placeholder) != 1:
        raise RuntimeError(f"{build.__name__} must take its value in one place")
    return _Compiled(
        sql,
        tuple(params),
        [column for column, _, _ in compiler.select],
        compiler.klass_info,
        bool(compiler.annotation_col_map),
    )


def _build(
    klass_info: dict[str, Any], columns: list[Any], row: list[Any], alias: str
) -> Model | None:
    """One object of the row and those selected with it (as Django's RelatedPopulator
    builds them); None for a related row that is not there."""
    model = klass_info["model"]
    positions = klass_info["select_fields"]
    names = [columns[position].target.attname for position in positions]
    data = [row[position] for position in positions]
    if data[names.index(model._meta.pk.attname)] is None:
        return None
    instance = model.from_db(alias, names, data)
    for related in klass_info.get("related_klass_infos", []):
        other = _build(related, columns, row, alias)
        related["local_setter"](instance, other)
        if other is not None:
            related["remote_setter"](other, instance)
    return instance
