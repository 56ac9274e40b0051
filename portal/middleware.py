"""Refuse requests that carry a NUL byte in the path or the query string.

No page needs one, and PostgreSQL refuses NUL in any query, so a NUL reaching a
lookup (an admin search, an autocomplete term, a filter) would be a server error.
Form bodies are not checked here: Django's form fields refuse NUL with a message.
"""

from django.http import HttpResponseBadRequest


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                "Bad request: the address contains a NUL character.", content_type="text/plain"
            )
        return self.get_response(request)
