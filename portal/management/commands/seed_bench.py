"""Fill an empty database with a benchmark archive: N articles and N jokes with
realistic text lengths, a few hundred tags, sections, categories and votes.

Bulk inserts in batches (minutes, not hours, at 100,000 of each); the search index is
kept by the database's triggers as for any insert. The same seed gives the same
archive. Refuses a database that already holds articles or jokes.
"""

import random
from datetime import timedelta
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from bulletin.models import Article, Section, TaggedArticle
from jokes.models import Category, Joke, TaggedJoke, Vote, fingerprint

BATCH = 2000
# Common words of news and jokes; RARE_HITS texts of each kind carry RARE_WORD, so the
# benchmark can search a word found everywhere and one found in a few items (as many
# at every size: the page shows the same).
WORDS_TEXT = (
    "council town river market school road bridge library festival music night park "
    "police weather rain summer winter train station doctor hospital water garden city "
    "village farmer teacher student family children money bank price shop coffee bread "
    "cat dog horse bird fish chicken duck cow sheep computer program bug code server "
    "meeting plan budget report news week month year morning evening street house "
    "window door light power phone letter book story song game team match goal player "
    "said told asked walked opened closed found lost bought sold made built moved "
    "old new big small long short good bad happy sad quick slow early late local public"
)
WORDS = WORDS_TEXT.split()
COMMON_WORD = "council"
RARE_WORD = "quetzalcoatl"
RARE_HITS = 20  # items of each kind carrying RARE_WORD, whatever the size
SECTIONS = ["Local news", "Politics", "Culture", "Science and nature", "Sport", "Business",
            "Health", "Bulletin headlines"]  # fmt: skip
CATEGORIES = ["Puns", "Knock-knock", "Programming", "Animals", "School", "Doctor",
              "Food", "Music", "Sport", "Work", "Family", "One-liners"]  # fmt: skip


class Command(BaseCommand):
    help = "Seed an empty database with N articles and N jokes for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--jokes", type=int, default=1000)
        parser.add_argument("--tags", type=int, default=300)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        if Article.objects.exists() or Joke.objects.exists():
            raise CommandError("seed_bench fills an empty database; this one has content.")
        self.random = random.Random(options["seed"])  # noqa: S311 - sample text, not secrets
        self.now = timezone.now()
        with transaction.atomic():
            tags = self.create_tags(options["tags"])
            self.create_articles(options["articles"], tags)
            self.create_jokes(options["jokes"], tags)
        self.stdout.write(
            f"seeded {options['articles']} articles, {options['jokes']} jokes, {len(tags)} tags"
        )

    def sentence(self, low, high):
        words = self.random.choices(WORDS, k=self.random.randint(low, high))
        return " ".join(words).capitalize() + "."

    def text(self, n, low, high):
        return " ".join(self.sentence(low, high) for _ in range(n))

    def rare(self, index, count, text):
        every = max(1, count // RARE_HITS)
        return f"{text} A {RARE_WORD} was seen." if index % every == min(7, every - 1) else text

    def some_tags(self, tags, k):
        """`k` different tags, the first ones far more often than the last (as on real
        sites: a few tags carry most items), so a popular tag fills its page at
        every size."""
        chosen = []
        while len(chosen) < k:
            tag = self.random.choices(tags, cum_weights=self.tag_weights)[0]
            if tag not in chosen:
                chosen.append(tag)
        return chosen

    def create_tags(self, count):
        names = [f"{self.random.choice(WORDS)} {n}" for n in range(count)]
        Tag.objects.bulk_create([Tag(name=name, slug=slugify(name)) for name in names])
        tags = list(Tag.objects.order_by("pk").values_list("pk", flat=True))
        self.tag_weights = list(accumulate(1 / (rank + 1) for rank in range(len(tags))))
        return tags

    def when(self, index, count):
        # Spread over five years, newest last, so listings have a real order.
        return self.now - timedelta(minutes=(count - index) * 5 * 365 * 24 * 60 // count + 1)

    def create_articles(self, count, tags):
        sections = Section.objects.bulk_create(
            [Section(name=name, slug=slugify(name), position=n) for n, name in enumerate(SECTIONS)]
        )
        sections = list(Section.objects.all())
        for start in range(0, count, BATCH):
            articles = []
            for i in range(start, min(start + BATCH, count)):
                title = self.sentence(5, 11).rstrip(".")
                if i % 3 == 0:
                    title = f"{COMMON_WORD.capitalize()} {title.lower()}"
                paragraphs = [self.text(4, 8, 18) for _ in range(self.random.randint(4, 8))]
                body = "".join(f"<p>{self.rare(i, count, p)}</p>" for p in paragraphs)
                published = i % 50 != 0  # a few drafts among them
                articles.append(
                    Article(
                        title=title,
                        slug=f"{slugify(title)[:180]}-{i}",
                        section=sections[i % len(sections)],
                        summary=self.sentence(12, 25),
                        body=body,
                        status=Article.Status.PUBLISHED if published else Article.Status.DRAFT,
                        publish_at=self.when(i, count) if published else None,
                        featured=i % 97 == 0,
                    )
                )
            created = Article.objects.bulk_create(articles)
            TaggedArticle.objects.bulk_create(
                TaggedArticle(content_object_id=article.pk, tag_id=tag)
                for article in created
                for tag in self.some_tags(tags, 3)
            )
            self.stdout.write(f"  articles {min(start + BATCH, count)}/{count}")

    def create_jokes(self, count, tags):
        Category.objects.bulk_create(
            [Category(name=name, slug=slugify(name)) for name in CATEGORIES]
        )
        categories = list(Category.objects.all())
        for start in range(0, count, BATCH):
            jokes = []
            for i in range(start, min(start + BATCH, count)):
                text = self.rare(i, count, self.text(self.random.randint(1, 4), 6, 16))
                text = f"{text} Number {i}."  # every joke different
                votes = self.random.randint(0, 6)
                jokes.append(
                    Joke(
                        title=self.sentence(2, 5).rstrip(".") if i % 4 == 0 else "",
                        text=text,
                        fingerprint=fingerprint(text),
                        category=categories[i % len(categories)],
                        status=Joke.Status.PUBLISHED,
                        published_at=self.when(i, count),
                        nsfw=i % 40 == 0,
                        score=votes,
                        vote_count=votes,
                    )
                )
            created = Joke.objects.bulk_create(jokes)
            TaggedJoke.objects.bulk_create(
                TaggedJoke(content_object_id=joke.pk, tag_id=tag)
                for joke in created
                for tag in self.some_tags(tags, 2)
            )
            Vote.objects.bulk_create(
                Vote(joke_id=joke.pk, voter=f"bench-{joke.pk}-{n}", value=1)
                for joke in created
                for n in range(joke.vote_count)
            )
            self.stdout.write(f"  jokes {min(start + BATCH, count)}/{count}")
