from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
]
