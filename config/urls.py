from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views import defaults

from portal.api import api
from portal.middleware import unless_database_down
from staff import views as staff_views

urlpatterns = [
    path("admin/ckeditor/", include("richtext.urls")),
    path("admin/moderation/", include("portal.admin_urls")),
    # Before the admin's own: "View on site" only to what the user may open.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(staff_views.view_on_site),
        name="view_on_site",
    ),
    path("admin/", admin.site.urls),
    path("bulletin/", include("bulletin.urls")),
    path("jokes/", include("jokes.urls")),
    path("feeds/", include("portal.feed_urls")),
    path("api/", api.urls),
    path("", include("portal.urls")),
]

# The error pages, or the 503 page when the database is down (portal/middleware.py).
handler400 = unless_database_down(defaults.bad_request)
handler403 = unless_database_down(defaults.permission_denied)
handler404 = unless_database_down(defaults.page_not_found)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
