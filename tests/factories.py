"""Factories for content. Articles are published a day ago unless told otherwise."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from bulletin.models import Article, PreviewLink, Section
from jokes.models import Category, Joke, new_status_token
from portal.models import Contribution


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


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class JokeFactory(factory.django.DjangoModelFactory):
    """A published joke (published an hour ago) unless told otherwise."""

    class Meta:
        model = Joke
        skip_postgeneration_save = True

    text = factory.Sequence(lambda n: f"Joke number {n}.\nIts punchline {n}.")
    category = factory.SubFactory(CategoryFactory)
    status = Joke.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    class Params:
        pending = factory.Trait(
            status=Joke.Status.PENDING,
            published_at=None,
            status_token=factory.LazyFunction(new_status_token),
            submitter_name="A visitor",
            submitter_email="visitor@example.org",
        )


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    title = factory.Sequence(lambda n: f"Contribution {n}")
    section = factory.SubFactory(SectionFactory)
    text = "First paragraph of a visitor's article.\n\nSecond paragraph, <b>not bold</b>."
    submitter_name = "A visitor"
    submitter_email = "visitor@example.org"
