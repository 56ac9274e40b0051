from datetime import timedelta

from django import template
from django.db.models import Count
from django.utils import timezone

from jokes.models import Joke
from portal.models import Contribution
from portal.views import waiting_summary

register = template.Library()


@register.inclusion_tag("admin/includes/moderation_summary.html", takes_context=True)
def moderation_summary(context):
    """At a glance on the admin index: how much waits, the oldest wait, and each
    moderator's decisions in the last seven days. Shown to those who moderate."""
    user = context["request"].user
    if not (user.has_perm("jokes.moderate_joke") or user.has_perm("portal.moderate_contribution")):
        return {"show": False}
    waiting, oldest = waiting_summary()
    week_ago = timezone.now() - timedelta(days=7)
    joke_counts = dict(
        Joke.objects.filter(decided_at__gte=week_ago, decided_by__isnull=False)
        .values_list("decided_by__username")
        .annotate(n=Count("pk"))
    )
    contribution_counts = dict(
        Contribution.objects.filter(decided_at__gte=week_ago, decided_by__isnull=False)
        .values_list("decided_by__username")
        .annotate(n=Count("pk"))
    )
    names = sorted(set(joke_counts) | set(contribution_counts))
    return {
        "show": True,
        "waiting": waiting,
        "oldest": oldest,
        "decisions": [
            (name, joke_counts.get(name, 0), contribution_counts.get(name, 0)) for name in names
        ],
    }
