from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from bulletin import models as bulletin_models
from bulletin.models import Article, PreviewLink, TransitionError, related_articles
from tests.factories import ArticleFactory, PreviewLinkFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_slug_is_made_from_a_chinese_title():
    article = ArticleFactory(title="书法展览在市博物馆开幕", slug="")
    assert article.slug == "书法展览在市博物馆开幕"
    assert unquote(article.get_absolute_url()).endswith("/书法展览在市博物馆开幕/")


@pytest.mark.parametrize("title", ["!!!", "   ", "—", "🙂🙂"])
def test_slug_is_never_empty(title):
    article = ArticleFactory(title=title, slug="")
    assert article.slug
    assert article.slug.startswith("article")


def test_slug_is_unique_within_a_section_only():
    section, other = SectionFactory(), SectionFactory()
    first = ArticleFactory(title="Same title", section=section, slug="")
    second = ArticleFactory(title="Same title", section=section, slug="")
    elsewhere = ArticleFactory(title="Same title", section=other, slug="")
    assert first.slug == "same-title"
    assert second.slug == "same-title-2"
    assert elsewhere.slug == "same-title"


def test_database_refuses_a_duplicate_slug_in_a_section():
    section = SectionFactory()
    ArticleFactory(section=section, slug="taken")
    with pytest.raises(IntegrityError):
        ArticleFactory(section=section, slug="taken")


def test_section_slug_avoids_reserved_words():
    assert SectionFactory(name="Archive").slug == "archive-2"
    assert SectionFactory(name="Preview").slug == "preview-2"


def visible(article):
    return Article.objects.published().filter(pk=article.pk).exists()


@pytest.mark.parametrize(
    ("fields", "public"),
    [
        ({}, True),
        ({"status": Article.Status.DRAFT}, False),
        ({"status": Article.Status.REVIEW}, False),
        ({"status": Article.Status.ARCHIVED}, False),
        ({"publish_at": None}, False),
        ({"publish_at": timedelta(minutes=1)}, False),
        ({"expires_at": timedelta(days=1)}, True),
    ],
    ids=["published", "draft", "review", "archived", "no-time", "scheduled", "expires-later"],
)
def test_published_means_status_time_and_expiry(fields, public):
    # Times are offsets from when the test runs, not from when it was collected.
    now = timezone.now()
    fields = {k: now + v if isinstance(v, timedelta) else v for k, v in fields.items()}
    article = ArticleFactory(**fields)
    assert visible(article) is public
    assert article.is_published is public


def test_expired_article_is_not_public():
    article = ArticleFactory(publish_at=timezone.now() - timedelta(days=3))
    Article.objects.filter(pk=article.pk).update(expires_at=timezone.now() - timedelta(days=1))
    article.refresh_from_db()
    assert not visible(article)
    assert not article.is_published


def test_scheduled_article_appears_when_its_time_comes_with_no_job():
    article = ArticleFactory(scheduled=True)
    assert not visible(article)
    assert article.is_scheduled
    later = article.publish_at + timedelta(seconds=1)
    assert Article.objects.published(now=later).filter(pk=article.pk).exists()


def test_expiry_before_publish_is_a_validation_error_and_a_database_rule():
    now = timezone.now()
    article = ArticleFactory.build(
        section=SectionFactory(), publish_at=now, expires_at=now - timedelta(hours=1)
    )
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert error.value.error_dict["expires_at"][0].code == "expires_before_publish"
    with pytest.raises(IntegrityError):
        article.save()


def test_workflow_steps():
    article = ArticleFactory(draft=True)
    article.submit_for_review()
    assert article.status == Article.Status.REVIEW
    with pytest.raises(TransitionError):
        article.submit_for_review()
    article.publish()
    assert article.is_published
    with pytest.raises(TransitionError):
        article.publish()
    article.unpublish()
    assert article.status == Article.Status.DRAFT
    article.archive()
    assert article.status == Article.Status.ARCHIVED
    with pytest.raises(TransitionError):
        article.archive()
    with pytest.raises(TransitionError):
        article.unpublish()


def test_publish_keeps_a_future_time_as_a_schedule():
    when = timezone.now() + timedelta(hours=2)
    article = ArticleFactory(draft=True, publish_at=when)
    article.publish()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.publish_at == when
    assert article.is_scheduled and not article.is_published


def test_body_is_sanitised_on_every_save():
    article = ArticleFactory(body='<p onclick="x()">Hi<script>alert(1)</script></p>')
    article.refresh_from_db()
    assert article.body == "<p>Hi</p>"
    article.body = '<a href="javascript:alert(1)">x</a>'
    article.save()
    article.refresh_from_db()
    assert "javascript" not in article.body


def test_previous_next_and_related():
    section = SectionFactory()
    now = timezone.now()
    old = ArticleFactory(section=section, publish_at=now - timedelta(days=3), tags=["a", "b"])
    middle = ArticleFactory(section=section, publish_at=now - timedelta(days=2), tags=["a", "b"])
    new = ArticleFactory(section=section, publish_at=now - timedelta(days=1), tags=["a"])
    ArticleFactory(section=section, draft=True, tags=["a", "b"])
    assert middle.get_previous_in_section() == old
    assert middle.get_next_in_section() == new
    assert old.get_previous_in_section() is None
    assert middle.get_related() == [old, new]
    untagged = ArticleFactory(section=section, publish_at=now - timedelta(days=4))
    assert untagged.get_related() == []


def test_preview_link_lifecycle():
    link = PreviewLinkFactory()
    assert len(link.token) >= 40
    assert link.expires_at > timezone.now() + timedelta(days=6)
    assert PreviewLink.objects.active().filter(pk=link.pk).exists()
    link.revoke()
    assert not link.is_active
    assert not PreviewLink.objects.active().filter(pk=link.pk).exists()
    expired = PreviewLinkFactory(expires_at=timezone.now() - timedelta(seconds=1))
    assert not expired.is_active


def test_str_and_urls():
    article = ArticleFactory(title="Hello", section=SectionFactory(name="News"))
    assert str(article) == "Hello"
    assert str(article.section) == "News"
    assert article.get_absolute_url() == "/bulletin/news/hello/"
    assert article.section.get_absolute_url() == "/bulletin/news/"


def test_lead_is_not_repeated_when_the_body_opens_with_it():
    article = ArticleFactory(summary="Standfirst.", body="<p>Body text.</p>")
    assert article.lead == "Standfirst."
    imported = ArticleFactory(
        summary='Police & people "first" words…',
        body="<p>Police &amp; people &quot;first&quot; words and more.</p>",
    )
    assert imported.lead == ""


def test_a_generated_slug_taken_in_the_meantime_is_retried(monkeypatch):
    """Two saves of the same title at once: the second finds the slug taken at
    insert time (the database's rule) and takes the next one instead of failing."""
    section = SectionFactory()
    first = ArticleFactory(section=section, title="Same moment", slug="")
    queryset_class = type(Article.objects.all())
    real_exists = queryset_class.exists
    calls = []

    def first_check_is_stale(queryset):
        calls.append(queryset)
        return False if len(calls) == 1 else real_exists(queryset)

    monkeypatch.setattr(queryset_class, "exists", first_check_is_stale)
    second = ArticleFactory(section=section, title="Same moment", slug="")
    assert first.slug == "same-moment"
    assert second.slug == "same-moment-2"


def test_related_headlines_come_from_the_tags_newest_articles(monkeypatch):
    """Candidates are the articles last given one of the tags, so the cost of an
    article page does not grow with the archive."""
    older = ArticleFactory(tags=["rivers", "boats"])
    newer = [ArticleFactory(tags=["rivers"]) for _ in range(3)]
    article = ArticleFactory(tags=["rivers", "boats"])
    ArticleFactory(tags=["lakes"])  # shares no tag
    assert article.get_related() == [older, *reversed(newer)]  # 2 tags first
    # The four newest taggings of its tags: this article's two, and two newer ones'.
    monkeypatch.setattr(bulletin_models, "RELATED_CANDIDATES", 4)
    related_articles.forget()
    try:
        assert article.get_related() == [newer[2], newer[1]]
    finally:
        monkeypatch.undo()
        related_articles.forget()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage of a column")
def test_an_articles_search_vector_is_kept_in_its_row():
    """Search ranks the vectors of hundreds of articles: in the row (MAIN), not the TOAST
    table, where each had cost an index lookup (bulletin/migrations/0006)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'bulletin_article'::regclass"
            " AND attname = 'search_vector'"
        )
        assert cursor.fetchone() == ("m",)
