"""What spans the apps in the admin: the one tag vocabulary, and moderation of what
visitors send in (jokes and article contributions), with its notifications.

taggit's own TagAdmin is replaced: its "merge tags" page checks only that the user
is staff, and it merges only taggit's generic tagged items, not our per-app ones.
"""

import reversion
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from bulletin.models import TaggedArticle
from jokes.admin import JokeAdmin
from jokes.models import FLAG_FIELDS, Joke, ModerationError, TaggedJoke
from staff.admin import StepActions

from .models import Contribution
from .services import notify_submitter

admin.site.site_header = _("%(site)s: administration") % {"site": settings.SITE_NAME}
admin.site.site_title = _("%(site)s admin") % {"site": settings.SITE_NAME}
admin.site.index_title = _("Site administration")

admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """The one tag vocabulary of articles and jokes.

    Deleting a tag in use takes it off the articles and jokes that carry it; they stay.
    The confirmation page (single and "delete selected") lists each of them, linked,
    and asks for the right to change articles or jokes when it touches them; each keeps
    a revision, so its history says the tag went and when.
    """

    list_display = ["name", "slug", "article_count", "joke_count"]
    ordering = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = []
    # Each kind of tagged item, and the permission that taking a tag off one takes.
    carriers = [
        (TaggedArticle, "bulletin.change_article"),
        (TaggedJoke, "jokes.change_joke"),
    ]

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

    # Deleting

    def _tagged_items(self, tags):
        """[(through model, permission, [tagged items with their object])] for `tags`."""
        tag_ids = [tag.pk for tag in tags]
        return [
            (
                through,
                permission,
                list(
                    through.objects.filter(tag_id__in=tag_ids)
                    .select_related("content_object")
                    .order_by("content_object_id")
                ),
            )
            for through, permission in self.carriers
        ]

    def _loses_tag(self, request, item):
        obj = item.content_object
        opts = obj._meta
        text = format_html(
            _("{kind} “{object}” loses the tag (the {kind_lower} stays)"),
            kind=capfirst(opts.verbose_name),
            kind_lower=opts.verbose_name,
            object=obj,
        )
        model_admin = self.admin_site._registry.get(type(obj))
        if model_admin is None or not model_admin.has_view_or_change_permission(request, obj):
            return text
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, text)

    def get_deleted_objects(self, objs, request):
        """What Django would list, with each tagged article and joke named and linked
        instead of "X tagged with Y", and counted by how many items lose a tag."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        tags = list(objs)
        by_tag = {tag.pk: [] for tag in tags}
        for through, permission, items in self._tagged_items(tags):
            name = through._meta.verbose_name_plural
            model_count.pop(name, None)
            for item in items:
                by_tag[item.tag_id].append(self._loses_tag(request, item))
            objects = {item.content_object_id for item in items}
            if not objects:
                continue
            kind = through._meta.get_field("content_object").related_model._meta
            model_count[_("%(items)s that lose a tag") % {"items": kind.verbose_name_plural}] = len(
                objects
            )
            if not request.user.has_perm(permission):
                perms_needed.add(
                    _("%(items)s (to take the tag off them)") % {"items": kind.verbose_name_plural}
                )
        listing = []
        for tag in tags:
            opts = tag._meta
            if self.has_change_permission(request, tag):
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[tag.pk])
                listing.append(
                    format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, tag)
                )
            else:
                listing.append(format_html("{}: {}", capfirst(opts.verbose_name), tag))
            if by_tag[tag.pk]:
                listing.append(by_tag[tag.pk])
        return listing, model_count, perms_needed, protected

    def delete_model(self, request, obj):
        self._delete(request, [obj])

    def delete_queryset(self, request, queryset):
        self._delete(request, list(queryset))

    @transaction.atomic
    def _delete(self, request, tags):
        names = ", ".join(f"“{tag}”" for tag in tags)
        carrying = [
            {item.content_object for item in items}
            for _through, _permission, items in self._tagged_items(tags)
        ]
        Tag.objects.filter(pk__in=[tag.pk for tag in tags]).delete()
        comment = ngettext("Tag %(names)s deleted", "Tags %(names)s deleted", len(tags)) % {
            "names": names
        }
        for objects in carrying:
            for obj in objects:
                # One revision per item: restoring a revision restores all it holds.
                with reversion.create_revision():
                    reversion.add_to_revision(obj)
                    reversion.set_user(request.user)
                    reversion.set_comment(comment)
        articles, jokes = (len(objects) for objects in carrying)
        if articles or jokes:
            self.message_user(
                request,
                _("%(names)s taken off %(articles)s and %(jokes)s; each keeps a revision.")
                % {
                    "names": names,
                    "articles": ngettext("%d article", "%d articles", articles) % articles,
                    "jokes": ngettext("%d joke", "%d jokes", jokes) % jokes,
                },
                messages.INFO,
            )


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


if apps.is_installed("axes"):
    from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
    from axes.models import AccessAttempt

    admin.site.unregister(AccessAttempt)

    @admin.register(AccessAttempt)
    class AccessAttemptAdmin(AxesAccessAttemptAdmin):
        """django-axes' own, without its "Clean up expired attempts" action: in 8.3.1 it
        is a 500 (it reads request.axes_attempt_time, set only while logging in;
        jazzband/django-axes#1424). Expired attempts stop counting on their own, and
        `manage.py axes_reset` empties the table."""

        actions = []
