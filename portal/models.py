"""Article contributions sent in by visitors, for the moderators and then the editors."""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from bulletin.models import Article, Section
from jokes.models import ModerationError


def new_status_token():
    return secrets.token_urlsafe(24)


def paragraphs_html(text):
    """Plain text to safe paragraphs: blank lines separate them, everything escaped."""
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return "\n".join(f"<p>{escape(block)}</p>" for block in blocks if block)


class Contribution(models.Model):
    """An article a visitor sent in. Approving it hands it to the editors as an
    article in review; it is public only once an editor publishes it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    title = models.CharField(_("title"), max_length=200)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, verbose_name=_("section"))
    text = models.TextField(_("text"), max_length=20000)
    submitter_name = models.CharField(_("submitter's name"), max_length=100, blank=True)
    submitter_email = models.EmailField(
        _("submitter's e-mail"), blank=True, help_text=_("Private: never shown publicly.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    status_token = models.CharField(
        max_length=64, unique=True, default=new_status_token, editable=False
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    article = models.OneToOneField(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contribution",
        verbose_name=_("article"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("article contribution")
        verbose_name_plural = _("article contributions")
        permissions = [("moderate_contribution", _("Can approve and reject article contributions"))]
        indexes = [models.Index(fields=["status", "created_at"], name="contribution_status_idx")]

    def __str__(self):
        return self.title

    def _lock_pending(self):
        locked = Contribution.objects.select_for_update().get(pk=self.pk)
        if locked.status != self.Status.PENDING:
            raise ModerationError(
                _("already decided (%(status)s)") % {"status": locked.get_status_display()}
            )
        return locked

    @transaction.atomic
    def approve(self, by):
        """Hand the contribution to the editors as an article in review."""
        locked = self._lock_pending()
        article = Article.objects.create(
            title=locked.title,
            section=locked.section,
            body=paragraphs_html(locked.text),
            status=Article.Status.REVIEW,
            source_name=_("Visitor contribution from %(name)s")
            % {"name": locked.submitter_name or _("an anonymous visitor")},
        )
        locked.status = self.Status.APPROVED
        locked.article = article
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.save(update_fields=["status", "article", "decided_by", "decided_at"])
        self.refresh_from_db()

    @transaction.atomic
    def reject(self, by, reason):
        reason = (reason or "").strip()
        if not reason:
            raise ModerationError(_("a reason is required to reject"))
        locked = self._lock_pending()
        locked.status = self.Status.REJECTED
        locked.rejection_reason = reason
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
        self.refresh_from_db()
