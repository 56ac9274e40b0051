"""Revisions in the admin, shared by the apps whose content staff write (articles, jokes).

Looking at revisions (history, compare) follows the change page's permissions;
restoring or recovering one is a publisher's step. django-reversion writes the old
version to the database before the change form checks who asks, and keeps it when
that form answers with a redirect (as it does for an item outside the user's list),
so these checks come first.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from reversion_compare.admin import CompareVersionAdmin


class GuardedVersionAdmin(CompareVersionAdmin):
    restore_permission = None  # "app_label.codename" of who may restore and recover

    def may_restore(self, request):
        return request.user.has_perm(self.restore_permission)

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
        return super().revision_view(request, object_id, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.may_restore(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.may_restore(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)
