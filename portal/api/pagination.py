"""Pages of a list: Django's paginator, in the API's envelope."""

from collections.abc import Callable

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from .schemas import PageParams


def page_link(request: HttpRequest, number: int) -> str:
    """This address with another page number, the other parameters kept."""
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{request.path}?{query.urlencode()}"


def paginate(
    request: HttpRequest, queryset: QuerySet, params: PageParams, as_json: Callable
) -> dict:
    """One page of `queryset`, each item through `as_json`: two queries (the count and
    the page) plus one per prefetched relation.

    The first page of an empty list is an empty page; a page past the last is a 404.
    """
    paginator = Paginator(queryset, params.page_size)
    try:
        page = paginator.page(params.page)
    except EmptyPage:
        raise Http404(
            _("Page %(page)s is past the last page (%(pages)s).")
            % {"page": params.page, "pages": paginator.num_pages}
        ) from None
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "next": page_link(request, page.next_page_number()) if page.has_next() else None,
        "previous": (
            page_link(request, page.previous_page_number()) if page.has_previous() else None
        ),
        "results": [as_json(item) for item in page.object_list],
    }
