"""
The editor's image upload, checked before django-ckeditor stores anything: staff
with the right permission only, CKEditor's own CSRF token, real images only, and
limits on bytes and pixels (a small file can still decode to a huge bitmap).
"""

import json
import re
from pathlib import Path

from ckeditor_uploader import views as ckeditor_views
from django.conf import settings
from django.contrib.auth.decorators import user_passes_test
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

# The accepted formats (as Pillow names them) and the extension each is stored under.
# The extension comes from the content, never from the name sent: the web server picks
# the Content-Type from it, and an image called page.html must not be served as HTML.
# No WebP: django-ckeditor's uploader only stores .jpg, .jpeg, .png and .gif names.
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif"}

# Text put inside a <script> must not be able to close it.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def can_upload(user):
    return (
        user.is_active
        and user.is_staff
        and any(user.has_perm(perm) for perm in settings.RICHTEXT_UPLOAD_PERMISSIONS)
    )


# Markup that has no business in a picture: a valid image can still carry it (in a
# metadata chunk, a GIF comment, after its end), and a browser that sniffs, or a
# future server misconfigured, could read the file as a page.
MARKUP = re.compile(rb"<\s*(script|html|body|svg|iframe|object|embed|\?php)|javascript:", re.I)


def check_image(uploaded) -> str | None:
    """Return why `uploaded` is refused, or None when it is an acceptable image; an
    accepted image is renamed with the extension of its real format."""
    if uploaded.size > settings.RICHTEXT_IMAGE_MAX_BYTES:
        limit = filesizeformat(settings.RICHTEXT_IMAGE_MAX_BYTES)
        return _("The image is larger than %(limit)s.") % {"limit": limit}
    try:
        with Image.open(uploaded) as image:
            width, height = image.size
            if width * height > settings.RICHTEXT_IMAGE_MAX_PIXELS:
                return _("The image has too many pixels (%(w)s × %(h)s).") % {
                    "w": width,
                    "h": height,
                }
            if image.format not in EXTENSIONS:
                return _("Only JPEG, PNG and GIF images can be uploaded.")
            extension = EXTENSIONS[image.format]
            image.verify()
    except Image.DecompressionBombError:
        return _("The image has too many pixels.")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _("The file is not an image that can be read.")
    finally:
        uploaded.seek(0)
    try:
        # Whole (at most RICHTEXT_IMAGE_MAX_BYTES): markup cannot hide across chunks.
        if MARKUP.search(uploaded.read()):
            return _("The image carries text that looks like a script or a web page.")
    finally:
        uploaded.seek(0)
    uploaded.name = Path(uploaded.name).stem + extension
    return None


def editor_callback_number(request) -> str | None:
    """The number of the editor's callback function, when its dialog sent the upload."""
    func_num = request.GET.get("CKEditorFuncNum", "")
    return func_num if func_num.isascii() and func_num.isdigit() else None


def refuse(request, message):
    func_num = editor_callback_number(request)
    if func_num:
        # The editor's upload dialog posts into a frame and reads a callback. The message
        # is a JavaScript string there: JSON, not HTML-escaped (&quot; would break it).
        message_js = json.dumps(str(message)).translate(SCRIPT_ESCAPES)
        return HttpResponse(
            f"<script>window.parent.CKEDITOR.tools.callFunction({func_num}, '', {message_js});"
            "</script>",
            status=400,
        )
    return JsonResponse({"uploaded": 0, "error": {"message": message}}, status=400)


@csrf_exempt
@xframe_options_sameorigin  # CKEditor's upload dialog reads the answer in a frame
@user_passes_test(can_upload)
@require_POST
def upload(request):
    # django-ckeditor writes CKEditorFuncNum into its success script as it comes, so
    # anything but a number would run as JavaScript.
    if request.GET.get("CKEditorFuncNum") and not editor_callback_number(request):
        return refuse(request, _("The editor's callback number is not a number."))
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
