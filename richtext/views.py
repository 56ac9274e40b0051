"""
The editor's image upload, checked before django-ckeditor stores anything: staff
with the right permission only, CKEditor's own CSRF token, real images only, and
limits on bytes and pixels (a small file can still decode to a huge bitmap).
"""

import json

from ckeditor_uploader import views as ckeditor_views
from django.conf import settings
from django.contrib.auth.decorators import user_passes_test
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def can_upload(user):
    return (
        user.is_active
        and user.is_staff
        and any(user.has_perm(perm) for perm in settings.RICHTEXT_UPLOAD_PERMISSIONS)
    )


def check_image(uploaded) -> str | None:
    """Return why `uploaded` is refused, or None when it is an acceptable image."""
    if uploaded.size > settings.RICHTEXT_IMAGE_MAX_BYTES:
        limit = settings.RICHTEXT_IMAGE_MAX_BYTES // (1024 * 1024)
        return _("The image is larger than %(limit)s MB.") % {"limit": limit}
    try:
        with Image.open(uploaded) as image:
            width, height = image.size
            if width * height > settings.RICHTEXT_IMAGE_MAX_PIXELS:
                return _("The image has too many pixels (%(w)s × %(h)s).") % {
                    "w": width,
                    "h": height,
                }
            if image.format not in ALLOWED_FORMATS:
                return _("Only JPEG, PNG, GIF and WebP images can be uploaded.")
            image.verify()
    except Image.DecompressionBombError:
        return _("The image has too many pixels.")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _("The file is not an image that can be read.")
    finally:
        uploaded.seek(0)
    return None


def refuse(request, message):
    func_num = request.GET.get("CKEditorFuncNum", "")
    if func_num.isdigit():
        # The editor's upload dialog posts into a frame and reads a callback.
        return HttpResponse(
            "<script>window.parent.CKEDITOR.tools.callFunction("
            f"{escape(func_num)}, '', {escape(json.dumps(message))});</script>",
            status=400,
        )
    return JsonResponse({"uploaded": 0, "error": {"message": message}}, status=400)


@csrf_exempt
@user_passes_test(can_upload)
@require_POST
def upload(request):
    # CKEditor 4 sends its own double-submit token (ckCsrfToken in the form and a
    # cookie); django-ckeditor marks the view csrf_exempt, so the check is here.
    token = request.POST.get("ckCsrfToken", "")
    if not token or token != request.COOKIES.get("ckCsrfToken"):
        return refuse(request, _("The upload was not sent by the editor (missing token)."))
    uploaded = request.FILES.get("upload")
    if uploaded is None:
        return refuse(request, _("No file was sent."))
    problem = check_image(uploaded)
    if problem:
        return refuse(request, problem)
    return ckeditor_views.upload(request)


@user_passes_test(can_upload)
def browse(request):
    return ckeditor_views.browse(request)
