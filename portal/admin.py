"""What spans the apps in the admin: the one tag vocabulary, and moderation of what
visitors send in (jokes and article contributions), with its notifications.

taggit's own TagAdmin is replaced: its "merge tags" page checks only that the user
is staff, and it merges only taggit's generic tagged items, not our per-app ones.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from jokes.admin import JokeAdmin
from jokes.models import FLAG_FIELDS, Joke, ModerationError
from staff.admin import StepActions

from .models import Contribution
from .services import notify_submitter

admin.site.site_header = _("%(site)s: administration") % {"site": settings.SITE_NAME}
admin.site.site_title = _("%(site)s admin") % {"site": settings.SITE_NAME}
admin.site.index_title = _("Site administration")

admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count", "joke_count"]
    ordering = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = []

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                article_count=Count("bulletin_taggedarticle_items", distinct=True),
                joke_count=Count("jokes_taggedjoke_items", distinct=True),
            )
        )

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, tag):
        return tag.article_count

    @admin.display(description=_("jokes"), ordering="joke_count")
    def joke_count(self, tag):
        return tag.joke_count


class ApproveForm(forms.Form):
    """Nothing to ask by default; jokes ask for content flags."""


class JokeApproveForm(ApproveForm):
    flags = forms.MultipleChoiceField(
        label=_("Content flags to set"),
        required=False,
        choices=[(flag, Joke._meta.get_field(flag).verbose_name) for flag in FLAG_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Flagged jokes are hidden from visitors in safe mode (the default)."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the submitter)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].replace("\x00", "").strip()
        if not reason:
            raise forms.ValidationError(_("Say why this is rejected."), code="required")
        return reason


class ModerationActions(StepActions):
    """Approve and reject as admin actions, each asking on a page of its own (flags,
    a reason). Every item goes through its model's locked approve()/reject(), so two
    moderators on one item give one outcome; the message says which items changed,
    which could not, and why. The submitter is told by e-mail when they left one."""

    moderate_permission = None
    approve_form_class = ApproveForm

    def has_moderate_permission(self, request):
        return request.user.has_perm(self.moderate_permission)

    def _moderation_page(self, request, queryset, form, action, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "queryset": queryset,
            "form": form,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/moderate.html", context)

    def _decide(self, request, queryset, decide, comment, done):
        def record_and_tell(item):
            # The admin's own log: who decided what and when, on the item's history.
            self.log_change(request, item, comment)
            notify_submitter(item, request)

        self.run_steps(
            request,
            queryset,
            decide,
            comment=comment,
            done=done,
            errors=ModerationError,
            after=record_and_tell,
        )

    @admin.action(permissions=["moderate"], description=_("Approve selected items"))
    def approve(self, request, queryset):
        form = self.approve_form_class(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._moderation_page(request, queryset, form, "approve", _("Approve"))
        extra = form.cleaned_data
        self._decide(
            request,
            queryset,
            lambda item: item.approve(by=request.user, **extra),
            "Approved",
            ("%(count)d approved: %(items)s", "%(count)d approved: %(items)s"),
        )
        return None

    @admin.action(
        permissions=["moderate"], description=_("Reject selected items (asks for a reason)")
    )
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._moderation_page(request, queryset, form, "reject", _("Reject"))
        reason = form.cleaned_data["reason"]
        self._decide(
            request,
            queryset,
            lambda item: item.reject(by=request.user, reason=reason),
            "Rejected: " + Truncator(reason).chars(80),
            ("%(count)d rejected: %(items)s", "%(count)d rejected: %(items)s"),
        )
        return None


admin.site.unregister(Joke)


@admin.register(Joke)
class ModeratedJokeAdmin(ModerationActions, JokeAdmin):
    moderate_permission = "jokes.moderate_joke"
    approve_form_class = JokeApproveForm
    actions = ["approve", "reject", *JokeAdmin.actions]


@admin.register(Contribution)
class ContributionAdmin(ModerationActions, admin.ModelAdmin):
    moderate_permission = "portal.moderate_contribution"
    list_display = [
        "title",
        "section",
        "status",
        "submitter_name",
        "created_at",
        "decided_by",
        "article",
    ]
    list_filter = ["status", "section"]
    search_fields = ["title", "text", "submitter_name"]
    date_hierarchy = "created_at"
    list_select_related = ["section", "decided_by", "article"]
    actions = ["approve", "reject"]
    readonly_fields = [
        "title", "section", "text", "submitter_name", "submitter_email", "status",
        "rejection_reason", "decided_by", "decided_at", "article", "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # contributions come from visitors only
