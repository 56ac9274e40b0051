"""Search: one box over published headlines and jokes, on SQLite's FTS5 and PostgreSQL's
full-text search alike (the suite runs on both), with a substring fallback for text
written without spaces."""

import html
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bulletin.models import Article
from jokes.models import Joke
from portal import search
from richtext.sanitize import sanitize_html
from tests.factories import ArticleFactory, CategoryFactory, JokeFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def search_setting(monkeypatch):
    """Set one of portal/search.py's constants for a test. Its prepared queries were
    compiled with the old value: they compile again, and again after the test."""
    prepared = (search.article_matches, search.joke_matches)

    def setting(name, value):
        monkeypatch.setattr(search, name, value)
        for query in prepared:
            query.forget()

    yield setting
    monkeypatch.undo()
    for query in prepared:
        query.forget()


SEARCH = "/search/"


def titles(response):
    return [hit.object.title or hit.object.text for hit in response.context["hits"]]


def found(queryset, q):
    return list(search.matching(queryset, q).values_list("pk", flat=True))


def test_route():
    assert reverse("portal:search") == SEARCH


# Matching and ranking


def test_a_title_match_ranks_above_a_body_match():
    in_body = ArticleFactory(title="Council news", body="<p>The walrus was seen again.</p>")
    in_title = ArticleFactory(title="The walrus returns", body="<p>Seen again by the pier.</p>")
    in_summary = ArticleFactory(title="Harbour notes", summary="A walrus, they say.")
    assert found(Article.objects.published(), "walrus") == [in_title.pk, in_summary.pk, in_body.pk]


def test_a_joke_title_ranks_above_its_text():
    in_text = JokeFactory(title="", text="A penguin walks into a bar and orders nothing.")
    in_title = JokeFactory(title="The penguin", text="Walks into a bar and orders nothing.")
    assert found(Joke.objects.published(), "penguin") == [in_title.pk, in_text.pk]


def test_every_word_must_match_and_words_are_stemmed():
    both = ArticleFactory(title="Jokes told at the harbour festival")
    ArticleFactory(title="Harbour repairs")
    assert found(Article.objects.published(), "joke harbour") == [both.pk]
    assert found(Article.objects.published(), "JOKING Harbours") == [both.pk]


def test_markup_in_bodies_is_not_searched():
    ArticleFactory(
        title="Plain", body='<p><strong>Bold</strong> <a href="https://x.org">here</a></p>'
    )
    assert found(Article.objects.published(), "strong") == []
    assert found(Article.objects.published(), "href") == []
    assert len(found(Article.objects.published(), "bold")) == 1


def test_entities_in_bodies_are_searched_as_text():
    article = ArticleFactory(title="Plain", body="<p>Fish &amp; chips caf&eacute;</p>")
    assert found(Article.objects.published(), "chips") == [article.pk]


def test_the_index_follows_every_save():
    article = ArticleFactory(title="Old walrus")
    article.title = "New narwhal"
    article.save()
    assert found(Article.objects.published(), "walrus") == []
    assert found(Article.objects.published(), "narwhal") == [article.pk]
    # A queryset update and a bulk insert bypass save(); the database keeps the index.
    Article.objects.filter(pk=article.pk).update(body="<p>Now with a beluga.</p>")
    assert found(Article.objects.published(), "beluga") == [article.pk]
    section = article.section
    now = timezone.now()
    Article.objects.bulk_create(
        [
            Article(title=f"Orca {n}", slug=f"orca-{n}", section=section, publish_at=now,
                    status=Article.Status.PUBLISHED)
            for n in range(3)
        ]
    )  # fmt: skip
    assert len(found(Article.objects.published(), "orca")) == 3


def test_deleted_rows_leave_the_index():
    joke = JokeFactory(text="An octopus with eight jokes.")
    other = JokeFactory(text="Another octopus.")
    joke.delete()
    assert found(Joke.objects.published(), "octopus") == [other.pk]
    other.text = "No longer about that animal."
    other.save()
    assert found(Joke.objects.published(), "octopus") == []


def test_votes_do_not_touch_the_index():
    joke = JokeFactory(text="A lemur joke.")
    Joke.objects.filter(pk=joke.pk).update(score=5)
    assert found(Joke.objects.published(), "lemur") == [joke.pk]


@pytest.mark.parametrize(
    "q, expected",
    [("书法", ["art"]), ("博物馆", ["art"]), ("笑话", ["joke"]), ("猫", ["joke"]),
     ("书法 博物馆", ["art"]), ("日本語", [])],
)  # fmt: skip
def test_chinese_is_found_by_substring(q, expected):
    art = ArticleFactory(title="书法展览在市博物馆开幕", body="<p>展览持续到月底。</p>")
    joke = JokeFactory(text="一只猫走进酒吧，说了一个笑话。")
    got = found(Article.objects.published(), q) + found(Joke.objects.published(), q)
    assert got == [{"art": art.pk, "joke": joke.pk}[name] for name in expected]


def test_chinese_title_ranks_above_chinese_body():
    in_body = ArticleFactory(title="Notes", body="<p>今天的新闻很有趣。</p>")
    in_title = ArticleFactory(title="新闻摘要", body="<p>Short.</p>")
    assert found(Article.objects.published(), "新闻") == [in_title.pk, in_body.pk]


def test_accents_are_folded_on_sqlite_and_words_still_match():
    article = ArticleFactory(title="Café opens by the river")
    assert found(Article.objects.published(), "café") == [article.pk]
    if connection.vendor == "sqlite":
        assert found(Article.objects.published(), "cafe") == [article.pk]


# What visitors may find


def test_nothing_unpublished_is_ever_found(client):
    now = timezone.now()
    shown = ArticleFactory(title="Zebra shown")
    ArticleFactory(title="Zebra draft", draft=True)
    ArticleFactory(title="Zebra scheduled", scheduled=True)
    ArticleFactory(title="Zebra in review", status=Article.Status.REVIEW, publish_at=None)
    ArticleFactory(title="Zebra archived", status=Article.Status.ARCHIVED)
    ArticleFactory(
        title="Zebra expired",
        publish_at=now - timedelta(days=3),
        expires_at=now - timedelta(days=1),
    )
    joke = JokeFactory(title="Zebra joke")
    JokeFactory(title="Zebra pending", pending=True)
    JokeFactory(title="Zebra draft joke", status=Joke.Status.DRAFT, published_at=None)
    JokeFactory(title="Zebra rejected", status=Joke.Status.REJECTED)
    JokeFactory(title="Zebra reported", hidden_by_reports=True)
    JokeFactory(title="Zebra soon", published_at=now + timedelta(hours=1))
    response = client.get(SEARCH, {"q": "zebra"})
    assert response.status_code == 200
    assert sorted(titles(response)) == sorted([shown.title, joke.title])
    html = response.content.decode()
    for hidden in ("draft", "scheduled", "review", "archived", "expired", "pending",
                   "rejected", "reported", "soon"):  # fmt: skip
        assert f"Zebra</mark> {hidden}" not in html


def test_safe_mode_hides_flagged_jokes_until_switched_off(client):
    JokeFactory(title="Gecko clean")
    JokeFactory(title="Gecko rude", nsfw=True)
    assert titles(client.get(SEARCH, {"q": "gecko"})) == ["Gecko clean"]
    client.post(reverse("jokes:safe-mode"), {"safe_mode": "off"})
    assert sorted(titles(client.get(SEARCH, {"q": "gecko"}))) == ["Gecko clean", "Gecko rude"]


# The page


def test_results_mix_both_kinds_with_links_and_highlights(client):
    article = ArticleFactory(title="Llama parade", summary="Llamas in town.")
    joke = JokeFactory(title="", text="Why did the llama cross the road?")
    response = client.get(SEARCH, {"q": "llama"})
    html = response.content.decode()
    assert response.status_code == 200
    assert article.get_absolute_url() in html and joke.get_absolute_url() in html
    assert "<mark>Llama</mark> parade" in html
    assert "Why did the <mark>llama</mark> cross the road?" in html
    assert "2 results" in html
    assert '<meta name="robots" content="noindex, follow">' in html
    assert "<title>Search: llama · " in html


def test_the_excerpt_shows_the_passage_around_the_match(client):
    filler = "Nothing of note happens in this sentence at all. " * 20
    ArticleFactory(title="Long one", body=f"<p>{filler}</p><p>Then a capybara appeared.</p>")
    html = client.get(SEARCH, {"q": "capybara"}).content.decode()
    assert "Then a <mark>capybara</mark> appeared." in html
    assert "…" in html  # cut, not the whole body


@pytest.mark.parametrize(
    ("text", "words", "marked"),
    [
        ("Cats and a catalogue of cat food", ["cat"], ["Cats", "cat"]),
        ("Jokes about joking and one joke", ["jokes"], ["Jokes", "joking", "joke"]),
        ("A cat, as an artist, at a party", ["a"], ["A", "a"]),
        ("书法展览 and calligraphy", ["书法"], ["书法"]),
    ],
)
def test_highlighting_marks_the_words_and_their_endings_only(text, words, marked):
    html = search.highlight(text, words, length=None)
    assert re.findall(r"<mark>(.*?)</mark>", html) == marked


def test_the_passage_marks_the_matches_in_it_and_only_there():
    filler = "nothing to see here " * 30
    text = f"{filler}one walrus, two walruses & <walrus> {filler}walrus at the end"
    passage = search.highlight(text, ["walrus"])
    assert passage.startswith("…") and passage.endswith("…")
    assert re.findall(r"<mark>(.*?)</mark>", passage) == ["walrus", "walruses", "walrus"]
    assert "&amp; &lt;<mark>walrus</mark>&gt;" in passage
    assert search.highlight(text, ["walrus"], length=None).count("<mark>") == 4


@given(
    st.lists(st.sampled_from(["walrus", "walruses", "Walrus,", "seal", "<b>", "&amp;", "书法"])),
    st.sampled_from([None, 220, 30]),
)
@hypothesis_settings(max_examples=200)
def test_a_highlighted_passage_is_a_piece_of_the_text_escaped_and_marked(words, length):
    text = " ".join(words)
    passage = search.highlight(text, ["walrus"], length)
    marks = re.findall(r"<mark>(.*?)</mark>", passage)
    assert all(re.fullmatch(r"walrus\w{0,4}", mark, re.IGNORECASE) for mark in marks)
    plain = html.unescape(passage.replace("<mark>", "").replace("</mark>", ""))
    assert plain.removeprefix("…").removesuffix("…") in text
    assert "<b>" not in passage
    # Every match of the whole text that lies within the passage is marked, no other.
    pattern = search._patterns(["walrus"])
    start, end, _prefix, _suffix = search.passage(text, pattern, length)
    inside = [m.group() for m in pattern.finditer(text) if start <= m.start() and m.end() <= end]
    assert [html.unescape(mark) for mark in marks] == inside


def test_content_is_escaped_around_highlights(client):
    ArticleFactory(title="<script>alert(1)</script> heron", body="<p>x</p>")
    JokeFactory(text='A heron says "<img src=x onerror=alert(1)>"')
    html = client.get(SEARCH, {"q": "heron"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>heron</mark>" in html


def test_when_nothing_has_every_word_some_words_are_enough(client):
    ArticleFactory(title="Owl census")
    ArticleFactory(title="River clean-up")
    response = client.get(SEARCH, {"q": "owl river"})
    assert sorted(titles(response)) == ["Owl census", "River clean-up"]
    assert "Nothing has every word of your search" in response.content.decode()
    # Words the engines drop (stop words) and words they split (x²y) search no syntax.
    for q in ["the and of", "x²y owl", "owls the", "owl 42 rivers"]:
        response = client.get(SEARCH, {"q": q})
        assert response.status_code == 200, q
    assert sorted(titles(client.get(SEARCH, {"q": "owls the rivers"}))) == [
        "Owl census",
        "River clean-up",
    ]


def test_filter_by_kind_section_and_category(client):
    news, culture = SectionFactory(name="News"), SectionFactory(name="Culture")
    puns = CategoryFactory(name="Puns")
    ArticleFactory(title="Tapir news", section=news)
    ArticleFactory(title="Tapir culture", section=culture)
    JokeFactory(title="Tapir pun", category=puns)
    JokeFactory(title="Tapir other")
    assert len(titles(client.get(SEARCH, {"q": "tapir"}))) == 4
    assert sorted(titles(client.get(SEARCH, {"q": "tapir", "kind": "articles"}))) == [
        "Tapir culture",
        "Tapir news",
    ]
    assert sorted(titles(client.get(SEARCH, {"q": "tapir", "kind": "jokes"}))) == [
        "Tapir other",
        "Tapir pun",
    ]
    assert titles(client.get(SEARCH, {"q": "tapir", "section": news.slug})) == ["Tapir news"]
    assert titles(client.get(SEARCH, {"q": "tapir", "category": puns.slug})) == ["Tapir pun"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"kind": "bogus"}, "Select a valid choice"),
        ({"section": "no-such-section"}, "Select a valid choice"),
        ({"category": "no-such-category"}, "Select a valid choice"),
        ({"section": "news", "category": "puns"}, "not both"),
        ({"section": "news", "kind": "jokes"}, "does not go with"),
        ({"category": "puns", "kind": "articles"}, "does not go with"),
    ],
)
def test_bad_filters_are_a_400_with_the_reason(client, params, message):
    news = SectionFactory(name="News", slug="news")
    CategoryFactory(name="Puns", slug="puns")
    ArticleFactory(title="Tapir", section=news)
    response = client.get(SEARCH, {"q": "tapir", **params})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "hits" not in response.context


def test_the_filters_offer_sections_with_something_published(client):
    """As the header lists them; a section with nothing published is not a choice (its
    page is a 404 too). Every category is offered, as in the jokes' menu."""
    news, _empty = SectionFactory(name="News", slug="news"), SectionFactory(name="Empty")
    ArticleFactory(title="Tapir", section=news)
    ArticleFactory(title="Tapir draft", section=_empty, draft=True)
    puns, _other = CategoryFactory(name="Puns"), CategoryFactory(name="Limericks")
    html = client.get(SEARCH, {"q": "tapir", "section": "news"}).content.decode()
    assert '<option value="news" selected>News</option>' in html
    assert "Empty" not in html
    assert f'<option value="{puns.slug}">Puns</option>' in html
    assert f'<option value="{_other.slug}">Limericks</option>' in html
    response = client.get(SEARCH, {"q": "tapir", "section": _empty.slug})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


class Elements(HTMLParser):
    """An HTML fragment as its elements, attributes and texts (entities decoded)."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.found.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.found.append(data.strip())


@pytest.mark.parametrize(
    "params", [{}, {"q": "tapir"}, {"q": "tapir", "kind": "bogus"}, {"q": "x", "section": "odd"}]
)
def test_the_filters_are_the_selects_djangos_widget_would_render(client, params):
    """jinja_templates/includes/forms.html renders the selects itself: the same
    elements, attributes, options and selection as Django's Select widget, names with
    markup in them escaped."""
    odd = SectionFactory(name='News & "Views" <b>', slug="odd")
    ArticleFactory(title="Tapir", section=odd)
    CategoryFactory(name="Puns & 'wit' </select>")
    response = client.get(SEARCH, params)
    html = response.content.decode()
    form = response.context["form"]
    for name in ("kind", "section", "category"):
        ours = re.search(rf'<select name="{name}".*?</select>', html, re.S).group()
        assert Elements(ours).found == Elements(str(form[name])).found, name
    for name in ("q", "kind", "section", "category"):  # templating.label_tag()
        assert str(form[name].label_tag()) in html, name
    assert "<b>" not in html  # the section's name escaped everywhere


def test_a_filter_in_error_is_marked_as_django_marks_it(client):
    html = client.get(SEARCH, {"q": "tapir", "kind": "bogus"}).content.decode()
    marked = 'aria-invalid="true" aria-describedby="id_kind_error"'
    assert f'<select name="kind" id="id_kind" {marked}>' in html
    assert 'id="id_kind_error"' in html
    assert '<option value="">Everything</option>' in html  # nothing selected
    html = client.get(SEARCH, {"q": "tapir", "kind": "jokes"}).content.decode()
    assert '<select name="kind" id="id_kind">' in html
    assert '<option value="jokes" selected>Jokes</option>' in html


def test_pagination_keeps_the_query_and_filters(client):
    for n in range(23):
        JokeFactory(title=f"Meerkat {n}")
    response = client.get(SEARCH, {"q": "meerkat", "kind": "jokes"})
    assert len(response.context["hits"]) == 20
    html = response.content.decode()
    assert "23 results" in html
    assert 'href="?q=meerkat&amp;kind=jokes&amp;page=2"' in html
    page_two = client.get(SEARCH, {"q": "meerkat", "kind": "jokes", "page": 2})
    assert len(page_two.context["hits"]) == 3
    assert 'start="21"' in page_two.content.decode()
    # Out of range or not a number: the nearest real page, not an error.
    assert client.get(SEARCH, {"q": "meerkat", "page": 99}).context["page_obj"].number == 2
    assert client.get(SEARCH, {"q": "meerkat", "page": "x"}).context["page_obj"].number == 1


def test_a_very_common_word_is_capped_and_says_so(client, settings, search_setting):
    search_setting("MAX_HITS", 5)
    for n in range(7):
        JokeFactory(title=f"Walrus {n}")
    response = client.get(SEARCH, {"q": "walrus"})
    assert response.context["paginator"].count == 5
    assert "there are more: add a word" in response.content.decode()


@pytest.mark.parametrize(
    "q",
    [
        "",
        " ",
        "a",
        "x" * 1000,
        "' OR 1=1 --",
        '"unclosed',
        "'; DROP TABLE bulletin_article; --",
        "%",
        "_",
        "\\",
        "(.*)+[a-z]{2,}?$^|",
        'NEAR(a b) AND "c" OR d* NOT e',
        "title:secret",
        "-walrus",
        "<script>alert(1)</script>",
        "🦭🦭",
        "\u200b\u202e",
        "ﬁsh ǅ",
        "كلب",
        "العربية walrus",
    ],
)
def test_hostile_or_odd_queries_give_a_sensible_page(client, q):
    ArticleFactory(title="Walrus", body="<p>Tusks.</p>")
    ArticleFactory(title="Walrus draft", draft=True)
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Walrus draft" not in html
    assert Article.objects.count() == 2


def test_a_long_query_is_cut_and_the_page_says_so(client):
    ArticleFactory(title="Walrus")
    response = client.get(SEARCH, {"q": "walrus " + "x" * 1000})
    assert response.status_code == 200
    assert "Only the first 200 characters of your search were used." in response.content.decode()


def test_nul_bytes_are_refused_with_a_400(client):
    assert client.get(SEARCH, {"q": "wal\x00rus"}).status_code == 400


def test_no_query_shows_the_form_only(client):
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert "hits" not in response.context
    assert "results" not in response.content.decode()
    assert "Type a word or two" in client.get(SEARCH, {"q": ""}).content.decode()


def test_post_is_not_allowed(client):
    assert client.post(SEARCH, {"q": "walrus"}).status_code == 405


def test_every_page_has_a_search_box_in_its_header(client):
    article = ArticleFactory()
    joke = JokeFactory()
    for url in ["/", article.get_absolute_url(), joke.get_absolute_url(), "/jokes/",
                "/bulletin/", "/submit/joke/", "/no-such-page/"]:  # fmt: skip
        html = client.get(url).content.decode()
        assert '<form class="site-search" method="get" action="/search/" role="search"' in html
        assert '<label for="site-search-q"' in html


def test_robots_keep_crawlers_out_of_search(client):
    assert "Disallow: /search/" in client.get("/robots.txt").content.decode()


def test_query_count_does_not_grow_with_the_results(client, django_assert_num_queries):
    def fill(n):
        section, category = SectionFactory(), CategoryFactory()
        for i in range(n):
            ArticleFactory(title=f"Quokka {i}", section=section)
            JokeFactory(title=f"Quokka joke {i}", category=category)

    fill(2)
    # After a change: the header's sections and the jokes' categories (the filters'
    # options too), per kind its newest matches with their ranks, a page of each kind.
    with django_assert_num_queries(6):
        client.get(SEARCH, {"q": "quokka"})
    fill(15)
    with django_assert_num_queries(6):
        response = client.get(SEARCH, {"q": "quokka"})
    assert len(response.context["hits"]) == 20
    # A section: one query to check its slug, and no joke queries; the sections and
    # categories from the cache now that no content changed since the last search.
    section = Article.objects.first().section
    with django_assert_num_queries(3):
        client.get(SEARCH, {"q": "quokka", "section": section.slug})


def test_a_common_word_ranks_among_its_newest_matches(search_setting):
    """The ranking reads the newest CANDIDATES matches of a kind, so a word found
    everywhere costs the same at any archive size; a rarer word is ranked whole."""
    search_setting("CANDIDATES", 3)
    made = [ArticleFactory(title=f"Walrus {n}") for n in range(5)]
    found = search.find("walrus", kind="articles")
    assert {hit.pk for hit in found.hits} == {a.pk for a in made[2:]}
    made[0].title = "Narwhal"
    made[0].save()
    assert [hit.pk for hit in search.find("narwhal").hits] == [made[0].pk]


def test_more_matches_than_the_window_says_there_are_more(client, search_setting):
    """Past CANDIDATES matches the newest are ranked and the page says there are more,
    even when every one of them is shown."""
    search_setting("CANDIDATES", 3)
    for n in range(4):
        JokeFactory(title=f"Manatee {n}")
    response = client.get(SEARCH, {"q": "manatee"})
    assert response.context["paginator"].count == 3
    assert "there are more: add a word" in response.content.decode()
    Joke.objects.filter(title="Manatee 0").delete()
    response = client.get(SEARCH, {"q": "manatee"})
    assert response.context["paginator"].count == 3
    assert "there are more" not in response.content.decode()


@pytest.mark.parametrize("count", [2, 3, 4])
def test_the_window_holds_the_newest_candidates_at_its_edge(search_setting, count):
    """Fewer matches than CANDIDATES are all ranked; as many or more, the newest ones."""
    search_setting("CANDIDATES", 3)
    made = [ArticleFactory(title=f"Dugong {n}") for n in range(count)]
    made += [JokeFactory(title=f"Dugong {n}") for n in range(count)]
    found = {(hit.kind, hit.pk) for hit in search.find("dugong").hits}
    newest = made[max(0, count - 3) : count] + made[count + max(0, count - 3) :]
    assert found == {("article" if isinstance(o, Article) else "joke", o.pk) for o in newest}


def test_the_window_of_newest_matches_is_taken_after_the_filters(search_setting):
    """Drafts, other sections, other categories and flagged jokes never take a place
    among the CANDIDATES: an older match that passes the filters is still found."""
    search_setting("CANDIDATES", 3)
    news, sport = SectionFactory(), SectionFactory()
    puns, limericks = CategoryFactory(), CategoryFactory()
    old_article = ArticleFactory(title="Walrus news", section=news)
    old_joke = JokeFactory(title="Walrus pun", category=puns)
    for _ in range(4):
        ArticleFactory(title="Walrus sport", section=sport)
        ArticleFactory(title="Walrus draft", section=news, draft=True)
        JokeFactory(title="Walrus limerick", category=limericks)
        JokeFactory(title="Walrus flagged", category=puns, nsfw=True)
    assert [h.pk for h in search.find("walrus", section=news).hits] == [old_article.pk]
    assert [h.pk for h in search.find("walrus", category=puns).hits] == [old_joke.pk]
    # Safe mode off: the flagged jokes are the newest three.
    unsafe = search.find("walrus", category=puns, safe_mode=False).hits
    assert old_joke.pk not in [hit.pk for hit in unsafe] and len(unsafe) == 3


# plain_text() strips the tags of sanitised HTML with a regular expression: it must read
# what Django's strip_tags (an HTML parser) reads there.


HTML_PIECES = (
    "<p>", "</p>", "<b>", "</b>", "<a href=\"https://x.example/?q=1&amp;r=2\">", "</a>",
    '<img alt="a>b" src="/media/x.png">', "<br>", "&amp;", "&lt;", "&gt;", "&nbsp;",
    "&#233;", "<", ">", "\"", "'", "<!--", "-->", "<script>", "</script>",
    "<table><tr><td>", "</td></tr></table>", "<h2 title='x>y'>", "</h2>", "\n", "é", "中文",
)  # fmt: skip


def parsed_plain_text(value):
    return html.unescape(strip_tags((value or "").replace("<", " <")))


MARKUP = [
    '<p>Rain &amp; <strong>wind</strong></p><p title="a > b">next</p>',
    "<p>1 &lt; 2 &gt; 0</p><ul><li>one</li><li>two</li></ul>",
    '<a href="https://example.com/?a=1&amp;b=2" title=\'it"s\'>link</a> &nbsp;tail',
    '<script>alert(1)</script><!-- comment --><p onclick="x()">kept</p>',
    "<p>unclosed <em>tags<p>and <b>&#x1F600; &eacute;</b>",
    "plain text, no markup at all",
    "",
]


@pytest.mark.parametrize("markup", MARKUP)
def test_plain_text_of_sanitised_html_is_what_an_html_parser_reads(markup):
    clean = sanitize_html(markup)
    assert search.excerpt_text(clean) == parsed_plain_text(clean)


@given(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(list(HTML_PIECES))), max_size=25))
@hypothesis_settings(max_examples=300, deadline=None)
def test_plain_text_agrees_with_the_parser_on_random_sanitised_markup(pieces):
    clean = sanitize_html("".join(pieces))
    assert search.excerpt_text(clean) == parsed_plain_text(clean)
