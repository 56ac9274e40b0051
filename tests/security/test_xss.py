"""Cross-site scripting: every payload of tests/security/payloads.py, pushed through
every way text reaches a page, must leave nothing a browser would run.

The served HTML is parsed (html.parser, into a small tree) and audited: the only
scripts are the site's own (listed below), no element carries an event handler, no
URL attribute holds a javascript:/vbscript:/data: address, no embedding element
(iframe, object, embed, base, meta refresh, style...) appears, and no payload that
holds markup is found raw in the page. Plain text must come back as the very text
typed (it was escaped, not interpreted); staff rich text must keep to the nh3
allow-list (richtext/sanitize.py), where `<p>`, `<strong>` and `<a href="https://...">`
are legitimate.

Each test sends the whole corpus and reports every payload that got through at once,
rather than stopping at the first.
"""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bulletin.models import Article
from jokes.models import Joke
from portal.models import Contribution
from richtext.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, sanitize_html
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ContributionFactory,
    JokeFactory,
    SectionFactory,
)

from .payloads import ALL, GROUPS, STORABLE, WORST, fitting

pytestmark = pytest.mark.django_db

# The site's own scripts. Public pages: the vote script, and JSON-LD data blocks.
SITE_SCRIPTS = {"/static/js/vote.js"}
# The admin's: Django's admin scripts, the editor's, and Django's JavaScript catalogue.
ADMIN_SCRIPT_PREFIXES = ("/static/admin/js/", "/static/ckeditor/", "/admin/jsi18n/")
# Inline blocks that are data, not code (JSON-LD, json_script); checked to be JSON.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}

# Elements that run, embed or restyle something: none belongs in any page of the site
# (the admin's own icons are inline <svg> with <use href="#...">, allowed there only).
FORBIDDEN_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
    "style", "noscript", "plaintext", "xmp", "template", "isindex", "keygen",
    "animate", "set", "foreignobject", "discard", "mglyph", "maction", "math",
}  # fmt: skip

# Attributes whose value a browser follows or loads as an address.
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "poster", "background", "codebase",
    "cite", "longdesc", "lowsrc", "dynsrc", "ping", "manifest", "icon", "profile",
    "usemap", "classid", "archive", "xlink:href", "srcset", "imagesrcset", "to", "values",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
DANGEROUS_CSS = ("expression", "javascript", "vbscript", "url(", "behavior", "binding", "@import")

VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr", "isindex", "frame",
}  # fmt: skip
# Where text stops and starts again: what |linebreaks and the templates put between words.
BREAKING_ELEMENTS = {"br", "p", "div", "li", "blockquote", "h1", "h2", "h3", "td", "th"}


# A small DOM from html.parser


class Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.children, self.parent = tag, attrs, [], parent

    def get(self, name, default=None):
        for key, value in self.attrs:
            if key == name:
                return value if value is not None else ""
        return default

    @property
    def classes(self):
        return (self.get("class") or "").split()

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.get(key.replace("_", "-")) == value for key, value in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def text(self):
        parts = []
        for child in self.children:
            if isinstance(child, Node):
                breaking = child.tag in BREAKING_ELEMENTS
                parts.extend([" "] * breaking + [child.text()] + [" "] * breaking)
            else:
                parts.append(child)
        return "".join(parts)

    def __repr__(self):
        attrs = " ".join(f"{k}={v!r}" for k, v in self.attrs)
        return f"<{self.tag}{' ' if attrs else ''}{attrs}>"


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", [], None)
        self.comments = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID_ELEMENTS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:  # a stray end tag closes nothing
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def parse(html):
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root, builder.comments


def normalised(text):
    return " ".join(text.split())


# The audit


def dangerous_url(value):
    """Whether a browser would follow `value` to anything but an http(s)/mailto address
    or a relative one. Browsers drop leading controls and spaces and every tab and
    newline before they read the scheme, so this does too."""
    value = re.sub(r"[\t\n\r]", "", value).lstrip("".join(chr(c) for c in range(33)))
    match = SCHEME.match(value)
    return bool(match) and match.group(1).lower() not in SAFE_SCHEMES


def url_values(name, value):
    if name in ("srcset", "imagesrcset"):
        return [part.strip().split(" ")[0] for part in value.split(",")]
    if name == "values":
        return value.split(";")
    return [value]


def script_problem(node, admin):
    src, kind = node.get("src"), (node.get("type") or "").lower()
    body = node.text()
    if src is not None:
        ours = src in SITE_SCRIPTS or (admin and src.startswith(ADMIN_SCRIPT_PREFIXES))
        if not ours:
            return f"a script that is not the site's own: {node!r}"
        if body.strip():
            return f"code inside the site's script element {node!r}: {body[:80]!r}"
        return None
    if kind not in DATA_SCRIPT_TYPES:
        return f"an inline script: {node!r} {body[:120]!r}"
    if "<" in body:
        return f"markup inside a data block {node!r}: {body[:120]!r}"
    try:
        json.loads(body)
    except ValueError:
        return f"a data block that is not JSON {node!r}: {body[:120]!r}"
    return None


def audit(html, *, admin=False, tree=None):
    """What in `html` (or its parsed `tree`) a browser could run: a list of problems,
    empty when clean."""
    root = tree if tree is not None else parse(html)[0]
    problems = []
    for node in root.iter():
        tag = node.tag
        if tag in FORBIDDEN_ELEMENTS or (tag == "svg" and not admin):
            problems.append(f"a <{tag}> element: {node!r}")
        if tag == "use" and admin:
            href = node.get("xlink:href", node.get("href", ""))
            if not href.startswith("#"):
                problems.append(f"an <svg><use> of something outside the page: {node!r}")
        if tag == "meta" and node.get("http-equiv") is not None:
            problems.append(f"a <meta http-equiv>: {node!r}")
        if tag == "link" and (node.get("rel") or "").lower() in {"import", "preload", "prefetch"}:
            problems.append(f"a <link> that loads something: {node!r}")
        if tag == "script":
            problem = script_problem(node, admin)
            if problem:
                problems.append(problem)
        for name, value in node.attrs:
            value = value or ""
            if name.startswith("on"):
                problems.append(f"an event handler attribute {name}= on {node!r}")
            elif name == "srcdoc":
                problems.append(f"an srcdoc attribute on {node!r}")
            elif name == "style" and any(bad in value.lower() for bad in DANGEROUS_CSS):
                problems.append(f"dangerous CSS in a style attribute on {node!r}")
            elif name in URL_ATTRIBUTES and any(
                dangerous_url(url) for url in url_values(name, value)
            ):
                problems.append(f"a dangerous address in {name}= on {node!r}")
    return problems


def rich_text_problems(container):
    """What in sanitised rich text goes beyond the allow-list of richtext/sanitize.py."""
    problems = []
    for node in container.iter():
        if node.tag not in ALLOWED_TAGS:
            problems.append(f"<{node.tag}> is not in the rich-text allow-list: {node!r}")
            continue
        allowed = ALLOWED_ATTRIBUTES.get(node.tag, set()) | ({"rel"} if node.tag == "a" else set())
        for name, _value in node.attrs:
            if name not in allowed:
                problems.append(f"attribute {name}= is not in the allow-list: {node!r}")
    return problems


def page_problems(html, payloads=(), *, admin=False, tree=None):
    """Everything a browser could run in one page, and any payload found raw in it."""
    problems = audit(html, admin=admin, tree=tree)
    for payload in payloads:
        if "<" in payload and payload in html:
            problems.append(f"unescaped in the page: {payload!r}")
    if settings.SECRET_KEY in html:
        problems.append("the secret key is in the page")
    return problems


class Findings:
    """Problems collected over a whole corpus and reported together at the end."""

    def __init__(self):
        self.items = []

    def check(self, where, condition, message, payload=None):
        if not condition:
            self.items.append(f"{where} | {payload!r} | {message}")

    def page(self, where, response, payloads=(), *, admin=False, status=200):
        """Audit one served page (`payloads`: one or several that may be on it, for the
        raw check); its parsed tree, or None when it is not a page."""
        payloads = [payloads] if isinstance(payloads, str) else list(payloads)
        label = payloads[0] if len(payloads) == 1 else None
        code = response.status_code
        expected = (status,) if isinstance(status, int) else status
        self.check(where, code < 500 and (expected is None or code in expected), code, label)
        if code >= 500:
            return None
        html = response.content.decode()
        tree = parse(html)[0]
        for problem in page_problems(html, payloads, admin=admin, tree=tree):
            self.check(where, False, problem, label)
        return tree

    def json(self, where, response, payload=None, status=200):
        """A JSON answer: its Content-Type, no sniffing, and its data."""
        code, kind = response.status_code, response.get("Content-Type", "")
        self.check(where, code < 500 and (status is None or code == status), code, payload)
        self.check(where, kind.startswith("application/json"), f"Content-Type {kind}", payload)
        self.check(where, response.get("X-Content-Type-Options") == "nosniff", "sniff", payload)
        try:
            return json.loads(response.content)
        except ValueError:
            self.check(where, False, "not JSON", payload)
            return None

    def assert_none(self):
        shown = "\n".join(self.items[:40])
        more = f"\n... and {len(self.items) - 40} more" if len(self.items) > 40 else ""
        assert not self.items, f"{len(self.items)} problems:\n{shown}{more}"


@pytest.fixture
def findings():
    return Findings()


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    """The corpus is sent from one address: lift the per-client limits."""
    settings.SUBMISSIONS_PER_HOUR = 100_000
    settings.VOTES_PER_HOUR = 100_000
    settings.REPORTS_PER_HOUR = 100_000
    settings.API_REQUESTS_PER_MINUTE = 100_000


def text_of(tree, tag=None, cls=None):
    node = tree.find(tag, cls) if tree is not None else None
    return normalised(node.text()) if node is not None else None


def ld_json(tree):
    blocks = tree.find_all("script", type="application/ld+json") if tree is not None else []
    return json.loads(blocks[0].text()) if blocks else {}


def all_pages(client, url, findings, payloads=(), **kwargs):
    """Every page of a paginated list, each audited; their trees."""
    trees, page = [], 1
    while True:
        tree = findings.page(
            f"{url} page {page}", client.get(url, {"page": page}), payloads, **kwargs
        )
        if tree is None:
            return trees
        trees.append(tree)
        if not tree.find("a", rel="next"):
            return trees
        page += 1


def api_pages(client, url, findings):
    results, page = [], 1
    while True:
        data = findings.json(
            f"{url} page {page}", client.get(url, {"page": page, "page_size": 100})
        )
        if not data:
            return results
        results += data["results"]
        if not data["next"]:
            return results
        page += 1


# The corpus and the audit themselves


def test_the_corpus_is_large_and_covers_every_kind_of_trick():
    assert len(ALL) >= 120
    assert len(set(ALL)) == len(ALL)
    assert all(len(group) >= 8 for group in GROUPS.values())
    assert set(WORST) <= set(ALL)
    # What could run calls a hook that the browser test watches.
    hooks = ("alert", "confirm", "prompt", "print", "__xss", "msgbox", "evil.example")
    runnable = [p for p in ALL if "<" in p or ":" in p]
    unhooked = [p for p in runnable if not any(hook in p.lower() for hook in hooks)]
    assert len(unhooked) < len(runnable) // 10, unhooked


BAD_SNIPPETS = {
    "inline script": "<p>x</p><script>alert(1)</script>",
    "foreign script": '<script src="https://evil.example/x.js"></script>',
    "handler": "<img src=x onerror=alert(1)>",
    "handler, upper case": "<IMG SRC=x ONERROR=alert(1)>",
    "javascript href": '<a href="javascript:alert(1)">x</a>',
    "entity-split javascript": '<a href="java&#x09;script:alert(1)">x</a>',
    "leading controls": '<a href="\x01 javascript:alert(1)">x</a>',
    "data src": '<iframe src="data:text/html,x"></iframe>',
    "vbscript": '<img src="vbscript:msgbox(1)">',
    "srcdoc": "<div srcdoc=x></div>",
    "object": '<object data="x"></object>',
    "base": '<base href="https://evil.example/">',
    "refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "style element": "<style>@import 'x';</style>",
    "css expression": '<p style="width:expression(alert(1))">x</p>',
    "svg": "<svg><use href=x></use></svg>",
    "svg xlink": '<a xlink:href="javascript:alert(1)">x</a>',
    "markup in JSON-LD": '<script type="application/ld+json">{"a": "</script><b>"}</script>',
    "JSON-LD that is code": '<script type="application/ld+json">alert(1)</script>',
}


@pytest.mark.parametrize("snippet", BAD_SNIPPETS.values(), ids=BAD_SNIPPETS.keys())
def test_the_audit_catches_each_kind_of_injection(snippet):
    assert audit(f"<html><body>{snippet}</body></html>")


def test_the_audit_passes_the_sites_own_pages(client, editor, findings):
    """Without payloads the site's pages are clean: the audit raises no false alarm."""
    joke = JokeFactory(tags=["plain"])
    article = ArticleFactory(
        tags=["plain"], body='<p>A <a href="https://example.org/">link</a></p>'
    )
    for url in [
        "/",
        "/jokes/",
        "/jokes/top/",
        "/bulletin/",
        article.get_absolute_url(),
        joke.get_absolute_url(),
        "/tags/plain/",
        "/search/?q=joke",
        "/submit/joke/",
        "/submit/article/",
    ]:
        findings.page(url, client.get(url))
    findings.page("404", client.get("/no-such-page/"), status=404)
    client.force_login(editor)
    for url in [
        reverse("admin:index"),
        reverse("admin:bulletin_article_change", args=[article.pk]),
        reverse("admin:jokes_joke_change", args=[joke.pk]),
        reverse("admin:bulletin_article_changelist"),
    ]:
        findings.page(url, client.get(url), admin=True)
    findings.assert_none()


# Staff rich text (nh3)


def test_the_sanitiser_keeps_nothing_executable(findings):
    for payload in ALL:
        clean = sanitize_html(payload)
        tree, comments = parse(clean)
        for problem in audit(clean) + rich_text_problems(tree):
            findings.check("sanitize_html", False, problem, payload)
        findings.check("sanitize_html", not comments, f"comments kept: {comments}", payload)
        findings.check("sanitize_html", sanitize_html(clean) == clean, "not stable", payload)
    findings.assert_none()


def test_the_sanitiser_keeps_what_staff_legitimately_write():
    html = (
        '<h2>Title</h2><p>Some <strong>bold</strong> and <a href="https://example.org/" '
        'title="t">a link</a>, <a href="/jokes/">a local one</a>, '
        '<a href="mailto:desk@example.org">mail</a>.</p>'
        '<figure><img src="/media/uploads/a.png" alt="A" width="10" height="5">'
        "<figcaption>Caption</figcaption></figure>"
    )
    clean = sanitize_html(html)
    for kept in [
        "<strong>bold</strong>",
        'href="https://example.org/"',
        'href="/jokes/"',
        'href="mailto:desk@example.org"',
        'src="/media/uploads/a.png"',
        "<figcaption>",
    ]:
        assert kept in clean
    assert 'rel="noopener noreferrer"' in clean


def check_article_page(findings, where, tree, payload, title=None):
    """An article's page: its title as text, its body within the allow-list."""
    if tree is None:
        return
    title = payload if title is None else title
    findings.check(where, text_of(tree, "h1") == normalised(title), "h1", payload)
    body = tree.find("div", "article-body")
    findings.check(where, body is not None, "no article body", payload)
    for problem in rich_text_problems(body) if body is not None else []:
        findings.check(where, False, problem, payload)
    data = ld_json(tree)
    findings.check(where, data.get("headline") == title[:110], "JSON-LD headline", payload)


# Articles: title, summary and body through the model and through the admin


def test_articles_saved_through_the_model(client, findings):
    """Each payload as an article's title, summary and body: its page, every list that
    shows it, and the API."""
    section = SectionFactory(name="Headlines")
    start = timezone.now() - timedelta(days=30)
    articles = [
        ArticleFactory(
            section=section,
            title=payload,
            summary=payload,
            body=payload,
            featured=index < 3,
            publish_at=start + timedelta(minutes=index),
            tags=["shared"],
        )
        for index, payload in enumerate(STORABLE)
    ]
    for article in articles:
        payload, where = article.title, f"article {article.pk}"
        tree = findings.page(where, client.get(article.get_absolute_url()), payload)
        check_article_page(findings, where, tree, payload)
        findings.check(
            where, text_of(tree, "p", "lead") in (None, normalised(payload)), "lead", payload
        )
        og_title = tree.find("meta", property="og:title") if tree else None
        findings.check(where, og_title and og_title.get("content") == payload, "og:title", payload)
        if payload in WORST:
            findings.json(f"api {where}", client.get(f"/api/articles/{article.pk}"), payload)
    titles = {normalised(payload) for payload in STORABLE}
    for url in [
        "/",
        section.get_absolute_url(),
        "/bulletin/",
        "/bulletin/archive/",
        "/tags/shared/",
    ]:
        trees = all_pages(client, url, findings, STORABLE)
        shown = {normalised(n.text()) for t in trees for n in t.find_all("h3", "teaser-title")}
        findings.check(url, shown and shown <= titles, "headlines missing or altered")
    # The API gives every one back as data, exactly as stored.
    listed = {item["id"]: item for item in api_pages(client, "/api/articles", findings)}
    for article in articles:
        item = listed.get(article.pk, {})
        stored = {"title": article.title, "summary": article.summary, "body": article.body}
        given = {key: item.get(key) for key in stored}
        findings.check("api articles", given == stored, f"altered: {given}", article.title)
    findings.assert_none()


def admin_article_data(section, editor, **fields):
    publish = timezone.localtime(timezone.now() - timedelta(hours=1))
    return {
        "title": "",
        "slug": "",
        "section": section.pk,
        "summary": "",
        "body": "",
        "tags": "",
        "status": Article.Status.PUBLISHED,
        "publish_at_0": publish.strftime("%Y-%m-%d"),
        "publish_at_1": publish.strftime("%H:%M:%S"),
        "expires_at_0": "",
        "expires_at_1": "",
        "author": editor.pk,
        "_save": "Save",
        **fields,
    }


def test_articles_written_in_the_admin_add_form(client, editor, findings):
    """An editor puts each payload in the title, the summary and the body of a new
    article: the body is stored sanitised, the rest as typed; the public page, and for
    the worst payloads the admin's change form and history, stay clean."""
    client.force_login(editor)
    section = SectionFactory(name="Admin desk")
    add_url = reverse("admin:bulletin_article_add")
    for index, payload in enumerate(ALL):
        data = admin_article_data(section, editor, title=payload, summary=payload, body=payload)
        response = client.post(add_url, data)
        where = f"admin add #{index}"
        if "\x00" in payload:
            # Django's form fields refuse a NUL character, with a message on the form.
            findings.page(where, response, payload, admin=True)
            continue
        findings.check(where, response.status_code == 302, "not saved", payload)
        if response.status_code != 302:
            findings.page(where, response, payload, admin=True)
            continue
        article = Article.objects.latest("pk")
        findings.check(
            where,
            (article.title, article.summary) == (payload, payload),
            "title or summary altered",
            payload,
        )
        # Stored exactly as the model stores it (whose pages the test above audits for
        # every payload); the pages of the worst are audited here too.
        findings.check(where, article.body == sanitize_html(payload), "body not sanitised", payload)
        for problem in audit(article.body) + rich_text_problems(parse(article.body)[0]):
            findings.check(where, False, f"stored body: {problem}", payload)
        if payload in WORST:
            tree = findings.page(where, client.get(article.get_absolute_url()), payload)
            check_article_page(findings, where, tree, payload)
            url = reverse("admin:bulletin_article_change", args=[article.pk])
            findings.page(f"{where} change form", client.get(url), payload, admin=True)
    for page in range(1 + Article.objects.count() // 100):
        response = client.get(reverse("admin:bulletin_article_changelist"), {"p": page + 1})
        findings.page(f"admin changelist {page + 1}", response, ALL, admin=True)
    findings.assert_none()


# Jokes written by staff: title, text and a submitter's name


def test_jokes_saved_through_the_model(client, findings):
    category = CategoryFactory(name="Corpus")
    jokes = [
        JokeFactory(
            category=category,
            title=payload[:200],
            text=f"{payload}\n{index}",
            submitter_name=payload[:100],
        )
        for index, payload in enumerate(STORABLE)
    ]
    for joke in jokes:
        payload, where = joke.title, f"joke {joke.pk}"
        tree = findings.page(where, client.get(joke.get_absolute_url()), payload)
        if tree is not None:
            findings.check(where, text_of(tree, "h1") == normalised(payload), "h1", payload)
            findings.check(
                where, text_of(tree, "div", "joke-text") == normalised(joke.text), "text", payload
            )
            findings.check(
                where,
                normalised(joke.submitter_name) in text_of(tree, "p", "meta"),
                "sent in by",
                payload,
            )
            data = ld_json(tree)
            findings.check(
                where,
                (data.get("name"), data.get("text")) == (payload, joke.text),
                "JSON-LD",
                payload,
            )
        if payload in WORST:
            as_json = client.get(joke.get_absolute_url(), HTTP_ACCEPT="application/json")
            findings.json(f"joke page as JSON {joke.pk}", as_json, payload)
            findings.json(f"api joke {joke.pk}", client.get(f"/api/jokes/{joke.pk}"), payload)
    texts = {normalised(joke.text) for joke in jokes}
    for url in ["/", "/jokes/", "/jokes/top/", category.get_absolute_url()]:
        trees = all_pages(client, url, findings, STORABLE)
        shown = {normalised(n.text()) for t in trees for n in t.find_all("div", "joke-text")}
        findings.check(url, shown and shown <= texts, "jokes missing or altered")
    # The API gives every one back as data, exactly as stored.
    listed = {item["id"]: item for item in api_pages(client, "/api/jokes", findings)}
    for joke in jokes:
        item = listed.get(joke.pk, {})
        stored = {"title": joke.title, "text": joke.text, "submitted_by": joke.submitter_name}
        given = {key: item.get(key) for key in stored}
        findings.check("api jokes", given == stored, f"altered: {given}", joke.title)
    findings.assert_none()


# Visitors' submissions, through the real forms, moderated, then public


def approve_all(client, model, findings, **fields):
    """Approve every pending item as a moderator does, a hundred at a time: the queue,
    the action's own page, and the changelist with its message, each page audited."""
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    while True:
        findings.page("moderation queue", client.get(reverse("moderation:queue")), ALL, admin=True)
        pending = list(
            model.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)[:100]
        )
        if not pending:
            return
        ask = {"action": "approve", "_selected_action": pending}
        findings.page("approve page", client.post(changelist, ask), ALL, admin=True)
        done = client.post(changelist, {**ask, "apply": "1", **fields}, follow=True)
        findings.page("changelist after approving", done, ALL, admin=True)
        findings.check("approve", "approved" in done.content.decode(), "no message")
        if model.objects.filter(pk__in=pending, status="pending").exists():
            findings.check("approve", False, "items left pending")
            return


def send(client, url_name, form, where, payload, findings):
    """Post a visitor form; the redirect to the status page when it was accepted, None
    when not (a payload with NUL must be refused with a 400; anything else accepted)."""
    response = client.post(reverse(url_name), form)
    if "\x00" in payload:
        findings.page(where, response, payload, status=400)
        return None
    findings.check(where, response.status_code == 302, response.status_code, payload)
    if response.status_code != 302:
        findings.page(where, response, payload, status=None)
        return None
    return response


def test_visitor_jokes_sent_moderated_and_published(client, moderator, findings):
    """Each payload as the title, text and name of a joke sent in through the form: the
    submitter's status page (worst payloads), the moderator's pages, the public page."""
    category = CategoryFactory(name="Visitors")
    names = fitting(100)
    sent = {}
    for index, payload in enumerate(ALL):
        text = f"Visitor joke number {index}:\n{payload}"
        name = names[index % len(names)]
        form = {
            "text": text,
            "title": payload,
            "category": category.pk,
            "submitter_name": name,
            "submitter_email": "someone@example.org",
            "website": "",
        }
        where = f"joke form #{index}"
        response = send(client, "portal:submit-joke", form, where, payload, findings)
        if response is None:
            continue
        if payload in WORST:
            tree = findings.page(f"{where} status", client.get(response["Location"]), payload)
            findings.check(where, text_of(tree, "strong") == normalised(payload), "title", payload)
        sent[Joke.objects.latest("pk").pk] = (payload, text, name)
    client.force_login(moderator)
    approve_all(client, Joke, findings)
    client.logout()
    for pk, (payload, text, name) in sent.items():
        joke, where = Joke.objects.get(pk=pk), f"visitor joke {pk}"
        findings.check(where, joke.is_published, "not published", payload)
        tree = findings.page(where, client.get(joke.get_absolute_url()), payload)
        if tree is not None:
            findings.check(where, text_of(tree, "h1") == normalised(payload), "h1", payload)
            findings.check(
                where, text_of(tree, "div", "joke-text") == normalised(text), "text", payload
            )
            findings.check(where, normalised(name) in text_of(tree, "p", "meta"), "name", payload)
    all_pages(client, "/jokes/", findings, ALL)
    findings.assert_none()


def test_visitor_articles_sent_moderated_and_published(client, moderator, findings):
    """Each payload as the headline, text and name of an article sent in: approved by a
    moderator, published by an editor, shown as escaped paragraphs."""
    section = SectionFactory(name="From visitors")
    names = fitting(100)
    sent = {}
    for index, payload in enumerate(ALL):
        text = f"A visitor's article, number {index}, long enough to be accepted.\n\n{payload}"
        name = names[index % len(names)]
        form = {
            "title": payload,
            "section": section.pk,
            "text": text,
            "submitter_name": name,
            "submitter_email": "",
            "website": "",
        }
        where = f"article form #{index}"
        response = send(client, "portal:submit-article", form, where, payload, findings)
        if response is None:
            continue
        if payload in WORST:
            findings.page(f"{where} status", client.get(response["Location"]), payload)
        sent[Contribution.objects.latest("pk").pk] = (payload, text, name)
    client.force_login(moderator)
    approve_all(client, Contribution, findings)
    client.logout()
    for pk, (payload, text, name) in sent.items():
        article, where = Contribution.objects.get(pk=pk).article, f"contribution {pk}"
        if article is None:
            findings.check(where, False, "not approved", payload)
            continue
        article.publish()  # what an editor does next
        tree = findings.page(where, client.get(article.get_absolute_url()), payload)
        check_article_page(findings, where, tree, payload)
        if tree is not None:
            body = normalised(tree.find("div", "article-body").text())
            findings.check(where, body == normalised(text), "body text", payload)
            findings.check(where, normalised(name) in text_of(tree, "p", "source"), "name", payload)
    findings.assert_none()


# Names staff give: tags, sections, categories


def test_tag_section_and_category_names(client, editor, findings):
    """Every section is in the header of every page and every category in the jokes'
    menu, so one page shows them all; all tags sit on one article and one joke; the
    worst names also get their own pages."""
    names = fitting(90)
    tags = [f"{index} {payload}" for index, payload in enumerate(names)]
    sections, categories = [], []
    for index, payload in enumerate(names):
        sections.append(SectionFactory(name=f"{index}{payload}", description=payload))
        categories.append(CategoryFactory(name=f"{index}{payload}", description=payload))
        ArticleFactory(section=sections[-1], title=f"In section {index}")
    article = ArticleFactory(section=sections[0], title="Tagged article", tags=tags)
    joke = JokeFactory(category=categories[0], tags=tags)
    tree = findings.page("jokes", client.get("/jokes/"), names)
    nav = {normalised(a.text()) for a in tree.find("nav", "site-nav").find_all("a")}
    findings.check("header", {normalised(s.name) for s in sections} <= nav, "section names")
    menu = {normalised(a.text()) for a in tree.find("nav", "subnav").find_all("a")}
    findings.check("jokes menu", {normalised(c.name) for c in categories} <= menu, "categories")
    for item in (article, joke):
        tree = findings.page(str(item), client.get(item.get_absolute_url()), names)
        shown = {normalised(a.text()) for a in tree.find_all("a", rel="tag")}
        findings.check(str(item), shown == {normalised(tag) for tag in tags}, "tag names")
    # The worst names get pages of their own. The other sections leave the header
    # first (their articles go), or every page would list all of them again.
    Article.objects.exclude(
        section__name__in=[f"{i}{p}" for i, p in enumerate(names) if p in WORST]
    ).exclude(pk=article.pk).delete()
    for index, payload in enumerate(names):
        if payload not in WORST:
            continue
        where = f"names #{index}"
        for url in [sections[index].get_absolute_url(), categories[index].get_absolute_url()]:
            tree = findings.page(f"{where} {url}", client.get(url), payload)
            findings.check(
                where, text_of(tree, "h1") == normalised(f"{index}{payload}"), "h1", payload
            )
        url = reverse("portal:tag-detail", kwargs={"slug": joke.tags.get(name=tags[index]).slug})
        tree = findings.page(f"{where} tag page", client.get(url), payload)
        findings.check(
            where, normalised(tags[index]) in text_of(tree, "h1"), "tag heading", payload
        )
    expected = {
        "/api/tags": set(tags),
        "/api/sections": {section.name for section in sections},
        "/api/categories": {category.name for category in categories},
    }
    for url, names_given in expected.items():
        data = findings.json(url, client.get(url)) or []
        findings.check(url, {item["name"] for item in data} >= names_given, "names altered")
    client.force_login(editor)
    for name in ["taggit_tag", "bulletin_section", "jokes_category"]:
        for page in (1, 2):
            url = reverse(f"admin:{name}_changelist")
            findings.page(f"{name} p{page}", client.get(url, {"p": page}), names, admin=True)
    findings.assert_none()


# Search queries


@pytest.fixture
def searchable():
    """Published content holding the worst payloads, so that searches have hits to show
    and highlight."""
    category = CategoryFactory(name="Searchable")
    section = SectionFactory(name="Searchable news")
    for index, payload in enumerate(WORST[:3]):
        JokeFactory(category=category, title=payload, text=f"{payload} alert script {index}")
        ArticleFactory(
            section=section, title=payload, summary=payload, body=f"<p>{index}</p>{payload}"
        )


def test_search_queries(client, searchable, findings):
    search = reverse("portal:search")
    for payload in ALL:
        variants = [{"q": payload}]
        if payload in WORST:
            variants.append({"q": f"alert {payload}", "kind": "jokes", "page": payload})
        for params in variants:
            where = f"search {sorted(params)}"
            if "\x00" in payload:
                findings.page(where, client.get(search, params), payload, status=400)
                continue
            tree = findings.page(where, client.get(search, params), payload)
            if tree is None:
                continue
            box = tree.find("input", id="id_q")
            findings.check(where, box and box.get("value") == params["q"], "box value", payload)
            for excerpt in tree.find_all("p", "excerpt"):
                inner = {node.tag for node in excerpt.iter()}
                findings.check(where, inner <= {"mark"}, f"excerpt holds {inner}", payload)
    findings.assert_none()


# Parameters of listing pages


def test_listing_page_parameters(client, findings):
    """`period`, `next` and `q` are echoed in the pages' own forms (the vote and safe-mode
    forms post the page's address back as `next`); `page` is a number or a 404."""
    section = SectionFactory(name="Listed")
    category = CategoryFactory(name="Listed jokes")
    ArticleFactory(section=section, tags=["listed"])
    JokeFactory(category=category, tags=["listed"])
    listings = [
        "/jokes/",
        "/jokes/top/",
        "/bulletin/",
        "/bulletin/archive/",
        "/",
        "/search/",
        section.get_absolute_url(),
        category.get_absolute_url(),
        "/tags/listed/",
    ]
    for payload in ALL:
        for url in listings if payload in WORST else ["/jokes/top/"]:
            if "\x00" in payload:
                findings.page(url, client.get(url, {"period": payload}), payload, status=400)
                continue
            params = {"period": payload, "next": payload, "q": payload}
            tree = findings.page(url, client.get(url, params), payload)
            for field in tree.find_all("input", name="next") if tree else []:
                value = field.get("value") or ""
                findings.check(
                    url,
                    value.startswith("/") and not value.startswith("//"),
                    f"next={value!r}",
                    payload,
                )
        if payload in WORST:
            # A page that is not a number: the first page (search) or a 404 (lists).
            for url in ["/jokes/", "/search/"]:
                response = client.get(url, {"page": payload, "q": "joke"})
                findings.page(f"{url} page", response, payload, status=(200, 404))
    findings.assert_none()


def test_raw_unencoded_query_strings(client, findings):
    """Browsers send some characters unencoded (quotes, apostrophes); so does this."""
    JokeFactory()
    for payload in WORST:
        raw = payload.replace("&", "%26").replace("#", "%23").replace(" ", "+")
        for url in ["/jokes/", "/jokes/top/", "/search/"]:
            findings.page(
                f"{url} raw", client.get(f"{url}?q={raw}&next={raw}&period={raw}"), payload
            )
    findings.assert_none()


def test_the_not_found_page_does_not_echo_the_address(client, findings):
    for payload in WORST:
        url = "/jokes/category/" + quote(payload, safe="") + "/"
        findings.page("404", client.get(url), payload, status=404)
    findings.assert_none()


# The admin, where staff read what visitors and other staff wrote


def test_admin_search_and_login_parameters(client, editor, findings):
    for payload in WORST:
        tree = findings.page(
            "login", client.get(reverse("admin:login"), {"next": payload}), payload, admin=True
        )
        field = tree.find("input", name="next") if tree else None
        findings.check("login", field is None or field.get("value") == payload, "next", payload)
    client.force_login(editor)
    JokeFactory(title=WORST[0])
    for payload in WORST:
        for name in ["bulletin_article", "jokes_joke", "taggit_tag"]:
            response = client.get(reverse(f"admin:{name}_changelist"), {"q": payload})
            findings.page(f"admin {name} search", response, payload, admin=True)
    findings.assert_none()


def test_admin_pages_of_visitor_jokes(client, moderator, editor, findings):
    """A moderator and an editor open what visitors sent: the change form (with the
    similar-joke box) and the changelist."""
    category = CategoryFactory(name="Admin view")
    jokes = []
    for index, payload in enumerate(WORST):
        original = JokeFactory(category=category, title=f"Original {index}", text=payload + " x")
        jokes.append(
            JokeFactory(
                category=category,
                pending=True,
                title=payload,
                text=payload + " x y",
                submitter_name=payload[:100],
                similar_to=original,
            )
        )
    for user in (moderator, editor):
        client.force_login(user)
        response = client.get(reverse("admin:jokes_joke_changelist"))
        findings.page(f"{user} changelist", response, WORST, admin=True)
        for joke in jokes:
            response = client.get(reverse("admin:jokes_joke_change", args=[joke.pk]))
            findings.page(f"{user} change form {joke.pk}", response, joke.title, admin=True)
    findings.page("admin index", client.get(reverse("admin:index")), admin=True)
    findings.assert_none()


# JSON parameters: answers are JSON, whatever was asked


def test_json_endpoint_parameters(client, findings):
    JokeFactory(text="A joke with an alert script in it.")
    for payload in ALL:
        requests = [("/api/jokes", {"q": payload}), ("/api/" + quote(payload, safe=""), {})]
        if payload in WORST:
            requests += [
                ("/api/jokes", {"category": payload, "tag": payload}),
                ("/api/jokes", {"page": payload, "page_size": payload}),
                ("/api/articles", {"section": payload}),
            ]
        for url, params in requests:
            response = client.get(url, params)
            where = f"{url} {sorted(params)}"
            if "\x00" in payload:
                findings.check(where, response.status_code == 400, "NUL accepted", payload)
            elif response.get("Content-Type", "").startswith("text/html"):
                # The API's catch-all route does not match an address with a newline,
                # which then gets the site's HTML 404 page: acceptable while it is clean.
                findings.page(where, response, payload, status=404)
            else:
                findings.json(where, response, payload, status=None)
    findings.assert_none()


# Moderation texts: what visitors write to moderators, and moderators to visitors


def test_report_details_and_rejection_reasons(client, moderator, findings):
    """A visitor's report details reach the moderator's page of the joke; a moderator's
    reason for a rejection reaches the submitter's status page."""
    category = CategoryFactory(name="Reported")
    section = SectionFactory(name="Rejected news")
    reported = []
    for index, payload in enumerate(WORST):
        joke = JokeFactory(category=category, text=f"Reported joke {index}.")
        visitor = Client()  # a visitor of their own: one report each
        response = visitor.post(
            reverse("jokes:joke-report", args=[joke.pk]), {"reason": "other", "details": payload}
        )
        findings.check("report", response.status_code == 302, response.status_code, payload)
        reported.append((joke, payload))
    pending = [JokeFactory(category=category, pending=True) for _ in WORST]
    contributions = [ContributionFactory(section=section) for _ in WORST[:10]]
    client.force_login(moderator)
    for joke, payload in reported:
        response = client.get(reverse("admin:jokes_joke_change", args=[joke.pk]))
        tree = findings.page(f"reported joke {joke.pk}", response, payload, admin=True)
        shown = normalised(tree.text()) if tree is not None else ""
        findings.check("report details", normalised(payload) in shown, "not shown", payload)
    decisions = [
        *zip(pending, WORST, strict=True),
        *zip(contributions, WORST[:10], strict=True),
    ]
    for item, payload in decisions:
        name = f"admin:{item._meta.app_label}_{item._meta.model_name}_changelist"
        form = {"action": "reject", "_selected_action": [item.pk], "apply": "1", "reason": payload}
        response = client.post(reverse(name), form)
        findings.check("reject", response.status_code == 302, response.status_code, payload)
        item.refresh_from_db()
        status_page = client.get(reverse("portal:submission-status", args=[item.status_token]))
        tree = findings.page(f"status of {item.pk}", status_page, payload)
        quote_block = text_of(tree, "blockquote")
        findings.check("reason", quote_block == normalised(payload), "reason altered", payload)
    findings.page("queue", client.get(reverse("moderation:queue")), WORST, admin=True)
    findings.assert_none()


# Feeds: feed readers read descriptions as HTML


FEEDS = [
    ("feeds:jokes", {}),
    ("feeds:jokes-atom", {}),
    ("feeds:category", {"slug": "feed-jokes"}),
    ("feeds:category-atom", {"slug": "feed-jokes"}),
    ("feeds:headlines", {}),
    ("feeds:headlines-atom", {}),
    ("feeds:section", {"section": "feed-news"}),
    ("feeds:section-atom", {"section": "feed-news"}),
    ("feeds:tag", {"slug": "fed"}),
    ("feeds:tag-atom", {"slug": "fed"}),
]
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def fed():
    """Plain-text payloads where the feeds take their texts from: joke texts, article
    summaries, and the title of an article without a summary (as a visitor's
    contribution is published)."""
    category = CategoryFactory(name="Feed jokes", slug="feed-jokes")
    section = SectionFactory(name="Feed news", slug="feed-news")
    for index, payload in enumerate(WORST):
        JokeFactory(category=category, title=payload, text=payload, tags=["fed"])
        ArticleFactory(section=section, title=f"Summary {index}", summary=payload, tags=["fed"])
    ArticleFactory(section=section, title=WORST[3], summary="", tags=["fed"])


def feed_entries(response):
    """(title, title type, description as a reader gets it, description type) per item."""
    root = ElementTree.fromstring(response.content)  # noqa: S314 - the site's own feed
    if root.tag == f"{ATOM}feed":
        for entry in root.iter(f"{ATOM}entry"):
            title, summary = entry.find(f"{ATOM}title"), entry.find(f"{ATOM}summary")
            yield (
                title.text or "",
                title.get("type", "text"),
                summary.text or "",
                summary.get("type", "text"),
            )
    else:  # RSS 2.0: <description> is HTML by the format's own convention
        for item in root.iter("item"):
            yield item.findtext("title") or "", "text", item.findtext("description") or "", "html"


def as_read(text, kind):
    """What a reader shows for a text of the given Atom/RSS type: HTML is parsed."""
    return audit(text) if kind in ("html", "xhtml") else []


def test_feed_titles_are_plain_text(client, fed):
    """Titles are text in both formats (Atom says type="text"), given back intact."""
    for name, kwargs in FEEDS:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        entries = list(feed_entries(response))
        assert entries, name
        for title, kind, _description, _description_kind in entries:
            assert kind == "text", name
            assert title in WORST or title.startswith("Summary "), (name, title)


def test_feed_descriptions_carry_plain_text_as_text(client, fed):
    """A feed reader parses an RSS description, or an Atom summary of type html, as
    HTML: plain text must arrive there escaped once more, as text."""
    problems = []
    for name, kwargs in FEEDS:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        for _title, _kind, description, description_kind in feed_entries(response):
            problems += [(name, description, p) for p in as_read(description, description_kind)]
    assert not problems, problems[:5]


# Forms that refuse: what was typed comes back in the form, as text


def test_refused_forms_give_back_what_was_typed_as_text(client, editor, findings):
    category = CategoryFactory(name="Refusals")
    section = SectionFactory(name="Refusals")
    published = JokeFactory(category=category, text="The one joke we already have, word for word.")
    for payload in WORST:
        attempts = {
            # No category: the form comes back with the text in its textarea.
            "joke without category": (
                reverse("portal:submit-joke"),
                {"text": f"Long enough {payload}", "title": payload, "submitter_name": payload},
            ),
            # A duplicate: the message links to the joke we have (format_html).
            "duplicate joke": (
                reverse("portal:submit-joke"),
                {"text": published.text, "title": payload, "category": category.pk},
            ),
            "short article": (
                reverse("portal:submit-article"),
                {"title": payload, "section": section.pk, "text": payload[:40]},
            ),
            "report without reason": (
                reverse("jokes:joke-report", args=[published.pk]),
                {"details": payload},
            ),
        }
        for what, (url, data) in attempts.items():
            findings.page(what, client.post(url, data), payload, status=400)
    client.force_login(editor)
    for payload in WORST[:10]:
        data = admin_article_data(section, editor, title=payload, summary=payload, body=payload)
        data["section"] = ""  # refused: the form comes back with every value in it
        response = client.post(reverse("admin:bulletin_article_add"), data)
        findings.page("admin add refused", response, payload, admin=True)
    findings.assert_none()
