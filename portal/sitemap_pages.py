"""Sitemaps of 100,000 items whose index costs the same as one of 1,000.

Django's sitemap counts its items to number the pages of the index, and finds the
latest change by reading every item. Here page N holds the items whose id falls in
the N-th range of `limit` ids (fewer when some are not published), so the number of
pages comes from the highest id in the table, and the latest change from the
`updated_at` index (the table's latest: a hint to crawlers, never a leak, as the
index shows only times): two reads of an index's end, whatever the archive's size.
"""

from functools import cache, cached_property
from math import ceil

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, Page, PageNotAnInteger

from .prepared import prepared


@cache
def _highest_id(model):
    return prepared(
        lambda: model.objects.order_by("-pk").values_list("pk", flat=True)[:1], plan_once=True
    )


@cache
def _latest_change(model):
    return prepared(
        lambda: model.objects.order_by("-updated_at").values_list("updated_at", flat=True)[:1],
        plan_once=True,
    )


def highest_id(model):
    """The highest id of `model`'s table (0 when empty), from its index's end."""
    found = _highest_id(model)()
    return found[0] if found else 0


def latest_change(model):
    """The latest `updated_at` of `model`'s table (None when empty), from its index's
    end."""
    found = _latest_change(model)()
    return found[0] if found else None


class IdRangePaginator:
    """Pages of `model`'s items by ranges of `per_page` ids; `items` makes the queryset
    of a page (the index only counts the pages, and builds no queryset)."""

    def __init__(self, model, items, per_page):
        self.model = model
        self.items = items
        self.per_page = per_page

    @cached_property
    def num_pages(self):
        return max(1, ceil(highest_id(self.model) / self.per_page))

    @property
    def page_range(self):
        return range(1, self.num_pages + 1)

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1 or number > self.num_pages:
            raise EmptyPage("That page contains no results")
        first = (number - 1) * self.per_page
        items = list(self.items().filter(pk__gt=first, pk__lte=first + self.per_page))
        return Page(items, number, self)


class IdRangePagesSitemap(Sitemap):
    """For a sitemap of `model`'s items (a queryset), paged by ranges of ids (above).
    The index neither counts the items (a count of the tags with something public had
    taken PostgreSQL 5 ms) nor builds their queryset."""

    model = None

    @property
    def paginator(self):
        return IdRangePaginator(self.model, self._items, self.limit)


class IdRangeSitemap(IdRangePagesSitemap):
    """For a sitemap of a model with an `updated_at` field: the latest change, too,
    from an index's end."""

    def get_latest_lastmod(self):
        return latest_change(self.model)


class ListedSitemap(Sitemap):
    """For a sitemap of a short list (sections, categories): listed() is read once per
    request, and the index takes both its page count and its latest change from it
    (Django's would count the list in a query of its own)."""

    def listed(self):
        raise NotImplementedError

    @cached_property
    def _listed(self):
        return list(self.listed())

    def items(self):
        return self._listed
