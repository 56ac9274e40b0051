"""The benchmark's archive (manage.py seed_bench): what the harness's URL mix needs."""

import pytest
from django.core.management import CommandError, call_command
from taggit.models import Tag

from bulletin.models import Article
from jokes.models import Joke
from portal.management.commands.seed_bench import RARE_HITS, RARE_WORD

pytestmark = pytest.mark.django_db


def test_seeds_articles_jokes_tags_and_votes():
    call_command("seed_bench", articles=200, jokes=120, tags=30, verbosity=0)
    assert Article.objects.count() == 200 and Joke.objects.count() == 120
    assert Article.objects.published().count() == 196  # one in fifty is a draft
    assert Article.objects.filter(body__contains=RARE_WORD).count() == RARE_HITS
    assert Joke.objects.filter(text__contains=RARE_WORD).count() == RARE_HITS
    # A few tags carry most items: the first is on far more articles than the last.
    tags = list(Tag.objects.order_by("pk"))
    first, last = (Article.objects.filter(tags=tag).count() for tag in (tags[0], tags[-1]))
    assert first > 5 * max(last, 1)
    assert all(article.tags.count() == 3 for article in Article.objects.all()[:20])
    assert sum(joke.vote_count for joke in Joke.objects.all()) > 0
    with pytest.raises(CommandError):
        call_command("seed_bench", articles=1, jokes=1, verbosity=0)
