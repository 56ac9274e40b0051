from itertools import groupby

from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView
from taggit.models import Tag

from bulletin.models import Article


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        articles = Article.objects.published()
        featured = list(articles.filter(featured=True).for_listing()[:3])
        latest = articles.latest_per_section(per_section=5)
        sections = [
            (section, list(items)) for section, items in groupby(latest, key=lambda a: a.section)
        ]
        return super().get_context_data(featured=featured, sections=sections, **kwargs)


class TagDetailView(ListView):
    """Everything published with one tag."""

    template_name = "portal/tag_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.published().filter(tags=self.tag).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
