"""Cross-site request forgery, open redirects and the editor's image upload.

- CSRF: every endpoint that changes something, posted by a client that enforces CSRF
  checks as a browser's cookies would: without a token, with a forged one, and from
  another origin, it is a 403 and nothing changes; with the page's own token the same
  post goes through (so the 403 is the CSRF check, not something else).
- Open redirects: every view that takes `next` keeps a visitor on the site whatever
  address it is given, judged as a browser would read the Location header.
- Uploads: what is not a plain JPEG, PNG or GIF image of a sensible size is refused
  with a message, and nothing is left in MEDIA_ROOT.
"""

import io
import re
import struct
import zlib
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from bulletin.models import Article
from jokes.models import Joke, Report, Vote
from portal.models import Contribution
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ContributionFactory,
    JokeFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests-1"  # tests/factories.py UserFactory
CKEDITOR_TOKEN = "a-token-the-editor-made"


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.SUBMISSIONS_PER_HOUR = 1000
    settings.VOTES_PER_HOUR = 1000
    settings.REPORTS_PER_HOUR = 1000


def stored_files(media_root):
    return sorted(path for path in media_root.rglob("*") if path.is_file())


# CSRF


@pytest.fixture
def world(db, editor, moderator):
    """What the endpoints act on."""
    category = CategoryFactory(name="Puns")
    section = SectionFactory(name="News")
    return {
        "editor": editor,
        "moderator": moderator,
        "category": category,
        "section": section,
        "joke": JokeFactory(category=category, text="A published joke to vote on."),
        "pending": JokeFactory(category=category, pending=True, text="A joke that waits."),
        "contribution": ContributionFactory(section=section),
        "draft": ArticleFactory(section=section, draft=True, title="A draft", author=editor),
    }


def png_bytes(size=(8, 6), **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG", **save_options)
    return buffer.getvalue()


def article_form(world, **changes):
    now = timezone.localtime()
    return {
        "title": "Posted without a token",
        "slug": "",
        "section": world["section"].pk,
        "summary": "",
        "body": "<p>Body</p>",
        "tags": "",
        "status": Article.Status.DRAFT,
        "publish_at_0": now.strftime("%Y-%m-%d"),
        "publish_at_1": now.strftime("%H:%M:%S"),
        "expires_at_0": "",
        "expires_at_1": "",
        "author": world["editor"].pk,
        "_save": "Save",
        **changes,
    }


def endpoint(name, world):
    """(who posts, the page that gives the token, url, data, extra headers, what the
    post would change) for each state-changing endpoint."""
    joke, pending, draft = world["joke"], world["pending"], world["draft"]
    contribution = world["contribution"]
    jokes_changelist = reverse("admin:jokes_joke_changelist")
    contributions_changelist = reverse("admin:portal_contribution_changelist")

    def sessions():
        return Session.objects.count()

    table = {
        "vote": (
            None,
            joke.get_absolute_url(),
            reverse("jokes:joke-vote", args=[joke.pk]),
            {"vote": "up", "next": joke.get_absolute_url()},
            {},
            lambda: (Vote.objects.count(), Joke.objects.get(pk=joke.pk).score),
        ),
        "vote-by-script": (
            None,
            joke.get_absolute_url(),
            reverse("jokes:joke-vote", args=[joke.pk]),
            {"vote": "down"},
            {"HTTP_ACCEPT": "application/json"},
            lambda: (Vote.objects.count(), Joke.objects.get(pk=joke.pk).score),
        ),
        "report": (
            None,
            reverse("jokes:joke-report", args=[joke.pk]),
            reverse("jokes:joke-report", args=[joke.pk]),
            {"reason": Report.Reason.OTHER, "details": "Forged"},
            {},
            lambda: Report.objects.count(),
        ),
        "safe-mode": (
            None,
            "/jokes/",
            reverse("jokes:safe-mode"),
            {"safe_mode": "off", "next": "/jokes/"},
            {},
            None,  # a cookie, checked on the response
        ),
        "submit-joke": (
            None,
            reverse("portal:submit-joke"),
            reverse("portal:submit-joke"),
            {
                "text": "A forged joke that nobody sent in on purpose.",
                "category": world["category"].pk,
                "website": "",
            },
            {},
            lambda: Joke.objects.count(),
        ),
        "submit-article": (
            None,
            reverse("portal:submit-article"),
            reverse("portal:submit-article"),
            {
                "title": "Forged",
                "section": world["section"].pk,
                "text": "A forged article, long enough to pass the form's own checks." * 2,
                "website": "",
            },
            {},
            lambda: Contribution.objects.count(),
        ),
        "admin-login": (
            None,
            reverse("admin:login"),
            reverse("admin:login"),
            {"username": world["editor"].username, "password": PASSWORD},
            {},
            lambda: (sessions(), get_user_model().objects.get(pk=world["editor"].pk).last_login),
        ),
        "admin-logout": (
            "editor",
            reverse("admin:index"),
            reverse("admin:logout"),
            {},
            {},
            sessions,
        ),
        "admin-add": (
            "editor",
            reverse("admin:bulletin_article_add"),
            reverse("admin:bulletin_article_add"),
            article_form(world),
            {},
            lambda: Article.objects.count(),
        ),
        "admin-change": (
            "editor",
            reverse("admin:bulletin_article_change", args=[draft.pk]),
            reverse("admin:bulletin_article_change", args=[draft.pk]),
            {
                **article_form(world, title="Changed without a token", slug=draft.slug),
                # The preview-links inline of the change form (bulletin/admin.py).
                "preview_links-TOTAL_FORMS": "0",
                "preview_links-INITIAL_FORMS": "0",
            },
            {},
            lambda: Article.objects.get(pk=draft.pk).title,
        ),
        "admin-delete": (
            "editor",
            reverse("admin:bulletin_article_delete", args=[draft.pk]),
            reverse("admin:bulletin_article_delete", args=[draft.pk]),
            {"post": "yes"},
            {},
            lambda: Article.objects.filter(pk=draft.pk).exists(),
        ),
        "admin-action-publish": (
            "editor",
            reverse("admin:bulletin_article_changelist"),
            reverse("admin:bulletin_article_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
            {},
            lambda: Article.objects.get(pk=draft.pk).status,
        ),
        "moderation-approve-joke": (
            "moderator",
            reverse("moderation:queue"),
            jokes_changelist,
            {"action": "approve", "_selected_action": [pending.pk], "apply": "1"},
            {},
            lambda: Joke.objects.get(pk=pending.pk).status,
        ),
        "moderation-reject-joke": (
            "moderator",
            reverse("moderation:queue"),
            jokes_changelist,
            {
                "action": "reject",
                "_selected_action": [pending.pk],
                "apply": "1",
                "reason": "Forged",
            },
            {},
            lambda: Joke.objects.get(pk=pending.pk).status,
        ),
        "moderation-approve-article": (
            "moderator",
            reverse("moderation:queue"),
            contributions_changelist,
            {"action": "approve", "_selected_action": [contribution.pk], "apply": "1"},
            {},
            lambda: (Contribution.objects.get(pk=contribution.pk).status, Article.objects.count()),
        ),
    }
    return table[name]


ENDPOINTS = [
    "vote",
    "vote-by-script",
    "report",
    "safe-mode",
    "submit-joke",
    "submit-article",
    "admin-login",
    "admin-logout",
    "admin-add",
    "admin-change",
    "admin-delete",
    "admin-action-publish",
    "moderation-approve-joke",
    "moderation-reject-joke",
    "moderation-approve-article",
]


def csrf_client(world, role):
    client = Client(enforce_csrf_checks=True)
    if role:
        client.force_login(world[role])
    return client


def page_token(client, page):
    """The token the page's own forms carry (as a browser would post it)."""
    response = client.get(page)
    assert response.status_code == 200, page
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def assert_nothing_changed(name, response, before, state):
    assert response.status_code == 403, (name, response.status_code)
    if state is not None:
        assert state() == before, name
    assert "safe_mode" not in response.cookies
    assert "sessionid" not in response.cookies or not response.cookies["sessionid"].value


FORGERIES = {
    "no token": lambda data, headers, token: (data, headers),
    "forged token": lambda data, headers, token: (
        {**data, "csrfmiddlewaretoken": "x" * 64},
        headers,
    ),
    # A valid token is of no use when the browser says the post comes from elsewhere.
    "other origin": lambda data, headers, token: (
        {**data, "csrfmiddlewaretoken": token},
        {**headers, "HTTP_ORIGIN": "https://evil.example"},
    ),
}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_post_without_the_pages_token_is_refused_and_changes_nothing(world, name):
    role, page, url, data, headers, state = endpoint(name, world)
    client = csrf_client(world, role)
    token = page_token(client, page)  # the victim's browser holds the CSRF cookie
    for forgery, forge in FORGERIES.items():
        before = state() if state else None
        forged_data, forged_headers = forge(data, headers, token)
        response = client.post(url, forged_data, **forged_headers)
        assert_nothing_changed(f"{name}, {forgery}", response, before, state)
        if role:
            # Still logged in: a refused logout logs nobody out.
            assert client.get(reverse("admin:index")).status_code == 200
    # The control: with the page's own token the same post goes through, so the 403s
    # above are the CSRF check at work.
    before = state() if state else None
    response = client.post(url, {**data, "csrfmiddlewaretoken": token}, **headers)
    assert response.status_code in (200, 302), (name, response.status_code)
    if state is None:
        assert response.cookies["safe_mode"].value == "off"
    else:
        assert state() != before, name


def test_the_editor_upload_needs_the_editors_own_token(world, media_root):
    """django-ckeditor's upload view is exempt from Django's CSRF check; ours checks
    CKEditor's double-submit token instead (richtext/views.py). Without it the upload is
    refused with a 400 and a message (not a 403), and nothing is stored."""
    client = csrf_client(world, "editor")
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    response = client.post(reverse("ckeditor_upload"), {"upload": upload})
    assert response.status_code == 400
    assert "missing token" in response.json()["error"]["message"]
    assert stored_files(media_root) == []
    # Django's own token is no substitute for the editor's.
    token = page_token(client, reverse("admin:index"))
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("ckeditor_upload"), {"upload": upload, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 400
    assert stored_files(media_root) == []
    # A page elsewhere cannot read the editor's cookie to copy it into its form.
    client.cookies["ckCsrfToken"] = CKEDITOR_TOKEN
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    response = client.post(reverse("ckeditor_upload"), {"upload": upload, "ckCsrfToken": "guessed"})
    assert response.status_code == 400
    assert stored_files(media_root) == []


# Open redirects

EVIL_TARGETS = [
    "https://evil.example/",
    "http://evil.example",
    "HTTPS://EVIL.EXAMPLE/",
    "//evil.example",
    "//evil.example/jokes/",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "\x01//evil.example",
    "http:evil.example",
    "https:evil.example",
    "http:/evil.example",
    "https:/\\evil.example",
    "https://testserver@evil.example/",
    "https://evil.example\\@testserver/",
    "https://evil.example#@testserver",
    "http://testserver.evil.example/",
    "https://evil.example%2F@testserver",
    "javascript:alert(1)",
    "JavaScript:alert(document.domain)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "%252F%252Fevil.example",
    "https%3A%2F%2Fevil.example",
    "//evil%2Eexample",
    "//evil。example",
    "//%65vil.example",
    "/%09/evil.example",
    "/.//evil.example",
]


def browser_reads(location):
    """The Location header as a browser's URL parser reads it: leading controls and
    spaces dropped, tabs and newlines removed, backslashes taken for slashes."""
    value = location.lstrip("".join(chr(c) for c in range(33)))
    return re.sub(r"[\t\n\r]", "", value).replace("\\", "/")


def stays_on_site(location):
    value = browser_reads(location)
    parts = urlsplit(value)
    if parts.scheme:
        return parts.scheme in ("http", "https") and parts.netloc == "testserver"
    return not value.startswith("//") and not parts.netloc


def test_the_location_reader_sees_through_the_tricks():
    for target in EVIL_TARGETS:
        if "%" not in target and "/." not in target:
            assert not stays_on_site(target), target
    assert stays_on_site("/jokes/?page=2#joke-3")
    assert stays_on_site("http://testserver/admin/")


def redirect_views(world):
    """(name, who, how to send `next` to the view) for each view that takes `next`."""
    joke = world["joke"]
    vote = reverse("jokes:joke-vote", args=[joke.pk])
    safe_mode = reverse("jokes:safe-mode")
    login = reverse("admin:login")
    credentials = {"username": world["editor"].username, "password": PASSWORD}
    return {
        "vote (form field)": (None, lambda c, n: c.post(vote, {"vote": "up", "next": n})),
        "vote (query)": (None, lambda c, n: c.post(vote + "?" + urlquery(n), {"vote": "up"})),
        "safe mode (form field)": (
            None,
            lambda c, n: c.post(safe_mode, {"safe_mode": "off", "next": n}),
        ),
        "safe mode (query)": (
            None,
            lambda c, n: c.post(safe_mode + "?" + urlquery(n), {"safe_mode": "on"}),
        ),
        "admin login (query)": (
            None,
            lambda c, n: c.post(login + "?" + urlquery(n), credentials),
        ),
        "admin login (form field)": (None, lambda c, n: c.post(login, {**credentials, "next": n})),
        "admin login when logged in": ("editor", lambda c, n: c.get(login, {"next": n})),
        "admin logout": ("editor", lambda c, n: c.post(reverse("admin:logout"), {"next": n})),
        "admin change form filters": (
            "editor",
            lambda c, n: c.post(
                reverse("admin:bulletin_article_change", args=[world["draft"].pk])
                + "?"
                + urlquery(n, "_changelist_filters"),
                {
                    **article_form(world, slug=world["draft"].slug),
                    "preview_links-TOTAL_FORMS": "0",
                    "preview_links-INITIAL_FORMS": "0",
                },
            ),
        ),
    }


def urlquery(value, name="next"):
    return urlencode({name: value})


REDIRECT_VIEWS = [
    "vote (form field)",
    "vote (query)",
    "safe mode (form field)",
    "safe mode (query)",
    "admin login (query)",
    "admin login (form field)",
    "admin login when logged in",
    "admin logout",
    "admin change form filters",
]


@pytest.mark.parametrize("view", REDIRECT_VIEWS)
def test_next_never_leads_off_the_site(world, view):
    role, send = redirect_views(world)[view]
    escaped = []
    for target in EVIL_TARGETS:
        client = Client()
        if role:
            client.force_login(world[role])
        response = send(client, target)
        assert response.status_code in (200, 302), (target, response.status_code)
        location = response.get("Location", "")
        if response.status_code == 302 and not stays_on_site(location):
            escaped.append((target, location))
    assert not escaped, escaped


@pytest.mark.parametrize(
    "view", [v for v in REDIRECT_VIEWS if "filters" not in v and "logged in" not in v]
)
def test_a_next_on_the_site_is_followed(world, view):
    """The control: `next` is honoured when it stays on the site, so the test above
    sees real redirects. (The admin's log-in page, opened when already logged in, and
    the change form's saved filters always go to an admin page of their own.)"""
    role, send = redirect_views(world)[view]
    client = Client()
    if role:
        client.force_login(world[role])
    target = "/jokes/?page=2" if "login" not in view else "/admin/jokes/joke/"
    response = send(client, target)
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize(
    "path", ["//evil.example", "//evil.example/", "/\\evil.example", "///evil.example/jokes"]
)
def test_the_trailing_slash_redirect_stays_on_the_site(client, path):
    """CommonMiddleware adds a missing slash with a redirect; an address that starts
    like another host's must not become a redirect to it."""
    # Straight into PATH_INFO: the test client would read "//host" as a host.
    response = client.get("/", PATH_INFO=path)
    assert response.status_code in (301, 302, 404)
    if response.status_code in (301, 302):
        assert stays_on_site(response["Location"]), response["Location"]


# The editor's image upload


def post_upload(client, data, name, content_type="image/png"):
    client.cookies["ckCsrfToken"] = CKEDITOR_TOKEN
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    form = {"upload": upload, "ckCsrfToken": CKEDITOR_TOKEN}
    return client.post(reverse("ckeditor_upload"), form)


def refusal(response):
    assert 400 <= response.status_code < 500, response.status_code
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["uploaded"] == 0
    return body["error"]["message"]


def png_declaring_size(width, height):
    """A tiny PNG whose header says `width` × `height` pixels (its CRC kept valid)."""
    data = bytearray(png_bytes((1, 1)))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def gif_declaring_size(width, height):
    buffer = io.BytesIO()
    Image.new("P", (1, 1)).save(buffer, "GIF")
    data = bytearray(buffer.getvalue())
    data[6:10] = struct.pack("<HH", width, height)  # the logical screen
    return bytes(data)


def png_with_text(text):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    return png_bytes(pnginfo=info)


def gif_with_comment(comment):
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, "GIF", comment=comment)
    return buffer.getvalue()


SCRIPT = "<script>alert(document.domain)</script>"
SVG = (
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
    'onload="alert(1)"><script>alert(2)</script><rect width="10" height="10"/></svg>'
)

UNREADABLE = {
    "text renamed .png": (b"Dear diary, this is not a picture at all.\n" * 20, "diary.png"),
    "HTML renamed .gif": (f"<!doctype html><html><body>{SCRIPT}</body></html>".encode(), "a.gif"),
    "SVG with script": (SVG.encode(), "drawing.svg"),
    "SVG renamed .png": (SVG.encode(), "drawing.png"),
    "GIF89a/JavaScript polyglot": (
        b"GIF89a/*\x00\x00\x00\x00\x00*/=alert(document.domain);//" + b"\x00" * 16,
        "polyglot.gif",
    ),
    "HTML with a PNG signature": (b"\x89PNG\r\n\x1a\n" + SCRIPT.encode(), "sig.png"),
    "PHP in a .jpg": (b"<?php system($_GET['c']); ?>", "shell.jpg"),
}


@pytest.mark.parametrize("kind", UNREADABLE)
def test_what_is_not_an_image_is_refused(client_for, media_root, kind):
    data, name = UNREADABLE[kind]
    message = refusal(post_upload(client_for("editor"), data, name))
    assert message == "The file is not an image that can be read."
    assert stored_files(media_root) == []


def test_an_oversized_file_is_refused(client_for, media_root, settings):
    limit = settings.RICHTEXT_IMAGE_MAX_BYTES
    data = png_bytes() + b"\x00" * (limit + 1 - len(png_bytes()))
    assert len(data) == limit + 1
    message = refusal(post_upload(client_for("editor"), data, "huge.png"))
    assert message.startswith("The image is larger than ")
    assert stored_files(media_root) == []


def test_an_upload_larger_than_the_admin_takes_is_a_413(client_for, media_root, settings):
    data = png_bytes() + b"\x00" * settings.ADMIN_REQUEST_MAX_BYTES
    response = post_upload(client_for("editor"), data, "huge.png")
    assert response.status_code == 413
    assert stored_files(media_root) == []


@pytest.mark.parametrize("url", ["portal:submit-joke", "portal:submit-article"])
def test_a_public_form_refuses_a_large_body_before_reading_it(client, settings, url):
    """A public form has no file field; a body past PUBLIC_REQUEST_MAX_BYTES (a file,
    or a huge field) is a 413 before Django reads it, and nothing is stored."""
    CategoryFactory()
    big = SimpleUploadedFile("film.mp4", b"\x00" * (settings.PUBLIC_REQUEST_MAX_BYTES + 1))
    response = client.post(reverse(url), {"text": "A joke", "attachment": big})
    assert response.status_code == 413
    message = response.content.decode().replace("\xa0", " ")
    assert message == "Request too large: this address takes at most 1.0 MB."
    response = client.post(reverse(url), {"text": "x" * (settings.PUBLIC_REQUEST_MAX_BYTES + 1)})
    assert response.status_code == 413
    assert not Joke.objects.exists() and not Contribution.objects.exists()
    # Under the limit, the form answers for itself.
    assert client.post(reverse(url), {"text": ""}).status_code == 400


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # Past Pillow's own decompression-bomb threshold: refused when it is opened.
        (png_declaring_size(60_000, 60_000), "The image has too many pixels."),
        # Under Pillow's threshold, over the site's limit (25 megapixels by default).
        (png_declaring_size(7_000, 6_000), "The image has too many pixels (7000 × 6000)."),
        (gif_declaring_size(65_535, 65_535), "The image has too many pixels"),
    ],
    ids=["png-past-pillow-limit", "png-past-site-limit", "gif-huge-screen"],
)
def test_a_small_file_declaring_a_huge_bitmap_is_refused(client_for, media_root, data, expected):
    assert len(data) < 200
    message = refusal(post_upload(client_for("editor"), data, "bomb.png"))
    assert message.startswith(expected)
    assert stored_files(media_root) == []


SCRIPTED_IMAGES = {
    "PNG with a script in a tEXt chunk": (png_with_text(SCRIPT), "page.html", ".png"),
    "GIF with an HTML comment block": (
        gif_with_comment(f"<html><body>{SCRIPT}".encode()),
        "page.htm",
        ".gif",
    ),
    "PNG with a script after its end": (png_bytes() + SCRIPT.encode(), "x.svg", ".png"),
}


@pytest.mark.parametrize("kind", SCRIPTED_IMAGES)
def test_an_image_carrying_a_script_is_refused(client_for, media_root, kind):
    """A valid image may carry markup in its metadata, a comment or after its end: it is
    refused with a message, and nothing is stored."""
    data, name, _extension = SCRIPTED_IMAGES[kind]
    assert SCRIPT.encode() in data
    response = post_upload(client_for("editor"), data, name)
    assert response.status_code == 400
    assert refusal(response).startswith("The image carries text that looks like a script")
    assert stored_files(media_root) == []
