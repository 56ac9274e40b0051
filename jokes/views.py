from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import DetailView, ListView

from portal.context_processors import joke_categories
from portal.negotiation import wants_json
from portal.paging import PreparedPages, UncountedPaginator

from . import ratelimit, visitors
from .forms import ReportForm, VoteForm
from .models import (
    Joke,
    JokeOfTheDay,
    Vote,
    best_jokes,
    best_jokes_since,
    category_by_slug,
    category_jokes,
    joke_tags,
    pick_random,
    published_joke,
    visitor_jokes,
)


def mark_my_votes(request, jokes):
    """Set `my_vote` (+1, -1 or 0) on each joke for this visitor, in one query at most."""
    jokes = list(jokes)
    votes = {}
    if visitors.VISITOR_COOKIE in request.COOKIES and jokes:
        votes = dict(
            Vote.objects.filter(
                voter=visitors.voter_key(request), joke__in=[j.pk for j in jokes]
            ).values_list("joke_id", "value")
        )
    for joke in jokes:
        joke.my_vote = votes.get(joke.pk, 0)
    return jokes


class VisitorJokesMixin:
    """Published jokes as this visitor sees them (safe mode), 20 a page."""

    paginate_by = 20
    paginator_class = UncountedPaginator
    allow_empty = True

    def get_queryset(self):
        return self.pages(visitor_jokes)

    def pages(self, query, **values):
        """The jokes of `query` (a prepared query of jokes/models.py) as this visitor
        sees them, for the paginator."""
        safe = visitors.safe_mode(self.request)
        return PreparedPages(query, now=timezone.now(), safe=safe, **values)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jokes = list(context["object_list"])
        # The visitor's votes on the page's jokes and the joke of the day: one query.
        extra = [context["joke_of_the_day"]] if context.get("joke_of_the_day") else []
        mark_my_votes(self.request, [*extra, *jokes])
        context["object_list"] = jokes
        context["categories"] = joke_categories()
        context["safe_mode"] = visitors.safe_mode(self.request)
        return context


class JokeListView(VisitorJokesMixin, ListView):
    template_name = "jokes/joke_list.html"

    def get_context_data(self, **kwargs):
        joke_of_the_day = JokeOfTheDay.for_date(timezone.localdate())
        return super().get_context_data(joke_of_the_day=joke_of_the_day, **kwargs)


class TopJokeListView(VisitorJokesMixin, ListView):
    template_name = "jokes/joke_top.html"
    PERIODS = {"week": 7, "month": 30, "all": None}

    def get_queryset(self):
        self.period = self.request.GET.get("period", "all")
        if self.period not in self.PERIODS:
            self.period = "all"
        days = self.PERIODS[self.period]
        if days:
            return self.pages(best_jokes_since, since=timezone.now() - timedelta(days=days))
        return self.pages(best_jokes)

    def get_context_data(self, **kwargs):
        return super().get_context_data(period=self.period, **kwargs)


class CategoryDetailView(VisitorJokesMixin, ListView):
    template_name = "jokes/category_detail.html"

    def get_queryset(self):
        found = category_by_slug(slug=self.kwargs["slug"])
        if not found:
            raise Http404(_("No category found matching the query"))
        self.category = found[0]
        return self.pages(category_jokes, category=self.category.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class JokeDetailView(DetailView):
    """A joke; staff may preview what is not public (a 404 for everybody else)."""

    template_name = "jokes/joke_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if not wants_json(request):
                raise
            # A client that asked for JSON gets its 404 in JSON too.
            return JsonResponse(
                {"error": _("No such joke.")}, status=404, headers={"Vary": "Accept"}
            )

    def get_queryset(self):
        return (
            Joke.objects.visible_to(self.request.user)
            .select_related("category")
            .prefetch_related("tags")
        )

    def get_object(self, queryset=None):
        if self.request.user.is_staff:  # who may preview: visible_to() says what
            return super().get_object(queryset)
        found = published_joke(now=timezone.now(), pk=self.kwargs["pk"])
        if not found:
            raise Http404(_("No such joke."))
        joke = found[0]
        joke.loaded_tags = joke_tags(pk=joke.pk)
        joke.loaded_tag_names = [tag.name for tag in joke.loaded_tags]  # for as_json()
        return joke

    def get_context_data(self, **kwargs):
        joke = self.object
        mark_my_votes(self.request, [joke])
        return super().get_context_data(
            tags=self.tags(joke),
            is_preview=not joke.is_published,
            from_random=self.request.GET.get("from") == "random",
            structured_data=self.structured_data(joke),
            **kwargs,
        )

    @staticmethod
    def tags(joke):
        loaded = getattr(joke, "loaded_tags", None)
        return list(joke.tags.all()) if loaded is None else loaded

    def structured_data(self, joke):
        """schema.org has no Joke: a CreativeWork of the genre "joke"."""
        data = {
            "@context": "https://schema.org",
            "@type": "CreativeWork",
            "genre": "joke",
            "name": str(joke),
            "text": joke.text,
            "about": joke.category.name,
            "keywords": [tag.name for tag in self.tags(joke)],
            "url": f"{self.request.scheme}://{settings.SITE_DOMAIN}{joke.get_absolute_url()}",
        }
        if joke.published_at:
            data["datePublished"] = joke.published_at.isoformat()
        if joke.submitter_name:
            data["author"] = {"@type": "Person", "name": joke.submitter_name}
        return data

    def render_to_response(self, context, **response_kwargs):
        if wants_json(self.request) and not context["is_preview"]:
            # As the popular joke APIs do: the same address answers in JSON when asked.
            response = JsonResponse(
                self.object.as_json(), json_dumps_params={"ensure_ascii": False}
            )
        else:
            response = super().render_to_response(context, **response_kwargs)
        response["Vary"] = "Accept"
        if context["is_preview"]:
            response["X-Robots-Tag"] = "noindex, nofollow"
            response["Cache-Control"] = "private, no-store"
        return response


@require_safe
@never_cache
def random_joke(request):
    """A different random joke on each visit: a redirect to its page.

    The joke to avoid is the one the visitor comes from (`?not=`), else the last one
    this view sent them to (remembered in a cookie), so two visits in a row differ.
    """
    previous = request.GET.get("not") or visitors.last_random(request)
    exclude = (
        int(previous) if previous.isascii() and previous.isdigit() and len(previous) < 19 else None
    )
    joke = pick_random(visitors.safe_mode(request), exclude_pk=exclude)
    if joke is None:
        messages.info(request, _("There are no jokes to pick from yet."))
        return redirect("jokes:joke-list")
    response = redirect(f"{joke.get_absolute_url()}?from=random")
    return visitors.set_last_random(response, joke.pk)


def safe_redirect(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Not redirect(): a bare word would be taken for a URL name.
        return HttpResponseRedirect(target)
    return redirect(fallback)


def public_joke(pk):
    joke = Joke.objects.published().select_related("category").filter(pk=pk).first()
    if joke is None:
        raise Http404(_("No such joke."))
    return joke


@require_POST
def vote(request, pk):
    """Vote up, down, or take the vote back. A plain form post redirects back; a
    script asking for JSON gets the new score."""
    joke = public_joke(pk)
    refused = ratelimit.limited(request, "vote", settings.VOTES_PER_HOUR)
    if refused:
        if wants_json(request):
            return JsonResponse(
                {"error": _("Too many votes at once; please wait a little.")},
                status=refused.status_code,
                headers={"Retry-After": refused["Retry-After"]},
            )
        return refused
    form = VoteForm(request.POST)
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse({"error": _("A vote is up, down or clear.")}, status=400)
        # The joke's page again, with the message and a 400: nothing was counted.
        messages.error(request, _("That vote could not be understood: a vote is up or down."))
        mark_my_votes(request, [joke])
        # vote_next: votes from this page go back to the joke, not to this address.
        context = {
            "joke": joke,
            "object": joke,
            "is_preview": False,
            "vote_next": joke.get_absolute_url(),
        }
        return render(request, "jokes/joke_detail.html", context, status=400)
    score = joke.vote(visitors.voter_key(request), form.value)
    if wants_json(request):
        response = JsonResponse({"score": score, "votes": joke.vote_count, "vote": form.value})
    else:
        messages.success(request, _("Thanks, your vote is counted."))
        response = safe_redirect(request, joke.get_absolute_url())
    return visitors.remember(request, response)


@require_http_methods(["GET", "HEAD", "POST"])
def report(request, pk):
    joke = public_joke(pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        refused = ratelimit.limited(request, "report", settings.REPORTS_PER_HOUR)
        if refused:
            return refused
    if request.method == "POST" and form.is_valid():
        new = joke.report(
            visitors.voter_key(request),
            form.cleaned_data["reason"],
            form.cleaned_data["details"],
            client=ratelimit.client_key(request),
        )
        if new:
            messages.success(request, _("Thank you: the moderators will look at this joke."))
        else:
            messages.info(request, _("You have already reported this joke; thank you."))
        target = "jokes:joke-list" if joke.hidden_by_reports else joke.get_absolute_url()
        return visitors.remember(request, redirect(target))
    status = 400 if request.method == "POST" else 200
    return render(request, "jokes/report_form.html", {"joke": joke, "form": form}, status=status)


@require_POST
def toggle_safe_mode(request):
    turn_on = request.POST.get("safe_mode") == "on"
    response = safe_redirect(request, "jokes:joke-list")
    messages.info(
        request,
        _("Safe mode is on: flagged jokes are hidden.")
        if turn_on
        else _("Safe mode is off: flagged jokes are shown, with their flags."),
    )
    return visitors.set_safe_mode(response, turn_on)
