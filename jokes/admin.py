from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from staff.admin import StaffContentAdmin

from .models import FLAG_FIELDS, Category, Joke, JokeOfTheDay, ModerationError, Report


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "joke_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(joke_count=Count("jokes"))

    @admin.display(description=_("jokes"), ordering="joke_count")
    def joke_count(self, category):
        return category.joke_count


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    can_delete = False
    fields = ["reason", "details", "created_at", "resolved_at", "resolved_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AwaitingModerationFilter(admin.SimpleListFilter):
    title = _("moderation")
    parameter_name = "moderation"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Awaiting a decision")),
            ("pending", _("Pending submissions")),
            ("hidden", _("Hidden by reports")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.awaiting_moderation()
        if self.value() == "pending":
            return queryset.filter(status=Joke.Status.PENDING)
        if self.value() == "hidden":
            return queryset.filter(hidden_by_reports=True)
        return queryset


@admin.register(Joke)
class JokeAdmin(StaffContentAdmin):
    publish_permission = "jokes.publish_joke"
    step_errors = ModerationError
    see_all_permissions = ["jokes.moderate_joke"]
    list_display = [
        "__str__",
        "category",
        "status",
        "score",
        "open_reports",
        "flag_list",
        "published_at",
        "created_at",
    ]
    list_filter = [
        AwaitingModerationFilter,
        "status",
        "category",
        "hidden_by_reports",
        *FLAG_FIELDS,
    ]
    search_fields = ["title", "text", "submitter_name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["category"]
    list_select_related = ["category"]
    # Approve and reject come from the moderation admin in portal/admin.py.
    actions = ["publish", "unpublish", "archive", "submit_for_review"]
    inlines = [ReportInline]
    compare_exclude = ["tags"]
    readonly_fields = [
        "score",
        "vote_count",
        "similar_joke",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "text", "category", "tags"]}),
        (
            _("Publishing"),
            {"fields": ["status", "published_at", "hidden_by_reports", "author"]},
        ),
        (_("Content flags"), {"fields": FLAG_FIELDS}),
        (
            _("Submission and moderation"),
            {
                "fields": [
                    "submitter_name",
                    "submitter_email",
                    "similar_joke",
                    "decided_by",
                    "decided_at",
                    "rejection_reason",
                ]
            },
        ),
        (
            _("Record"),
            {
                "classes": ["collapse"],
                "fields": ["score", "vote_count", "created_at", "updated_at"],
            },
        ),
    ]

    def get_queryset(self, request):
        jokes = (
            super()
            .get_queryset(request)  # authors: their own (staff/admin.py)
            .annotate(
                open_report_count=Count("reports", filter=Q(reports__resolved_at__isnull=True))
            )
        )
        return jokes

    def get_readonly_fields(self, request, obj=None):
        # Set by reports, cleared by a moderator's decision: never typed in.
        readonly = [*super().get_readonly_fields(request, obj), "hidden_by_reports"]
        if obj is not None:
            # Once a joke exists its state changes through the actions (publish,
            # unpublish, archive, approve, reject), which keep every rule and record.
            readonly += ["status", "hidden_by_reports"]
            if obj.status == Joke.Status.PENDING:
                readonly += ["published_at"]
        if not self.can_publish(request):
            readonly += ["published_at", "author"]
        return list(dict.fromkeys(readonly))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # Staff write jokes as drafts or publish them; pending and rejected are
            # what moderation makes of visitors' jokes.
            allowed = (
                (Joke.Status.DRAFT, Joke.Status.REVIEW, Joke.Status.PUBLISHED, Joke.Status.ARCHIVED)
                if self.can_publish(request)
                else (Joke.Status.DRAFT, Joke.Status.REVIEW)  # authors cannot publish
            )
            kwargs["choices"] = [(status, status.label) for status in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and not obj.author_id:
            obj.author = request.user
        if obj.status == Joke.Status.PUBLISHED and not obj.published_at:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)

    # Columns

    @admin.display(description=_("open reports"), ordering="open_report_count")
    def open_reports(self, joke):
        return joke.open_report_count

    @admin.display(description=_("flags"))
    def flag_list(self, joke):
        return ", ".join(str(flag) for flag in joke.flags)

    @admin.display(description=_("similar to"))
    def similar_joke(self, joke):
        if not joke.similar_to_id:
            return "-"
        other = joke.similar_to
        return format_html_join(
            "",
            '<a href="{}">{}</a><blockquote style="white-space:pre-wrap">{}</blockquote>',
            [(reverse("admin:jokes_joke_change", args=[other.pk]), str(other), other.text)],
        )

    @admin.action(permissions=["publish"], description=_("Publish selected jokes"))
    def publish(self, request, queryset):
        self.run_model_step(
            request,
            queryset,
            "publish",
            _("Published"),
            ("%(count)d joke published: %(items)s", "%(count)d jokes published: %(items)s"),
        )

    @admin.action(permissions=["publish"], description=_("Unpublish selected jokes"))
    def unpublish(self, request, queryset):
        self.run_model_step(
            request,
            queryset,
            "unpublish",
            _("Unpublished"),
            ("%(count)d joke unpublished: %(items)s", "%(count)d jokes unpublished: %(items)s"),
        )

    @admin.action(permissions=["publish"], description=_("Archive selected jokes"))
    def archive(self, request, queryset):
        self.run_model_step(
            request,
            queryset,
            "archive",
            _("Archived"),
            ("%(count)d joke archived: %(items)s", "%(count)d jokes archived: %(items)s"),
        )

    @admin.action(permissions=["change"], description=_("Send selected drafts to review"))
    def submit_for_review(self, request, queryset):
        self.run_model_step(
            request,
            queryset,
            "submit_for_review",
            _("Sent to review"),
            (
                "%(count)d joke sent to review: %(items)s",
                "%(count)d jokes sent to review: %(items)s",
            ),
        )


@admin.register(JokeOfTheDay)
class JokeOfTheDayAdmin(admin.ModelAdmin):
    list_display = ["date", "joke"]
    list_select_related = ["joke"]
    date_hierarchy = "date"
    autocomplete_fields = ["joke"]
