"""The admin of what staff write (articles, jokes): who sees and edits what, and
revisions.

Publishers (editors) see and change everything. Everybody else with access sees
their own items only and changes them only while they are drafts or in review; they
may not publish. Looking at revisions (history, compare) follows the change page's permissions;
restoring or recovering one is a publisher's step. django-reversion writes the old
version to the database before the change form checks who asks, and keeps it when
that form answers with a redirect (as it does for an item outside the user's list),
so these checks come first.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reversion import create_revision, set_comment, set_user
from reversion_compare.admin import CompareVersionAdmin


class StepActions:
    """Admin actions that run a workflow step on each selected item, one at a time
    through the model's own method (so no rule is bypassed), each in a revision, and
    then say which items changed and which could not, and why."""

    def run_steps(self, request, items, step, *, comment, done, errors, after=None):
        """`step(item)` on each item; `done` is (singular, plural) with %(count)d and
        %(items)s; `errors` the exception(s) that mean "not for this item";
        `after(item)` runs for each changed item. Returns the changed items."""
        changed, refused = [], []
        for item in items:
            try:
                with create_revision():
                    step(item)
                    set_user(request.user)
                    set_comment(comment)
            except errors as why:
                refused.append((item, why))
            else:
                changed.append(item)
                if after:
                    after(item)
        if changed:
            titles = ", ".join(f"“{item}”" for item in changed)
            message = ngettext(done[0], done[1], len(changed))
            self.message_user(
                request, message % {"count": len(changed), "items": titles}, messages.SUCCESS
            )
        if refused:
            reasons = "; ".join(f"“{item}”: {why}" for item, why in refused)
            self.message_user(
                request, _("Not changed: %(items)s") % {"items": reasons}, messages.WARNING
            )
        return changed


class StaffContentAdmin(StepActions, CompareVersionAdmin):
    publish_permission = None  # "app_label.codename": publish, restore, see everything
    see_all_permissions = ()  # others who see every item (read-only), e.g. moderators
    author_editable_statuses = ("draft", "review")
    step_errors = ()  # the model's "this step does not apply" exception

    def run_model_step(self, request, queryset, method, comment, done):
        """An action that calls `method` (a model method's name) on each item."""
        self.run_steps(
            request,
            queryset,
            lambda item: getattr(item, method)(),
            comment=comment,
            done=done,
            errors=self.step_errors,
        )

    def can_publish(self, request):
        return request.user.has_perm(self.publish_permission)

    def has_publish_permission(self, request):
        return self.can_publish(request)

    may_restore = can_publish

    def get_queryset(self, request):
        items = super().get_queryset(request)
        user = request.user
        if self.can_publish(request) or any(user.has_perm(p) for p in self.see_all_permissions):
            return items
        return items.filter(author=user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or self.can_publish(request):
            return True
        return obj.author_id == request.user.pk and obj.status in self.author_editable_statuses

    def compare_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().compare_view(request, object_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.may_restore(request):
            raise PermissionDenied
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        try:
            return super().revision_view(request, object_id, version_id, extra_context)
        except ObjectDoesNotExist as gone:
            # The revision points at something deleted since (a tag, most often):
            # django-reversion cannot rebuild it. Nothing was changed.
            messages.error(
                request,
                _("This revision cannot be restored: it refers to something deleted since "
                  "(%(what)s). Later revisions can still be restored.") % {"what": gone},
            )  # fmt: skip
            return redirect(
                reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_history",
                    args=[object_id],
                )
            )

    def recoverlist_view(self, request, extra_context=None):
        if not self.may_restore(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.may_restore(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)
