"""Prepared queries (portal/prepared.py): what the ORM would have returned, from SQL
compiled once, with each call's values. The suite runs with PREPARED_QUERIES_CHECK on
(DEBUG=1), so every page's prepared queries are also compared with the ORM's SQL."""

from datetime import date, datetime, timedelta

import pytest
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from taggit.models import Tag

from bulletin.models import Article
from portal.paging import PreparedPages, UncountedPaginator, slice_by_id
from portal.prepared import (
    PreparedQueryError,
    _numbers_to_parameters,
    _numbers_written,
    _Statement,
    prepared,
)
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted_builds(settings):
    """Builds of prepared querysets are counted only when the check is off: with it on,
    every call builds once more to compare."""
    settings.PREPARED_QUERIES_CHECK = False
    return []


def test_instances_are_what_the_orm_returns(django_assert_num_queries):
    section = SectionFactory(name="Weather")
    writer = UserFactory(username="ann")
    ArticleFactory(section=section, title="Rain", tags=["wet", "cold"], author=writer)
    ArticleFactory(section=section, title="Sun", tags=["warm"], author=writer)
    ArticleFactory(section=section, title="Draft", draft=True)

    @prepared
    def teasers(now: datetime, section: int):
        return (
            Article.objects.published(now)
            .filter(section=section)
            .select_related("section", "author")
            .only("title", "slug", "section__name", "author__username", "publish_at")
            .annotate(tag_count=Count("tagged_items"), doubled=F("pk") * 2)
            .order_by("title")
        )

    now = timezone.now()
    expected = list(teasers.build(now=now, section=section.pk))
    with django_assert_num_queries(1):
        found = teasers(now=now, section=section.pk)
    assert [a.title for a in found] == ["Rain", "Sun"]
    for ours, theirs in zip(found, expected, strict=True):
        assert ours.pk == theirs.pk
        assert ours.publish_at == theirs.publish_at  # converted as the ORM converts
        assert ours.get_deferred_fields() == theirs.get_deferred_fields()
        assert (ours.tag_count, ours.doubled) == (theirs.tag_count, theirs.doubled)
        assert ours._state.db == theirs._state.db and not ours._state.adding
    with django_assert_num_queries(0):  # select_related() objects came with the row
        assert found[0].section.name == "Weather"
        assert found[0].author.username == "ann"


def test_compiled_once_then_run_with_each_calls_values(counted_builds):
    first, second = ArticleFactory(slug="first"), ArticleFactory(slug="second")

    @prepared
    def by_slug(slug: str):
        counted_builds.append(slug)
        return Article.objects.filter(slug=slug)

    assert by_slug(slug="first") == [first]
    assert by_slug(slug="second") == [second]
    assert by_slug(slug="missing") == []
    # Built at the first call only: with stand-ins, and again with others to check that
    # only the values' places differ.
    assert len(counted_builds) == 2 and "first" not in counted_builds


def test_the_clock_is_a_value_like_any_other():
    now = timezone.now()
    scheduled = ArticleFactory(publish_at=now + timedelta(hours=1))
    expiring = ArticleFactory(
        publish_at=now - timedelta(days=1), expires_at=now + timedelta(minutes=30)
    )

    @prepared
    def published(now: datetime):
        return Article.objects.published(now).order_by("pk")

    assert published(now=now) == [expiring]
    assert published(now=now + timedelta(minutes=45)) == []
    assert published(now=now + timedelta(hours=2)) == [scheduled]


def test_dates_and_values_list():
    day = date(2026, 3, 14)
    ArticleFactory(title="Pi day", publish_at=timezone.make_aware(datetime(2026, 3, 14, 12)))
    ArticleFactory(title="Later", publish_at=timezone.make_aware(datetime(2026, 3, 20, 12)))

    @prepared
    def titles_on(day: date):
        return Article.objects.filter(publish_at__date=day).values_list("title", flat=True)

    @prepared
    def rows(title: str):
        return Article.objects.filter(title=title).values_list("title", "status")

    @prepared
    def reordered(title: str):  # extra() and annotations come first in the SQL
        articles = Article.objects.filter(title=title).annotate(twice=F("pk") * 2)
        articles = articles.extra(select={"one": "1"})  # noqa: S610 - a constant
        return articles.values_list("status", "one", "pk", "twice")

    assert titles_on(day=day) == ["Pi day"]
    assert titles_on(day=day + timedelta(days=6)) == ["Later"]
    assert rows(title="Later") == [("Later", Article.Status.PUBLISHED)]
    later = Article.objects.get(title="Later")
    expected = list(reordered.build(title="Later"))
    assert reordered(title="Later") == expected == [("published", 1, later.pk, later.pk * 2)]


def test_slices_bound_by_values_page_as_the_orm_pages(counted_builds):
    now = timezone.now()
    for n in range(23):  # some share a publish time: the order must still be total
        ArticleFactory(publish_at=now - timedelta(minutes=n // 3))

    @prepared
    def page(now: datetime, offset: int, limit: int):
        counted_builds.append(offset)
        queryset = Article.objects.published(now).for_teasers()
        return slice_by_id(queryset, offset, offset + limit)

    expected = Paginator(Article.objects.published(now).for_teasers(), 5)
    pages = UncountedPaginator(PreparedPages(page, now=now), 5)
    for number in expected.page_range:
        ours = pages.page(number)
        assert [a.pk for a in ours.object_list] == [a.pk for a in expected.page(number)]
        assert ours.has_next() == expected.page(number).has_next()
    # one SQL for every page, the first (OFFSET 0) too, built from two sets of stand-ins
    assert len(counted_builds) == 2


def test_each_combination_of_bool_arguments_is_compiled_on_its_own(counted_builds):
    featured = ArticleFactory(featured=True, title="B")
    plain = ArticleFactory(featured=False, title="A")

    @prepared
    def listing(featured_only: bool, newest_first: bool):
        counted_builds.append((featured_only, newest_first))
        articles = Article.objects.order_by("-pk" if newest_first else "pk")
        return articles.filter(featured=True) if featured_only else articles

    assert listing(featured_only=True, newest_first=True) == [featured]
    assert listing(featured_only=False, newest_first=True) == [plain, featured]
    assert listing(featured_only=False, newest_first=False) == [featured, plain]
    assert listing(featured_only=False, newest_first=True) == [plain, featured]
    assert len(counted_builds) == 3 * 2  # each from two sets of stand-ins


def test_a_tuple_is_compiled_once_for_each_length(counted_builds, django_assert_num_queries):
    first, second, third = ArticleFactory(), ArticleFactory(), ArticleFactory()

    @prepared
    def chosen(ids: tuple[int, ...], titles: tuple[str, ...]):
        counted_builds.append(len(ids))
        return Article.objects.filter(pk__in=ids).exclude(title__in=titles).order_by("pk")

    assert chosen(ids=(first.pk,), titles=()) == [first]
    assert chosen(ids=(first.pk, third.pk), titles=(third.title,)) == [first]
    assert chosen(ids=(second.pk, third.pk), titles=("x",)) == [second, third]
    assert counted_builds == [1, 1, 2, 2]  # each from two sets of stand-ins
    with django_assert_num_queries(0):  # an empty IN: no query, no row, as with the ORM
        assert chosen(ids=(), titles=()) == []


def test_an_optional_argument_is_compiled_with_and_without_it(counted_builds):
    weather, sport = SectionFactory(), SectionFactory()
    rain, goal = ArticleFactory(section=weather), ArticleFactory(section=sport)

    @prepared
    def articles(section: int | None):
        counted_builds.append(section is None)
        found = Article.objects.order_by("pk")
        return found if section is None else found.filter(section=section)

    assert articles(section=None) == [rain, goal]
    assert articles(section=sport.pk) == [goal]
    assert articles(section=weather.pk) == [rain]
    assert articles(section=None) == [rain, goal]
    assert counted_builds == [True, True, False, False]  # each from two sets of stand-ins


def test_a_shape_that_depends_on_a_value_fails_the_check(settings):
    settings.PREPARED_QUERIES_CHECK = True
    ArticleFactory()

    @prepared
    def sneaky(pk: int):
        articles = Article.objects.filter(pk__gte=pk)
        return articles.filter(featured=True) if pk == 1 else articles

    sneaky(pk=2)
    with pytest.raises(PreparedQueryError, match="shape must not depend on the values"):
        sneaky(pk=1)


def test_what_cannot_be_prepared_is_refused():
    with pytest.raises(PreparedQueryError, match="not <class 'float'>"):

        @prepared
        def by_float(score: float):
            return Article.objects.all()

    @prepared
    def unused(pk: int):
        return Article.objects.all()

    @prepared
    def transformed(text: str):
        return Article.objects.filter(title__contains=text)  # the ORM makes it %text%

    @prepared
    def prefetching(pk: int):
        return Article.objects.filter(pk=pk).prefetch_related("tags")

    @prepared
    def as_dicts(pk: int):
        return Article.objects.filter(pk=pk).values("title")

    with pytest.raises(PreparedQueryError, match="`pk` is not a parameter"):
        unused(pk=1)
    with pytest.raises(PreparedQueryError, match="`text` is not a parameter"):
        transformed(text="rain")
    with pytest.raises(PreparedQueryError, match="prefetch_related"):
        prefetching(pk=1)
    with pytest.raises(PreparedQueryError, match="values_list\\(\\) are prepared"):
        as_dicts(pk=1)
    with pytest.raises(TypeError, match="takes pk by name"):
        unused(pk=1, other=2)


def test_a_value_used_in_another_form_is_refused_when_compiled():
    """Found only by being equal to its stand-in, a value used as "%value%", or a time
    computed from it, would be written into the SQL as a constant; so would a clock
    read inside. Compiled twice from different stand-ins, such a query differs in
    more places than its values' own, and is refused before it runs."""

    @prepared
    def slug_or_title(text: str):
        return Article.objects.filter(Q(slug=text) | Q(title__icontains=text))

    @prepared
    def week_before(now: datetime):
        return Article.objects.filter(publish_at__lte=now, publish_at__gte=now - timedelta(7))

    @prepared
    def clock_inside(pk: int):
        return Article.objects.published().filter(pk=pk)

    for query, values in [
        (slug_or_title, {"text": "rain"}),
        (week_before, {"now": timezone.now()}),
        (clock_inside, {"pk": 1}),
    ]:
        with pytest.raises(PreparedQueryError, match="changes more of its SQL"):
            query(**values)


def test_a_stand_in_fits_a_32_bit_column():
    """A tag's id is a 32-bit integer: PostgreSQL's backend drops a condition (or the
    whole query) on a value past that range, so a stand-in must fit it."""
    tag = Tag.objects.create(name="Kelp", slug="kelp")

    @prepared
    def by_id(pk: int):
        return Tag.objects.filter(pk=pk)

    @prepared
    def below(pk: int):
        return Tag.objects.filter(pk__lt=pk).order_by("pk")

    assert by_id(pk=tag.pk) == [tag]
    assert below(pk=tag.pk + 1) == [tag]
    assert below(pk=tag.pk) == []


def test_a_negative_slice_is_refused_as_the_orm_refuses_it():
    ArticleFactory()

    @prepared
    def window(offset: int, limit: int):
        return Article.objects.order_by("pk")[offset : offset + limit]

    assert len(window(offset=0, limit=5)) == 1
    with pytest.raises(ValueError, match="Negative indexing"):
        window(offset=0, limit=-1)


def test_the_suite_checks_every_prepared_query(settings):
    """pyproject.toml turns PREPARED_QUERIES_CHECK on for the tests, whatever DEBUG is."""
    assert settings.PREPARED_QUERIES_CHECK


def test_integers_past_the_database_are_what_the_orm_makes_of_them():
    article = ArticleFactory()

    @prepared
    def exactly(pk: int):
        return Article.objects.filter(pk=pk)

    @prepared
    def below(pk: int):
        return Article.objects.filter(pk__lt=pk)

    assert exactly(pk=2**64) == []  # no row, not an overflow error
    assert exactly(pk=-(2**70)) == []
    assert below(pk=2**64) == [article]  # every row
    assert exactly(pk=article.pk) == [article]


def test_numbers_written_in_sql_become_parameters_and_back():
    sql = "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%' AND d = 12345 LIMIT 7340 OFFSET 12345"
    made_sql, params, made = _numbers_to_parameters(sql, ["b"], {"12345", "7340"})
    assert made_sql == (
        "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%' AND d = %s LIMIT %s OFFSET %s"
    )
    assert params == ["b", 12345, 7340, 12345]
    assert made == {1, 2, 3}
    assert _numbers_written(made_sql, params, made) == (sql, ["b"])
    # A number inside a longer one, a name or a decimal is not the number.
    untouched = "SELECT x123450, 1.12345, 123456 FROM t"
    assert _numbers_to_parameters(untouched, [], {"12345"}) == (untouched, [], set())


# Planned once per connection (PostgreSQL's prepared statements)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _planned_once():
    @prepared(plan_once=True)
    def titled(now: datetime, title: str, since: date, limit: int):
        return (
            Article.objects.published(now)
            .filter(title=title, publish_at__date__gte=since, summary__contains="100%")
            .select_related("section")
            .order_by("-pk")[:limit]
        )

    return titled


@postgres_only
def test_a_query_planned_once_is_prepared_with_its_first_call(django_assert_num_queries):
    odd = 'It\'s 100% "odd" %s; -- DROP TABLE x'
    ArticleFactory(title=odd, summary="Up 100% today")
    ArticleFactory(title=odd, summary="Down")  # fails a constant of the query
    ArticleFactory(title=odd, summary="Up 100% again", draft=True)
    titled = _planned_once()
    now, since = timezone.now(), date(2000, 1, 1)
    expected = list(titled.build(now=now, title=odd, since=since, limit=5))
    assert len(expected) == 1
    with django_assert_num_queries(1) as first:
        assert titled(now=now, title=odd, since=since, limit=5) == expected
    with django_assert_num_queries(2) as later:
        assert titled(now=now, title=odd, since=since, limit=5) == expected
        assert titled(now=now, title="Other", since=since, limit=5) == []
    sent = first.captured_queries[0]["sql"]
    assert sent.startswith("PREPARE portal_prepared_")
    # The constants are written in (the plan is made knowing them), the values not.
    prepare, execute = sent.split("; EXECUTE ")
    assert "E'%100\\\\%%'" in prepare  # summary__contains="100%", escaped
    assert odd.replace("'", "''") not in prepare
    assert odd.replace("'", "''") in execute
    assert all(query["sql"].startswith("EXECUTE portal_") for query in later.captured_queries)


@postgres_only
def test_a_new_connection_prepares_it_again(django_assert_num_queries):
    article = ArticleFactory(title="Kept")
    titled = _planned_once()
    now, since = timezone.now(), date(2000, 1, 1)
    assert titled(now=now, title="Kept", since=since, limit=1) == []  # no "100%"
    article.summary = "All 100% kept"
    article.save()
    assert titled(now=now, title="Kept", since=since, limit=1) == [article]
    with connection.cursor() as cursor:  # as a pooler's reset would: the server forgets
        cursor.execute("DEALLOCATE ALL")
    _forget_prepared(connection)
    with django_assert_num_queries(1) as again:
        assert titled(now=now, title="Kept", since=since, limit=1) == [article]
    assert again.captured_queries[0]["sql"].startswith("PREPARE ")


def _forget_prepared(connection):
    _Statement.prepared_on.pop(connection.connection, None)


@postgres_only
def test_a_failed_first_call_is_prepared_again_under_another_name():
    """Whether a failed PREPARE-and-EXECUTE left the statement prepared is not known:
    the next call prepares it under a new name rather than fail on the old one."""
    ArticleFactory(title="Found", summary="100% found")
    titled = _planned_once()
    values = {"now": timezone.now(), "title": "Found", "since": date(2000, 1, 1), "limit": 1}
    assert len(titled(**values)) == 1
    _forget_prepared(connection)  # prepared on the server, not known to be
    with pytest.raises(DatabaseError, match="already exists"), transaction.atomic():
        titled(**values)
    assert len(titled(**values)) == 1  # under another name


def test_without_prepared_statements_the_sql_is_sent_as_it_is(settings, django_assert_num_queries):
    settings.PREPARED_STATEMENTS = False
    ArticleFactory(title="Plain", summary="100% plain")
    titled = _planned_once()
    with django_assert_num_queries(1) as sent:
        found = titled(now=timezone.now(), title="Plain", since=date(2000, 1, 1), limit=3)
    assert [a.title for a in found] == ["Plain"]
    assert sent.captured_queries[0]["sql"].startswith("SELECT")


def _teasers(count):
    """`count` published articles, a minute apart: (now, them as a list shows them)."""
    now = timezone.now()
    for minutes in range(count):
        ArticleFactory(publish_at=now - timedelta(minutes=minutes))
    return now, list(Article.objects.published(now).for_teasers())


def _paged():
    @prepared(plan_once=True)
    def page(now: datetime, offset: int, limit: int):
        return slice_by_id(Article.objects.published(now).for_teasers(), offset, offset + limit)

    return page


@postgres_only
def test_a_limit_is_written_in_and_each_limit_has_a_statement(django_assert_num_queries):
    """Planned without its LIMIT, a list is planned for a tenth of its table: the limit
    is written into the statement, the offset stays a value."""
    now, expected = _teasers(7)
    page = _paged()
    with django_assert_num_queries(4) as sent:
        assert page(now=now, offset=0, limit=3) == expected[:3]
        assert page(now=now, offset=3, limit=3) == expected[3:6]
        assert page(now=now, offset=6, limit=3) == expected[6:]
        assert page(now=now, offset=2, limit=2) == expected[2:4]
    first, second, third, other = (query["sql"] for query in sent.captured_queries)
    assert first.startswith("PREPARE ") and " LIMIT 3 OFFSET $" in first
    assert second.startswith("EXECUTE ") and third.startswith("EXECUTE ")
    assert second.split("(")[0] == first.split("; ")[1].split("(")[0]  # the same statement
    assert other.startswith("PREPARE ") and " LIMIT 2 OFFSET $" in other


@postgres_only
def test_past_a_few_limits_the_sql_is_sent_unprepared(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(_Statement, "LIMITS", 2)
    now, expected = _teasers(4)
    page = _paged()
    with django_assert_num_queries(4) as sent:
        for limit in (1, 2, 3, 1):
            assert page(now=now, offset=1, limit=limit) == expected[1 : 1 + limit]
    kinds = [query["sql"].split(" ", 1)[0] for query in sent.captured_queries]
    assert kinds == ["PREPARE", "PREPARE", "SELECT", "EXECUTE"]


@postgres_only
def test_whether_to_plan_once_can_be_decided_for_each_shape(django_assert_num_queries):
    @prepared(plan_once=lambda common: not common)
    def titled(title: str, common: bool):
        articles = Article.objects.filter(title=title).order_by("pk")
        return articles if common else articles.filter(featured=False)

    article = ArticleFactory(title="Shaped")
    with django_assert_num_queries(4) as sent:
        for _ in range(2):
            assert titled(title="Shaped", common=False) == [article]
            assert titled(title="Shaped", common=True) == [article]
    kinds = [query["sql"].split(" ", 1)[0] for query in sent.captured_queries]
    assert kinds == ["PREPARE", "SELECT", "EXECUTE", "SELECT"]
