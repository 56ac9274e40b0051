from django.urls import path
from django.views.decorators.cache import never_cache

from . import views

# The names are the ones django-ckeditor's widget reverses.
urlpatterns = [
    path("upload/", views.upload, name="ckeditor_upload"),
    path("browse/", never_cache(views.browse), name="ckeditor_browse"),
]
