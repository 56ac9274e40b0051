"""Querysets the ORM builds and compiles once per process, run with each call's values.

Building the published rule's queryset and compiling it to SQL costs Django's ORM about
half a millisecond a query; running that SQL on SQLite costs a tenth of it. The queries a
public page makes on every request are written as usual, as a function that returns a
queryset, and decorated:

    @prepared
    def published_by_slug(now: datetime, section: str, slug: str):
        return Article.objects.published(now).filter(section__slug=section, slug=slug)

    published_by_slug(now=timezone.now(), section="news", slug="rain")  # -> [Article]

The first call on a database builds the queryset with stand-in values (one per argument,
of its annotated type: int, str, datetime or date, a tuple of one of them, or one of
them or None), compiles it, and remembers where each stand-in lands among the SQL's
parameters. An int may also bound a slice, which Django writes into the SQL as a number
(LIMIT 20 OFFSET 40): that number becomes a parameter too, so one compiled query serves
every page. Later calls put their own values there, run the SQL and turn the rows into
what the queryset would have returned (model instances with their select_related()
objects and annotations, or values_list() rows) the way Django's own iterables do.

So the function must produce the same SQL whatever the values: they may only be compared
with or bound a slice, never decide the query's shape (an `if` on a value). Only a bool
argument, the length of a tuple and whether an optional argument is None may decide it:
each combination of them is compiled on its own (so a tuple's lengths must be few).
Where PREPARED_QUERIES_CHECK is on (development and the tests), every call also builds
the queryset with its own values and fails loudly if the ORM would have sent other SQL
or other parameters: a function that breaks the rule fails its tests.

On PostgreSQL a query whose best plan does not depend on its values can also be
planned once per connection: `@prepared(plan_once=True)`. Its SQL is sent once as a
PREPARE, its constants written in and its values as parameters, together with its first
EXECUTE (one round trip, one query); later calls send only `EXECUTE name(values)`.
PostgreSQL had spent most of a simple query's time parsing and planning it again on
every request (0.7 of the article's 1.0 ms). The connection's plan_cache_mode is
force_generic_plan (config/settings.py): only these statements are prepared, since
Django's own queries bind their values on the client. A query only opts in once its
plan, made without its values, was measured as good as the one made with them: some
(a tag's jokes) are read the right way only when the planner sees the values.
PREPARED_STATEMENTS=false turns this off (PgBouncer in transaction mode cannot keep
prepared statements).
"""

import functools
import inspect
import itertools
import re
import types
import typing
import weakref
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

# The integers the databases hold (a bigint): the ORM turns a lookup past them into no
# row or every row rather than send them.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


class PreparedQueryError(Exception):
    """A prepared query's function cannot be prepared, or its SQL would differ from the
    ORM's for the values given (PREPARED_QUERIES_CHECK)."""


def _stand_in(kind, number):
    """A value of `kind` that no real argument or constant of a query is."""
    if kind is int:  # positive (a slice's bounds may be one), and in a 32-bit column's
        # range: past it, PostgreSQL's backend drops the condition (or the query)
        return 1_987_654_000 + number
    if kind is str:
        return f"\x1fprepared-stand-in-{number}\x1f"
    if kind is datetime:
        return datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC) + timedelta(microseconds=number)
    if kind is date:
        return date(1901, 2, 3) + timedelta(days=number)
    raise PreparedQueryError(
        f"a prepared query's argument is int, str, datetime, date or bool, not {kind}"
    )


def _adapter(kind):
    """What the ORM does to a value of `kind` before it becomes a parameter."""
    if kind is int:
        return lambda value, connection: int(value)
    if kind is str:
        return lambda value, connection: str(value)
    if kind is datetime:
        return lambda value, connection: connection.ops.adapt_datetimefield_value(value)
    return lambda value, connection: connection.ops.adapt_datefield_value(value)


_PLACEHOLDERS = re.compile(r"%%|%s")


def _numbers_to_parameters(sql, params, numbers):
    """Turn the numbers `numbers` written in `sql` (a slice's bounds) into parameters:
    (sql, params, the positions of the parameters made)."""
    if not numbers:
        return sql, params, set()
    alternatives = "|".join(map(re.escape, numbers))
    pattern = re.compile(rf"%%|%s|(?<![\w.])(?:{alternatives})(?![\w.])")
    pieces, new_params, made, taken, last = [], [], set(), iter(params), 0
    for match in pattern.finditer(sql):
        if match.group() == "%%":
            continue
        if match.group() == "%s":
            new_params.append(next(taken))
            continue
        pieces.append(sql[last : match.start()] + "%s")
        last = match.end()
        made.add(len(new_params))
        new_params.append(int(match.group()))
    pieces.append(sql[last:])
    return "".join(pieces), new_params, made


def _numbers_written(sql, params, written):
    """The reverse of _numbers_to_parameters: the SQL Django writes for these values."""
    if not written:
        return sql, params
    placeholders = (match for match in _PLACEHOLDERS.finditer(sql) if match.group() == "%s")
    pieces, kept, last = [], [], 0
    for number, match in enumerate(placeholders):
        if number in written:
            pieces.append(sql[last : match.start()] + str(params[number]))
            last = match.end()
        else:
            kept.append(params[number])
    pieces.append(sql[last:])
    return "".join(pieces), kept


class _Plan:
    """One database's SQL for a prepared query, and how to read its rows."""

    def __init__(self, queryset, stand_ins, name, empty_tuple, plan_once=False):
        self.alias = queryset.db
        connection = connections[self.alias]
        self.statement = None  # PostgreSQL's prepared statement (plan_once)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise PreparedQueryError(f"{name}: prefetch_related() is not prepared")
        compiler = queryset.query.get_compiler(using=self.alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            if not empty_tuple:  # a stand-in made it empty: its values would not count
                raise PreparedQueryError(f"{name}: its stand-ins leave no query") from None
            # `pk__in=()`: no query, no row, as the ORM does
            self.sql, self.params, self.written, self.slots = None, [], set(), []
            return
        numbers = {str(value) for kind, value in stand_ins.values() if kind is int}
        self.sql, self.params, self.written = _numbers_to_parameters(sql, list(params), numbers)
        self.slots = []
        kinds = {}  # the position of each value's parameter -> the type of the value
        for (argument, index), (kind, stand_in) in stand_ins.items():
            adapt = _adapter(kind)
            expected = adapt(stand_in, connection)
            positions = [
                i
                for i, param in enumerate(self.params)
                if type(param) is type(expected) and param == expected
            ]
            label = argument if index is None else f"{argument}[{index}]"
            if not positions:
                raise PreparedQueryError(f"{name}: `{label}` is not a parameter of its SQL")
            self.slots.append((argument, index, adapt, positions))
            kinds.update(dict.fromkeys(positions, kind))
            if isinstance(expected, str) and expected in self.sql:
                raise PreparedQueryError(f"{name}: `{label}` is written into its SQL")

        if plan_once and connection.vendor == "postgresql" and settings.PREPARED_STATEMENTS:
            self.statement = _Statement(self.sql, self.params, kinds, self.written, connection)

        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise PreparedQueryError(f"{name}: composite fields are not prepared")
        self.fields = fields
        # Converters are per connection (SQLite's are its connection's methods): looked
        # up for each connection that runs the plan, and not kept past its life.
        self.converters = weakref.WeakKeyDictionary()
        self.width = compiler.col_count if compiler.has_extra_select else None
        iterable = queryset._iterable_class
        if iterable is ModelIterable:
            self.rows_to_results = self._model_reader(compiler)
        elif iterable is FlatValuesListIterable:
            self.rows_to_results = lambda rows: [row[0] for row in rows]
        elif iterable is ValuesListIterable:  # Django 5.2 selects the fields in their order
            self.rows_to_results = lambda rows: [tuple(row) for row in rows]
        else:
            raise PreparedQueryError(f"{name}: only models and values_list() are prepared")

    def _model_reader(self, compiler):
        """Rows to instances, as Django's ModelIterable makes them."""
        select, klass_info = compiler.select, compiler.klass_info
        annotations = list(compiler.annotation_col_map.items())
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        related = get_related_populators(klass_info, select, self.alias)
        alias = self.alias

        def read(rows):
            objects = []
            for row in rows:
                obj = model.from_db(alias, names, row[start:end])
                for populator in related:
                    populator.populate(row, obj)
                for attribute, position in annotations:
                    setattr(obj, attribute, row[position])
                objects.append(obj)
            return objects

        return read

    def run(self, values):
        if self.sql is None:
            return [], []
        connection = connections[self.alias]
        params = self.params.copy()
        for argument, index, adapt, positions in self.slots:
            value = values[argument] if index is None else values[argument][index]
            value = adapt(value, connection)
            for position in positions:
                if position in self.written and value < 0:
                    raise ValueError("Negative indexing is not supported.")  # as the ORM
                params[position] = value
        with connection.cursor() as cursor:
            if not (self.statement and self.statement.execute(cursor, connection, params)):
                cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.width is not None:
            rows = [row[: self.width] for row in rows]
        converters = self.converters.get(connection)
        if converters is None:
            converters = self.converters[connection] = _converters(self.fields, connection)
        if converters:
            rows = list(_converted(rows, converters, connection))
        return self.rows_to_results(rows), params

    def same_as(self, other):
        """Whether `other`, the same query compiled from other stand-ins, has the same
        SQL and differs only where the values go (not a value used in another form,
        such as "%value%" or a time computed from it, nor a clock read inside)."""
        if self.sql is None or other.sql is None:
            return self.sql is other.sql
        slots = {position for *_, positions in self.slots for position in positions}
        return (
            self.sql == other.sql
            and len(self.params) == len(other.params)
            and all(
                (mine != theirs) == (position in slots)
                for position, (mine, theirs) in enumerate(
                    zip(self.params, other.params, strict=True)
                )
            )
        )


# PostgreSQL's types for the values of each kind (a prepared statement's parameters).
_SQL_TYPES = {int: "bigint", str: "text", datetime: "timestamptz", date: "date"}
_statement_numbers = itertools.count(1)
_LIMIT = re.compile(r"\bLIMIT\s*$")


class _Statement:
    """A plan's SQL as PostgreSQL prepared statements, each prepared on a connection by
    its first call there (see the module's docstring).

    A slice's LIMIT is written in, not sent as a parameter: planning without it,
    PostgreSQL takes a tenth of the table as wanted and reads a list's rows by hashing
    the whole table (the newest jokes: 130 ms instead of 0.3). So each limit a call
    asks for is a statement of its own, up to LIMITS of them; a call asking for another
    runs the SQL unprepared. The OFFSET stays a parameter: the plan it gets reads the
    list's index, as with a known offset."""

    LIMITS = 4
    # The statements prepared on each connection (a psycopg connection: a new one when
    # Django reconnects), forgotten with it.
    prepared_on = weakref.WeakKeyDictionary()

    def __init__(self, sql, params, kinds, written, connection):
        """`kinds`: the position of each value's parameter -> the type of the value;
        `written`: the positions of the numbers the slice wrote in the SQL."""
        connection.ensure_connection()  # the constants are written by its client
        placeholders = [match for match in _PLACEHOLDERS.finditer(sql) if match.group() == "%s"]
        self.limits = [
            position
            for position in sorted(written)
            if _LIMIT.search(sql, 0, placeholders[position].start())
        ]
        self.positions = [position for position in sorted(kinds) if position not in self.limits]
        numbers = {position: number for number, position in enumerate(self.positions, 1)}
        self.pieces, last = [], 0  # the body: SQL, and a limit's position between pieces
        text = []
        for position, match in enumerate(placeholders):
            text.append(sql[last : match.start()])
            last = match.end()
            if position in numbers:
                text.append(f"${numbers[position]}")
            elif position in self.limits:
                self.pieces.extend(["".join(text), position])
                text = []
            else:  # a constant, written in: the plan is made knowing it
                constant = connection.ops.compose_sql("%s", [params[position]])
                text.append(constant.replace("%", "%%"))
        text.append(sql[last:])
        self.pieces.append("".join(text))
        types = ", ".join(_SQL_TYPES[kinds[position]] for position in self.positions)
        self.types = f"({types})" if types else ""  # "name()" is no statement's name
        self.values = f"({', '.join(['%s'] * len(self.positions))})" if types else ""
        self.statements = {}  # the limits -> (its name, its EXECUTE, its PREPARE)

    def _named(self, limits):
        name = f"portal_prepared_{next(_statement_numbers)}"
        body = "".join(
            str(limits[self.limits.index(piece)]) if isinstance(piece, int) else piece
            for piece in self.pieces
        )
        run = f"EXECUTE {name}{self.values}"
        prepare = f"PREPARE {name}{self.types} AS {body}; {run}"
        self.statements[limits] = name, run, prepare
        return self.statements[limits]

    def execute(self, cursor, connection, params):
        """Run the statement for these parameters' limits on `cursor`: False when there
        is none (too many limits asked for), for the caller to send the SQL itself."""
        limits = tuple(params[position] for position in self.limits)
        found = self.statements.get(limits)
        if found is None:
            if len(self.statements) >= self.LIMITS:
                return False
            found = self._named(limits)
        name, run, prepare = found
        values = [params[position] for position in self.positions]
        prepared = self.prepared_on.setdefault(connection.connection, set())
        if name in prepared:
            cursor.execute(run, values)
            return True
        try:
            cursor.execute(prepare, values)
        except Exception:
            # Prepared or not: the next call prepares it again under another name.
            self._named(limits)
            raise
        cursor.nextset()  # the EXECUTE's rows, after the PREPARE's
        prepared.add(name)
        return True


def _converters(fields, connection):
    """What Django's compiler converts each column's values with (get_converters())."""
    found = []
    for position, expression in enumerate(fields):
        if expression:
            converters = connection.ops.get_db_converters(
                expression
            ) + expression.get_db_converters(connection)
            if converters:
                found.append((position, (converters, expression)))
    return found


def _converted(rows, converters, connection):
    for row in map(list, rows):
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        yield row


def _form(kind):
    """(the type of the values, "one", "tuple" for `tuple[type, ...]` or "optional" for
    `type | None`)."""
    arguments = typing.get_args(kind)
    origin = typing.get_origin(kind)
    if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        return arguments[0], "tuple"
    if (
        origin in (typing.Union, types.UnionType)
        and len(arguments) == 2
        and type(None) in arguments
    ):
        return next(argument for argument in arguments if argument is not type(None)), "optional"
    return kind, "one"


class PreparedQuery:
    """A function returning a queryset, run as SQL compiled once per database (and per
    shape: each combination of its bool arguments, its tuples' lengths and which of its
    optional arguments are None)."""

    def __init__(self, build, plan_once=False):
        functools.update_wrapper(self, build)
        self.build = build
        self.plan_once = plan_once
        hints = typing.get_type_hints(build)
        self.kinds = {}  # argument -> (the type of its values, its form: see _form())
        for argument in inspect.signature(build).parameters:
            kind, form = _form(hints.get(argument))
            if kind is not bool:
                _stand_in(kind, 0)  # refuses a type it cannot stand in for
            elif form != "one":
                raise PreparedQueryError("a prepared query's bool is neither in a tuple nor None")
            self.kinds[argument] = (kind, form)
        self.shapes = [
            argument
            for argument, (kind, form) in self.kinds.items()
            if kind is bool or form != "one"
        ]
        self.model = None
        self.plans = {}  # (database alias, shape) -> _Plan

    def _values(self, argument, value):
        form = self.kinds[argument][1]
        if form == "tuple":
            return value
        return [] if form == "optional" and value is None else [value]

    def __call__(self, **values):
        if values.keys() != self.kinds.keys():
            raise TypeError(f"{self.__name__}() takes {', '.join(self.kinds)} by name")
        if any(
            not _INT_MIN <= int(value) <= _INT_MAX
            for argument, (kind, _form) in self.kinds.items()
            if kind is int
            for value in self._values(argument, values[argument])
        ):
            # Past what the database holds: the ORM knows what each lookup makes of it
            # (no row for `pk=`, every row for `pk__lt=`).
            return list(self.build(**values))
        shape = tuple(self._shape_of(argument, values[argument]) for argument in self.shapes)
        plan = self.plans.get((router.db_for_read(self.model), shape)) if self.model else None
        if plan is None:
            plan = self._prepare(values, shape)
        results, params = plan.run(values)
        if settings.PREPARED_QUERIES_CHECK:
            self._check(plan, values, params)
        return results

    def _shape_of(self, argument, value):
        kind, form = self.kinds[argument]
        if form == "tuple":
            return len(value)
        return value is None if form == "optional" else bool(value)

    def _prepare(self, values, shape):
        plan_once = self.plan_once
        if callable(plan_once):  # decided by the shape's bool arguments
            wanted = inspect.signature(plan_once).parameters
            plan_once = plan_once(**{argument: values[argument] for argument in wanted})
        plan, model = self._compile(values, first=0, plan_once=plan_once)
        again, _model = self._compile(values, first=len(self.kinds) * 200 + 1000)
        if not plan.same_as(again):
            raise PreparedQueryError(
                f"{self.__name__}: a value changes more of its SQL than its own place "
                "(used in another form, or the clock read inside)"
            )
        self.model = model
        self.plans[plan.alias, shape] = plan
        return plan

    def _compile(self, values, first, plan_once=False):
        """The plan of these values' shape, compiled from stand-ins numbered from
        `first`."""
        stand_ins, arguments, number = {}, {}, first
        for argument, (kind, form) in self.kinds.items():
            if kind is bool or (form == "optional" and values[argument] is None):
                arguments[argument] = values[argument]
                continue
            made = []
            for index in range(len(values[argument])) if form == "tuple" else [None]:
                stand_ins[argument, index] = (kind, _stand_in(kind, number))
                made.append(stand_ins[argument, index][1])
                number += 1
            arguments[argument] = tuple(made) if form == "tuple" else made[0]
        queryset = self.build(**arguments)
        empty_tuple = any(
            form == "tuple" and not values[argument]
            for argument, (_kind, form) in self.kinds.items()
        )
        return _Plan(queryset, stand_ins, self.__name__, empty_tuple, plan_once), queryset.model

    def forget(self):
        """Compile again on the next call (for a test that changes a constant the
        function reads)."""
        self.plans.clear()
        self.model = None

    def _check(self, plan, values, params):
        """Fail if the ORM, given these values, would have sent other SQL or parameters."""
        queryset = self.build(**values)
        try:
            sql, expected = queryset.query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            sql, expected = None, []
        ours, ours_params = (
            _numbers_written(plan.sql, params, plan.written) if plan.sql else (None, [])
        )
        # Django leaves out "OFFSET 0"; the prepared SQL keeps it as a parameter.
        if (sql, list(expected)) not in (
            (ours, ours_params),
            (ours and ours.replace(" OFFSET 0", ""), ours_params),
        ):
            raise PreparedQueryError(
                f"{self.__name__}: the SQL prepared differs from the ORM's for {values!r}: "
                "its shape must not depend on the values"
            )


def prepared(build=None, *, plan_once=False):
    """Decorate a function returning a queryset: see the module's docstring.
    `@prepared(plan_once=True)`: PostgreSQL plans it once per connection; `plan_once` may
    also be a function of some of its bool arguments, deciding for each shape (e.g.
    `lambda popular: not popular`)."""
    if build is None:
        return functools.partial(PreparedQuery, plan_once=plan_once)
    return PreparedQuery(build, plan_once)
