"""Per-request statements the ORM compiles once per process (#19 goal 1).

Every request of a logged-in person reads the same rows: the session, the user, the
memberships. The statements never change but for one value, and building them through
the ORM cost as much as running them, on every request of every page. Each stays
declared as a queryset (the one declaration), is compiled on first use for the
database it runs on, and is then run with the request's value where a placeholder was.
"""

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
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
    prepared = _readable(build, placeholder, alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(prepared.sql, values(prepared.params, placeholder, value))
        return _objects(prepared, cursor.fetchall(), alias)


def _readable(
    build: Callable[[Any], QuerySet[Any]], placeholder: Any, alias: str
) -> "_Compiled":
    prepared = _compiled(build, placeholder, alias)
    if prepared.annotations:
        raise RuntimeError(f"{build.__name__}: annotations are not read here")
    return prepared


def _objects(prepared: "_Compiled", rows: list[Any], alias: str) -> list[Model]:
    connection = connections[alias]
    objects = []
    for row in rows:
        converted = _converted(row, prepared.converters, connection)
        built = _build(prepared.klass_info, prepared.columns, converted, alias)
        if built is not None:
            objects.append(built)
    return objects


# A statement's converters by column index, as SQLCompiler.get_converters() gives
# them: the backend's and the field's, and the column they convert.
Converters = list[tuple[int, tuple[list[Any], Any]]]


def _converted(row: Any, converters: Converters, connection: Any) -> list[Any]:
    """The row's values as the ORM gives them: each column's converters applied, as
    the compiler applies them."""
    values = list(row)
    for index, (found, expression) in converters:
        for converter in found:
            values[index] = converter(values[index], expression, connection)
    return values


def first_row(
    build: Callable[..., QuerySet[Any]],
    placeholders: tuple[Any, ...],
    given: tuple[Any, ...],
    alias: str,
) -> tuple[Any, ...] | None:
    """The first row of build(*given), a values_list() queryset, or None: from the
    statement build(*placeholders) compiled once, each placeholder standing where
    its value goes (in one place or more) and no parameter equal to one by chance."""
    prepared = _compiled_values(build, placeholders, alias)
    params = [
        given[placeholders.index(param)] if param in placeholders else param
        for param in prepared.params
    ]
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(prepared.sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    return tuple(_converted(found, prepared.converters, connection))


@dataclass(frozen=True)
class _CompiledValues:
    sql: str
    params: tuple[Any, ...]
    converters: Converters


@functools.cache
def _compiled_values(
    build: Callable[..., QuerySet[Any]], placeholders: tuple[Any, ...], alias: str
) -> _CompiledValues:
    compiler = build(*placeholders).query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    for placeholder in placeholders:
        if placeholder not in params:
            raise RuntimeError(f"{build.__name__} must take {placeholder!r}")
    columns = [column for column, _, _ in compiler.select]
    converters = list(compiler.get_converters(columns).items())
    return _CompiledValues(sql, tuple(params), converters)


def rows(build: Callable[[Any], QuerySet[Any]], pk: Any) -> list[Model]:
    """instances() of build(pk) on the database its model is read from, with
    PLACEHOLDER_PK standing for the primary key: the common case of a page's rows
    that belong to one intake, patient or user.

    Inside together() naming the same build and pk, the rows read on entering it."""
    read_together = _together.get()
    if read_together is not None and (build, pk) in read_together:
        return read_together.pop((build, pk))  # once: a later call reads afresh
    return instances(build, PLACEHOLDER_PK, pk, router.db_for_read(model_of(build)))


# What together() read for rows() to hand out: {(build, pk): objects}.
_together: ContextVar[dict[tuple[Any, Any], list[Model]] | None] = ContextVar(
    "compiled_together", default=None
)


@contextlib.contextmanager
def together(pk: Any, *builds: Callable[[Any], QuerySet[Any]]) -> Iterator[None]:
    """Read rows(build, pk) of every build in one round trip, for the rows() calls
    inside the block (#19 goal 2: a page reading seven lists of one intake's rows
    paid seven round trips, about 0.3 ms each under load).

    PostgreSQL runs several statements sent at once (Django's psycopg cursor binds
    parameters on the client) and returns one result for each. Elsewhere (SQLite, the
    embedded default, has no round trip to save) each rows() call reads as before.
    The block only moves the reads: each build's rows are those rows(build, pk) would
    read on entry, handed out once, so a read after a write inside the block should
    not name that build here.
    """
    alias = router.db_for_read(model_of(builds[0]))
    connection = connections[alias]
    if connection.vendor != "postgresql" or any(
        router.db_for_read(model_of(build)) != alias for build in builds
    ):
        yield
        return
    prepared = [_readable(build, PLACEHOLDER_PK, alias) for build in builds]
    sql = ";\n".join(each.sql for each in prepared)
    params = [
        value for each in prepared for value in values(each.params, PLACEHOLDER_PK, pk)
    ]
    read: dict[tuple[Any, Any], list[Model]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for build, each in zip(builds, prepared, strict=True):
            read[(build, pk)] = _objects(each, cursor.fetchall(), alias)
            cursor.cursor.nextset()  # psycopg's own cursor: the next statement's rows
    token = _together.set(read)
    try:
        yield
    finally:
        _together.reset(token)


@functools.cache
def model_of(build: Callable[[Any], QuerySet[Any]]) -> type[Model]:
    """The model whose rows build() reads."""
    return build(PLACEHOLDER_PK).model


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    columns: list[Any]  # the selected columns, in order
    klass_info: dict[str, Any]  # which columns make which object (Django's own)
    annotations: bool
    converters: Converters  # found once, when compiled (#19)


@functools.cache
def _compiled(
    build: Callable[[Any], QuerySet[Any]], placeholder: Any, alias: str
) -> _Compiled:
    compiler = build(placeholder).query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if list(params).count(placeholder) != 1:
        raise RuntimeError(f"{build.__name__} must take its value in one place")
    columns = [column for column, _, _ in compiler.select]
    converters = list(compiler.get_converters(columns).items())
    return _Compiled(
        sql,
        tuple(params),
        columns,
        compiler.klass_info,
        bool(compiler.annotation_col_map),
        converters,
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
