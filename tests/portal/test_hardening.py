"""Production hardening: security headers and the Content Security Policy on every
public URL, `check --deploy`, admin log-in throttling, a cache that fails open, the
startup warning without a shared cache, and structured logs."""

import json
import logging
import os
import smtplib
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import caches
from django.urls import reverse

from jokes.models import Joke
from portal.logs import JsonFormatter
from tests.factories import ArticleFactory, CategoryFactory, JokeFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "s3cr3t-" * 8,
    "ALLOWED_HOSTS": "jokes.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "LOG_LEVEL": "WARNING",
}


def run_python(code, **environ):
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (a worker may have run them first).
    unwanted = {"DEBUG", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **environ)
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def content(db):
    article = ArticleFactory(title="Walrus", tags=["sea"])
    joke = JokeFactory(title="Walrus joke", tags=["sea"])
    return article, joke


def public_urls(article, joke):
    return [
        "/",
        "/bulletin/",
        article.section.get_absolute_url(),
        article.get_absolute_url(),
        "/bulletin/archive/",
        "/jokes/",
        "/jokes/top/",
        joke.category.get_absolute_url(),
        joke.get_absolute_url(),
        "/tags/sea/",
        "/search/?q=walrus",
        "/submit/joke/",
        "/submit/article/",
        "/feeds/headlines/",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
        "/api/jokes",
        "/api/docs",
        "/no-such-page/",
    ]


@pytest.fixture
def https(settings):
    """Production's HTTPS settings (the suite runs with DEBUG on, where they are off)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


def assert_security_headers(response, url):
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    ), url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["X-Frame-Options"] == "DENY", url
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy, url
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy, url
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url


def test_every_public_url_carries_the_security_headers(client, content, https):
    for url in public_urls(*content):
        response = client.get(url, secure=True)
        assert response.status_code in (200, 404), url
        assert_security_headers(response, url)


def test_plain_http_is_redirected_but_health_checks_are_not(client, https):
    response = client.get("/bulletin/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/bulletin/"
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


class ScriptFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.styles = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "style":
            self.styles += 1
        self.handlers += [name for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.styles += 1


def test_public_pages_have_no_inline_script_or_style(client, content):
    for url in public_urls(*content):
        response = client.get(url)
        if "text/html" not in response["Content-Type"]:
            continue
        finder = ScriptFinder()
        finder.feed(response.content.decode())
        for script in finder.scripts:
            # External files from this site, or JSON-LD data (never run as script).
            assert script.get("src", "").startswith("/static/") or (
                script.get("type") in ("application/ld+json", "application/json")
            ), (url, script)
        assert finder.handlers == [], url
        assert finder.styles == 0, url


def test_the_admin_and_its_editor_work_under_their_policy(client, content):
    editor = UserFactory(username="csp-editor", is_staff=True, is_superuser=True)
    client.force_login(editor)
    response = client.get(reverse("admin:bulletin_article_add"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    # CKEditor's toolbar has inline handlers; it styles inline, shows pasted images as
    # blob:, frames its upload answer (tests/e2e/test_csp_browser.py types into it).
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "img-src 'self' data: blob:" in policy
    assert "frame-ancestors 'self'" in policy
    assert "unsafe-eval" not in policy and "nonce-" not in policy  # a nonce would void it
    html = response.content.decode()
    assert "ckeditor/ckeditor.js" in html and "ckeditor-init.js" in html


def test_the_editor_upload_answer_may_be_framed_by_the_admin_only(client, content):
    editor = UserFactory(username="csp-uploader", is_staff=True, is_superuser=True)
    client.force_login(editor)
    response = client.post(reverse("ckeditor_upload"), {})
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_check_deploy_is_clean_with_production_settings():
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout, (
        result.stdout + result.stderr
    )


# Admin log-in throttling


def log_in(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_admin_log_in_is_locked_after_repeated_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="ed", is_staff=True)
    UserFactory(username="mo", is_staff=True)
    for _ in range(2):
        response = log_in(client, "ed", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    locked = log_in(client, "ed", "wrong")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    # Even the right password waits now, from this address.
    assert log_in(client, "ed", "pass-for-tests-1").status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account, or the same one from another address, is not locked.
    assert log_in(client, "mo", "pass-for-tests-1").status_code == 302
    other = client.__class__(REMOTE_ADDR="192.0.2.9")
    assert log_in(other, "ed", "pass-for-tests-1").status_code == 302


def test_a_successful_log_in_resets_the_count(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="ed", is_staff=True)
    log_in(client, "ed", "wrong")
    log_in(client, "ed", "wrong")
    assert log_in(client, "ed", "pass-for-tests-1").status_code == 302
    client.logout()
    log_in(client, "ed", "wrong")
    log_in(client, "ed", "wrong")
    assert log_in(client, "ed", "pass-for-tests-1").status_code == 302


# The cache fails open


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    yield caches["default"]
    caches["default"].close()


def test_pages_are_served_while_redis_is_down(client, content, redis_down):
    article, joke = content
    for url in ["/", article.get_absolute_url(), joke.get_absolute_url(), "/search/?q=walrus"]:
        assert client.get(url).status_code == 200, url
    assert redis_down.get("anything", "missing") == "missing"
    redis_down.set("anything", 1)  # dropped, not raised


def test_rate_limited_forms_say_try_again_while_redis_is_down(client, redis_down):
    category = CategoryFactory()
    response = client.post(
        reverse("portal:submit-joke"),
        {"text": "A joke sent while the counter is down.", "category": category.pk},
    )
    assert response.status_code == 503
    assert "try again in a moment" in response.content.decode().lower()
    assert not Joke.objects.exists()


def test_redis_in_use_really_caches(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
        }
    }
    cache = caches["default"]
    try:
        cache.set("hardening-test", 41)
        assert cache.get("hardening-test") == 41
        assert cache.incr("hardening-test") == 42
    finally:
        cache.delete("hardening-test")
        cache.close()


def test_a_warning_at_start_without_a_shared_cache():
    code = ["-c", "import django; django.setup()"]
    without = run_python(code, **{**PRODUCTION, "REDIS_URL": "", "LOG_LEVEL": "INFO"})
    assert without.returncode == 0, without.stderr
    warning = json.loads(without.stdout.splitlines()[0])
    assert warning["level"] == "WARNING" and "REDIS_URL" in warning["message"]
    with_redis = run_python(code, **{**PRODUCTION, "LOG_LEVEL": "INFO"})
    assert with_redis.stdout == ""


# Structured logs


def test_log_lines_are_json_with_extra_fields():
    record = logging.LogRecord("portal", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    record.path = "/search/"
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "portal"
    assert line["message"] == "hello world" and line["path"] == "/search/"
    assert line["time"].endswith("+00:00")


# Personal data


def test_submitter_emails_never_leave_the_site(client, caplog):
    caplog.set_level(logging.DEBUG)
    email = "private.person@example.net"
    joke = JokeFactory(
        title="Walrus joke", submitter_name="Pat", submitter_email=email, tags=["sea"]
    )
    category = joke.category
    response = client.post(
        reverse("portal:submit-joke"),
        {
            "text": "Another walrus joke, sent by a visitor.",
            "category": category.pk,
            "submitter_name": "Sam",
            "submitter_email": "sam.private@example.net",
            "website": "",
        },
    )
    assert response.status_code == 302
    urls = [
        "/",
        "/jokes/",
        joke.get_absolute_url(),
        category.get_absolute_url(),
        "/tags/sea/",
        "/search/?q=walrus",
        "/feeds/jokes/",
        "/feeds/jokes/atom/",
        f"/feeds/categories/{category.slug}/",
        "/feeds/tags/sea/",
        "/sitemap-jokes.xml",
        "/api/jokes",
        f"/api/jokes/{joke.pk}",
        "/api/jokes/random",
        "/api/jokes/today",
        "/api/jokes?q=walrus",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"example.net" not in response.content, url
    as_json = client.get(joke.get_absolute_url(), HTTP_ACCEPT="application/json")
    assert "Pat" in as_json.content.decode() and b"example.net" not in as_json.content
    assert "example.net" not in caplog.text


def test_the_policy_built_once_is_the_one_django_csp_builds(rf, settings):
    """portal.middleware builds each policy once; it must be what django-csp's own
    process_response writes, for public pages and for the admin."""
    from csp.constants import NONCE
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    from portal.middleware import ContentSecurityPolicyMiddleware

    ours = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    theirs = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    for path in ("/", "/jokes/", "/admin/", "/admin/bulletin/article/add/"):
        for _ in range(2):  # built, then remembered
            request = rf.get(path)
            ours.process_request(request)
            mine = ours.process_response(request, HttpResponse())
            request = rf.get(path)
            theirs.process_request(request)
            expected = CSPMiddleware.process_response(theirs, request, HttpResponse())
            assert mine["Content-Security-Policy"] == expected["Content-Security-Policy"]
    assert (
        "'unsafe-inline'"
        not in ours.process_response(rf.get("/"), HttpResponse())["Content-Security-Policy"]
    )
    # A response that used a nonce is left to django-csp, which writes its own.
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
                       "script-src": ["'self'", NONCE]}
    }  # fmt: skip
    request = rf.get("/")
    ours.process_request(request)
    nonce = str(request.csp_nonce)
    assert (
        f"'nonce-{nonce}'"
        in ours.process_response(request, HttpResponse())["Content-Security-Policy"]
    )


def test_a_refused_address_is_not_logged(caplog, monkeypatch):
    """A mail server's refusal names the address it refused: the log says what failed,
    not to whom."""
    from portal import services

    address = "private.person@example.net"

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused(
            {address: (550, f"5.1.1 <{address}>: unknown".encode())}
        )

    monkeypatch.setattr(services.EmailMessage, "send", refuse)
    caplog.set_level(logging.DEBUG)
    services._send("Your joke was published", "Thank you.", [address])
    [record] = [r for r in caplog.records if r.name == "portal.services"]
    assert "SMTPRecipientsRefused" in record.getMessage()
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.exc_info or ''}" for r in caplog.records
    )
    assert "example.net" not in logged and address not in caplog.text
