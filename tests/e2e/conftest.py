"""End-to-end tests in a real browser: Debian's chromium driven by Playwright, against
pytest-django's live server (the real database of the run, SQLite or PostgreSQL).

Where no chromium is installed the browser tests are skipped with the reason said;
with REQUIRE_BROWSER=1 (CI) a missing browser is a failure instead.
"""

import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make between browser steps are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        reason = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def roles(transactional_db):
    """The staff groups, as the role migrations make them (a transactional test may
    follow one that emptied the tables)."""
    for name, step in [
        ("0001_create_roles", "create_roles"),
        ("0003_moderation_roles", "forwards"),
    ]:
        getattr(importlib.import_module(f"portal.migrations.{name}"), step)(apps, None)


@pytest.fixture
def screenshot(request):
    """Save a page's screenshot under artifacts/screenshots/<database>/ (kept by CI,
    ignored by git): the SQLite and PostgreSQL passes each keep their own. Every test
    ends with one of its last page."""
    from django.db import connection

    folder = SCREENSHOTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=folder / f"{request.node.name}-{name}.png", full_page=True)

    return take
