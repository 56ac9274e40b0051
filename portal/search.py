"""Search over published articles and jokes: one interface, the database's own engine.

`matching(queryset, q)` narrows an article or joke queryset to what matches `q`, best
first, with a `search_rank` annotation; `find()` runs the site search over both kinds
and `load()` turns one page of its hits into objects with highlighted excerpts.

- PostgreSQL: the stored, weighted `search_vector` (kept by triggers, GIN-indexed,
  portal/migrations/0005) against `plainto_tsquery`, ranked by `ts_rank`.
- SQLite: an FTS5 table per model (same migration), ranked by `bm25` with the same
  column weights.
- Text written without spaces between words (Chinese, Japanese, Thai, Korean
  particles...) is not split into words by either engine, so a query with such
  characters falls back to substring matching, a title match ranking first.

Queries are reduced to their words before they reach the database: quotes, operators,
SQL and regex metacharacters are separators, never syntax.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, router
from django.db.models import Case, F, FloatField, Q, Value, When
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from bulletin.models import Article
from jokes.models import Joke

from .prepared import prepared

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
# The site search ranks this many best matches of each kind; a visitor who needs more
# than 25 pages of results needs a better query.
MAX_HITS = 500
# Ranking reads the newest this many matches of each kind, not all of them: the cost
# of a common word does not grow with the archive, and a news search favours recent
# items. A rare word has fewer matches than this, so all of them are ranked. As many as
# a search shows of a kind (MAX_HITS): with 1,000, ranking a common word took a search
# at 100,000 articles 1.6 times as long as at 1,000, where fewer match.
CANDIDATES = MAX_HITS
EXCERPT_LENGTH = 220

WORD = re.compile(r"[^\W_]+")
# Scripts whose words are not separated by spaces (and Hangul, whose words carry
# particles): CJK ideographs and punctuation, kana, Hangul, Thai, Lao, Myanmar, Khmer.
UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0002fa1f]"
)
POSTGRES_CONFIG = "english"  # as in portal/migrations/0005


@dataclass(frozen=True)
class Searched:
    """How one model is searched: its columns by weight, its FTS5 table on SQLite."""

    fields: dict  # column -> weight (1.0 for the least)
    html_fields: frozenset
    fts_table: str


SEARCHED = {
    Article: Searched(
        {"title": 10.0, "summary": 4.0, "body": 1.0}, frozenset({"body"}), "bulletin_article_fts"
    ),
    Joke: Searched({"title": 10.0, "text": 1.0}, frozenset(), "jokes_joke_fts"),
}


def plain_text(value):
    """What the index reads of stored HTML: its text, entities decoded. The SQLite
    index's triggers call it, and must get again, to the letter, what they indexed when
    they remove a row (a contentless FTS5 table): it stays Django's strip_tags."""
    # A space where each tag was, so paragraphs do not run into each other.
    return html.unescape(strip_tags((value or "").replace("<", " <")))


# A tag of sanitised HTML (richtext/sanitize.py): there every "<" of the text is written
# "&lt;" and no comment is left, so each "<" opens a tag, which ends at the first ">"
# outside its quoted attribute values.
TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def excerpt_text(value):
    """plain_text() of sanitised HTML, for the excerpts of search results: tags matched
    by TAG. Django's strip_tags parses with HTMLParser, and the excerpts of a page of
    results had taken a quarter of its time. Tests compare the two on what the
    sanitiser makes of hostile and random markup."""
    return html.unescape(TAG.sub("", (value or "").replace("<", " <")))


def register_sqlite_functions(connection):
    """The SQLite triggers of the search index call portal_plain_text()."""
    connection.ensure_connection()
    connection.connection.create_function("portal_plain_text", 1, plain_text, deterministic=True)


def words_of(q):
    """The words of a query, lower-cased, each once, at most MAX_WORDS of them."""
    found = []
    for word in WORD.findall((q or "")[:MAX_QUERY_LENGTH].lower()):
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def needs_substring(words):
    return any(UNSPACED.search(word) for word in words)


def matching(queryset, q, any_word=False):
    """`queryset` (articles or jokes) narrowed to what matches every word of `q` (or
    any of them), best first, annotated with `search_rank` (higher is better)."""
    words = words_of(q)
    if not words:
        return queryset.none()
    if needs_substring(words):
        return _substring(queryset, words, SEARCHED[queryset.model], any_word)
    terms = search_terms(words, any_word)
    floor = oldest_candidate(newest_matches(queryset, terms, any_word))
    return ranked_matches(queryset, terms, any_word, floor)


def _vendor(model):
    return connections[router.db_for_read(model)].vendor


def search_terms(words, any_word):
    """What the database's engine is given to search for `words`, as one parameter.

    Words hold only letters and digits (words_of()): quoted for SQLite's FTS5 they are
    plain terms; for PostgreSQL's to_tsquery "|" joins them, and plainto_tsquery
    reads them as plain text (so neither gives them any syntax)."""
    if _vendor(Article) == "postgresql":
        return (" | " if any_word else " ").join(words)
    return (" OR " if any_word else " AND ").join(f'"{word}"' for word in words)


def _matches(queryset, terms, any_word):
    if _vendor(queryset.model) == "postgresql":
        # plainto_tsquery for every word; to_tsquery of "a | b" for any of them.
        search_type = "raw" if any_word else "plain"
        query = SearchQuery(terms, config=POSTGRES_CONFIG, search_type=search_type)
        return queryset.filter(search_vector=query), query
    fts = SEARCHED[queryset.model].fts_table
    table = queryset.model._meta.db_table
    return queryset.extra(  # noqa: S610 - only our table names; the terms are a parameter
        tables=[fts],
        # "+" keeps SQLite from reading the rows first and searching the index for
        # each: the index finds the matches, newest first, then each row is read by
        # its id and checked against the queryset's conditions.
        where=[f"{table}.id = +{fts}.rowid", f"{fts} MATCH %s"],
        params=[terms],
    ), None


def newest_matches(queryset, terms, any_word):
    """The matches of `queryset` for `terms` (search_terms()), newest first."""
    matches, _query = _matches(queryset, terms, any_word)
    if _vendor(queryset.model) == "postgresql":
        return matches.order_by("-pk")
    fts = SEARCHED[queryset.model].fts_table
    return matches.extra(order_by=[f"-{fts}.rowid"])  # noqa: S610 - our table's name


def ranked_matches(queryset, terms, any_word, floor):
    """The matches of `queryset` for `terms` with ids from `floor` (oldest_candidate();
    None: all), best first, annotated with `search_rank`."""
    matches, query = _matches(queryset, terms, any_word)
    if query is not None:  # PostgreSQL
        if floor is not None:
            matches = matches.filter(pk__gte=floor)
        rank = SearchRank(F("search_vector"), query)
        return matches.annotate(search_rank=rank).order_by("-search_rank", "-pk")
    searched = SEARCHED[queryset.model]
    fts = searched.fts_table
    if floor is not None:
        # A floor the index reads; a list of ids would make SQLite search it once for each.
        matches = matches.extra(where=[f"{fts}.rowid >= %s"], params=[floor])  # noqa: S610
    weights = ", ".join(str(weight) for weight in searched.fields.values())
    # bm25() is smaller for better matches.
    return matches.extra(  # noqa: S610 - only our table name and the columns' weights
        select={"search_rank": f"-bm25({fts}, {weights})"},
    ).order_by("-search_rank", "-pk")


def oldest_candidate(matches):
    """The id of the CANDIDATES-th newest of `matches` (ordered newest first), or None
    when there are fewer: the matches from it up are the ones ranked.

    Counted among those that pass the queryset's own conditions (published, a section,
    safe mode...), so that a filter never empties the window. A query of its own, that
    returns one id: the index gives matches newest first and the reading stops at
    CANDIDATES. Sending those ids back in an IN list had cost a common word's
    search on PostgreSQL a quarter of its time in building and quoting the list."""
    return _candidate_floor(matches).first()


def _candidate_floor(matches):
    return matches.values_list("pk", flat=True)[CANDIDATES - 1 : CANDIDATES]


# The site search's queries, compiled once per process (portal/prepared.py): for each
# kind, its newest matches with their ranks, in one query. The rows are ranked here.


def newest_ranked(queryset, terms, any_word):
    """The newest CANDIDATES matches of `queryset` for `terms`, and one more if there
    are more, newest first, as (id, rank) rows: ranked by find(), not the database.

    One query instead of two (the oldest candidate, then the matches from it ranked):
    each had read the same rows, and a common word's search on PostgreSQL had spent half
    its time reading them twice."""
    matches, query = _matches(queryset, terms, any_word)
    if query is not None:  # PostgreSQL
        matches = matches.annotate(search_rank=SearchRank(F("search_vector"), query))
        matches = matches.order_by("-pk")
    else:
        searched = SEARCHED[queryset.model]
        weights = ", ".join(str(weight) for weight in searched.fields.values())
        matches = matches.extra(  # noqa: S610 - only our table name and the columns' weights
            select={"search_rank": f"-bm25({searched.fts_table}, {weights})"},
            order_by=[f"-{searched.fts_table}.rowid"],
        )
    return matches.values_list("pk", "search_rank")[: CANDIDATES + 1]


def _articles(now, section):
    articles = Article.objects.published(now)
    return articles if section is None else articles.filter(section=section)


def _jokes(now, safe, category):
    jokes = Joke.objects.for_visitor(safe, now)
    return jokes if category is None else jokes.filter(category=category)


@prepared
def article_matches(now: datetime, terms: str, any_word: bool, section: int | None):
    return newest_ranked(_articles(now, section), terms, any_word)


@prepared
def joke_matches(now: datetime, terms: str, any_word: bool, safe: bool, category: int | None):
    return newest_ranked(_jokes(now, safe, category), terms, any_word)


def _substring(queryset, words, searched, any_word):
    wanted = Q()
    for word in words:
        anywhere = Q()
        for field in searched.fields:
            anywhere |= Q(**{f"{field}__icontains": word})
        wanted = (wanted | anywhere) if any_word else (wanted & anywhere)
    rank = Value(0.0)
    for word in words:
        for field, weight in searched.fields.items():
            rank += Case(
                When(**{f"{field}__icontains": word}, then=Value(weight)),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return queryset.filter(wanted).annotate(search_rank=rank).order_by("-search_rank", "-pk")


# The site search


@dataclass
class Hit:
    kind: str  # "article" or "joke"
    pk: int
    rank: float
    object: object = None
    title: str = ""  # highlighted, safe HTML
    excerpt: str = ""  # highlighted, safe HTML


@dataclass
class Results:
    words: list
    hits: list
    truncated: bool  # more matches of a kind than MAX_HITS, or than CANDIDATES
    any_word: bool = False  # nothing had every word: these have some of them


def find(q, *, kind=None, section=None, category=None, safe_mode=True):
    """Both kinds' best matches for `q`, merged by rank (without their objects yet).

    What has every word; when nothing has, what has any of them. A section narrows
    to articles, a category to jokes. Published content only, jokes in safe mode
    unless the visitor switched it off.
    """
    words = words_of(q)
    if not words:
        return Results(words, [], False)
    results = _find(q, kind, section, category, safe_mode, any_word=False)
    if not results.hits and len(words) > 1:
        results = _find(q, kind, section, category, safe_mode, any_word=True)
    return results


def _find(q, kind, section, category, safe_mode, any_word):
    words = words_of(q)
    section, category = section and section.pk, category and category.pk
    # Each kind's queryset is built only for the substring search, which needs it.
    kinds = []
    if kind in (None, "articles") and category is None:
        kinds.append(("article", partial(_articles, None, section), article_matches))
    if kind in (None, "jokes") and section is None:
        jokes = partial(_jokes, None, safe_mode, category)
        kinds.append(("joke", jokes, joke_matches))
    now, terms = timezone.now(), search_terms(words, any_word)
    hits, truncated = [], False
    for name, queryset, newest_query in kinds:
        if needs_substring(words):  # rare: the ORM's queries as they are
            found = _found(matching(queryset(), q, any_word))
        else:
            within = {"now": now, "terms": terms, "any_word": any_word}
            if name == "article":
                within["section"] = section
            else:
                within.update(safe=safe_mode, category=category)
            newest = newest_query(**within)
            # More than CANDIDATES: the one more only says so, and is not ranked.
            found = sorted(newest[:CANDIDATES], key=lambda row: (-row[1], -row[0]))
            truncated |= len(newest) > CANDIDATES
        truncated |= len(found) > MAX_HITS
        hits += [Hit(name, pk, rank) for pk, rank in found[:MAX_HITS]]
    hits.sort(key=lambda hit: -hit.rank)
    return Results(words, hits, truncated, any_word)


def _found(matches):
    return list(matches.values_list("pk", "search_rank")[: MAX_HITS + 1])


@prepared(plan_once=True)
def hit_articles(ids: tuple[int, ...]):
    """The articles of a page of hits (compiled once for each number of them)."""
    return Article.objects.filter(pk__in=ids).select_related("section").defer("search_vector")


@prepared
def hit_jokes(ids: tuple[int, ...]):
    """The jokes of a page of hits (compiled once for each number of them)."""
    jokes = Joke.objects.filter(pk__in=ids).select_related("category")
    return jokes.defer("search_vector", "sketch")


def load(hits, words):
    """Fill one page of hits with their objects, highlighted titles and excerpts
    (a query per kind on the page)."""
    by_kind = {"article": [], "joke": []}
    for hit in hits:
        by_kind[hit.kind].append(hit.pk)
    objects = {}
    if by_kind["article"]:
        articles = hit_articles(ids=tuple(by_kind["article"]))
        objects.update((("article", article.pk), article) for article in articles)
    if by_kind["joke"]:
        jokes = hit_jokes(ids=tuple(by_kind["joke"]))
        objects.update((("joke", joke.pk), joke) for joke in jokes)
    loaded = []
    for hit in hits:
        hit.object = objects.get((hit.kind, hit.pk))
        if hit.object is None:  # deleted between the two queries
            continue
        if hit.kind == "article":
            hit.title = highlight(hit.object.title, words, length=None)
            text = excerpt_text(hit.object.body)
            hit.excerpt = excerpt(hit.object.summary, text, words)
        else:
            hit.title = highlight(hit.object.title, words, length=None) if hit.object.title else ""
            hit.excerpt = excerpt("", hit.object.text, words)
        loaded.append(hit)
    return loaded


@lru_cache(maxsize=256)
def _cached_patterns(words):
    return _compile_patterns(words)


def _patterns(words):
    """What counts as a match of each word when highlighting (_compile_patterns), made
    once per query: a page of hits asks for it three times a hit."""
    return _cached_patterns(tuple(words))


def _compile_patterns(words):
    """What counts as a match of each word when highlighting: the word itself, or a
    word it stems from or to (jokes ~ joke, joking), as the engines stem: an ending
    of four letters at most, so that "cat" marks "cats" but not "catalogue", and a
    word of one or two letters only as itself."""
    alternatives = []
    for word in words:
        if UNSPACED.search(word):
            alternatives.append(re.escape(word))
            continue
        if len(word) <= 2:
            alternatives.append(rf"\b{re.escape(word)}\b")
            continue
        stem = re.sub(r"(ies|es|s|ing|ed|ly)$", "", word) if len(word) > 4 else word
        alternatives.append(rf"\b{re.escape(stem)}\w{{0,4}}\b")
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def highlight(text, words, length=EXCERPT_LENGTH):
    """`text` escaped, with the matched words in <mark>; cut to about `length`
    characters around the first match when `length` is given. Only the passage shown
    is searched for the words after the first: a page of twenty hits had spent 2 ms
    marking every match of an article's whole text."""
    pattern = _patterns(words)
    start, end, prefix, suffix = passage(text, pattern, length)
    pieces, position = [], start
    # A match ends at most four letters past its word: none past this starts in the passage.
    reach = min(len(text), end + max(map(len, words), default=0) + 5)
    for match in pattern.finditer(text, start, reach) if pattern else ():
        if match.end() > end:
            break
        pieces.append(html.escape(text[position : match.start()]))
        pieces.append(f"<mark>{html.escape(match.group())}</mark>")
        position = match.end()
    pieces.append(html.escape(text[position:end]))
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece escaped above


def passage(text, pattern, length):
    """(start, end, prefix, suffix): the part of `text` highlight() shows, about `length`
    characters from a word before the first match of `pattern` (all of it when `length`
    is None or the text is shorter), with "…" where it is cut."""
    start, end, prefix, suffix = 0, len(text), "", ""
    if length is not None and len(text) > length:
        found = pattern.search(text) if pattern else None
        first = found.start() if found else 0
        start = max(0, first - length // 3)
        if start:  # start on a word boundary
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first else start
            prefix = "…"
        end = min(len(text), start + length)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > first else end
            suffix = "…"
    return start, end, prefix, suffix


def excerpt(summary, text, words):
    """A short passage showing the match: from the text if it matches there, else
    the summary, else the text's beginning."""
    pattern = _patterns(words)
    text = " ".join(text.split())
    summary = " ".join((summary or "").split())
    if pattern and not pattern.search(text) and summary:
        return highlight(summary, words)
    return highlight(text or summary, words)
