"""Pages of a list: Django's paginator, in the API's envelope."""

from collections.abc import Callable

from django.core.paginator import EmptyPage
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from ..paging import UncountedPaginator, load_tag_names
from .schemas import PageParams


def page_link(request: HttpRequest, number: int) -> str:
    """This address with another page number, the other parameters kept."""
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{request.path}?{query.urlencode()}"


def paginate(
    request: HttpRequest, queryset: QuerySet, params: PageParams, as_json: Callable
) -> dict:
    """One page of `queryset` (articles or jokes), each item through `as_json`: one
    query for the page, one for its tags' names (portal.paging.load_tag_names) plus one
    per prefetched relation, and no count (portal/paging.py), so a page costs the same
    whatever the size of the list.

    The first page of an empty list is an empty page; a page past the last is a 404.
    """
    paginator = UncountedPaginator(queryset, params.page_size)
    try:
        page = paginator.page(params.page)
    except EmptyPage:
        raise Http404(_("Page %(page)s is past the last page.") % {"page": params.page}) from None
    return {
        "page": page.number,
        "next": page_link(request, page.next_page_number()) if page.has_next() else None,
        "previous": (
            page_link(request, page.previous_page_number()) if page.has_previous() else None
        ),
        "results": [as_json(item) for item in load_tag_names(page.object_list)],
    }
