"""Sections and articles of the bulletin, with the editorial workflow."""

import html
import secrets
from datetime import UTC, datetime, timedelta

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_cte import CTE, with_cte
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from portal import links
from portal.paging import slice_by_id
from portal.prepared import prepared
from richtext.fields import RichTextField

# Section slugs that would shadow fixed URLs under /bulletin/.
RESERVED_SECTION_SLUGS = {"archive", "preview"}


def unique_slug(text, taken, fallback, max_length):
    """A Unicode slug for `text` that `taken(slug)` says is free, never empty."""
    base = slugify(text or "", allow_unicode=True)[: max_length - 8].strip("-") or fallback
    slug, n = base, 2
    while taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


class Section(models.Model):
    """A part of the bulletin ("Bulletin headlines", "Local news", ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("Part of the section's address. Filled in from the name when left blank."),
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Sections are listed by this number, smallest first.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                self.name,
                lambda s: (
                    s in RESERVED_SECTION_SLUGS
                    or Section.objects.filter(slug=s).exclude(pk=self.pk).exists()
                ),
                fallback="section",
                max_length=100,
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return links.section(self.slug)

    def clean(self):
        if self.slug in RESERVED_SECTION_SLUGS:
            raise ValidationError(
                {
                    "slug": ValidationError(
                        _("“%(slug)s” is taken by the site's own pages; choose another slug."),
                        code="reserved_slug",
                        params={"slug": self.slug},
                    )
                }
            )


@reversion.register()
class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")
        # A tag's newest articles first (related headlines) without sorting them all.
        indexes = [
            models.Index(fields=["tag", "content_object"], name="article_tag_object_idx"),
        ]


def published_q(now=None, prefix=""):
    """The published rule as a condition, on the article at `prefix` (for lookups from
    a related model, e.g. "content_object__")."""
    now = now or timezone.now()
    return (
        (Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now}))
        & Q(**{f"{prefix}status": Article.Status.PUBLISHED})
        & Q(**{f"{prefix}publish_at__lte": now})
    )


TEASER_FIELDS = ("title", "slug", "section", "summary", "publish_at", "status")


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What visitors may see: published status, publish time reached, not expired.

        Decided when the page is asked for, so scheduled articles appear on time
        with no job running. Every public view, feed, sitemap and search uses this.
        """
        # The search vector is for the database's search only: not loaded with the rows.
        return self.filter(published_q(now)).defer("search_vector")

    def visible_to(self, user):
        """What `user` may open: the public set, and for staff a preview of more.

        Editors (who may publish) preview everything; other staff their own articles.
        """
        if user.is_active and user.is_staff:
            if user.has_perm("bulletin.publish_article"):
                return self
            if user.has_perm("bulletin.view_article"):
                return self.filter(Q(pk__in=self.published().values("pk")) | Q(author=user))
        return self.published()

    def for_listing(self):
        return self.select_related("section", "author").order_by("-publish_at", "-pk")

    def for_teasers(self):
        """For the pages' lists (includes/article_item.html): what a teaser shows,
        not the body or the author."""
        return (
            self.select_related("section")
            .only(*TEASER_FIELDS, "section__name", "section__slug", "section__position")
            .order_by("-publish_at", "-pk")
        )


class TransitionError(Exception):
    """A workflow step that does not apply to the article as it is."""


@reversion.register(follow=["tagged_items"], exclude=["search_vector"])
class Article(models.Model):
    """A news-style article in a section, written and published by staff."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=True,
        blank=True,
        help_text=_("Part of the article's address, unique within its section. "
                    "Filled in from the title when left blank."),
    )  # fmt: skip
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("author"),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences shown in lists and feeds.")
    )
    body = RichTextField(_("body"), blank=True)
    tags = TaggableManager(through=TaggedArticle, blank=True, verbose_name=_("tags"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=False
    )
    publish_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        help_text=_("A time in the future schedules the article: it appears on its own then. "
                    "Left empty, publishing sets it to now."),
    )  # fmt: skip
    expires_at = models.DateTimeField(
        _("expiry time"),
        null=True,
        blank=True,
        help_text=_("Optional: the article disappears from the site after this time."),
    )
    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Featured articles lead the home page.")
    )
    source_name = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where an imported article came from.")
    )
    source_file = models.CharField(_("source file"), max_length=255, blank=True)
    source_checksum = models.CharField(
        _("source checksum"), max_length=64, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    # Kept by the database on every insert and update (portal/migrations/0005): title,
    # summary and body weighted for PostgreSQL's full-text search. Empty on SQLite, which
    # keeps its own index (portal/search.py).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [("publish_article", _("Can publish, unpublish and archive articles"))]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "slug"], name="article_slug_unique_in_section"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(publish_at__isnull=True)
                | Q(expires_at__gt=models.F("publish_at")),
                name="article_expires_after_publish",
            ),
        ]
        # The listings' indexes hold every column their filter and order read (id
        # and expiry too), so a deep page reads the index up to its place and nothing
        # else (portal/paging.py).
        indexes = [
            models.Index(
                fields=["status", "publish_at", "id", "expires_at"], name="article_listing_idx"
            ),
            models.Index(
                fields=["section", "status", "publish_at", "id", "expires_at"],
                name="article_section_listing_idx",
            ),
            # A tag's articles are found through their tags by id; this index answers
            # "published, and when?" for each id without reading the row (a body of
            # kilobytes): at 100,000 articles a popular tag's page reads 4,500 of them.
            models.Index(
                fields=["id", "status", "publish_at", "expires_at"], name="article_id_listing_idx"
            ),
            models.Index(fields=["source_checksum"], name="article_source_checksum_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.slug:
            return super().save(*args, **kwargs)
        # A generated slug can be taken by a concurrent save between the check and the
        # insert; the database's rule tells, and the next free slug is tried.
        for attempt in range(3):
            self.slug = unique_slug(
                self.title,
                lambda s: (
                    Article.objects.filter(section_id=self.section_id, slug=s)
                    .exclude(pk=self.pk)
                    .exists()
                ),
                fallback="article",
                max_length=200,
            )
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                self.slug = ""
                if attempt == 2:
                    raise

    def get_absolute_url(self):
        return links.article(self.section.slug, self.slug)

    def clean(self):
        if self.expires_at:
            starts = self.publish_at or timezone.now()
            if self.expires_at <= starts:
                raise ValidationError(
                    {
                        "expires_at": ValidationError(
                            _("The expiry time must be after the publish time."),
                            code="expires_before_publish",
                        )
                    }
                )

    @property
    def lead(self):
        """The summary shown above the body, unless the body opens with the same words
        (imported articles take their summary from their first paragraph)."""
        summary = self.summary.rstrip("…").strip()
        if summary and html.unescape(strip_tags(self.body)).lstrip().startswith(summary):
            return ""
        return self.summary

    @property
    def is_published(self):
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    # Workflow. Each step sets every field that changes with it and saves only those.

    def submit_for_review(self):
        if self.status != self.Status.DRAFT:
            raise TransitionError(_("only a draft can be sent to review"))
        self.status = self.Status.REVIEW
        self.save(update_fields=["status", "updated_at"])

    def publish(self, at=None):
        """Publish now, or at `at` (or at the publish time already set) if later."""
        if self.status == self.Status.PUBLISHED:
            raise TransitionError(_("already published"))
        self.status = self.Status.PUBLISHED
        self.publish_at = at or self.publish_at or timezone.now()
        if self.expires_at and self.expires_at <= self.publish_at:
            raise TransitionError(_("its expiry time is before its publish time"))
        self.save(update_fields=["status", "publish_at", "updated_at"])

    def unpublish(self):
        if self.status != self.Status.PUBLISHED:
            raise TransitionError(_("not published"))
        self.status = self.Status.DRAFT
        self.save(update_fields=["status", "updated_at"])

    def archive(self):
        if self.status == self.Status.ARCHIVED:
            raise TransitionError(_("already archived"))
        self.status = self.Status.ARCHIVED
        self.save(update_fields=["status", "updated_at"])

    def get_previous_in_section(self):
        return self._in_section(previous_in_section, "previous_found")

    def get_next_in_section(self):
        return self._in_section(next_in_section, "next_found")

    def _in_section(self, neighbour, loaded):
        """The neighbour's title and slug, as published_article() read them with this
        article, or else in a query of its own; its section is this one's (no join to
        read it again)."""
        if hasattr(self, loaded):
            found = getattr(self, loaded)
            found = found and [
                Article.from_db(
                    self._state.db,
                    ["id", "title", "slug", "section_id"],
                    [found["id"], found["title"], found["slug"], self.section_id],
                )
            ]
        else:
            found = neighbour(
                now=timezone.now(), section=self.section_id, publish_at=self.publish_at, pk=self.pk
            )
        for article in found or []:
            article.section = self.section
        return found[0] if found else None

    def get_related(self, tags=None):
        """Published articles sharing the most tags with this one, newest first among
        equals (at most five). `tags`: this article's, when they are at hand."""
        if tags is None:
            tags = article_tags(pk=self.pk)
        if not tags:
            return []
        ids = tuple(tag.pk for tag in tags)
        return related_articles(now=timezone.now(), pk=self.pk, tags=ids)


# The queries of an article's page, compiled once per process (portal/prepared.py).


@prepared(plan_once=True)
def published_article(now: datetime, section: str, slug: str):
    """The published article at this address, with its section and author, and the
    id, title and slug of its neighbours in the section (`previous_found`,
    `next_found`: two queries less for its page; on PostgreSQL each costs a round
    trip)."""

    def neighbour(condition, ordering):
        outer = condition(OuterRef("publish_at"), OuterRef("pk"))
        found = _neighbours(now, OuterRef("section_id"), outer, ordering)
        return Subquery(found.values(json=JSONObject(id="id", title="title", slug="slug"))[:1])

    return (
        Article.objects.published(now)
        .select_related("section", "author")
        .filter(section__slug=section, slug=slug)
        .annotate(
            previous_found=neighbour(_older, OLDER_FIRST),
            next_found=neighbour(_newer, NEWER_FIRST),
        )
        .order_by()
    )


# How many of each section's newest headlines the home page shows.
PER_SECTION = 5


def latest_per_section():
    """[(section, its newest PER_SECTION published articles)] for every section with
    something published, in the sections' order.

    Two queries whose cost does not grow with the archive: the sections, each with the
    publish time of its newest and its PER_SECTION-th newest article (read from the
    section's listing index), then the articles at or after those times."""
    now = timezone.now()
    sections = sections_with_news(now=now)
    if not sections:
        return []
    articles = {section.pk: [] for section in sections}
    found = newest_in_sections(
        now=now,
        sections=tuple(section.pk for section in sections),
        # A section with fewer articles shows them all.
        since=tuple(section.cutoff or EVER for section in sections),
    )
    for article in found:
        articles[article.section_id].append(article)
    latest = []
    for section in sections:
        for article in articles[section.pk]:
            article.section = section  # what select_related would have loaded
        latest.append((section, articles[section.pk][:PER_SECTION]))
    return latest


# Before anything was published (and far enough from year 1 to survive any time zone).
EVER = datetime(1900, 1, 1, tzinfo=UTC)


@prepared(plan_once=True)
def sections_with_news(now: datetime):
    """The sections with something published, each with the publish time of its newest
    article (`newest`) and of its PER_SECTION-th newest (`cutoff`, None if fewer)."""
    newest = (
        Article.objects.published(now)
        .filter(section=OuterRef("pk"))
        .order_by("-publish_at", "-pk")
        .values("publish_at")
    )
    return Section.objects.annotate(
        newest=Subquery(newest[:1]),
        cutoff=Subquery(newest[PER_SECTION - 1 : PER_SECTION]),
    ).filter(newest__isnull=False)


@prepared(plan_once=True)
def newest_in_sections(now: datetime, sections: tuple[int, ...], since: tuple[datetime, ...]):
    """The teasers of the published articles of each of `sections` published at or after
    its time in `since`, newest first."""
    wanted = Q()
    for section, time in zip(sections, since, strict=True):
        wanted |= Q(section=section, publish_at__gte=time)
    return (
        Article.objects.published(now)
        .filter(wanted)
        .only(*TEASER_FIELDS)
        .order_by("-publish_at", "-pk")
    )


@prepared(plan_once=True)
def featured_teasers(now: datetime):
    """The three newest featured headlines."""
    return Article.objects.published(now).filter(featured=True).for_teasers()[:3]


@prepared(plan_once=True)
def published_teasers(now: datetime, offset: int, limit: int):
    """A page of all headlines, newest first (for PreparedPages)."""
    return slice_by_id(Article.objects.published(now).for_teasers(), offset, offset + limit)


@prepared(plan_once=True)
def section_teasers(now: datetime, section: int, offset: int, limit: int):
    """A page of a section's headlines, newest first (for PreparedPages)."""
    teasers = Article.objects.published(now).for_teasers().filter(section=section)
    return slice_by_id(teasers, offset, offset + limit)


@prepared(plan_once=True)
def section_by_slug(slug: str):
    return Section.objects.filter(slug=slug).order_by()


@prepared(plan_once=True)
def article_tags(pk: int):
    """The article's tags, in the order they were given."""
    return Article(pk=pk).tags.all()


# Before (after) an article in its section's order: the first condition is a range the
# section's listing index starts from; without it, PostgreSQL read the section from
# its oldest article up (24 ms at 100,000) when the times came from the outer query.


def _older(publish_at, pk):
    return Q(publish_at__lte=publish_at) & (Q(publish_at__lt=publish_at) | Q(pk__lt=pk))


def _newer(publish_at, pk):
    return Q(publish_at__gte=publish_at) & (Q(publish_at__gt=publish_at) | Q(pk__gt=pk))


OLDER_FIRST, NEWER_FIRST = ("-publish_at", "-pk"), ("publish_at", "pk")


def _neighbours(now, section, condition, ordering):
    """The published articles of `section` past `condition`, in `ordering`."""
    return Article.objects.published(now).filter(condition, section_id=section).order_by(*ordering)


@prepared
def previous_in_section(now: datetime, section: int, publish_at: datetime, pk: int):
    older = _neighbours(now, section, _older(publish_at, pk), OLDER_FIRST)
    return older.only("title", "slug", "section_id")[:1]


@prepared
def next_in_section(now: datetime, section: int, publish_at: datetime, pk: int):
    newer = _neighbours(now, section, _newer(publish_at, pk), NEWER_FIRST)
    return newer.only("title", "slug", "section_id")[:1]


# Related headlines are chosen among the articles last given one of an article's tags.
RELATED_CANDIDATES = 200


@prepared(plan_once=True)
def related_articles(now: datetime, pk: int, tags: tuple[int, ...]):
    """Published articles sharing the most of `tags` (article `pk`'s) with it, newest
    first among equals. Candidates are the articles of the RELATED_CANDIDATES taggings
    last made with any of them (read from the tags' index), not every article with one
    of them.

    The shared tags are counted in that window of taggings, where an article's
    taggings lie together (the window is in article order): exact for every candidate
    but the oldest, whose taggings the window may cut. Two common table expressions
    (django-cte) count them once and join the articles to the counts: a subquery
    counting each candidate's taggings again had taken twice as long to run, and
    grouping the candidates' rows by every column they load twenty times as long."""
    window = CTE(_related_window(tags), name="related_window")
    counts = CTE(
        window.queryset().values("content_object_id").annotate(shared=models.Count("*")).order_by(),
        name="related_counts",
    )
    candidates = counts.join(
        Article.objects.published(now).exclude(pk=pk).for_teasers(),
        id=counts.col.content_object_id,
    )
    return with_cte(
        window,
        counts,
        select=candidates.annotate(shared=counts.col.shared).order_by(
            "-shared", "-publish_at", "-pk"
        )[:5],
    )


def _related_window(tags):
    """The RELATED_CANDIDATES newest taggings with any of `tags`.

    Where the database can (PostgreSQL), each tag's newest taggings are read from the
    tags' index and merged: the plan is then the same for any tags, and made once per
    connection. Read as one list filtered by the tags, PostgreSQL walked the taggings
    of every tag down to the window's last (2,500 rows for 200 at 100k), and the plan
    made without the tags walked them all."""
    taggings = TaggedArticle.objects.order_by("-content_object_id").values("content_object_id")
    features = connections[router.db_for_read(TaggedArticle)].features
    if not tags or not features.supports_slicing_ordering_in_compound:
        return taggings.filter(tag_id__in=tags)[:RELATED_CANDIDATES]
    first, *others = (taggings.filter(tag_id=tag)[:RELATED_CANDIDATES] for tag in tags)
    if not others:
        return first
    merged = first.union(*others, all=True).order_by("-content_object_id")
    return merged[:RELATED_CANDIDATES]


def default_preview_expiry():
    return timezone.now() + timedelta(days=settings.PREVIEW_LINK_DAYS)


def new_preview_token():
    return secrets.token_urlsafe(32)


class PreviewLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(models.Model):
    """A secret link that shows an unpublished article to someone without an account."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="preview_links", verbose_name=_("article")
    )
    token = models.CharField(max_length=64, unique=True, default=new_preview_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("expires"),
        default=default_preview_expiry,
        help_text=_("The link stops working at this time."),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self):
        return _("Preview of “%(title)s”") % {"title": self.article.title}

    def get_absolute_url(self):
        return reverse("bulletin:article-preview", kwargs={"token": self.token})

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
