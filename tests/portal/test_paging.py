"""Pages without a count (portal/paging.py): the same items, in the same order, as
Django's paginator gives, one query a page whatever its depth."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models.functions import Length
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from bulletin.models import Article, Section, TaggedArticle
from portal import paging
from portal.paging import UncountedPaginator
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    now = timezone.now()
    # Some share a publish time: the order must still be total and stable.
    for n in range(23):
        ArticleFactory(publish_at=now - timezone.timedelta(minutes=n // 3))
    return Article.objects.published().for_listing()


def test_pages_hold_what_djangos_paginator_holds(articles, django_assert_num_queries):
    counted = Paginator(articles, 5)
    uncounted = UncountedPaginator(articles, 5)
    for number in counted.page_range:
        expected = counted.page(number)
        with django_assert_num_queries(1):
            page = uncounted.page(number)
        assert [a.pk for a in page.object_list] == [a.pk for a in expected.object_list]
        assert page.has_next() == expected.has_next()
        assert page.has_previous() == expected.has_previous()
        assert (page.start_index(), page.end_index()) == (
            expected.start_index(),
            expected.end_index(),
        )
        if page.has_next():
            assert page.next_page_number() == number + 1
        else:
            with pytest.raises(EmptyPage):
                page.next_page_number()
    with pytest.raises(EmptyPage):
        uncounted.page(counted.num_pages + 1)
    with pytest.raises(EmptyPage):
        uncounted.page(1).previous_page_number()


@pytest.mark.parametrize("bad", ["last", "abc", None, 1.5, ""])
def test_what_is_no_page_number(articles, bad):
    with pytest.raises(PageNotAnInteger):
        UncountedPaginator(articles, 5).page(bad)


@pytest.mark.parametrize("bad", [0, -1, "-3"])
def test_numbers_below_one(articles, bad):
    with pytest.raises(EmptyPage):
        UncountedPaginator(articles, 5).page(bad)


def test_the_first_page_of_nothing_is_empty(db):
    page = UncountedPaginator(Article.objects.none(), 5).page(1)
    assert list(page.object_list) == [] and not page.has_other_pages()
    assert page.end_index() == 0


def test_a_list_is_paged_too():
    page = UncountedPaginator(list(range(12)), 5).page(3)
    assert page.object_list == [10, 11] and not page.has_next() and page.start_index() == 11


def test_a_search_is_paged_by_slicing_not_by_a_subquery(db, django_assert_num_queries):
    """The SQLite search names its tables in SQL of its own, which a subquery would
    read once per outer row: its pages are slices of the ranked list."""
    from portal import search

    for n in range(5):
        ArticleFactory(title=f"Walrus {n}")
    ranked = search.matching(Article.objects.published(), "walrus")
    paginator = UncountedPaginator(ranked, 2)
    pages = [paginator.page(number) for number in (1, 2, 3)]
    assert [[a.pk for a in page.object_list] for page in pages] == [
        [a.pk for a in list(ranked)[i : i + 2]] for i in (0, 2, 4)
    ]
    assert [page.has_next() for page in pages] == [True, True, False]
    if connection.vendor == "sqlite":
        fresh = UncountedPaginator(search.matching(Article.objects.published(), "walrus"), 2)
        with CaptureQueriesContext(connection) as queries:
            fresh.page(2)
        assert "IN (SELECT" not in queries.captured_queries[-1]["sql"].upper()


@pytest.mark.parametrize("popular_from", [1, 3, 1000])
def test_a_tags_list_is_the_same_read_either_way(monkeypatch, popular_from):
    """with_tag reads a common tag down the list's own index and a rarer one through
    its taggings: the same rows, in the same order, only drafts and other tags left out."""
    from jokes.models import Joke, TaggedJoke
    from tests.factories import JokeFactory

    monkeypatch.setattr(paging, "POPULAR_TAG", popular_from)
    now = timezone.now()
    for n in range(12):
        ArticleFactory(publish_at=now - timezone.timedelta(minutes=n // 3), tags=["rivers"])
        ArticleFactory(publish_at=now - timezone.timedelta(minutes=n), tags=["boats"])
        JokeFactory(tags=["rivers"] if n % 2 else ["boats", "rivers"])
    ArticleFactory(draft=True, tags=["rivers"])
    tag = Tag.objects.get(name="rivers")
    listed = Article.objects.published().for_listing()
    expected = [a.pk for a in listed.filter(tags=tag)]
    got = [a.pk for a in paging.with_tag(listed, TaggedArticle, tag)]
    assert got == expected and len(got) == 12
    row_by_row = paging.with_tag(listed, TaggedArticle, tag, first_pages=True)
    assert [a.pk for a in row_by_row] == expected
    jokes = Joke.objects.published().order_by("-published_at", "-pk")
    assert [j.pk for j in paging.with_tag(jokes, TaggedJoke, tag)] == [
        j.pk for j in jokes.filter(tags=tag)
    ]
    sliced = paging.slice_by_id(paging.with_tag(listed, TaggedArticle, tag), 3, 8)
    assert [a.pk for a in sliced] == expected[3:8]
    sliced = paging.slice_by_id(row_by_row, 3, 8)
    assert [a.pk for a in sliced] == expected[3:8]


@pytest.mark.parametrize("kind", ["headlines", "jokes"])
@pytest.mark.parametrize("popular_from", [1, 1000])
def test_a_tags_pages_are_its_list_and_a_common_tags_first_are_planned_once(
    monkeypatch, popular_from, kind
):
    """A tag's list read page by page (portal/queries.py, tag_page, tag_jokes_page)
    holds its items; on PostgreSQL a common tag's first FIRST_PAGES items come from a
    statement planned once, and so do all of a rare tag's headlines; a common tag's
    deeper pages and a rare tag's jokes are planned each time."""
    from jokes.models import Joke
    from portal import queries
    from tests.factories import JokeFactory

    monkeypatch.setattr(paging, "POPULAR_TAG", popular_from)
    monkeypatch.setattr(queries, "FIRST_PAGES", 7)
    compiled = (queries.tag_by_slug, queries.tagged_teasers, queries.tagged_jokes)
    for query in compiled:
        query.forget()
    now = timezone.now()
    for n in range(12):
        ArticleFactory(publish_at=now - timezone.timedelta(minutes=n // 3), tags=["rivers"])
        ArticleFactory(publish_at=now - timezone.timedelta(minutes=n), tags=["boats"])
        JokeFactory(published_at=now - timezone.timedelta(minutes=n // 3), tags=["rivers"])
        JokeFactory(published_at=now - timezone.timedelta(minutes=n), tags=["boats"])
    ArticleFactory(draft=True, tags=["rivers"])
    JokeFactory(status=Joke.Status.DRAFT, tags=["rivers"])
    if kind == "headlines":
        listed = Article.objects.published().for_teasers()
    else:
        listed = Joke.objects.for_visitor(True).for_listing()
    expected = [item.pk for item in listed.filter(tags__name="rivers")]
    try:
        tag = queries.tag_by_slug(slug="rivers")[0]
        assert tag.popular_in_articles == tag.popular_in_jokes == (popular_from == 1)
        if kind == "headlines":
            rows = paging.PreparedPages(
                queries.tag_page, now=timezone.now(), tag=tag.pk, popular=tag.popular_in_articles
            )
        else:
            rows = paging.PreparedPages(
                queries.tag_jokes_page,
                now=timezone.now(),
                safe=True,
                tag=tag.pk,
                popular=tag.popular_in_jokes,
            )
        pages = UncountedPaginator(rows, 3)
        got, sent = [], []
        for number in range(1, 5):
            with CaptureQueriesContext(connection) as captured:
                page = pages.page(number)
            got += [item.pk for item in page]
            sent += [query["sql"].split(" ", 1)[0] for query in captured.captured_queries]
        assert got == expected and len(got) == 12 and not page.has_next()
        if connection.vendor == "postgresql":
            # Pages 1 to 3 start among the first seven items, page 4 at the tenth.
            if popular_from == 1:
                assert sent == ["PREPARE", "EXECUTE", "EXECUTE", "SELECT"]
            elif kind == "headlines":
                assert sent == ["PREPARE", "EXECUTE", "EXECUTE", "EXECUTE"]
            else:
                assert sent == ["SELECT"] * 4
    finally:
        monkeypatch.undo()
        for query in compiled:
            query.forget()


def test_a_slice_reads_its_rows_by_id_alone_with_what_the_list_loads(
    articles, django_assert_num_queries
):
    """The rows of a slice are read by their ids, loaded and ordered as the list says;
    the list's conditions are not repeated around them (the ids met them)."""
    teasers = Article.objects.published().for_teasers()
    sliced = paging.slice_by_id(teasers, 4, 9)
    assert len(sliced.query.where.children) == 1  # pk IN (the list's ids)
    with django_assert_num_queries(1):
        rows = list(sliced)
        sections = [article.section.name for article in rows]  # select_related kept
    assert [a.pk for a in rows] == [a.pk for a in teasers[4:9]]
    assert sections == [a.section.name for a in teasers[4:9]]
    assert all(a.get_deferred_fields() == teasers[0].get_deferred_fields() for a in rows)
    # No order of its own: the model's, as the list has.
    sections_by_position = Section.objects.all()
    assert list(paging.slice_by_id(sections_by_position, 0, 3)) == list(sections_by_position[:3])


def test_a_slice_of_a_list_with_annotations_keeps_its_conditions(articles):
    annotated = Article.objects.published().for_listing().annotate(length=Length("title"))
    sliced = paging.slice_by_id(annotated, 2, 6)
    assert [(a.pk, a.length) for a in sliced] == [(a.pk, a.length) for a in annotated[2:6]]
