"""The admin's "View on site" link, guarded.

Django's shortcut (/admin/r/<content type>/<id>/) redirects any staff member to any
object's public address, and an unpublished article's address holds its headline. A
staff member may follow it only to what they could open: through the model's
visible_to() where it has one (the public set, and previews they are allowed), else
with the admin's view permission on that object. Anything else is a 404, as the page
itself would be.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404


def view_on_site(request, content_type_id, object_id):
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if model is None:
        raise Http404
    objects = getattr(model._default_manager, "visible_to", None)
    try:
        if objects is not None:
            allowed = objects(request.user).filter(pk=object_id).exists()
        else:
            model_admin = admin.site._registry.get(model)
            obj = model._default_manager.filter(pk=object_id).first() if model_admin else None
            allowed = obj is not None and model_admin.has_view_permission(request, obj)
    except (ValueError, ValidationError):  # not an id of this model
        raise Http404 from None
    if not allowed:
        raise Http404
    return shortcut(request, content_type_id, object_id)
