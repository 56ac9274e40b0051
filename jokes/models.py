"""The joke collection: categories, jokes, votes, reports and the joke of the day."""

import hashlib
import random
import re
import secrets
import unicodedata
from datetime import date, datetime, timedelta

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from portal import links
from portal.paging import slice_by_id, tag_names
from portal.prepared import prepared

from . import similarity

JOKE_MAX_LENGTH = 5000
FLAG_FIELDS = ["nsfw", "religious", "political", "racist", "sexist", "explicit"]
# The rows safe mode shows (JokeQuerySet.for_visitor), for partial indexes.
SAFE_PUBLIC = Q(status="published", hidden_by_reports=False, **dict.fromkeys(FLAG_FIELDS, False))


def normalise_text(text: str) -> str:
    """The joke's words only: case, accents' forms, punctuation and spacing ignored.

    Two jokes with the same fingerprint are the same joke for duplicate detection.
    """
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def fingerprint(text: str) -> str:
    normalised = normalise_text(text)
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest() if normalised else ""


class Category(models.Model):
    """A kind of joke ("Puns", "Knock-knock", ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("Part of the category's address. Filled in from the name when left blank."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.name, allow_unicode=True)[:90] or "category"
            slug, n = base, 2
            while Category.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return links.category(self.slug)


@reversion.register()
class TaggedJoke(TaggedItemBase):
    content_object = models.ForeignKey(
        "Joke", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("joke tag")
        verbose_name_plural = _("joke tags")
        indexes = [
            models.Index(fields=["tag", "content_object"], name="joke_tag_object_idx"),
        ]


def published_q(now=None, prefix="", safe=False):
    """The published rule as a condition, on the joke at `prefix` (for lookups from a
    related model, e.g. "content_object__"); `safe`: and none of the content flags."""
    condition = {
        f"{prefix}status": Joke.Status.PUBLISHED,
        f"{prefix}published_at__lte": now or timezone.now(),
        f"{prefix}hidden_by_reports": False,
    }
    if safe:
        condition.update({f"{prefix}{flag}": False for flag in FLAG_FIELDS})
    return Q(**condition)


class JokeQuerySet(models.QuerySet):
    def published(self, now=None):
        """What visitors may see: published, its time reached, not hidden by reports.

        Every public view, feed, sitemap, search and API reads jokes through this.
        """
        # The search vector is for the database's search only: not loaded with the rows.
        return self.filter(published_q(now)).defer("search_vector")

    def visible_to(self, user):
        """What `user` may open: the public set, and for staff a preview of more.

        Editors and moderators preview every joke; authors their own.
        """
        if user.is_active and user.is_staff:
            if user.has_perm("jokes.publish_joke") or user.has_perm("jokes.moderate_joke"):
                return self
            if user.has_perm("jokes.view_joke"):
                return self.filter(Q(pk__in=self.published().values("pk")) | Q(author=user))
        return self.published()

    def safe(self):
        """Jokes with none of the content flags (what safe mode shows)."""
        return self.filter(**{flag: False for flag in FLAG_FIELDS})

    def for_visitor(self, safe_mode=True, now=None):
        jokes = self.published(now)
        return jokes.safe() if safe_mode else jokes

    def for_listing(self):
        return self.select_related("category").order_by("-published_at", "-pk")

    def near_duplicate_of(self, text, exclude_pk=None):
        """The published or pending joke most like `text` (a few words changed), or None.

        Candidates share sketch places (a LIKE per place: a scan, but only when a
        visitor submits); the closest by normalised text wins if it is close enough.
        """
        normalised = normalise_text(text)
        text_sketch = similarity.sketch(normalised)
        if not text_sketch:
            return None
        places = Q()
        for place in text_sketch.split():
            places |= Q(sketch__contains=f" {place} ")
        candidates = (
            self.filter(places, status__in=[Joke.Status.PUBLISHED, Joke.Status.PENDING])
            .exclude(pk=exclude_pk)
            .only("pk", "text", "sketch")[:50]
        )
        best, best_score = None, similarity.TEXT_SIMILARITY
        for candidate in candidates:
            if similarity.agreement(text_sketch, candidate.sketch) < similarity.CANDIDATE_SHARE:
                continue
            score = similarity.text_similarity(normalised, normalise_text(candidate.text))
            if score >= best_score:
                best, best_score = candidate, score
        return best

    def awaiting_moderation(self):
        return self.filter(
            Q(status=Joke.Status.PENDING) | Q(status=Joke.Status.PUBLISHED, hidden_by_reports=True)
        )


class ModerationError(Exception):
    """A moderation step that no longer applies (another moderator was first)."""


def new_status_token():
    return secrets.token_urlsafe(24)


@reversion.register(follow=["tagged_items"], exclude=["search_vector"])
class Joke(models.Model):
    """A joke: plain text with its line breaks, written by staff or sent in by a visitor."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PENDING = "pending", _("Pending moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(
        _("text"),
        validators=[MaxLengthValidator(JOKE_MAX_LENGTH)],
        help_text=_("Plain text; line breaks are kept."),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="jokes", verbose_name=_("category")
    )
    tags = TaggableManager(through=TaggedJoke, blank=True, verbose_name=_("tags"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jokes",
        verbose_name=_("author"),
        help_text=_("The staff member who wrote it (empty for visitors' jokes)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    score = models.IntegerField(_("score"), default=0, editable=False)
    vote_count = models.PositiveIntegerField(_("votes"), default=0, editable=False)
    hidden_by_reports = models.BooleanField(
        _("hidden by reports"),
        default=False,
        help_text=_("Set when enough visitors report the joke; a moderator decides."),
    )
    nsfw = models.BooleanField(_("not safe for work"), default=False)
    religious = models.BooleanField(_("religious"), default=False)
    political = models.BooleanField(_("political"), default=False)
    racist = models.BooleanField(_("racist"), default=False)
    sexist = models.BooleanField(_("sexist"), default=False)
    explicit = models.BooleanField(_("explicit"), default=False)
    fingerprint = models.CharField(
        max_length=64,
        editable=False,
        db_index=True,
        help_text=_("Hash of the normalised text: equal for jokes that differ only in case, "
                    "punctuation or spacing."),
    )  # fmt: skip
    sketch = models.CharField(
        max_length=400,
        editable=False,
        blank=True,
        help_text=_("MinHash sketch of the text, to find near duplicates (jokes/similarity.py)."),
    )
    # Visitor submissions
    submitter_name = models.CharField(_("submitter's name"), max_length=100, blank=True)
    submitter_email = models.EmailField(
        _("submitter's e-mail"), blank=True, help_text=_("Private: never shown publicly.")
    )
    status_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    similar_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("similar to"),
        help_text=_("A joke this submission closely resembles."),
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    # Kept by the database on every insert and update (portal/migrations/0005): title and
    # text weighted for PostgreSQL's full-text search. Empty on SQLite (portal/search.py).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = JokeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("joke")
        verbose_name_plural = _("jokes")
        permissions = [
            ("moderate_joke", _("Can approve, reject and restore visitor jokes")),
            ("publish_joke", _("Can publish, unpublish and archive jokes")),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="joke_status_published_idx"),
            models.Index(
                fields=["category", "status", "published_at"], name="joke_category_published_idx"
            ),
            models.Index(fields=["status", "score"], name="joke_status_score_idx"),
            # What most visitors see (safe mode, the default), newest and best first,
            # in the listings' order: a deep page reads only the index (portal/paging.py).
            models.Index(
                fields=["published_at", "id"], condition=SAFE_PUBLIC, name="joke_safe_newest_idx"
            ),
            # A tag's jokes are found through their tags by id: is each one public (in
            # safe mode or not), and when, without reading its row. Every column the
            # rule reads is here: at 100,000 jokes a popular tag has 4,500.
            models.Index(
                fields=["id", "status", "published_at", "hidden_by_reports", *FLAG_FIELDS],
                name="joke_id_listing_idx",
            ),
            models.Index(
                fields=["score", "published_at", "id"],
                condition=SAFE_PUBLIC,
                name="joke_safe_top_idx",
            ),
            models.Index(
                fields=["category", "published_at", "id"],
                condition=SAFE_PUBLIC,
                name="joke_safe_category_idx",
            ),
            models.Index(fields=["status", "created_at"], name="joke_status_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="joke_published_has_time",
            ),
        ]

    def __str__(self):
        return self.title or Truncator(self.text.replace("\n", " ")).chars(60)

    def save(self, *args, **kwargs):
        self.text = (self.text or "").replace("\x00", "").replace("\r\n", "\n")
        self.fingerprint = fingerprint(self.text)
        self.sketch = similarity.sketch(normalise_text(self.text))
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "fingerprint", "sketch"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return links.joke(self.pk)

    def get_vote_url(self):
        return links.joke_vote(self.pk)

    def clean(self):
        # Published "now" when staff publish without giving a time.
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and not self.hidden_by_reports
        )

    def as_json(self):
        """The public fields, with stable names (the joke's page in JSON, and the API).
        Never the submitter's e-mail."""
        return {
            "id": self.pk,
            "title": self.title,
            "text": self.text,
            "category": {"slug": self.category.slug, "name": self.category.name},
            "tags": tag_names(self),
            "flags": {flag: getattr(self, flag) for flag in FLAG_FIELDS},
            "safe": self.is_safe,
            "score": self.score,
            "votes": self.vote_count,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "submitted_by": self.submitter_name or None,
            "url": self.get_absolute_url(),
        }

    @property
    def is_safe(self):
        return not any(getattr(self, flag) for flag in FLAG_FIELDS)

    @property
    def flags(self):
        return [
            self._meta.get_field(flag).verbose_name for flag in FLAG_FIELDS if getattr(self, flag)
        ]

    # Workflow. Moderation steps lock the row, so two moderators acting on one joke
    # at once give one outcome: the second finds it already decided.

    def _not_waiting_for_moderation(self):
        # A visitor's joke is decided by a moderator (approve/reject), who is recorded
        # and tells the submitter; staff workflow steps must not go around that.
        if self.status == self.Status.PENDING:
            raise ModerationError(_("waiting for moderation: approve or reject it"))

    def submit_for_review(self):
        if self.status != self.Status.DRAFT:
            raise ModerationError(_("only a draft can be sent to review"))
        self.status = self.Status.REVIEW
        self.save(update_fields=["status", "updated_at"])

    def publish(self):
        self._not_waiting_for_moderation()
        if self.status == self.Status.PUBLISHED:
            raise ModerationError(_("already published"))
        self.status = self.Status.PUBLISHED
        self.published_at = self.published_at or timezone.now()
        self.hidden_by_reports = False
        self.save(update_fields=["status", "published_at", "hidden_by_reports", "updated_at"])

    def unpublish(self):
        if self.status != self.Status.PUBLISHED:
            raise ModerationError(_("not published"))
        self.status = self.Status.DRAFT
        self.save(update_fields=["status", "updated_at"])

    def archive(self):
        self._not_waiting_for_moderation()
        if self.status == self.Status.ARCHIVED:
            raise ModerationError(_("already archived"))
        self.status = self.Status.ARCHIVED
        self.save(update_fields=["status", "updated_at"])

    def _lock_for_decision(self):
        locked = Joke.objects.select_for_update().get(pk=self.pk)
        if not (
            locked.status == self.Status.PENDING
            or (locked.status == self.Status.PUBLISHED and locked.hidden_by_reports)
        ):
            raise ModerationError(
                _("already decided (%(status)s)") % {"status": locked.get_status_display()}
            )
        return locked

    @transaction.atomic
    def approve(self, by, flags=None):
        """Publish a pending joke, or restore one hidden by reports (reports resolved)."""
        locked = self._lock_for_decision()
        for flag in flags or []:
            setattr(locked, flag, True)
        now = timezone.now()
        locked.status = self.Status.PUBLISHED
        locked.published_at = locked.published_at or now
        locked.hidden_by_reports = False
        locked.decided_by, locked.decided_at = by, now
        locked.rejection_reason = ""
        locked.save(
            update_fields=[
                "status", "published_at", "hidden_by_reports", "decided_by", "decided_at",
                "rejection_reason", "updated_at", *FLAG_FIELDS,
            ]
        )  # fmt: skip
        locked.reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=by)
        self.refresh_from_db()

    @transaction.atomic
    def reject(self, by, reason):
        reason = (reason or "").strip()
        if not reason:
            raise ModerationError(_("a reason is required to reject"))
        locked = self._lock_for_decision()
        now = timezone.now()
        locked.status = self.Status.REJECTED
        locked.hidden_by_reports = False
        locked.rejection_reason = reason
        locked.decided_by, locked.decided_at = by, now
        locked.save(
            update_fields=[
                "status", "hidden_by_reports", "rejection_reason", "decided_by", "decided_at",
                "updated_at",
            ]
        )  # fmt: skip
        locked.reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=by)
        self.refresh_from_db()

    @transaction.atomic
    def vote(self, voter: str, value: int):
        """Record `voter`'s vote (+1, -1, or 0 to take it back); return the new score.

        The joke's row is locked first, so concurrent votes are counted one after the
        other, and the score is recomputed from the stored votes: it always equals them.
        """
        if value not in (-1, 0, 1):
            raise ValueError("a vote is +1, -1 or 0")
        Joke.objects.select_for_update().filter(pk=self.pk).values_list("pk", flat=True).get()
        if value == 0:
            Vote.objects.filter(joke=self, voter=voter).delete()
        else:
            Vote.objects.update_or_create(joke=self, voter=voter, defaults={"value": value})
        totals = Vote.objects.filter(joke=self).aggregate(
            score=Coalesce(Sum("value"), 0), count=models.Count("pk")
        )
        Joke.objects.filter(pk=self.pk).update(score=totals["score"], vote_count=totals["count"])
        self.score, self.vote_count = totals["score"], totals["count"]
        return self.score

    @transaction.atomic
    def report(self, reporter: str, reason: str, details: str = "", client: str = ""):
        """Record a report; enough distinct reporters hide the joke. Returns whether
        this report was new (a visitor reporting twice counts once).

        Distinct means distinct clients (a keyed hash of the address) too: dropping the
        cookie makes a new visitor, not a new crowd.
        """
        Joke.objects.select_for_update().filter(pk=self.pk).values_list("pk", flat=True).get()
        _report, created = Report.objects.get_or_create(
            joke=self,
            reporter=reporter,
            defaults={"reason": reason, "details": details[:1000], "client": client},
        )
        open_reports = self.reports.filter(resolved_at__isnull=True)
        reporters = open_reports.values("client").distinct().count()
        if created and reporters >= settings.JOKE_REPORTS_TO_HIDE and not self.hidden_by_reports:
            Joke.objects.filter(pk=self.pk).update(hidden_by_reports=True)
            self.hidden_by_reports = True
        return created


class Vote(models.Model):
    """One visitor's vote on one joke; changing it replaces it."""

    joke = models.ForeignKey(Joke, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=64, help_text=_("A keyed hash of the visitor's cookie."))
    value = models.SmallIntegerField(choices=[(1, "+1"), (-1, "-1")])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["joke", "voter"], name="one_vote_per_visitor"),
            models.CheckConstraint(
                condition=Q(value__in=[1, -1]), name="vote_is_plus_or_minus_one"
            ),
        ]

    def __str__(self):
        return f"{self.value:+d} on {self.joke_id}"


class Report(models.Model):
    """A visitor's report that a joke should not be here."""

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("Offensive or hateful")
        NOT_FUNNY_SPAM = "spam", _("Spam or advertising")
        COPYRIGHT = "copyright", _("Copied without permission")
        WRONG_FLAGS = "flags", _("Should carry a content warning")
        OTHER = "other", _("Something else")

    joke = models.ForeignKey(Joke, on_delete=models.CASCADE, related_name="reports")
    reporter = models.CharField(max_length=64, help_text=_("A keyed hash of the visitor's cookie."))
    client = models.CharField(
        max_length=32, blank=True, help_text=_("A keyed hash of the visitor's address.")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    details = models.TextField(_("details"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["joke", "reporter"], name="one_report_per_visitor"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.joke}"


class JokeOfTheDay(models.Model):
    """The joke chosen for a date: the same for every visitor all that day."""

    date = models.DateField(unique=True)
    joke = models.ForeignKey(Joke, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-date"]
        verbose_name = _("joke of the day")
        verbose_name_plural = _("jokes of the day")

    def __str__(self):
        return f"{self.date}: {self.joke}"

    @classmethod
    def for_date(cls, date):
        """The day's joke, chosen on first ask among published safe jokes (not the
        previous day's, when there is another), and chosen again if it stopped being
        public. None when there is no joke to show."""
        chosen = chosen_for_date(day=date)
        if chosen and chosen[0].joke.is_published and chosen[0].joke.is_safe:
            return chosen[0].joke
        yesterday = (
            cls.objects.filter(date=date - timedelta(days=1))
            .values_list("joke_id", flat=True)
            .first()
        )
        joke = pick_random(safe=True, seed=date.toordinal(), exclude_pk=yesterday)
        if joke is None:
            return None
        try:
            with transaction.atomic():
                cls.objects.update_or_create(date=date, defaults={"joke": joke})
        except IntegrityError:  # another request chose at the same moment: use its choice
            return cls.for_date(date)
        return joke


def pick_random(safe=True, seed=None, exclude_pk=None):
    """A random joke of those a visitor sees (safe mode or not) without ORDER BY
    RANDOM(): a random point in the range of ids, then the first such joke at or after
    it (else the last before it), not `exclude_pk` unless it is the only one.

    Each query walks the primary key index and stops at its first match. The range is
    that of the whole table: an aggregate or an ORDER BY over the filtered queryset
    makes SQLite's planner read every published joke (about 100 ms for 100,000)."""
    low = lowest_id()
    if not low:
        return None
    high = highest_id()[0]
    # A seeded generator makes a date's choice repeatable; nothing here is a secret.
    rng = random.Random(seed) if seed is not None else random.SystemRandom()  # noqa: S311
    now, point = timezone.now(), rng.randint(low[0], high)
    for later in (True, False):
        joke = joke_near(now=now, safe=safe, point=point, later=later, exclude=exclude_pk)
        if joke:
            return joke[0]
    if exclude_pk:
        joke = joke_near(now=now, safe=safe, point=low[0], later=True, exclude=None)
        return joke[0] if joke else None
    return None


@prepared(plan_once=True)
def lowest_id():
    return Joke.objects.order_by("pk").values_list("pk", flat=True)[:1]


@prepared(plan_once=True)
def highest_id():
    return Joke.objects.order_by("-pk").values_list("pk", flat=True)[:1]


@prepared(plan_once=True)
def joke_near(now: datetime, safe: bool, point: int, later: bool, exclude: int | None):
    """The first joke a visitor sees at or after `point` (`later`), else the last
    before it, that is not `exclude`."""
    jokes = Joke.objects.for_visitor(safe, now).select_related("category")
    if exclude is not None:
        jokes = jokes.exclude(pk=exclude)
    if later:
        return jokes.filter(pk__gte=point).order_by("pk")[:1]
    return jokes.filter(pk__lt=point).order_by("-pk")[:1]


# The queries of the jokes' pages, compiled once per process (portal/prepared.py). A
# list's `safe`: what safe mode shows (JokeQuerySet.for_visitor).


@prepared(plan_once=True)
def chosen_for_date(day: date):
    """The joke of the day chosen for `day`, if one was (JokeOfTheDay.for_date)."""
    return JokeOfTheDay.objects.filter(date=day).select_related("joke__category")[:1]


@prepared(plan_once=True)
def published_joke(now: datetime, pk: int):
    return Joke.objects.published(now).select_related("category").filter(pk=pk)


@prepared(plan_once=True)
def joke_tags(pk: int):
    """The joke's tags, in the order they were given."""
    return Joke(pk=pk).tags.all()


@prepared(plan_once=True)
def visitor_jokes(now: datetime, safe: bool, offset: int, limit: int):
    """A page of the newest jokes."""
    jokes = Joke.objects.for_visitor(safe, now).for_listing()
    return slice_by_id(jokes, offset, offset + limit)


@prepared(plan_once=True)
def category_jokes(now: datetime, safe: bool, category: int, offset: int, limit: int):
    """A page of a category's newest jokes."""
    jokes = Joke.objects.for_visitor(safe, now).for_listing().filter(category=category)
    return slice_by_id(jokes, offset, offset + limit)


def _best(jokes):
    return jokes.for_listing().order_by("-score", "-published_at", "-pk")


@prepared(plan_once=True)
def best_jokes(now: datetime, safe: bool, offset: int, limit: int):
    """A page of the best rated jokes of all time."""
    return slice_by_id(_best(Joke.objects.for_visitor(safe, now)), offset, offset + limit)


@prepared(plan_once=True)
def best_jokes_since(now: datetime, safe: bool, since: datetime, offset: int, limit: int):
    """A page of the best rated jokes published since `since`."""
    jokes = _best(Joke.objects.for_visitor(safe, now).filter(published_at__gte=since))
    return slice_by_id(jokes, offset, offset + limit)


@prepared
def category_by_slug(slug: str):
    return Category.objects.filter(slug=slug).order_by()
