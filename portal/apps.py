import logging

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _


def sync_site(sender, using="default", **kwargs):
    """Keep the sites framework's one site equal to SITE_DOMAIN and SITE_NAME, so
    absolute links (View on site, e-mails, feeds) point at this site, not example.com."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME},
    )


def tag_slug_never_empty(sender, instance, **kwargs):
    """taggit slugifies a tag of emoji or punctuation only to "", and a tag page cannot
    have an empty address; such a tag gets "tag" (taggit adds _1, _2 when taken)."""
    if not instance.slug:
        instance.slug = "tag"


logger = logging.getLogger(__name__)


def warn_without_shared_cache():
    """Rate limits count in the cache; the local-memory cache is one per process, so
    across gunicorn workers each counts alone and lets several times the limit through."""
    from django.conf import settings

    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.DEBUG and backend.endswith("LocMemCache"):
        logger.warning(
            "No shared cache is configured (REDIS_URL): rate limits are counted per worker "
            "process and let more through than configured. Set REDIS_URL in production."
        )


def sqlite_search_functions(sender, connection, **kwargs):
    """The SQLite search index's triggers call a function of ours (portal/search.py)."""
    if connection.vendor == "sqlite":
        from .search import register_sqlite_functions

        register_sqlite_functions(connection)


class PortalConfig(AppConfig):
    """What spans the bulletin and the jokes: home, tag pages, submissions and
    moderation, roles, demo content."""

    name = "portal"
    verbose_name = _("Site")

    def ready(self):
        from taggit.models import Tag

        # Data that must hold for third-party models, not business rules.
        post_migrate.connect(sync_site, sender=self)
        pre_save.connect(tag_slug_never_empty, sender=Tag)
        connection_created.connect(sqlite_search_functions)
        self.connect_page_cache()
        warn_without_shared_cache()

    def connect_page_cache(self):
        """Cached pages go out of date when anything they show is saved or deleted.
        Signals here keep a cache current; they carry no business rule."""
        from django.contrib.redirects.models import Redirect
        from taggit.models import Tag

        from bulletin.models import Article, Section, TaggedArticle
        from jokes.models import Category, Joke, Report, TaggedJoke, Vote

        from .pagecache import content_changed

        # Not the joke of the day: it is chosen while the day's first page renders, and
        # that page shows it; a page cached before midnight shows yesterday's for no
        # longer than PAGE_CACHE_SECONDS.
        shown = [Article, Section, TaggedArticle, Joke, Category, TaggedJoke, Vote, Report,
                 Tag, Redirect]  # fmt: skip
        for model in shown:
            post_save.connect(content_changed, sender=model, dispatch_uid=f"page-{model}")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"page-{model}-d")
        for through in (Article.tags.through, Joke.tags.through):
            m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"page-{through}")
