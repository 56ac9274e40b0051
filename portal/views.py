import logging

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Min, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView

from bulletin.models import featured_teasers, latest_per_section
from jokes import ratelimit, visitors
from jokes.models import Joke, JokeOfTheDay, best_jokes, new_status_token
from jokes.views import VisitorJokesMixin, mark_my_votes

from . import queries, search
from .forms import ContributionForm, JokeSubmissionForm, SearchForm
from .models import Contribution
from .paging import PreparedPages, UncountedPaginator
from .services import notify_moderators

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        featured = featured_teasers(now=now)
        sections = latest_per_section()
        safe_mode = visitors.safe_mode(self.request)
        joke_of_the_day = JokeOfTheDay.for_date(timezone.localdate())
        top_jokes = best_jokes(now=now, safe=safe_mode, offset=0, limit=5)
        mark_my_votes(self.request, [j for j in [joke_of_the_day, *top_jokes] if j])
        return super().get_context_data(
            featured=featured,
            sections=sections,
            # The header's sections: those with something published, as listed here.
            nav_sections=[section for section, _articles in sections],
            joke_of_the_day=joke_of_the_day,
            top_jokes=top_jokes,
            safe_mode=safe_mode,
            **kwargs,
        )


class TagDetailView(ListView):
    """Everything published with one tag: headlines (paginated), and on the first page
    the newest jokes, with a link to all of them (TagJokesView)."""

    template_name = "portal/tag_detail.html"
    paginate_by = 20
    paginator_class = UncountedPaginator

    def get_queryset(self):
        self.tag = tag_or_404(self.kwargs["slug"])
        return PreparedPages(
            queries.tag_page,
            now=timezone.now(),
            tag=self.tag.pk,
            popular=self.tag.popular_in_articles,
        )

    def get_context_data(self, **kwargs):
        safe_mode = visitors.safe_mode(self.request)
        context = super().get_context_data(tag=self.tag, safe_mode=safe_mode, **kwargs)
        jokes = []
        if context["page_obj"].number == 1:
            # One more than shown: are there more to link to?
            jokes = queries.tag_jokes_page(
                now=timezone.now(),
                safe=safe_mode,
                tag=self.tag.pk,
                popular=self.tag.popular_in_jokes,
                offset=0,
                limit=queries.TAG_JOKES + 1,
            )
            if not jokes and not context["object_list"]:
                # A tag used only by drafts (or nothing) is not there for visitors; nor,
                # in safe mode, one only flagged jokes carry (as for its feed and the sitemap).
                raise Http404
        context["more_jokes"] = len(jokes) > queries.TAG_JOKES
        context["jokes"] = mark_my_votes(self.request, jokes[: queries.TAG_JOKES])
        return context


class TagJokesView(VisitorJokesMixin, ListView):
    """All of a tag's jokes as this visitor sees them, newest first, 20 a page."""

    template_name = "portal/tag_jokes.html"

    def get_queryset(self):
        self.tag = tag_or_404(self.kwargs["slug"])
        return self.pages(
            queries.tag_jokes_page, tag=self.tag.pk, popular=self.tag.popular_in_jokes
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        if not context["object_list"]:
            raise Http404  # no joke this visitor may see has the tag (as on its page)
        return context


def tag_or_404(slug):
    """The tag with whether it is a common one (queries.tag_by_slug), or a 404."""
    found = queries.tag_by_slug(slug=slug)
    if not found:
        raise Http404(_("No tag found matching the query"))
    return found[0]


class SearchView(TemplateView):
    """One search over published headlines and jokes, best match first (portal/search.py)."""

    template_name = "portal/search.html"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        form = SearchForm(request.GET)
        context = self.get_context_data(form=form, safe_mode=visitors.safe_mode(request))
        if not form.is_valid():
            return self.render_to_response(context, status=400)
        data = form.cleaned_data
        query = data["q"]
        if query:
            results = search.find(
                query,
                kind=data["kind"] or None,
                section=data["section"],
                category=data["category"],
                safe_mode=context["safe_mode"],
            )
            paginator = Paginator(results.hits, self.paginate_by)
            page = paginator.get_page(request.GET.get("page"))
            context.update(
                query=query,
                words=results.words,
                truncated=results.truncated,
                any_word=results.any_word,
                shortened=len(query) > search.MAX_QUERY_LENGTH,
                max_query_length=search.MAX_QUERY_LENGTH,
                paginator=paginator,
                page_obj=page,
                is_paginated=page.has_other_pages(),
                hits=search.load(page.object_list, results.words),
            )
        return self.render_to_response(context)


@never_cache
def healthz(request):
    """Liveness: the process answers. Touches nothing else, so a slow database does not
    make the process manager restart healthy workers."""
    return JsonResponse({"status": "ok"})


_migrations_checked = False


@never_cache
def readyz(request):
    """Readiness: the database answers and every migration is applied (checked once
    per process until true: applied migrations do not come undone)."""
    global _migrations_checked
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_checked:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if pending:
                return JsonResponse(
                    {"status": "unavailable", "reason": f"{len(pending)} migrations not applied"},
                    status=503,
                )
            _migrations_checked = True
    except DatabaseError as error:
        logger.warning("not ready: database unavailable: %s", error)
        return JsonResponse({"status": "unavailable", "reason": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def robots_txt(request):
    """Crawlers: everything public, not the admin, search, submissions or previews."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Disallow: {reverse('portal:search')}",
        "Disallow: /submit/",
        "Disallow: /api/",
        f"Disallow: {reverse('bulletin:article-list')}preview/",
        # On the public domain, as the sitemap's own addresses (not the Host asked).
        f"Sitemap: {request.scheme}://{settings.SITE_DOMAIN}{reverse('portal:sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the icon."""
    return redirect(static("favicon.svg"), permanent=True)


def _submit(request, form_class, template_name, prepare, kind):
    # Bound on every POST, even an empty one, so that it says what is missing.
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        refused = ratelimit.limited(request, "submit", settings.SUBMISSIONS_PER_HOUR)
        if refused:
            return refused
        if form.is_valid():
            item = form.save(commit=False)
            prepare(item)
            item.save()
            form.save_m2m()
            notify_moderators(item, kind, request)
            return redirect("portal:submission-status", token=item.status_token)
    status = 400 if request.method == "POST" else 200
    return render(request, template_name, {"form": form}, status=status)


def _pending_joke(joke):
    joke.status = Joke.Status.PENDING
    joke.status_token = new_status_token()
    # Accepted, but shown to the moderator beside the joke it closely resembles.
    joke.similar_to = Joke.objects.near_duplicate_of(joke.text)


@never_cache
def submit_joke(request):
    return _submit(request, JokeSubmissionForm, "portal/submit_joke.html", _pending_joke, _("joke"))


@never_cache
def submit_article(request):
    return _submit(
        request, ContributionForm, "portal/submit_article.html", lambda item: None, _("article")
    )


@never_cache
def submission_status(request, token):
    """The submitter's private page: pending, approved (with a link) or rejected."""
    if len(token) > 64:
        raise Http404
    item = Joke.objects.filter(status_token=token).select_related("category").first()
    if item is None:
        item = (
            Contribution.objects.filter(status_token=token)
            .select_related("section", "article__section")
            .first()
        )
    if item is None:
        raise Http404
    response = render(
        request, "portal/submission_status.html", {"item": item, "is_joke": isinstance(item, Joke)}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


QUEUE_LENGTH = 100  # of each kind, oldest first: enough for a working session


def _waiting():
    return (
        Joke.objects.filter(status=Joke.Status.PENDING),
        Joke.objects.filter(status=Joke.Status.PUBLISHED, hidden_by_reports=True).annotate(
            waiting_since=Min("reports__created_at", filter=Q(reports__resolved_at__isnull=True))
        ),
        Contribution.objects.filter(status=Contribution.Status.PENDING),
    )


def waiting_items():
    """What a moderator must decide, oldest first: pending jokes, jokes hidden by
    reports (since their first open report), pending article contributions; at most
    QUEUE_LENGTH of each kind."""
    pending_jokes, hidden_jokes, contributions = _waiting()
    items = [
        *(
            {"kind": "joke", "object": j, "since": j.created_at, "why": _("pending")}
            for j in pending_jokes.select_related("category", "similar_to").order_by("created_at")[
                :QUEUE_LENGTH
            ]
        ),
        *(
            {
                "kind": "joke",
                "object": j,
                "since": j.waiting_since or j.updated_at,
                "why": _("hidden by reports"),
            }
            for j in hidden_jokes.select_related("category", "similar_to").order_by(
                "waiting_since"
            )[:QUEUE_LENGTH]
        ),
        *(
            {"kind": "article", "object": c, "since": c.created_at, "why": _("pending")}
            for c in contributions.select_related("section").order_by("created_at")[:QUEUE_LENGTH]
        ),
    ]
    return sorted(items, key=lambda item: item["since"])


def waiting_summary():
    """How many items wait, and since when the oldest has waited (None: nothing)."""
    pending_jokes, hidden_jokes, contributions = _waiting()
    count = pending_jokes.count() + hidden_jokes.count() + contributions.count()
    starts = [
        pending_jokes.aggregate(since=Min("created_at"))["since"],
        hidden_jokes.aggregate(since=Min("waiting_since"))["since"],
        contributions.aggregate(since=Min("created_at"))["since"],
    ]
    starts = [start for start in starts if start is not None]
    return count, min(starts) if starts else None


@staff_member_required
@never_cache
def moderation_queue(request):
    user = request.user
    if not (user.has_perm("jokes.moderate_joke") or user.has_perm("portal.moderate_contribution")):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("Moderation queue"),
        "items": waiting_items(),
        "waiting": waiting_summary()[0],
        "can_moderate_jokes": user.has_perm("jokes.moderate_joke"),
        "can_moderate_contributions": user.has_perm("portal.moderate_contribution"),
    }
    return render(request, "admin/moderation_queue.html", context)
