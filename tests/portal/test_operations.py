"""Health checks for the process manager and the load balancer, and a database that
goes away: a 503 page in the site's look, then recovery without a restart."""

import pytest
from django.db import OperationalError, connection

from portal import views
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def refuse(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0), connection.execute_wrapper(refuse):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_the_database_and_the_migrations(client, monkeypatch):
    monkeypatch.setattr(views, "_migrations_checked", False)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert views._migrations_checked  # later calls only ask the database
    with connection.execute_wrapper(refuse):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "database unavailable"}
    assert client.get("/readyz").status_code == 200


def test_readyz_is_not_ready_with_unapplied_migrations(client, monkeypatch):
    monkeypatch.setattr(views, "_migrations_checked", False)
    monkeypatch.setattr(
        views.MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)]
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"] == "1 migrations not applied"
    assert not views._migrations_checked


def test_readyz_is_cheap_once_ready(client, django_assert_num_queries):
    client.get("/readyz")
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/", "/bulletin/", "/jokes/", "/search/?q=walrus", "/jokes/1/", "/no-such-page/",
     "/bulletin/no-such-section/", "/tags/no-such-tag/"],
)  # fmt: skip
def test_a_database_outage_is_a_503_page_then_the_site_recovers(client, url):
    article = ArticleFactory(title="Walrus")
    with connection.execute_wrapper(refuse):
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "We cannot reach our database just now" in html
    assert "/static/css/site.css" in html  # the site's look
    assert "Traceback" not in html and "OperationalError" not in html
    # The database is back: the same client, the same process, no restart.
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200


def test_other_errors_are_still_500s(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(views.HomeView, "get_context_data", broken)
    client.raise_request_exception = False
    assert client.get("/").status_code == 500
