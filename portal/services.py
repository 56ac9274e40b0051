"""Telling people about submissions: the moderators when one arrives, the submitter
when it is decided. E-mail failures are logged, never shown to the visitor."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _send(subject, body, recipients, bcc=False):
    if not recipients:
        return
    try:
        # Sent to several people, it goes as Bcc: nobody sees the others' addresses.
        to, hidden = ([], recipients) if bcc else (recipients, [])
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to=to, bcc=hidden).send()
    except Exception as error:  # a mail server outage must not lose or break a submission
        # The kind of failure only: its text (and a traceback's) can carry the
        # addresses, as a refused recipient's does, and logs never hold them.
        logger.error(  # noqa: TRY400 - no traceback, on purpose
            "could not send %r to %d recipient(s): %s",
            subject,
            len(recipients),
            type(error).__name__,
        )


def moderator_addresses():
    return list(
        get_user_model()
        .objects.filter(groups__name="Moderators", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def notify_moderators(item, kind, request):
    """After the submission is committed, tell the Moderators group (only them)."""
    queue = request.build_absolute_uri(reverse("moderation:queue"))

    def send():
        _send(
            _("New %(kind)s waiting for moderation") % {"kind": kind},
            _("A visitor sent in a new %(kind)s:\n\n%(title)s\n\nThe moderation queue: %(queue)s\n")
            % {"kind": kind, "title": str(item), "queue": queue},
            moderator_addresses(),
            bcc=True,
        )

    transaction.on_commit(send)


def notify_submitter(item, request=None):
    """After a decision, tell the submitter if they left an e-mail address."""
    if not item.submitter_email or not item.status_token:
        return
    status_url = reverse("portal:submission-status", kwargs={"token": item.status_token})
    if request is not None:
        status_url = request.build_absolute_uri(status_url)
    if item.rejection_reason:
        body = _("Thank you for sending in “%(title)s”. It was not accepted:\n\n%(reason)s\n")
    else:
        body = _("Thank you for sending in “%(title)s”. It was accepted.\n")
    body += _("\nIts status: %(url)s\n")
    values = {"title": str(item), "reason": item.rejection_reason, "url": status_url}
    address = [item.submitter_email]
    transaction.on_commit(lambda: _send(_("Your submission was reviewed"), body % values, address))
