from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import (
    ArchiveIndexView,
    DetailView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)

from portal.paging import PreparedPages, UncountedPaginator

from .converters import YearConverter
from .models import (
    Article,
    PreviewLink,
    article_tags,
    published_article,
    published_teasers,
    section_by_slug,
    section_teasers,
)


class PublishedArticlesMixin:
    """Lists of published articles, newest first, paginated without a count."""

    paginate_by = 20
    paginator_class = UncountedPaginator
    allow_empty = True

    def get_queryset(self):
        return Article.objects.published().for_teasers()


class ArticleListView(PublishedArticlesMixin, ListView):
    template_name = "bulletin/article_list.html"

    def get_queryset(self):
        return PreparedPages(published_teasers, now=timezone.now())


class SectionDetailView(PublishedArticlesMixin, ListView):
    template_name = "bulletin/section_detail.html"

    def get_queryset(self):
        found = section_by_slug(slug=self.kwargs["section"])
        if not found:
            raise Http404(_("No section found matching the query"))
        self.section = found[0]
        return PreparedPages(section_teasers, now=timezone.now(), section=self.section.pk)

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        if not paginated[1].object_list:
            # A section with nothing published is not there for visitors (no draft leaks).
            raise Http404(_("No article found matching the query"))
        return paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class ArchiveMixin(PublishedArticlesMixin):
    date_field = "publish_at"
    make_object_list = True
    allow_empty = True
    template_name = "bulletin/article_archive.html"


class ArticleArchiveIndexView(ArchiveMixin, ArchiveIndexView):
    pass


class ArticleYearArchiveView(ArchiveMixin, YearArchiveView):
    pass


class ArticleMonthArchiveView(ArchiveMixin, MonthArchiveView):
    month_format = "%m"

    def get_previous_month(self, date):
        # No link before the first year an address can hold (bulletin/converters.py).
        previous = super().get_previous_month(date)
        return previous if previous and previous.year >= YearConverter.first else None


class ArticleDetailView(DetailView):
    """An article; staff may preview what is not public (a 404 for everybody else)."""

    template_name = "bulletin/article_detail.html"

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).select_related("section", "author")

    def get_object(self, queryset=None):
        section, slug = self.kwargs["section"], self.kwargs["slug"]
        if self.request.user.is_staff:  # who may preview: visible_to() says what
            return get_object_or_404(self.get_queryset(), section__slug=section, slug=slug)
        found = published_article(now=timezone.now(), section=section, slug=slug)
        if not found:
            raise Http404(_("No article found matching the query"))
        return found[0]

    def get_context_data(self, **kwargs):
        article = self.object
        tags = article_tags(pk=article.pk)
        context = {
            "tags": tags,
            "is_preview": not article.is_published,
            "previous_article": None,
            "next_article": None,
            "related_articles": [],
        }
        if article.is_published:
            context["structured_data"] = self.structured_data(article, tags)
            context.update(
                previous_article=article.get_previous_in_section(),
                next_article=article.get_next_in_section(),
                related_articles=article.get_related(tags),
            )
        return super().get_context_data(**context, **kwargs)

    def structured_data(self, article, tags):
        """schema.org NewsArticle, for search engines and link previews."""
        author = article.author
        return {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title[:110],
            "description": article.summary,
            "datePublished": article.publish_at.isoformat(),
            "dateModified": article.updated_at.isoformat(),
            "articleSection": article.section.name,
            "keywords": [tag.name for tag in tags],
            "mainEntityOfPage": f"{self.request.scheme}://{settings.SITE_DOMAIN}{article.get_absolute_url()}",
            "author": {
                "@type": "Person",
                "name": author.get_full_name() or author.get_username(),
            }
            if author
            else {"@type": "Organization", "name": settings.SITE_NAME},
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        }

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            response["X-Robots-Tag"] = "noindex, nofollow"
            response["Cache-Control"] = "private, no-store"
        return response


@method_decorator(never_cache, name="dispatch")
class PreviewLinkView(ArticleDetailView):
    """An unpublished article shown through a secret, expiring, revocable link."""

    def get_object(self, queryset=None):
        link = get_object_or_404(
            PreviewLink.objects.active().select_related("article__section", "article__author"),
            token=self.kwargs["token"],
        )
        return link.article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = True
        return context
