"""`manage.py backup` and `manage.py restore` (portal/backups.py).

A populated database is backed up, emptied back to what `migrate` leaves in a new
database (the staff groups, the site, content types and permissions; sequences
restarted), and restored: everything must come back equal, searchable, with media,
and new rows must not clash with restored ids. Each test runs in the test's own
transaction, where the restore's transaction is a savepoint.
"""

import gzip
import hashlib
import io
import json
import shutil
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
import reversion
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sites.models import Site
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, ManagementUtility, call_command
from django.core.management.color import no_style
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from bulletin.models import Article, PreviewLink
from bulletin.services import keep_old_url
from jokes.models import Joke, JokeOfTheDay, Report, Vote
from portal import backups, search
from portal.models import Contribution
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ContributionFactory,
    JokeFactory,
    PreviewLinkFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEEDED_GROUPS = ["Authors", "Editors", "Moderators"]


# Helpers


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def snapshot():
    """Every backed-up row (natural foreign keys, without the derived search vectors)
    and every media file."""
    rows = {}
    for model in backups.backed_up_models():
        found = serializers.serialize(
            "python", model._base_manager.order_by("pk"), use_natural_foreign_keys=True
        )
        for row in found:
            row["fields"].pop("search_vector", None)
        rows[model._meta.label_lower] = found
    media = {}
    for name in backups.media_names():
        with default_storage.open(name, "rb") as stream:
            media[name] = stream.read()
    return rows, media


def empty_database(media_root, seeds):
    """What a freshly migrated database holds: the groups the role migrations make (with
    their permissions as in `seeds`), the site, content types, permissions. Sequences
    restart, as in a new database, so that restored ids collide unless reset."""
    Group.objects.exclude(name__in=SEEDED_GROUPS).delete()
    for name, permissions in seeds.items():
        Group.objects.get(name=name).permissions.set(permissions)
    keep = {Group._meta.db_table, Group.permissions.through._meta.db_table, Site._meta.db_table}
    tables = set()
    for model in backups.backed_up_models():
        tables.add(model._meta.db_table)
        for f in model._meta.local_many_to_many:
            if f.remote_field.through._meta.auto_created:
                tables.add(f.remote_field.through._meta.db_table)
    connection.check_constraints()  # PostgreSQL: no TRUNCATE with deferred checks pending
    statements = connection.ops.sql_flush(no_style(), sorted(tables - keep), reset_sequences=True)
    connection.ops.execute_sql_flush(statements)
    shutil.rmtree(media_root, ignore_errors=True)
    assert backups.existing_content() == {}


def group_seeds():
    return {
        group.name: list(group.permissions.all())
        for group in Group.objects.filter(name__in=SEEDED_GROUPS)
    }


def manage(monkeypatch, capsys, *argv):
    """Run a command as `manage.py` does (exit code, stdout, stderr), but without its
    django.setup() (which would tie logging to this test's captured stderr) and without
    closing the database connections at the end (they hold the test's transaction)."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    try:
        ManagementUtility(["manage.py"]).fetch_command(argv[0]).run_from_argv(["manage.py", *argv])
        code = 0
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(result, *words):
    code, out, err = result
    assert code != 0
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("CommandError: ")
    for word in words:
        assert word in lines[0], lines[0]


def backup(tmp_path):
    path, manifest = backups.create(tmp_path / "backups")
    return path, manifest


def members(path):
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def write_archive(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def rewrite(source, target, *, data=None, manifest=None, extra=None):
    """A copy of a real archive with its data and/or manifest edited; the manifest's
    checksum of the data follows the edit (so only what the test means is wrong)."""
    files = members(source)
    rows = json.loads(files["data.json"])
    if data:
        data(rows)
        files["data.json"] = json.dumps(rows).encode()
    listed = json.loads(files["manifest.json"])
    listed["data"]["size"] = len(files["data.json"])
    listed["data"]["sha256"] = hashlib.sha256(files["data.json"]).hexdigest()
    if manifest:
        manifest(listed)
    files["manifest.json"] = json.dumps(listed).encode()
    files.update(extra or {})
    return write_archive(target, files)


# Content


@pytest.fixture
def seeds(db):
    return group_seeds()


@pytest.fixture
def site_content(seeds, client, media_root):
    """Some of everything the site stores, and an image uploaded through the editor."""
    editor = UserFactory(username="editor-ü", is_staff=True, first_name="Édith")
    editor.groups.add(Group.objects.get(name="Editors"))
    moderator = UserFactory(username="moderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    UserFactory(username="root", is_staff=True, is_superuser=True)
    # Roles changed by an administrator, and a role of their own.
    translators = Group.objects.create(name="Translators")
    translators.permissions.add(Permission.objects.get(codename="change_article"))
    Group.objects.get(name="Moderators").permissions.add(
        Permission.objects.get(codename="view_article")
    )
    helper = UserFactory(username="helper", is_staff=True)
    helper.groups.add(translators)
    helper.user_permissions.add(Permission.objects.get(codename="view_tag"))

    client.force_login(editor)
    client.cookies["ckCsrfToken"] = "token"
    uploaded = client.post(
        reverse("ckeditor_upload"),
        {"ckCsrfToken": "token", "upload": SimpleUploadedFile("photo.png", png_bytes())},
    )
    assert uploaded.status_code == 200, uploaded.content
    image_url = uploaded.json()["url"]
    default_storage.save("uploads/ünïcode/notes.txt", ContentFile(b"kept as it is\n"))

    news = SectionFactory(name="Local news")
    SectionFactory(name="Empty section")
    with reversion.create_revision():
        lighthouse = ArticleFactory(
            title="Lighthouse keeper retires",
            section=news,
            author=editor,
            body=f'<p>The zeppelinharbour keeper.</p><p><img src="{image_url}" alt="x"></p>',
            tags=["sea", "people"],
        )
        reversion.set_user(editor)
        reversion.set_comment("First version")
    with reversion.create_revision():
        lighthouse.summary = "Forty years at the lighthouse."
        lighthouse.save()
        reversion.set_user(editor)
    ArticleFactory(title="Ünïcode 标题 headline", section=news, tags=["people"])
    draft = ArticleFactory(title="Draft about quokkas", section=news, draft=True)
    PreviewLinkFactory(article=draft, created_by=editor)
    keep_old_url("/bulletin/old-news/lighthouse/", lighthouse.get_absolute_url())
    Redirect.objects.create(site_id=1, old_path="/gone/", new_path="")
    ArticleFactory(scheduled=True, section=news, title="Tomorrow's headline")

    puns = CategoryFactory(name="Puns")
    CategoryFactory(name="Unused category")
    joke = JokeFactory(
        category=puns, title="Wombat", text="Why did the wombat cross?\nXylophonic.", tags=["sea"]
    )
    other = JokeFactory(category=puns, nsfw=True, author=editor)
    JokeFactory(pending=True, category=puns, similar_to=joke)
    joke.vote("visitor-1", 1)
    joke.vote("visitor-2", -1)
    other.vote("visitor-1", 1)
    joke.report("visitor-3", Report.Reason.OFFENSIVE, "Details", client="client-3")
    other.report("visitor-4", Report.Reason.OTHER, client="client-4")
    Report.objects.filter(reporter="visitor-4").update(
        resolved_at=timezone.now(), resolved_by=moderator
    )
    assert JokeOfTheDay.for_date(timezone.localdate()) is not None
    JokeOfTheDay.objects.create(date=timezone.localdate() - timedelta(days=1), joke=other)

    ContributionFactory(section=news, title="A visitor's story")
    approved = ContributionFactory(section=news, title="Approved story")
    approved.approve(by=moderator)
    rejected = ContributionFactory(section=news)
    rejected.reject(by=moderator, reason="Not news.")
    LogEntry.objects.create(
        user=moderator,
        content_type=ContentType.objects.get_for_model(Contribution),
        object_id=str(approved.pk),
        object_repr=str(approved),
        action_flag=CHANGE,
        change_message="Approved",
    )
    session = SessionStore()
    session["x"] = 1
    session.create()
    return {"image_url": image_url, "lighthouse": lighthouse, "joke": joke}


def test_round_trip_restores_everything_equal_searchable_and_with_fresh_ids(
    site_content, seeds, tmp_path, media_root, client
):
    before = snapshot()
    for label in [
        "auth.user", "auth.group", "sites.site", "bulletin.section", "bulletin.article",
        "bulletin.previewlink", "bulletin.taggedarticle", "taggit.tag", "redirects.redirect",
        "jokes.category", "jokes.joke", "jokes.taggedjoke", "jokes.vote", "jokes.report",
        "jokes.jokeoftheday", "portal.contribution", "reversion.revision", "reversion.version",
        "admin.logentry",
    ]:  # fmt: skip
        assert before[0][label], f"the test content has no {label}"
    assert len(before[1]) == 2
    path, manifest = backup(tmp_path)

    empty_database(media_root, seeds)
    assert search.find("zeppelinharbour").hits == []
    assert Article.objects.count() == 0 and not media_root.exists()

    call_command("restore", str(path), stdout=io.StringIO())

    after = snapshot()
    assert after[1] == before[1]  # media, byte for byte
    for label, rows in before[0].items():
        assert after[0][label] == rows, label
    assert backups.existing_content() == {
        label: n
        for label, n in manifest["counts"].items()
        if n and label not in backups.SEEDED_BY_MIGRATE
    }

    # Searchable: the triggers indexed what loaddata inserted.
    found = search.find("zeppelinharbour")
    assert [(hit.kind, hit.pk) for hit in found.hits] == [
        ("article", site_content["lighthouse"].pk)
    ]
    assert [hit.pk for hit in search.find("xylophonic").hits] == [site_content["joke"].pk]
    response = client.get(reverse("portal:search"), {"q": "lighthouse keeper"})
    assert response.status_code == 200
    assert [hit.object for hit in response.context["hits"]] == [site_content["lighthouse"]]
    assert {
        label: rows == indexed for label, (rows, indexed) in backups.search_index_state().items()
    } == {
        "bulletin.article": True,
        "jokes.joke": True,
    }

    # The site works on the restored data: pages, the image, the old address.
    lighthouse = site_content["lighthouse"]
    assert client.get(lighthouse.get_absolute_url()).status_code == 200
    assert client.get("/bulletin/old-news/lighthouse/").status_code == 301
    assert default_storage.exists(site_content["image_url"].removeprefix("/media/"))

    # New rows take ids after the restored ones (PostgreSQL's sequences were reset).
    editor = Group.objects.get(name="Editors").user_set.get()
    with reversion.create_revision():
        article = ArticleFactory(section=lighthouse.section, tags=["brand-new"])
        reversion.set_user(editor)
    joke = JokeFactory(category=site_content["joke"].category)
    joke.vote("visitor-9", 1)
    joke.report("visitor-9", Report.Reason.OTHER, client="c")
    new = [
        article,
        joke,
        UserFactory(username="newcomer"),
        Group.objects.create(name="Newcomers"),
        PreviewLink.objects.create(article=article),
        ContributionFactory(section=lighthouse.section),
        Redirect.objects.create(site_id=1, old_path="/new/", new_path="/"),
        Vote.objects.get(voter="visitor-9"),
    ]
    for obj in new:
        restored = [row["pk"] for row in before[0][obj._meta.label_lower]]
        assert obj.pk > max(restored, default=0), obj._meta.label


def test_the_archive_holds_a_manifest_the_data_and_the_media(site_content, tmp_path):
    path, manifest = backup(tmp_path)
    assert path.parent == tmp_path / "backups" and path.name.endswith(".tar.gz")
    assert path.stat().st_mode & 0o777 == 0o600  # password hashes and e-mails inside
    files = members(path)
    assert set(files) == {
        "manifest.json",
        "data.json",
        "media/uploads/ünïcode/notes.txt",
        "media/" + site_content["image_url"].removeprefix("/media/"),
    }
    assert json.loads(files["manifest.json"]) == manifest
    assert manifest["format"] == "jokesite-backup" and manifest["version"] == 1
    assert manifest["database"] == connection.vendor
    assert manifest["django_version"].startswith("5.2")
    assert "0005_search_index" in manifest["migrations"]["portal"]
    assert manifest["counts"]["jokes.joke"] == Joke.objects.count() == 3
    assert manifest["counts"]["jokes.vote"] == 3
    assert manifest["links"]["auth.group.permissions"] == Group.permissions.through.objects.count()
    assert manifest["links"]["auth.user.groups"] == 3
    assert manifest["data"]["sha256"] == hashlib.sha256(files["data.json"]).hexdigest()

    rows = json.loads(files["data.json"])
    models = {row["model"] for row in rows}
    assert not models & {"contenttypes.contenttype", "auth.permission", "sessions.session"}
    assert "admin.logentry" in models and "reversion.version" in models
    assert not any("search_vector" in row["fields"] for row in rows)
    # Content types and permissions, whose ids differ between databases, go by name.
    helper = next(
        r for r in rows if r["model"] == "auth.user" and r["fields"]["username"] == "helper"
    )
    assert helper["fields"]["user_permissions"] == [["view_tag", "taggit", "tag"]]
    assert helper["fields"]["groups"] == [["Translators"]]


def test_the_command_line(site_content, tmp_path, monkeypatch, capsys, media_root, seeds):
    target = tmp_path / "nightly" / "site.tar.gz"
    code, out, err = manage(monkeypatch, capsys, "backup", "--output", str(target))
    assert code == 0, err
    assert out.strip().splitlines()[-1] == str(target)
    # Never overwrites a file.
    assert_refused(manage(monkeypatch, capsys, "backup", "-o", str(target)), "already exists")
    assert_refused(manage(monkeypatch, capsys, "restore", str(target)), "already holds content")

    empty_database(media_root, seeds)
    code, out, err = manage(monkeypatch, capsys, "restore", "--check", str(target))
    assert code == 0 and "can be restored" in out
    assert Article.objects.count() == 0  # --check changes nothing
    code, out, err = manage(monkeypatch, capsys, "restore", str(target))
    assert code == 0, err
    assert "every count matches the manifest" in out
    assert Article.objects.count() == 5


def test_force_replaces_what_the_database_holds(site_content, tmp_path, monkeypatch):
    before = snapshot()
    path, _ = backup(tmp_path)
    Article.objects.filter(title__startswith="Draft").delete()
    JokeFactory(text="A joke written after the backup, to be replaced.")
    default_storage.save("uploads/after.txt", ContentFile(b"after"))
    Group.objects.get(name="Translators").delete()

    # Asked first; anything but "yes" changes nothing.
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(path), force=True, stdout=io.StringIO())
    assert Joke.objects.count() == 4

    call_command("restore", str(path), force=True, interactive=False, stdout=io.StringIO())
    rows, media = snapshot()
    assert rows == before[0]
    # Files the backup does not know are left alone; its own are back.
    assert media == {**before[1], "uploads/after.txt": b"after"}


# Refusals: a clear one-line message, a non-zero exit, no traceback, nothing changed


@pytest.fixture
def made(site_content, tmp_path, media_root, seeds):
    """A real archive of the content, and the database emptied as after `migrate`."""
    path, manifest = backup(tmp_path)
    empty_database(media_root, seeds)
    return path


def assert_nothing_restored(media_root, case=""):
    assert backups.existing_content() == {}, case
    assert sorted(Group.objects.values_list("name", flat=True)) == SEEDED_GROUPS, case
    assert not media_root.exists() or not any(media_root.rglob("*.*")), case


def test_a_missing_file_is_refused(db, monkeypatch, capsys, tmp_path):
    assert_refused(
        manage(monkeypatch, capsys, "restore", str(tmp_path / "nope.tar.gz")), "No such file"
    )
    assert_refused(manage(monkeypatch, capsys, "restore", str(tmp_path)), "is not a file")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"just some text, not an archive",
        gzip.compress(b"a gzip file that holds no tar"),
        b"\x1f\x8b\x08\x00" + b"\x00" * 40,  # a gzip header and nothing sound after it
    ],
    ids=["empty", "text", "gzip-not-tar", "broken-gzip"],
)
def test_a_file_that_is_no_archive_is_refused(db, monkeypatch, capsys, tmp_path, content):
    path = tmp_path / "backup.tar.gz"
    path.write_bytes(content)
    assert_refused(manage(monkeypatch, capsys, "restore", str(path)), "not a readable backup")


def test_a_truncated_archive_is_refused_and_nothing_restored(
    made, monkeypatch, capsys, tmp_path, media_root
):
    cut = tmp_path / "cut.tar.gz"
    data = made.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert_refused(manage(monkeypatch, capsys, "restore", str(cut)), "not a readable backup")
    assert_nothing_restored(media_root)


def damaged_archives(made, tmp_path):
    def bump_articles(manifest):
        manifest["counts"]["bulletin.article"] += 1

    def dangling_section(rows):
        for row in rows:
            if row["model"] == "bulletin.article":
                row["fields"]["section"] = 987654

    def other_migrations(manifest):
        manifest["migrations"]["portal"].append("0099_from_the_future")

    files = members(made)
    return {
        "no manifest": (
            write_archive(tmp_path / "a.tar.gz", {"data.json": files["data.json"]}),
            "no manifest.json",
        ),
        "other format": (
            rewrite(made, tmp_path / "b.tar.gz", manifest=lambda m: m.update(format="other")),
            "not one of this site's backups",
        ),
        "newer version": (
            rewrite(made, tmp_path / "c.tar.gz", manifest=lambda m: m.update(version=2)),
            "format version 2",
        ),
        "tampered data": (
            write_archive(tmp_path / "d.tar.gz", {**files, "data.json": files["data.json"] + b" "}),
            "data.json is damaged",
        ),
        "escaping media": (
            rewrite(made, tmp_path / "e.tar.gz", extra={"media/../../outside.txt": b"x"}),
            "unexpected member",
        ),
        "unlisted media": (
            rewrite(made, tmp_path / "f.tar.gz", extra={"media/extra.txt": b"x"}),
            "differ from its manifest",
        ),
        "other migrations": (
            rewrite(made, tmp_path / "g.tar.gz", manifest=other_migrations),
            "other migrations",
        ),
        # These two load, then fail their checks: the transaction undoes the load.
        "wrong counts": (
            rewrite(made, tmp_path / "h.tar.gz", manifest=bump_articles),
            "bulletin.article: 5 instead of 6",
        ),
        "broken data": (
            rewrite(made, tmp_path / "i.tar.gz", data=dangling_section),
            "could not be loaded",
        ),
    }


def test_damaged_or_foreign_archives_are_refused_and_nothing_restored(
    made, monkeypatch, capsys, tmp_path, media_root
):
    for case, (path, words) in damaged_archives(made, tmp_path).items():
        result = manage(monkeypatch, capsys, "restore", str(path))
        assert_refused(result, words)
        assert_nothing_restored(media_root, case)
    # The real one still restores after all that.
    assert manage(monkeypatch, capsys, "restore", str(made))[0] == 0
    assert Article.objects.count() == 5


def test_a_failed_restore_takes_back_the_media_it_wrote(made, tmp_path, media_root, monkeypatch):
    default_storage.save("uploads/ünïcode/notes.txt", ContentFile(b"a different file"))

    def fail_after_media(*args, **kwargs):
        raise RuntimeError("disk full")

    write = backups._MediaWriter.write

    def write_then_fail(self, *args):
        write(self, *args)
        fail_after_media()

    monkeypatch.setattr(backups._MediaWriter, "write", write_then_fail)
    with pytest.raises(CommandError, match="changed nothing: disk full"):
        call_command("restore", str(made), stdout=io.StringIO())
    assert backups.existing_content() == {}
    assert [p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file()] == [
        "uploads/ünïcode/notes.txt"
    ]
    assert Path(media_root / "uploads/ünïcode/notes.txt").read_bytes() == b"a different file"


def test_a_backup_never_overwrites_or_writes_into_a_file(db, monkeypatch, capsys, tmp_path):
    existing = tmp_path / "taken.tar.gz"
    existing.write_bytes(b"precious")
    assert_refused(manage(monkeypatch, capsys, "backup", "-o", str(existing)), "already exists")
    assert existing.read_bytes() == b"precious"
    plain = tmp_path / "plain-file"
    plain.write_text("x")
    assert_refused(manage(monkeypatch, capsys, "backup", "-o", str(plain)), "is a file")
