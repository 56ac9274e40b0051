"""Factories for content. Articles are published a day ago unless told otherwise."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from bulletin.models import Article, PreviewLink, Section


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-for-tests-1")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    name = factory.Sequence(lambda n: f"Section {n}")
    description = "A section for tests."


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Headline number {n}")
    section = factory.SubFactory(SectionFactory)
    summary = "A short summary."
    body = "<p>Body text.</p>"
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, publish_at=None)
        scheduled = factory.Trait(
            publish_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )


class PreviewLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreviewLink

    article = factory.SubFactory(ArticleFactory, draft=True)
