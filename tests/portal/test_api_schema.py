"""The API against its own OpenAPI document (/api/openapi.json), with schemathesis:

- every endpoint's real answers (200, 404, 422) conform to what the document says;
- requests generated from the document (valid and invalid ones, through hypothesis)
  never get a 5xx, nor an answer the document does not describe.

Requests go in-process through the project's WSGI application, inside each test's
transaction, so they see the content the test made.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from config.wsgi import application
from jokes.models import Joke
from tests.factories import ArticleFactory, CategoryFactory, JokeFactory, SectionFactory

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# A NUL byte never reaches the API: portal.middleware refuses it first (a plain-text
# 400, tested in test_api.py).
schema.config.generation.update(allow_x00=False)


@pytest.fixture(autouse=True)
def connection_kept_open():
    """Schemathesis calls the WSGI application as a server would, and Django closes the
    database connection at the end of each such request: with it the test's
    transaction and its content (PostgreSQL). Django's own test client stops that
    the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def content(settings):
    """A little of everything, published or not, with the slugs and words that the
    generated requests may stumble on."""
    # Generated requests come by the hundred from one client.
    settings.API_REQUESTS_PER_MINUTE = 1_000_000
    now = timezone.now()
    puns = CategoryFactory(name="Puns", slug="puns")
    news = SectionFactory(name="News", slug="news")
    made = {
        "joke": JokeFactory(category=puns, title="Penguin", tags=["animals"]),
        "flagged": JokeFactory(category=puns, nsfw=True, tags=["rude"]),
        "visitor": JokeFactory(category=puns, submitter_name="Zoë", submitter_email="z@x.org"),
        "draft": JokeFactory(category=puns, status=Joke.Status.DRAFT, published_at=None),
        "hidden": JokeFactory(category=puns, hidden_by_reports=True),
        "article": ArticleFactory(section=news, title="Ünïcode ☃ news", tags=["animals"]),
        "scheduled": ArticleFactory(section=news, publish_at=now + timedelta(days=1)),
    }
    JokeFactory.create_batch(3, category=CategoryFactory(slug="knock-knock"))
    return made


def operation(path):
    return schema[path]["GET"]


def real_requests(content):
    """(path template, path parameters, query, expected status) for every endpoint."""
    joke, article = content["joke"].pk, content["article"].pk
    return [
        ("/api/", {}, {}, 200),
        ("/api/jokes", {}, {}, 200),
        ("/api/jokes", {}, {"safe": "false", "page_size": "2", "page": "2"}, 200),
        ("/api/jokes", {}, {"category": "puns", "tag": "animals"}, 200),
        ("/api/jokes", {}, {"q": "penguin"}, 200),
        ("/api/jokes", {}, {"page": "99"}, 404),
        ("/api/jokes", {}, {"page_size": "0", "safe": "perhaps"}, 422),
        ("/api/jokes/random", {}, {}, 200),
        ("/api/jokes/random", {}, {"safe": "false"}, 200),
        ("/api/jokes/random", {}, {"safe": "x"}, 422),
        ("/api/jokes/today", {}, {}, 200),
        ("/api/jokes/{joke_id}", {"joke_id": joke}, {}, 200),
        ("/api/jokes/{joke_id}", {"joke_id": content["flagged"].pk}, {}, 200),
        ("/api/jokes/{joke_id}", {"joke_id": content["visitor"].pk}, {}, 200),
        ("/api/jokes/{joke_id}", {"joke_id": content["draft"].pk}, {}, 404),
        ("/api/jokes/{joke_id}", {"joke_id": content["hidden"].pk}, {}, 404),
        ("/api/jokes/{joke_id}", {"joke_id": -3}, {}, 422),
        ("/api/articles", {}, {}, 200),
        ("/api/articles", {}, {"section": "news", "tag": "animals", "page_size": "1"}, 200),
        ("/api/articles", {}, {"page": "2"}, 404),
        ("/api/articles", {}, {"page": "x"}, 422),
        ("/api/articles/{article_id}", {"article_id": article}, {}, 200),
        ("/api/articles/{article_id}", {"article_id": content["scheduled"].pk}, {}, 404),
        ("/api/articles/{article_id}", {"article_id": 2**64}, {}, 422),
        ("/api/sections", {}, {}, 200),
        ("/api/categories", {}, {}, 200),
        ("/api/categories", {}, {"safe": "0"}, 200),
        ("/api/categories", {}, {"safe": "nope"}, 422),
        ("/api/tags", {}, {}, 200),
        ("/api/tags", {}, {"safe": "false"}, 200),
        ("/api/tags", {}, {"safe": "[]"}, 422),
    ]


def test_the_document_is_valid_openapi_for_every_endpoint():
    schema.validate()
    paths = {result.ok().path for result in schema.get_all_operations()}
    assert len(paths) == 10


def test_every_endpoints_real_answers_conform_to_the_document(content):
    tested = set()
    for path, path_parameters, query, expected in real_requests(content):
        case = operation(path).Case(path_parameters=path_parameters, query=query)
        response = case.call()
        assert response.status_code == expected, (path, path_parameters, query, response.text)
        case.validate_response(response)
        tested.add((path, expected))
    documented = {result.ok().path for result in schema.get_all_operations()}
    assert {path for path, _ in tested} == documented
    assert {status for _, status in tested} == {200, 404, 422}


def test_a_429_conforms_to_the_document(content, settings):
    settings.API_REQUESTS_PER_MINUTE = 0
    case = operation("/api/jokes").Case(query={})
    response = case.call()
    assert response.status_code == 429
    case.validate_response(response)


# Generated requests: a bounded, repeatable run (the same examples every time), a few
# dozen per endpoint, valid and invalid.
@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_generated_requests_never_fail_and_conform(case, content):
    response = case.call_and_validate()
    assert response.status_code < 500
