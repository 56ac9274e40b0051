"""Pages of long lists that cost the same at any archive size.

Django's paginator counts the whole list to number its pages: at 100,000 articles
that count costs more than the rest of the page. Here a page reads one row more than
it shows to know whether an older page exists, and never counts: the links are
"newer" and "older", and the page says which number it is. Any page can be opened
by number; a deep page reads only the index up to its place (the ids of the page
first, through an index that holds every column the list filters and sorts on, then
the page's rows by id).
"""

from functools import cache

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils.translation import gettext_lazy as _

from .prepared import prepared

MAX_PAGE = 10_000_000


def slice_by_id(queryset, start, end):
    """`queryset[start:end]` in one query that first picks the ids (the sort reads only
    the ordering columns and the id, through an index when one holds them), then reads
    the rows of those ids: a tag's thousand articles are sorted as ids, not as rows.

    The rows are read by id alone, with what the queryset loads (select_related(),
    only()) and its order: the ids met its conditions, in the same statement. Repeated
    outside, those conditions had doubled what PostgreSQL plans (0.8 ms against 0.4 for
    a tag's jokes, planned anew on every request). A queryset with annotations or
    DISTINCT keeps its own, which the rows may need.

    Not for a queryset with SQL of its own (extra(), as the SQLite search's): that SQL
    names the table, which Django renames inside a subquery, so the subquery would
    read the outer row's table once per row. Those are sliced as they are."""
    query = queryset.query
    if query.extra_tables:
        return queryset[start:end]
    ids = queryset.values("pk")[start:end]
    if query.annotations or query.distinct or query.extra or query.extra_order_by:
        return queryset.filter(pk__in=ids)
    rows = queryset.model._base_manager.using(queryset._db).filter(pk__in=ids)
    rows.query.select_related = query.select_related
    rows.query.deferred_loading = query.deferred_loading
    if query.order_by or not query.default_ordering:
        return rows.order_by(*query.order_by)
    return rows  # the model's own ordering, as the queryset's


# A tag with at least this many taggings is read in the list's own order (see with_tag).
POPULAR_TAG = 1000
# A common tag's pages that start among this many of its items are read row by row
# down the list (with_tag).
FIRST_PAGES = 100


def popularity(tagged_items, tag):
    """Not empty when `tag` has POPULAR_TAG taggings or more in `tagged_items`."""
    taggings = tagged_items.objects.filter(tag=tag).order_by()
    return taggings.values_list("pk", flat=True)[POPULAR_TAG - 1 : POPULAR_TAG]


def with_tag(queryset, tagged_items, tag, popular=None, first_pages=False):
    """`queryset.filter(tags=tag)`, read the way that costs least for this tag's size.

    Joined to its taggings, a list reads every tagging of the tag and sorts them: 41,000
    of the commonest tag at 100,000 articles. A tag with POPULAR_TAG taggings or more
    is read the other way, down the list's own index, keeping the rows the tag is
    on: the newest twenty of a tag on one article in twenty are found in about 400
    rows. A rarer tag's items are read through its taggings, fewer than POPULAR_TAG:
    the subquery says so with a LIMIT that cuts nothing, so that PostgreSQL reads them by
    index even when it plans without knowing the tag (portal/prepared.py, plan_once).
    (SQLite keeps no statistics of the tags: the shape is what tells it.) `tagged_items`
    is the model of the taggings (TaggedArticle, TaggedJoke); `popular`, whether the tag
    is a common one, when the caller has read it already (popularity()).

    `first_pages`: a page near the top of a common tag's list is wanted. Each row
    then asks for one tagging of its own, a subquery PostgreSQL keeps beside the row
    instead of joining it (as it does EXISTS): planned without the tag, it still reads
    down the list, so it can be planned once. Joined, a plan made without the tag had
    hashed all its taggings (45 ms, not 2.4); row by row, deep pages would read every
    row above them (151 ms for page 100 of the commonest tag), so they are joined."""
    if popular is None:
        popular = popularity(tagged_items, tag).exists()
    if popular:
        taggings = tagged_items.objects.filter(tag=tag, content_object=OuterRef("pk"))
        if first_pages:
            return queryset.filter(IsNull(Subquery(taggings.values("pk")[:1]), False))
        return queryset.filter(Exists(taggings))
    taggings = tagged_items.objects.filter(tag=tag).order_by().values("content_object")
    return queryset.filter(pk__in=taggings[:POPULAR_TAG])


def load_tag_names(items):
    """Read the names of the tags of a page of articles or jokes (one model) in one
    query, for tag_names(). taggit's prefetch_related("tags") took 2.5 ms for a page of
    21 jokes, most of an API list's time; this takes 0.3 ms."""
    items = list(items)
    if items:
        names = {item.pk: [] for item in items}
        for pk, name in _tag_names(type(items[0]))(ids=tuple(names)):
            names[pk].append(name)
        for item in items:
            item.loaded_tag_names = names[item.pk]
    return items


@cache
def _tag_names(model):
    """A prepared query (portal/prepared.py) of the names of the tags of `model`'s
    items of `ids`: compiled once per number of items (a page holds 100 at most)."""

    def names(ids: tuple[int, ...]):
        taggings = model.tags.through.objects.filter(content_object__in=ids).order_by("pk")
        return taggings.values_list("content_object_id", "tag__name")

    return prepared(names, plan_once=True)


def tag_names(item):
    """The names of `item`'s tags in the order they were given: as load_tag_names()
    read them for its page, or else in a query of its own."""
    names = getattr(item, "loaded_tag_names", None)
    return [tag.name for tag in item.tags.all()] if names is None else names


class PreparedPages:
    """A prepared query (portal/prepared.py) that takes `offset` and `limit`, with its
    other values, as the list UncountedPaginator pages through: rows[start:end] reads
    those rows in one query compiled once. Its function slices with slice_by_id()."""

    ordered = True  # the function orders its rows

    def __init__(self, query, **values):
        self.query = query
        self.values = values

    def __getitem__(self, bounds):
        if not isinstance(bounds, slice) or bounds.step is not None or bounds.stop is None:
            raise TypeError("prepared pages are read by slices with an end")
        start = bounds.start or 0
        return self.query(**self.values, offset=start, limit=bounds.stop - start)


class UncountedPage(Page):
    def __init__(self, object_list, number, paginator, has_next):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next

    def next_page_number(self):
        if not self._has_next:
            raise EmptyPage(_("That page contains no results"))
        return self.number + 1

    def previous_page_number(self):
        if self.number <= 1:
            raise EmptyPage(_("That page number is less than 1"))
        return self.number - 1

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class UncountedPaginator(Paginator):
    """A paginator without a count. For ListView, as `paginator_class`: `count` and
    `num_pages` are None, so "?page=last" is a 404 like any page that is no number."""

    count = None
    num_pages = None

    def validate_number(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        if number > MAX_PAGE:  # past any list here, and past what OFFSET takes
            raise EmptyPage(_("That page contains no results"))
        return number

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        end = start + self.per_page + 1  # one more: is there an older page?
        rows = self.object_list
        rows = list(
            slice_by_id(rows, start, end) if isinstance(rows, QuerySet) else rows[start:end]
        )
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results"))
        return UncountedPage(rows[: self.per_page], number, self, len(rows) > self.per_page)
