"""Which representation a client asks for, where one address answers in two: a joke's
page in HTML or in JSON (as popular joke APIs do), and its vote in a redirect or JSON."""

REPRESENTATIONS = ("text/html", "application/json")


def wants_json(request):
    """True when the Accept header prefers JSON to HTML. No header, `*/*`, or JSON
    at a lower quality than HTML is HTML; `application/jsonx` is no JSON."""
    return request.get_preferred_type(REPRESENTATIONS) == "application/json"
