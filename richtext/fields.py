"""
The one module that knows which rich-text editor the site uses. Models declare a
`RichTextField`; swapping django-ckeditor for another editor means changing this
module (and the editor's URLs in richtext/urls.py), nothing else.
"""

from ckeditor_uploader.fields import RichTextUploadingField

from .sanitize import sanitize_html


class RichTextField(RichTextUploadingField):
    """HTML edited in the admin with the editor, sanitised on every save."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value
