"""`manage.py import_articles` and the parser behind it (bulletin/importing.py)."""

import codecs
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from bulletin.importing import MAX_FILE_BYTES, ImportFailure, parse
from bulletin.models import Article, Section
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR) / "portal" / "demo" / "four-environments.txt"
SAMPLE_TITLE = (
    'Strive to create "four environments" and build a harmonious relationship '
    "between the police and the people"
)

CHINESE = (
    "笑话集网站 - 公告头条 - 市博物馆举办书法展览\n"
    "\n"
    "市博物馆举办书法展览\n"
    "\n"
    "本周六，市博物馆将举办一场书法展览，展出近百件名家作品，欢迎广大市民前来参观。\n"
    "\n"
    "展览免费开放，持续到下个月底。\n"
)
WESTERN = (
    "Joke Collection Website - Bulletin headlines - Café opens\n"
    "\n"
    "Café opens\n"
    "\n"
    "The café’s “naïve” owner — a résumé.\n"
    "\n"
    "Second paragraph.\n"
)
POLISH = (
    "Strona - Wiadomości - Wystawa kaligrafii w Łodzi\n\nWystawa kaligrafii w Łodzi\n\n"
    "W tę sobotę w muzeum miejskim zostanie otwarta wystawa kaligrafii. "
    "Wstęp wolny, zapraszamy serdecznie.\n"
)
RUSSIAN = (
    "Сайт - Новости - Выставка каллиграфии\n\nВыставка каллиграфии\n\n"
    "В эту субботу в городском музее откроется выставка каллиграфии. Вход свободный.\n"
)
TRADITIONAL_CHINESE = (
    "笑話集網站 - 公告頭條 - 市博物館舉辦書法展覽\n\n市博物館舉辦書法展覽\n\n"
    "本週六，市博物館將舉辦一場書法展覽，展出近百件名家作品，歡迎廣大市民前來參觀。\n"
)


def article_text(title="A headline", section="Bulletin headlines", paragraphs=("Some text.",)):
    header = f"Joke Collection Website - {section} - {title}"
    return "\n\n".join([header, title, *paragraphs]) + "\n"


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def run(*args):
    """Run the command; return (stdout, stderr, the CommandError or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


# parse()


def test_parse_reads_the_sample():
    parsed = parse(SAMPLE.read_bytes())
    assert parsed.site == "Joke Collection Website"
    assert parsed.section == "Bulletin headlines"
    assert parsed.title == SAMPLE_TITLE
    assert len(parsed.paragraphs) == 9
    assert parsed.paragraphs[0].startswith("Public security organs have extensive contacts")
    assert parsed.paragraphs[-1].startswith("The people are the most direct")
    assert re.fullmatch(r"[0-9a-f]{64}", parsed.checksum)


def test_parse_drops_the_title_line_that_repeats_the_header():
    parsed = parse(article_text(title="Same", paragraphs=["One.", "Two."]).encode())
    assert parsed.title == "Same"
    assert parsed.paragraphs == ["One.", "Two."]


def test_parse_keeps_a_second_line_that_is_not_the_title_as_a_paragraph():
    parsed = parse(b"Site - Section - Title\n\nNot the title\n\nBody.\n")
    assert parsed.title == "Title"
    assert parsed.paragraphs == ["Not the title", "Body."]


def test_parse_joins_the_lines_of_a_paragraph_and_ignores_extra_blank_lines():
    data = b"\n\n  \nSite - Section - Title\n\n\nTitle\n\nfirst line\n  second line  \n\n\n\nnext\n"
    parsed = parse(data)
    assert parsed.paragraphs == ["first line second line", "next"]


def test_parse_keeps_dashes_in_the_title():
    parsed = parse(article_text(title="Police - people: a harmonious relationship").encode())
    assert parsed.section == "Bulletin headlines"
    assert parsed.title == "Police - people: a harmonious relationship"
    assert parsed.paragraphs == ["Some text."]


def test_body_html_is_escaped_paragraphs():
    parsed = parse(
        article_text(paragraphs=["<script>alert(1)</script> & <b>x</b>", "Two"]).encode()
    )
    assert parsed.body_html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;</p>\n<p>Two</p>"
    )


def test_summary_is_the_first_paragraph_cut_at_a_word():
    short = parse(article_text(paragraphs=["Short first.", "Second."]).encode())
    assert short.summary == "Short first."
    long_paragraph = " ".join(["word"] * 100)
    long = parse(article_text(paragraphs=[long_paragraph]).encode())
    assert len(long.summary) <= 300
    assert long.summary.endswith("word…")


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["windows", "old-mac"])
def test_line_endings_do_not_change_the_result(ending):
    unix = parse(SAMPLE.read_bytes())
    other = parse(SAMPLE.read_bytes().replace(b"\n", ending.encode()))
    assert other == unix
    assert not any("\r" in p for p in other.paragraphs)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "gbk", "gb18030"])
def test_the_checksum_does_not_depend_on_the_encoding(encoding):
    assert parse(CHINESE.encode(encoding)).checksum == parse(CHINESE.encode()).checksum


def test_the_checksum_changes_with_the_content():
    first = parse(article_text(paragraphs=["One."]).encode())
    second = parse(article_text(paragraphs=["One!"]).encode())
    assert first.checksum != second.checksum


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (CHINESE, "gbk"),
        (CHINESE, "gb18030"),
        (CHINESE.replace("书法", "𠀀书法"), "gb18030"),  # outside GBK
        ("站 - 公告 - 笑话\n\n笑话\n\n好笑。\n", "gbk"),  # short: easily taken for Thai
        (CHINESE, "utf-16"),
        (CHINESE, "utf-16-le"),
        (CHINESE, "utf-16-be"),
        (CHINESE, "utf-8-sig"),
        (WESTERN, "cp1252"),
        ("A - B - Naïve\n\nNaïve\n\nSo naïve.\n", "cp1252"),  # short: easily taken for cp1250
        (WESTERN, "utf-8"),
        # Other legacy encodings are still recognised, not forced into the preferred ones.
        (POLISH, "cp1250"),
        (RUSSIAN, "cp1251"),
        (TRADITIONAL_CHINESE, "big5"),
    ],
    ids=[
        "gbk",
        "gb18030",
        "gb18030-only",
        "gbk-short",
        "utf-16-bom",
        "utf-16-le-bom",
        "utf-16-be-bom",
        "utf-8-bom",
        "cp1252",
        "cp1252-short",
        "utf-8",
        "cp1250",
        "cp1251",
        "big5",
    ],
)
def test_parse_decodes_the_encodings_files_come_in(text, encoding):
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        data = bom + data
    parsed = parse(data)
    header = text.split("\n", 1)[0].split(" - ", 2)
    assert [parsed.site, parsed.section, parsed.title] == header
    assert parsed.paragraphs == [p.strip() for p in text.split("\n\n")[2:]]
    assert "\ufeff" not in parsed.site


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"\n \n\t\n", "file is empty"),
        (b"Just some text\n\nwithout a header\n", "first line is not a header"),
        (b"Site - Title only\n\nTitle only\n\nText.\n", "first line is not a header"),
        (b"Site -  - Title\n\nTitle\n\nText.\n", "first line is not a header"),
        (b"Site - Section - Title\n", "no paragraphs"),
        (b"Site - Section - Title\n\nTitle\n\n\n", "no paragraphs"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "binary"),
        (b"Site - Section - Title\n\nTi\x00tle\n", "binary"),
        (codecs.BOM_UTF8 + b"Site - Section - Title\n\n\xff\xfe\xfd\n", "encoding"),
        (codecs.BOM_UTF16_LE + b"S\x00i\x00t", "encoding"),  # odd number of bytes
        (codecs.BOM_UTF16_LE + b"\x00\xd8\x00\x00", "encoding"),  # lone surrogate
        (article_text(title="T" * 201).encode(), "too long"),
        (article_text(section="S" * 101).encode(), "too long"),
        (("S" * 201 + " - Section - Title\n\nTitle\n\nText.\n").encode(), "too long"),
        (b"Site - Section - Title\n\n" + b"x" * MAX_FILE_BYTES, "larger than 5 MB"),
    ],
    ids=[
        "empty",
        "blank-lines",
        "no-header",
        "two-part-header",
        "empty-header-part",
        "header-only",
        "header-and-title-only",
        "png",
        "nul-byte",
        "bad-utf-8-after-bom",
        "truncated-utf-16",
        "broken-utf-16",
        "title-too-long",
        "section-too-long",
        "site-too-long",
        "too-large",
    ],
)
def test_parse_refuses_what_is_not_an_article(data, message):
    with pytest.raises(ImportFailure, match=message):
        parse(data)


# The command


def test_the_sample_is_imported_as_a_draft_with_a_new_section(tmp_path):
    out, err, error = run(SAMPLE)
    assert error is None
    assert err == ""
    article = Article.objects.get()
    assert article.title == SAMPLE_TITLE
    assert article.section.name == "Bulletin headlines"
    assert article.section.slug == "bulletin-headlines"
    assert article.status == Article.Status.DRAFT
    assert article.publish_at is None
    assert not Article.objects.published().exists()
    assert article.source_name == "Joke Collection Website"
    assert article.source_file == "four-environments.txt"
    assert len(article.source_checksum) == 64
    assert article.body.count("<p>") == 9
    assert article.body.startswith("<p>Public security organs have extensive contacts")
    assert article.summary.startswith("Public security organs")
    assert len(article.summary) <= 300
    assert "imported" in out
    assert "as draft" in out
    assert "new section “Bulletin headlines”" in out
    assert "1 file(s): 1 imported, 0 unchanged, 0 skipped, 0 failed." in out


def test_an_existing_section_is_used_whatever_its_case(tmp_path):
    section = SectionFactory(name="Bulletin Headlines")
    out, _, error = run(SAMPLE)
    assert error is None
    assert Section.objects.count() == 1
    assert Article.objects.get().section == section
    assert "new section" not in out


def test_html_in_the_text_is_stored_as_text(tmp_path):
    path = write(
        tmp_path,
        "html.txt",
        article_text(paragraphs=['<script>alert("x")</script> & <img src=x onerror=alert(1)>']),
    )
    _, _, error = run(path)
    assert error is None
    body = Article.objects.get().body
    assert body == (
        '<p>&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;</p>'
    )
    assert "<script" not in body
    assert "<img" not in body


def test_publish_publishes_now(tmp_path):
    before = timezone.now()
    out, _, error = run(SAMPLE, "--publish")
    assert error is None
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert before <= article.publish_at <= timezone.now()
    assert article.is_published
    assert list(Article.objects.published()) == [article]
    assert "as published" in out


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    run(SAMPLE)
    article = Article.objects.get()
    out, err, error = run(SAMPLE, "--publish")
    assert error is None
    assert err == ""
    assert Article.objects.count() == 1
    assert Section.objects.count() == 1
    again = Article.objects.get()
    assert again.updated_at == article.updated_at
    assert again.status == Article.Status.DRAFT
    assert "unchanged" in out
    assert "already imported" in out
    assert "0 imported, 1 unchanged" in out


def test_the_same_text_in_another_encoding_or_file_name_is_unchanged(tmp_path):
    run(write(tmp_path, "first.txt", CHINESE))
    out, _, error = run(write(tmp_path, "second.txt", CHINESE.replace("\n", "\r\n"), "gbk"))
    assert error is None
    assert Article.objects.count() == 1
    assert Article.objects.get().source_file == "first.txt"
    assert "1 unchanged" in out


def test_other_content_under_a_title_already_in_the_section_is_skipped(tmp_path):
    existing = ArticleFactory(
        title="A headline", section=SectionFactory(name="Bulletin headlines"), body="<p>Ours</p>"
    )
    out, err, error = run(write(tmp_path, "a.txt", article_text(title="A headline")))
    assert error is None
    assert err == ""
    assert Article.objects.count() == 1
    existing.refresh_from_db()
    assert existing.body == "<p>Ours</p>"
    assert "already has an article titled “A headline”" in out
    assert "1 skipped" in out


def test_dry_run_writes_nothing_and_says_what_would_happen(tmp_path):
    out, err, error = run(SAMPLE, "--dry-run", "--publish")
    assert error is None
    assert err == ""
    assert not Article.objects.exists()
    assert not Section.objects.exists()
    assert f"would import “{SAMPLE_TITLE}” as published" in out
    assert "new section “Bulletin headlines”" in out
    assert "1 would be imported" in out


def test_dry_run_reports_what_is_already_imported(tmp_path):
    run(SAMPLE)
    out, _, error = run(SAMPLE, "--dry-run")
    assert error is None
    assert Article.objects.count() == 1
    assert "already imported" in out
    assert "0 would be imported, 1 unchanged" in out


def test_dry_run_still_reports_failures(tmp_path):
    bad = write(tmp_path, "bad.txt", "no header here\n")
    out, err, error = run(SAMPLE, bad, "--dry-run")
    assert error is not None
    assert "bad.txt: failed: first line is not a header" in err
    assert not Article.objects.exists()
    assert "1 would be imported" in out


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (CHINESE, "gbk"),
        (CHINESE, "gb18030"),
        (CHINESE, "utf-16"),
        (CHINESE, "utf-8-sig"),
        (WESTERN, "cp1252"),
        (WESTERN.replace("\n", "\r\n"), "cp1252"),
        (CHINESE.replace("\n", "\r\n"), "utf-16"),
        (SAMPLE.read_text().replace("\n", "\r\n"), "utf-8"),
    ],
    ids=[
        "gbk",
        "gb18030",
        "utf-16-bom",
        "utf-8-bom",
        "cp1252",
        "cp1252-crlf",
        "utf-16-crlf",
        "sample-crlf",
    ],
)
def test_files_in_other_encodings_and_line_endings_import(tmp_path, text, encoding):
    path = write(tmp_path, "article.txt", text, encoding)
    _, err, error = run(path)
    assert error is None
    assert err == ""
    article = Article.objects.get()
    site, section, title = text.splitlines()[0].split(" - ", 2)
    assert article.title == title
    assert article.section.name == section
    assert article.source_name == site
    first_paragraph = text.replace("\r\n", "\n").split("\n\n")[2].strip()
    assert article.body.startswith(f"<p>{first_paragraph}</p>")
    assert "\r" not in article.body
    assert "\ufeff" not in article.source_name


def test_a_chinese_article_gets_a_chinese_slug(tmp_path):
    _, _, error = run(write(tmp_path, "zh.txt", CHINESE, "gbk"), "--publish")
    assert error is None
    article = Article.objects.get()
    assert article.slug == "市博物馆举办书法展览"
    assert article.section.slug == "公告头条"


def test_files_in_one_run_share_a_new_section(tmp_path):
    paths = [
        write(tmp_path, f"{n}.txt", article_text(title=f"Headline {n}", section="Local news"))
        for n in range(3)
    ]
    out, _, error = run(*paths)
    assert error is None
    assert Section.objects.get().name == "Local news"
    assert Article.objects.filter(section__name="Local news").count() == 3
    assert out.count("new section") == 1


BAD_FILES = {
    "empty": (b"", "file is empty"),
    "no-header": (b"Just a story\n\nwith no header line.\n", "first line is not a header"),
    "no-paragraphs": (b"Site - Section - Title\n\nTitle\n", "header but no paragraphs"),
    "binary": (bytes(range(256)) * 4, "binary"),
    "garbage-after-bom": (codecs.BOM_UTF16_LE + b"\x00\xd8abc", "encoding"),
}


@pytest.mark.parametrize("kind", [*BAD_FILES, "missing", "directory"])
def test_a_bad_file_fails_alone_and_the_run_fails(tmp_path, kind):
    good_before = write(tmp_path, "good-1.txt", article_text(title="First good"))
    good_after = write(tmp_path, "good-2.txt", article_text(title="Second good"))
    bad = tmp_path / "bad.txt"
    if kind == "directory":
        bad.mkdir()
        message = "cannot read the file"
    elif kind == "missing":
        message = "cannot read the file (No such file or directory)"
    else:
        data, message = BAD_FILES[kind]
        bad.write_bytes(data)

    out, err, error = run(good_before, bad, good_after)

    assert isinstance(error, CommandError)
    assert str(error) == "1 of 3 file(s) could not be imported."
    assert f"[2/3] {bad}: failed: " in err
    assert message in err
    assert err.count("failed") == 1
    assert "Traceback" not in err
    assert sorted(Article.objects.values_list("title", flat=True)) == ["First good", "Second good"]
    assert "3 file(s): 2 imported, 0 unchanged, 0 skipped, 1 failed." in out


def test_a_site_name_too_long_for_the_database_is_a_clear_failure(tmp_path):
    path = write(tmp_path, "long.txt", "S" * 300 + " - Section - Title\n\nTitle\n\nText.\n")
    _, err, error = run(path)
    assert error is not None
    assert "too long" in err
    assert not Article.objects.exists()
    assert not Section.objects.exists()


def test_many_files_show_progress(tmp_path):
    paths = [
        write(tmp_path, f"article-{n}.txt", article_text(title=f"Headline {n}")) for n in range(12)
    ]
    out, err, error = run(*paths)
    assert error is None
    assert err == ""
    for number, path in enumerate(paths, start=1):
        assert f"[{number}/12] {path}: imported" in out
    assert Article.objects.count() == 12
    assert "12 file(s): 12 imported" in out


def test_one_file_has_no_progress_counter(tmp_path):
    out, _, error = run(SAMPLE)
    assert error is None
    assert "[1/1]" not in out
    assert out.startswith(f"{SAMPLE}: ")


def test_a_failed_run_exits_non_zero(tmp_path, capsys, monkeypatch):
    # The command line closes every database connection when the command ends, which
    # would close the test's own transaction under it (PostgreSQL notices).
    monkeypatch.setattr(connections, "close_all", lambda: None)
    bad = write(tmp_path, "bad.txt", b"")
    utility = ManagementUtility(["manage.py", "import_articles", str(SAMPLE), str(bad)])
    with pytest.raises(SystemExit) as exit_info:
        utility.execute()
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "bad.txt: failed: file is empty" in captured.err
    assert "CommandError: 1 of 2 file(s) could not be imported." in captured.err
    assert Article.objects.count() == 1


def test_a_run_without_files_is_refused():
    with pytest.raises(CommandError, match="FILE"):
        call_command("import_articles", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_given_encoding_is_used_and_a_guess_is_named(tmp_path):
    path = tmp_path / "short-latin1.txt"
    path.write_bytes(
        "Old site - Food - Crème brûlée\n\nCrème brûlée\n\nTrès bon.\n".encode("cp1252")
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", str(path), "--dry-run", stdout=out, stderr=err)
    assert "(read as " in out.getvalue()  # a guess is shown, so a wrong one can be seen

    call_command("import_articles", str(path), "--encoding", "cp1252", stdout=out, stderr=err)
    article = Article.objects.get()
    assert article.title == "Crème brûlée"
    assert "Très bon." in article.body


def test_an_unknown_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"Site - Section - Title\n\nTitle\n\nBody.\n")
    with pytest.raises(CommandError, match="unknown encoding: klingon"):
        call_command("import_articles", str(path), "--encoding", "klingon", stdout=io.StringIO())
    assert not Article.objects.exists()


def test_a_file_that_is_not_in_the_given_encoding_fails_alone(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("Site - Section - Title\n\nTitle\n\n中文\n".encode())
    with pytest.raises(CommandError):
        call_command(
            "import_articles",
            str(bad),
            "--encoding",
            "ascii",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Article.objects.exists()
