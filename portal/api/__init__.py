"""The read-only JSON API at /api/: jokes and bulletin articles, published ones only.

Built with django-ninja: the operations are in routes.py, their parameters and
answers in schemas.py, from which the OpenAPI document (/api/openapi.json) and the
docs page (/api/docs, served from local static files) are generated. Every request
counts against a per-client rate limit (limits.py); errors are JSON with a `detail`.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer

from .limits import rate_limited
from .routes import router
from .schemas import MAX_PAGE_SIZE

logger = logging.getLogger(__name__)

DESCRIPTION = f"""
Read-only JSON for the site's published jokes and bulletin articles, the same
content visitors see on its pages.

- **Lists** are paginated: `page` (from 1) and `page_size` (1 to {MAX_PAGE_SIZE},
  20 by default). The answer is `{{"page", "next", "previous", "results"}}`; `next`
  and `previous` are addresses of the neighbouring pages, or null. Lists are not
  counted (a count would cost more than the page at 100,000 items). The first
  page of an empty list is empty; a page past the last is a 404.
- **Safe mode**: jokes with a content flag (nsfw, religious, political, racist,
  sexist, explicit) are left out unless `safe=false`. A joke's own address shows
  it whatever its flags, which the answer lists.
- **Errors** are JSON with a `detail` in words: 404 for what is not there (or not
  published), 422 for a parameter that is not valid (with `errors`, one per
  parameter).
- **Rate limit**: each client may make {settings.API_REQUESTS_PER_MINUTE} requests a
  minute; past that the answer is 429 with a `Retry-After` header (seconds). A 503
  with `Retry-After` means: try again in a moment.
- **CORS**: any web page may read the API (GET, no credentials).
- Addresses in answers (`url`, `next`, `previous`) are paths on this site.
"""


class UnicodeJSONRenderer(JSONRenderer):
    # Letters as they are (as the joke page's JSON has them), not \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


class Api(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The view's own name (list_jokes), not ninja's module-prefixed one.
        return operation.view_func.__name__


api = Api(
    title="Joke Collection Website API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    renderer=UnicodeJSONRenderer(),
    # The schema and the docs page count against the rate limit like the rest.
    docs_decorator=rate_limited,
)
api.add_decorator(rate_limited, mode="view")
api.add_router("", router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Not found.")}, status=404)


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location, *name = error.get("loc") or ("query",)
        errors.append(
            {
                "location": str(location),
                "parameter": ".".join(str(part) for part in name),
                "message": error.get("msg", ""),
            }
        )
    detail = "; ".join(f"{e['parameter']}: {e['message']}" for e in errors)
    return api.create_response(
        request,
        {"detail": _("Invalid parameters (%(detail)s).") % {"detail": detail}, "errors": errors},
        status=422,
    )


def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # As portal.middleware.DatabaseUnavailableMiddleware does for the pages, but in
    # JSON; ninja answers every exception of an operation itself, so the middleware
    # never sees these.
    logger.error("database unavailable: %s", exc)
    response = api.create_response(
        request, {"detail": _("The API is busy; please try again in a moment.")}, status=503
    )
    response["Retry-After"] = "30"
    return response


api.add_exception_handler(OperationalError, database_unavailable)
api.add_exception_handler(InterfaceError, database_unavailable)
