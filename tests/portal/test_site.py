"""Site-wide behaviour: the sites framework, tags of any text, the favicon, the admin's
look, hostile input refused before the database."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.utils import timezone
from taggit.models import Tag

from bulletin.models import Article
from tests.factories import ArticleFactory, JokeFactory

pytestmark = pytest.mark.django_db


def test_the_site_record_follows_the_settings(settings):
    settings.SITE_DOMAIN = "news.example.org"
    settings.SITE_NAME = "The Daily Giggle"
    call_command("migrate", verbosity=0)  # the domain is written on every migrate
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("news.example.org", "The Daily Giggle")


def test_view_on_site_goes_to_this_site(client, editor, settings):
    settings.SITE_DOMAIN = "127.0.0.1:8000"
    call_command("migrate", verbosity=0)
    article = ArticleFactory()
    client.force_login(editor)
    content_type = ContentType.objects.get_for_model(Article)
    response = client.get(f"/admin/r/{content_type.pk}/{article.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"http://127.0.0.1:8000{article.get_absolute_url()}"


@pytest.mark.parametrize("name", ["🎉", "!!!", "—"])
def test_a_tag_without_letters_still_has_a_page(client, name):
    article = ArticleFactory(tags=[name])
    tag = Tag.objects.get(name=name)
    assert tag.slug
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(f"/tags/{tag.slug}/").status_code == 200
    second = ArticleFactory(tags=["🎈"])  # another such tag gets its own slug
    assert Tag.objects.get(name="🎈").slug != tag.slug
    assert client.get(second.get_absolute_url()).status_code == 200


def test_a_tag_used_only_by_drafts_is_not_there(client):
    ArticleFactory(draft=True, tags=["council"])
    JokeFactory(pending=True, tags=["council"])
    assert client.get("/tags/council/").status_code == 404


def test_the_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert b'rel="icon"' in client.get("/").content


def test_the_admin_carries_the_sites_name(client, editor, settings):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert f"{settings.SITE_NAME}: administration" in html
    assert "Django administration" not in html


def test_a_scheduled_article_preview_says_when_it_appears(client, editor):
    when = timezone.now() + timedelta(days=2)
    article = ArticleFactory(publish_at=when)
    client.force_login(editor)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "this article is scheduled; it appears on" in html
    assert "(Published)" not in html


def test_a_forbidden_page_is_in_the_sites_look(client, author):
    client.force_login(author)
    response = client.get("/admin/moderation/")
    assert response.status_code == 403
    assert b"Not allowed" in response.content
    assert b'href="/admin/"' in response.content
