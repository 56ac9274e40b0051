import json

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from portal import links

register = template.Library()

# What must not appear raw inside a <script> element.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address on the site's own domain, keeping only the page number."""
    request = context["request"]
    url = f"{request.scheme}://{settings.SITE_DOMAIN}{request.path}"
    page = request.GET.get("page", "")
    if page.isdigit() and page != "1":
        url += f"?page={page}"
    return url


@register.filter
def ld_json(data):
    """`data` as a JSON-LD block (structured data for search engines and link previews),
    escaped so that no text in it can close the element."""
    text = json.dumps(data, ensure_ascii=False, default=str).translate(SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 - escaped above


@register.simple_tag
def site_url(name, **kwargs):
    """{% url %} for links every page has (header, footer), reversed once per process
    and remembered (portal/links.py)."""
    return links.reversed_url(name, **kwargs)
