from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal.api import api

urlpatterns = [
    path("admin/ckeditor/", include("richtext.urls")),
    path("admin/moderation/", include("portal.admin_urls")),
    path("admin/", admin.site.urls),
    path("bulletin/", include("bulletin.urls")),
    path("jokes/", include("jokes.urls")),
    path("feeds/", include("portal.feed_urls")),
    path("api/", api.urls),
    path("", include("portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
