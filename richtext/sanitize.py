"""
The allow-list for stored rich text. Whatever the editor, the admin or an import
sends, only these tags and attributes are stored; everything else is dropped.
"""

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "pre", "code", "blockquote",
    "ul", "ol", "li", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}

# Relative URLs (our own uploads) are kept; of absolute ones only these schemes.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the allow-list: no script, style, event handler or
    dangerous URL survives, and links to other sites get rel="noopener noreferrer"."""
    if not html:
        return ""
    return nh3.clean(
        html.replace("\x00", ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
