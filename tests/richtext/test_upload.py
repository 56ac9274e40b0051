"""The editor's image upload (richtext/views.py) and the editor's static files."""

import io
import json
import re
import struct
import zlib

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db

TOKEN = "a-token-the-editor-made"


def image_bytes(image_format="PNG", size=(8, 6), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, "teal").save(buffer, image_format)
    return buffer.getvalue()


def png_declaring_size(width, height):
    """A tiny PNG whose header claims `width` × `height` pixels (CRC kept valid)."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    # After the 8-byte signature: chunk length (4), b"IHDR", width (4), height (4), ...
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def stored_files(media_root):
    return sorted(path for path in media_root.rglob("*") if path.is_file())


def post(client, data=None, name="photo.png", *, token=TOKEN, cookie=TOKEN, query=""):
    """POST to the upload URL as CKEditor does (token in the form and in a cookie)."""
    if cookie is not None:
        client.cookies["ckCsrfToken"] = cookie
    form = {}
    if token is not None:
        form["ckCsrfToken"] = token
    if data is not None:
        form["upload"] = SimpleUploadedFile(name, data, content_type="image/png")
    return client.post(reverse("ckeditor_upload") + query, form)


def error_message(response):
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["uploaded"] == 0
    return body["error"]["message"]


def test_the_upload_url():
    assert reverse("ckeditor_upload") == "/admin/ckeditor/upload/"


# Who may upload


@pytest.mark.parametrize("role", ["author", "editor", "superuser"])
def test_staff_who_write_articles_may_upload(client_for, role, media_root):
    response = post(client_for(role), image_bytes())
    assert response.status_code == 200
    body = response.json()
    assert body["uploaded"] == "1"
    assert body["url"].startswith("/media/uploads/")
    assert body["fileName"] == "photo.png"
    [stored] = stored_files(media_root)
    assert stored.relative_to(media_root).parts[0] == "uploads"
    assert stored.name == "photo.png"
    assert body["url"] == "/media/" + stored.relative_to(media_root).as_posix()


def test_anonymous_is_sent_to_the_login_page(client, media_root):
    response = post(client, image_bytes())
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/ckeditor/upload/"
    assert stored_files(media_root) == []


@pytest.mark.parametrize("role", ["visitor", "moderator"])
def test_users_who_do_not_write_articles_are_refused(client_for, role, media_root):
    response = post(client_for(role), image_bytes())
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert stored_files(media_root) == []


def test_an_inactive_author_is_refused(client_for, author, media_root):
    client = client_for("author")
    author.is_active = False
    author.save()
    response = post(client, image_bytes())
    assert response.status_code == 302
    assert stored_files(media_root) == []


def test_get_is_not_allowed(client_for):
    response = client_for("author").get(reverse("ckeditor_upload"))
    assert response.status_code == 405


def test_anonymous_get_is_sent_to_the_login_page(client):
    response = client.get(reverse("ckeditor_upload"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("visitor", 302), ("moderator", 302), ("author", 200), ("editor", 200)],
)
def test_browsing_uploads_is_for_the_same_staff(client_for, role, status):
    client = client_for(role)
    if status == 200:
        post(client, image_bytes(), "shown.png")
    response = client.get(reverse("ckeditor_browse"))
    assert response.status_code == status
    if status == 200:
        assert "shown.png" in response.content.decode()
        assert response["Cache-Control"].startswith("max-age=0")
    else:
        assert response["Location"].startswith("/admin/login/")


# The editor's own CSRF token


@pytest.mark.parametrize(
    ("token", "cookie"),
    [(None, TOKEN), (TOKEN, None), (None, None), ("", ""), ("other-token", TOKEN)],
    ids=["no-form-token", "no-cookie", "neither", "both-empty", "mismatch"],
)
def test_the_editor_token_must_be_sent_and_match(client_for, media_root, token, cookie):
    response = post(client_for("author"), image_bytes(), token=token, cookie=cookie)
    assert "missing token" in error_message(response)
    assert stored_files(media_root) == []


# What is refused


def test_a_request_without_a_file_is_refused(client_for, media_root):
    response = post(client_for("author"), None)
    assert error_message(response) == "No file was sent."
    assert stored_files(media_root) == []


JPEG_HEADER_ONLY = image_bytes("JPEG")[:40]

NOT_IMAGES = {
    "text-renamed-png": (b"Just some text, not a picture.\n", "notes.png"),
    "html": (b"<html><body><script>alert(document.cookie)</script></body></html>", "page.html"),
    "html-renamed-png": (b"<script>alert(1)</script>", "innocent.png"),
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script>'
        b"</svg>",
        "drawing.svg",
    ),
    "empty": (b"", "empty.png"),
    "truncated-png": (image_bytes("PNG", (64, 64))[:-30], "cut.png"),
    "jpeg-header-only": (JPEG_HEADER_ONLY, "cut.jpg"),
    "html-then-png": (b"<script>alert(1)</script>" + image_bytes(), "mixed.png"),
}


@pytest.mark.parametrize("kind", NOT_IMAGES)
def test_a_file_that_is_not_a_readable_image_is_refused(client_for, media_root, kind):
    data, name = NOT_IMAGES[kind]
    response = post(client_for("author"), data, name)
    assert error_message(response) == "The file is not an image that can be read."
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("image_format", "name"),
    [
        # django-ckeditor's uploader stores only .jpg, .jpeg, .png and .gif names.
        ("WEBP", "photo.webp"),
        ("BMP", "old.bmp"),
        ("TIFF", "scan.tiff"),
        ("ICO", "favicon.ico"),
    ],
)
def test_image_formats_outside_the_list_are_refused(client_for, media_root, image_format, name):
    response = post(client_for("author"), image_bytes(image_format, (16, 16)), name)
    assert error_message(response) == "Only JPEG, PNG and GIF images can be uploaded."
    assert stored_files(media_root) == []


def test_an_image_over_the_byte_limit_is_refused(client_for, media_root, settings):
    settings.RICHTEXT_IMAGE_MAX_BYTES = 100
    data = image_bytes("PNG", (64, 64))
    assert len(data) > 100
    response = post(client_for("author"), data)
    assert error_message(response) == "The image is larger than 100\xa0bytes."
    assert stored_files(media_root) == []


def test_an_image_at_the_byte_limit_is_accepted(client_for, media_root, settings):
    data = image_bytes("PNG", (64, 64))
    settings.RICHTEXT_IMAGE_MAX_BYTES = len(data)
    response = post(client_for("author"), data)
    assert response.status_code == 200
    assert len(stored_files(media_root)) == 1


def test_the_default_byte_limit_is_said_in_megabytes(client_for, media_root, settings):
    settings.RICHTEXT_IMAGE_MAX_BYTES = 5 * 1024 * 1024
    data = image_bytes("PNG", (8, 8)) + b"\x00" * (5 * 1024 * 1024)
    response = post(client_for("author"), data)
    assert error_message(response) == "The image is larger than 5.0\xa0MB."
    assert stored_files(media_root) == []


def test_an_image_over_the_pixel_limit_is_refused(client_for, media_root, settings):
    settings.RICHTEXT_IMAGE_MAX_PIXELS = 100
    response = post(client_for("author"), image_bytes("PNG", (20, 10)))
    assert error_message(response) == "The image has too many pixels (20 × 10)."
    assert stored_files(media_root) == []


def test_a_small_file_that_decodes_to_a_huge_bitmap_is_refused(client_for, media_root, settings):
    # 6000 × 5000 is over the site's limit but under Pillow's own bomb threshold.
    settings.RICHTEXT_IMAGE_MAX_PIXELS = 25_000_000
    data = png_declaring_size(6000, 5000)
    assert len(data) < 100
    response = post(client_for("author"), data, "bomb.png")
    assert error_message(response) == "The image has too many pixels (6000 × 5000)."
    assert stored_files(media_root) == []


def test_a_decompression_bomb_is_refused_before_pillow_decodes_it(client_for, media_root, settings):
    # 40000 × 40000 is far past Pillow's limit too: Image.open itself refuses it.
    settings.RICHTEXT_IMAGE_MAX_PIXELS = 10**12
    response = post(client_for("author"), png_declaring_size(40_000, 40_000), "bomb.png")
    assert error_message(response) == "The image has too many pixels."
    assert stored_files(media_root) == []


# What is accepted, and under which name


@pytest.mark.parametrize(
    ("image_format", "name", "stored_name"),
    [
        ("PNG", "photo.png", "photo.png"),
        ("JPEG", "holiday.jpg", "holiday.jpg"),
        ("JPEG", "Holiday Snap.JPEG", "holiday-snap.jpg"),
        ("GIF", "anim.gif", "anim.gif"),
    ],
)
def test_real_images_are_stored_under_uploads(
    client_for, media_root, image_format, name, stored_name
):
    data = image_bytes(image_format)
    response = post(client_for("editor"), data, name)
    assert response.status_code == 200
    [stored] = stored_files(media_root)
    assert stored.name == stored_name
    assert stored.read_bytes() == data
    assert stored.relative_to(media_root).parts[0] == "uploads"
    with Image.open(stored) as image:
        assert image.format == image_format


@pytest.mark.parametrize(
    ("image_format", "name", "stored_name"),
    [
        ("PNG", "page.html", "page.png"),
        ("PNG", "page.svg", "page.png"),
        ("GIF", "script.js", "script.gif"),
        ("JPEG", "photo.png", "photo.jpg"),
        ("PNG", "no-extension", "no-extension.png"),
    ],
)
def test_the_stored_name_says_what_the_image_really_is(
    client_for, media_root, image_format, name, stored_name
):
    # The web server picks the Content-Type from the extension: an image named page.html
    # must never be served as HTML.
    response = post(client_for("author"), image_bytes(image_format), name)
    assert response.status_code == 200
    [stored] = stored_files(media_root)
    assert stored.name == stored_name
    assert response.json()["url"].endswith("/" + stored_name)


def test_a_png_with_a_script_appended_is_refused(client_for, media_root):
    # Pillow's verify() checks the PNG chunks and ignores bytes after the end chunk, so
    # this is a valid image: the markup in it is what refuses it.
    data = image_bytes() + b"<script>alert(document.cookie)</script>"
    response = post(client_for("author"), data, "polyglot.html")
    assert response.status_code == 400
    assert "looks like a script or a web page" in response.json()["error"]["message"]
    assert stored_files(media_root) == []


def test_a_second_upload_with_the_same_name_does_not_overwrite(client_for, media_root):
    client = client_for("author")
    first, second = image_bytes(size=(3, 3)), image_bytes(size=(5, 5))
    assert post(client, first).status_code == 200
    assert post(client, second).status_code == 200
    stored = stored_files(media_root)
    assert len(stored) == 2
    assert {path.read_bytes() for path in stored} == {first, second}


# The editor's callback


def callback_arguments(response):
    """The arguments of window.parent.CKEDITOR.tools.callFunction(...) as JSON values."""
    assert response["Content-Type"].startswith("text/html")
    match = re.fullmatch(
        r"\s*<script[^>]*>\s*window\.parent\.CKEDITOR\.tools\.callFunction\((.*)\);\s*</script>\s*",
        response.content.decode(),
        re.DOTALL,
    )
    assert match, response.content
    # The editor's arguments are a number and two strings: valid JSON once quoted alike.
    return json.loads("[" + match.group(1).replace("'", '"') + "]")


def test_errors_come_back_as_the_editor_callback(client_for, media_root):
    response = post(client_for("author"), b"not an image", "x.png", query="?CKEditorFuncNum=1")
    assert response.status_code == 400
    assert callback_arguments(response) == [1, "", "The file is not an image that can be read."]
    assert stored_files(media_root) == []


def test_a_callback_message_cannot_break_out_of_the_script(client_for, settings):
    settings.RICHTEXT_IMAGE_MAX_PIXELS = 10
    response = post(client_for("author"), image_bytes("PNG", (8, 6)), query="?CKEditorFuncNum=7")
    content = response.content.decode()
    assert callback_arguments(response) == [7, "", "The image has too many pixels (8 × 6)."]
    assert content.count("<script") == 1
    assert content.count("</script>") == 1


def test_a_token_error_comes_back_as_the_editor_callback(client_for):
    response = post(client_for("author"), image_bytes(), token="wrong", query="?CKEditorFuncNum=3")
    number, url, message = callback_arguments(response)
    assert (number, url) == (3, "")
    assert "missing token" in message


def test_success_comes_back_as_the_editor_callback(client_for, media_root):
    response = post(client_for("author"), image_bytes(), query="?CKEditorFuncNum=2")
    assert response.status_code == 200
    number, url = callback_arguments(response)
    [stored] = stored_files(media_root)
    assert number == 2
    assert url == "/media/" + stored.relative_to(media_root).as_posix()


@pytest.mark.parametrize("func_num", ["1);alert(document.domain);//", "abc", "１", "-1"])
def test_a_callback_number_that_is_not_a_number_is_refused(client_for, media_root, func_num):
    response = post(client_for("author"), image_bytes(), query=f"?CKEditorFuncNum={func_num}")
    assert "alert" not in response.content.decode()
    assert error_message(response) == "The editor's callback number is not a number."
    assert stored_files(media_root) == []


# The editor's static files: its samples folder is a known XSS vector and must not ship.

SAMPLES_PAGE = "ckeditor/ckeditor/samples/index.html"
EDITOR_SCRIPT = "ckeditor/ckeditor/ckeditor.js"


def test_the_editor_samples_are_not_among_the_static_files():
    assert finders.find(SAMPLES_PAGE) is None
    assert finders.find(EDITOR_SCRIPT) is not None


def test_the_editor_samples_are_not_served(settings):
    # WhiteNoise serves straight from the finders here, as in development, so the
    # editor's script answers and the test would notice a samples folder appearing.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    assert client.get("/static/" + EDITOR_SCRIPT).status_code == 200
    assert client.get("/static/" + SAMPLES_PAGE).status_code == 404
