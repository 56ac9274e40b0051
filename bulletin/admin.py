from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from staff.admin import StaffContentAdmin

from .models import Article, PreviewLink, Section, TransitionError
from .services import keep_old_url

EDITOR_ONLY_FIELDS = ("publish_at", "expires_at", "featured", "author")


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "article_count"]

    def get_deleted_objects(self, objs, request):
        """A section that articles or contributions still use is not deleted: say so
        (Django also lists the protected items as permissions lacking, which reads as
        if they would be deleted)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set() if protected else perms_needed, protected

    list_editable = ["position"]
    # Explicit, because the article count's GROUP BY drops the model's own ordering
    # and the section picker on the article form pages through this list.
    ordering = ["position", "name"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    def save_model(self, request, obj, form, change):
        old_slug = Section.objects.filter(pk=obj.pk).values_list("slug", flat=True).first()
        super().save_model(request, obj, form, change)
        if change and old_slug and old_slug != obj.slug:
            # A new section slug moves every address under it; the old ones keep working.
            keep_old_url(
                reverse("bulletin:section-detail", kwargs={"section": old_slug}),
                obj.get_absolute_url(),
            )
            for article in obj.articles.filter(status=Article.Status.PUBLISHED).only("slug"):
                keep_old_url(
                    reverse(
                        "bulletin:article-detail",
                        kwargs={"section": old_slug, "slug": article.slug},
                    ),
                    article.get_absolute_url(),
                )

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, section):
        return section.article_count


class PreviewLinkForm(forms.ModelForm):
    def has_changed(self):
        # A row added with "Add another" asks for a link even when it keeps the default
        # expiry; the formset would otherwise drop it as an untouched extra form.
        return self.instance.pk is None or super().has_changed()


class PreviewLinkInline(admin.TabularInline):
    model = PreviewLink
    form = PreviewLinkForm
    extra = 0
    fields = ["link", "expires_at", "creator", "state"]
    readonly_fields = ["link", "creator", "state"]
    verbose_name = _("preview link for people without an account")
    verbose_name_plural = _("preview links for people without an account")

    def get_formset(self, request, obj=None, **kwargs):
        self.request = request  # inline instances are made per request
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("link"))
    def link(self, preview):
        if not preview.pk:
            return _("Saved with the article; the link appears here then.")
        # The whole address, ready to copy and send.
        return format_html(
            '<a href="{0}">{0}</a>', self.request.build_absolute_uri(preview.get_absolute_url())
        )

    @admin.display(description=_("created by"))
    def creator(self, preview):
        user = preview.created_by
        return (user.get_full_name() or user.get_username()) if user else "-"

    @admin.display(description=_("state"))
    def state(self, preview):
        if not preview.pk:
            return "-"
        if preview.revoked_at:
            return _("revoked")
        return _("active") if preview.is_active else _("expired")


@admin.register(Article)
class ArticleAdmin(StaffContentAdmin):
    publish_permission = "bulletin.publish_article"
    step_errors = TransitionError
    list_display = [
        "title",
        "section",
        "status_label",
        "publish_at",
        "author",
        "tag_list",
        "featured",
    ]
    list_filter = ["status", "section", "featured", "publish_at"]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section"]
    list_select_related = ["section", "author"]
    readonly_fields = ["created_at", "updated_at", "source_name", "source_file"]
    actions = ["publish", "unpublish", "archive", "submit_for_review"]
    inlines = [PreviewLinkInline]
    # Tag changes show through the followed tagged_items; reversion-compare cannot
    # read taggit's manager and would log an error on every comparison.
    compare_exclude = ["tags"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "section", "summary", "body", "tags"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "expires_at", "featured", "author"]}),
        (
            _("Record"),
            {
                "classes": ["collapse"],
                "fields": ["source_name", "source_file", "created_at", "updated_at"],
            },
        ),
    ]

    # Who sees and edits what: editors everything; authors their own drafts.

    def get_queryset(self, request):
        # Authors see their own articles only (staff/admin.py).
        return super().get_queryset(request).prefetch_related("tags")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.can_publish(request):
            readonly += EDITOR_ONLY_FIELDS
        return readonly

    def get_inlines(self, request, obj):
        if obj is not None and request.user.has_perm("bulletin.add_previewlink"):
            return self.inlines
        return []

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("title", "slug") and field is not None:
            field.widget.attrs["class"] = "vLargeTextField"  # headlines are long
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # Those who write articles: authors, editors and administrators.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(
                    Q(is_superuser=True) | Q(groups__name__in=["Authors", "Editors"]),
                    is_active=True,
                    is_staff=True,
                )
                .distinct()
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self.can_publish(request):
            # Authors write and send to review; a forged "published" is not a valid choice.
            kwargs["choices"] = [
                (Article.Status.DRAFT, Article.Status.DRAFT.label),
                (Article.Status.REVIEW, Article.Status.REVIEW.label),
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and not obj.author_id:
            obj.author = request.user
        if obj.status == Article.Status.PUBLISHED and not obj.publish_at:
            obj.publish_at = timezone.now()
        old = (
            Article.objects.select_related("section").filter(pk=obj.pk).first() if change else None
        )
        super().save_model(request, obj, form, change)
        if old is not None and old.status == Article.Status.PUBLISHED:
            keep_old_url(old.get_absolute_url(), obj.get_absolute_url())

    def save_formset(self, request, form, formset, change):
        for preview in formset.save(commit=False):
            if not preview.created_by_id:
                preview.created_by = request.user
            preview.save()
        for preview in formset.deleted_objects:
            preview.delete()

    # Revisions: see staff/revisions.py for who may look and who may restore.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        was_at = (
            article.get_absolute_url()
            if article is not None and article.status == Article.Status.PUBLISHED
            else None
        )
        response = super().revision_view(request, object_id, version_id, extra_context)
        if was_at and request.method == "POST" and response.status_code == 302:
            # The restored slug or section came from the revision, not from the form,
            # so save_model saw no move; the address it had until now must keep working.
            restored = Article.objects.select_related("section").filter(pk=article.pk).first()
            if restored is not None:
                keep_old_url(was_at, restored.get_absolute_url())
        return response

    # Columns

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, article):
        if article.is_scheduled:
            return _("Scheduled for %(time)s") % {
                "time": timezone.localtime(article.publish_at).strftime("%Y-%m-%d %H:%M")
            }
        if article.status == Article.Status.PUBLISHED and not article.is_published:
            return _("Expired")
        return article.get_status_display()

    @admin.display(description=_("tags"))
    def tag_list(self, article):
        return ", ".join(tag.name for tag in article.tags.all())

    # Workflow actions: one article at a time through the model's own methods, so no
    # rule is bypassed, and a report of what changed and what could not, and why.

    @admin.action(permissions=["publish"], description=_("Publish (or schedule) selected articles"))
    def publish(self, request, queryset):
        self.run_model_step(
            request,
            queryset,
            "publish",
            _("Published"),
            (
                "%(count)d article published or scheduled: %(items)s",
                "%(count)d articles published or scheduled: %(items)s",
            ),
        )

    @admin.action(permissions=["publish"], description=_("Unpublish selected articles (to draft)"))
    def unpublish(self, request, queryset):
        self.run_model_step(
            request,
            queryset,
            "unpublish",
            _("Unpublished"),
            (
                "%(count)d article unpublished: %(items)s",
                "%(count)d articles unpublished: %(items)s",
            ),
        )

    @admin.action(permissions=["publish"], description=_("Archive selected articles"))
    def archive(self, request, queryset):
        self.run_model_step(
            request,
            queryset,
            "archive",
            _("Archived"),
            ("%(count)d article archived: %(items)s", "%(count)d articles archived: %(items)s"),
        )

    @admin.action(permissions=["change"], description=_("Send selected drafts to review"))
    def submit_for_review(self, request, queryset):
        self.run_model_step(
            request,
            queryset,
            "submit_for_review",
            _("Sent to review"),
            (
                "%(count)d article sent to review: %(items)s",
                "%(count)d articles sent to review: %(items)s",
            ),
        )


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    list_display = ["article", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at", "expires_at"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__title"]
    autocomplete_fields = ["article"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(permissions=["change"], description=_("Revoke selected preview links"))
    def revoke(self, request, queryset):
        links = list(queryset.filter(revoked_at__isnull=True))
        for link in links:
            link.revoke()
        self.message_user(
            request,
            ngettext("%d preview link revoked.", "%d preview links revoked.", len(links))
            % len(links),
            messages.SUCCESS,
        )
