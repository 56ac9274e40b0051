"""Back up the whole site into one archive, and restore it into an empty database.

The archive is a gzipped tar with three parts:

- `manifest.json`: when and by what it was made (Django version, database, the
  applied migrations), how many rows of each model and links of each many-to-many
  field it holds, and the size and SHA-256 of every other member;
- `data.json`: a fixture of every model as `dumpdata` writes it (Django's serializers,
  natural foreign keys so that content types and permissions, recreated by `migrate`
  with ids that differ between databases, are referred to by name), but with exact
  times; primary keys are kept, because revisions, the admin log and links refer to
  rows by id. `loaddata` reads it;
- `media/...`: every file of the default storage (MEDIA_ROOT), read and written
  through the storage API so that an S3-compatible storage is backed up the same way.

Restoring checks the whole archive before touching the database, then, in one
transaction, empties what the backup replaces, loads the data with `loaddata`
(the search index's triggers fire on its inserts), checks the counts and the search
index against the manifest, and writes the media files; any failure rolls all of it
back and removes the files it wrote.
"""

import datetime
import hashlib
import json
import os
import platform
import posixpath
import shutil
import tarfile
import tempfile
import zlib
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC
from io import StringIO
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "jokesite-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA_PREFIX = "media/"
SUFFIXES = (".tar.gz", ".tgz")

# What a backup leaves out, and why. Everything else in the database is backed up.
EXCLUDED = {
    "contenttypes": "recreated by migrate; referred to by natural key",
    "auth.permission": "recreated by migrate; referred to by natural key",
    "sessions": "log-ins to this server: they are not carried to another one",
    "axes": "log-in attempts, lock-outs and access logs: this server's security records",
}
# Rows that `migrate` itself writes into a new database (the staff groups from the
# role migrations, the site from portal.apps.sync_site): present in an "empty"
# database, replaced by the backup's.
SEEDED_BY_MIGRATE = {"auth.group", "sites.site"}
CHUNK = 1024 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
BATCH = 2000  # rows serialised at a time


class BackupError(Exception):
    """Something the operator must fix; the message says what (no traceback)."""


def _excluded(model) -> bool:
    label = model._meta.label_lower
    return label in EXCLUDED or model._meta.app_label in EXCLUDED


def backed_up_models(using=DEFAULT_DB_ALIAS):
    """The concrete models a backup holds, as dumpdata sees them."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and not _excluded(model)
        and router.allow_migrate_model(using, model)
    ]


def _link_fields(model):
    """The many-to-many fields dumpdata writes inside the model's rows (those with an
    automatic through table; taggit's tags are their own models)."""
    return [
        f
        for f in model._meta.local_many_to_many
        if f.serialize and f.remote_field.through._meta.auto_created
    ]


def _search_vector_fields(model):
    return {f.name for f in model._meta.local_fields if isinstance(f, SearchVectorField)}


def applied_migrations(using=DEFAULT_DB_ALIAS) -> dict:
    recorded = MigrationRecorder(connections[using]).applied_migrations()
    state = {}
    for app_label, name in sorted(recorded):
        state.setdefault(app_label, []).append(name)
    return state


def pending_migrations(using=DEFAULT_DB_ALIAS) -> list:
    executor = MigrationExecutor(connections[using])
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def plural(label: str, count: int) -> str:
    try:
        opts = apps.get_model(label)._meta
        name = opts.verbose_name if count == 1 else opts.verbose_name_plural
    except LookupError:
        name = label
    return f"{count} {name}"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# Media, through the storage API


def media_names(storage=None):
    """Every file name in the storage, sorted (empty when MEDIA_ROOT does not exist)."""
    storage = storage or default_storage

    def walk(directory):
        try:
            dirs, files = storage.listdir(directory)
        except FileNotFoundError:
            return
        for name in files:
            yield posixpath.join(directory, name) if directory else name
        for name in dirs:
            yield from walk(posixpath.join(directory, name) if directory else name)

    return sorted(walk(""))


def safe_media_name(name: str) -> bool:
    """A relative path inside the storage: no absolute path, no "..", nothing odd."""
    return (
        bool(name)
        and "\x00" not in name
        and "\\" not in name
        and not name.startswith("/")
        and posixpath.normpath(name) == name
        and not any(part in ("", ".", "..") for part in name.split("/"))
    )


# Backing up


def default_archive_name(now=None) -> str:
    now = now or timezone.now()
    return f"backup-{now.astimezone(UTC):%Y%m%d-%H%M%S}.tar.gz"


def archive_path(output) -> Path:
    """Where to write: `output` itself when it names a .tar.gz file (never an existing
    one), else a new dated file inside the directory `output`."""
    output = Path(output or "backups").expanduser()
    if output.name.endswith(SUFFIXES) and not output.is_dir():
        if output.exists():
            raise BackupError(f"{output} already exists; a backup never overwrites a file.")
        _make_directory(output.parent)
        return output
    if output.exists() and not output.is_dir():
        raise BackupError(f"{output} is a file; give a directory or a name ending in .tar.gz.")
    _make_directory(output)
    path = output / default_archive_name()
    n = 2
    while path.exists():
        path = output / default_archive_name().replace(".tar.gz", f"-{n}.tar.gz")
        n += 1
    return path


def _make_directory(directory: Path):
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create the directory {directory}: {error.strerror}.") from None


@contextmanager
def _snapshot(using):
    """One consistent view of the database for the whole dump (it reads each model
    with its own query; writers may commit in between)."""
    connection = connections[using]
    if connection.in_atomic_block:  # already inside a transaction: its view it is
        yield
        return
    connection.ensure_connection()
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but times keep their microseconds: it cuts them to
    milliseconds (ECMA-262), so a plain dumpdata moves every timestamp a little and
    can reorder rows made in the same millisecond. loaddata reads either form."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time) and o.microsecond:
            return o.isoformat()
        return super().default(o)


def _ordered_models(using):
    """The backed-up models in the order dumpdata writes them: what natural keys refer
    to first."""
    by_app = {}
    for model in backed_up_models(using):
        by_app.setdefault(model._meta.app_config, []).append(model)
    return serializers.sort_dependencies(by_app.items(), allow_cycles=True)


def _dump(work: Path, using) -> tuple[Path, dict, dict]:
    """Every backed-up row, serialised as dumpdata does (Django's serializers, base
    managers, by primary key, natural foreign keys) but with exact times and without the
    search vectors (derived: the database computes them again on insert). Returns the
    data file and the counts of rows and links."""
    counts, links = {}, {}
    data = work / DATA
    written = 0
    with open(data, "w", encoding="utf-8") as stream:
        stream.write("[")
        for model in _ordered_models(using):
            label = model._meta.label_lower
            counts[label] = 0
            for f in _link_fields(model):
                links[f"{label}.{f.name}"] = 0
            dropped = _search_vector_fields(model)
            rows = model._base_manager.using(using).order_by(model._meta.pk.name)
            for batch in _batches(rows.iterator(chunk_size=BATCH), BATCH):
                for obj in serializers.serialize("python", batch, use_natural_foreign_keys=True):
                    for name in dropped:
                        obj["fields"].pop(name, None)
                    counts[label] += 1
                    for f in _link_fields(model):
                        links[f"{label}.{f.name}"] += len(obj["fields"].get(f.name, []))
                    # One row a line: the file can be read, compared and grepped.
                    stream.write(",\n" if written else "\n")
                    stream.write(json.dumps(obj, cls=ExactJSONEncoder, ensure_ascii=False))
                    written += 1
        stream.write("\n]\n")
    return data, dict(sorted(counts.items())), dict(sorted(links.items()))


def _batches(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def create(output=None, using=DEFAULT_DB_ALIAS) -> tuple[Path, dict]:
    """Write one archive of the database and the media files; return its path and
    manifest. The file is readable by its owner only: it holds password hashes and
    visitors' private e-mail addresses."""
    connection = connections[using]
    target = archive_path(output)
    with tempfile.TemporaryDirectory(prefix="backup-") as work:
        work = Path(work)
        with _snapshot(using):
            data, counts, links = _dump(work, using)
            migrations = applied_migrations(using)
        media = []
        for name in media_names():
            with default_storage.open(name, "rb") as stream:
                digest, size = hashlib.sha256(), 0
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
            media.append({"name": name, "size": size, "sha256": digest.hexdigest()})
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "django_version": django.get_version(),
            "python_version": platform.python_version(),
            "database": connection.vendor,
            "site": {"name": settings.SITE_NAME, "domain": settings.SITE_DOMAIN},
            "migrations": migrations,
            "excluded": EXCLUDED,
            "counts": counts,
            "links": links,
            "data": {"name": DATA, "size": data.stat().st_size, "sha256": _sha256_of(data)},
            "media": media,
        }
        manifest_file = work / MANIFEST
        manifest_file.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        # Written beside the target and renamed at the end: no half-written archive
        # ever carries the final name.
        handle, partial = tempfile.mkstemp(prefix=".partial-", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                tar.add(manifest_file, arcname=MANIFEST, recursive=False)
                tar.add(data, arcname=DATA, recursive=False)
                for entry in media:
                    info = tarfile.TarInfo(MEDIA_PREFIX + entry["name"])
                    info.size, info.mode = entry["size"], 0o644
                    # A storage that keeps no modification time: the archive's own.
                    with suppress(NotImplementedError, OSError):
                        modified = default_storage.get_modified_time(entry["name"])
                        info.mtime = int(modified.timestamp())
                    with default_storage.open(entry["name"], "rb") as stream:
                        tar.addfile(info, stream)
            os.replace(partial, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(partial)
            raise
    return target, manifest


# Reading an archive


@dataclass
class Archive:
    path: Path
    manifest: dict
    data: Path  # the extracted data.json
    media: dict = field(default_factory=dict)  # storage name -> extracted file

    @property
    def summary(self) -> str:
        m = self.manifest
        return (
            f"made {m['created_at']} with Django {m['django_version']} on {m['database']}, "
            f"{sum(m['counts'].values())} rows, {len(m['media'])} media files"
        )


def _check_manifest(manifest):
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("its manifest is not one of this site's backups")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"it is format version {manifest.get('version')!r}; this code reads version {VERSION}"
        )
    expected = {
        "created_at": str,
        "django_version": str,
        "database": str,
        "migrations": dict,
        "counts": dict,
        "links": dict,
        "data": dict,
        "media": list,
    }
    for key, kind in expected.items():
        if not isinstance(manifest.get(key), kind):
            raise BackupError(f"its manifest has no valid {key!r}")
    for entry in [manifest["data"], *manifest["media"]]:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str)
        ):
            raise BackupError("its manifest lists a member without name, size and checksum")
    for entry in manifest["media"]:
        if not safe_media_name(entry["name"]):
            raise BackupError(f"its manifest lists an unsafe media name {entry['name']!r}")
    numbers = [*manifest["counts"].values(), *manifest["links"].values()]
    if not all(isinstance(n, int) for n in numbers):
        raise BackupError("its manifest has counts that are not numbers")


def _copy_member(tar, member, destination: Path) -> tuple[int, str]:
    source = tar.extractfile(member)
    digest, size = hashlib.sha256(), 0
    with open(destination, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _read_members(path: Path, work: Path):
    manifest, data, media, seen = None, None, {}, {}
    with tarfile.open(path, mode="r:gz") as tar:
        for member in tar:
            name = member.name
            if member.isdir():
                continue
            if not member.isfile():
                raise BackupError(f"it holds {name!r}, which is not a regular file")
            if name in seen:
                raise BackupError(f"it holds {name!r} twice")
            if name == MANIFEST:
                if member.size > MAX_MANIFEST_BYTES:
                    raise BackupError("its manifest is implausibly large")
                manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
                seen[name] = None
            elif name == DATA:
                data = work / DATA
                seen[name] = _copy_member(tar, member, data)
            elif name.startswith(MEDIA_PREFIX) and safe_media_name(name[len(MEDIA_PREFIX) :]):
                extracted = work / "media" / str(len(media))
                extracted.parent.mkdir(exist_ok=True)
                seen[name] = _copy_member(tar, member, extracted)
                media[name[len(MEDIA_PREFIX) :]] = extracted
            else:
                raise BackupError(f"it holds an unexpected member {name!r}")
    if manifest is None:
        raise BackupError("it has no manifest.json")
    _check_manifest(manifest)
    if data is None:
        raise BackupError("it has no data.json")
    listed = {DATA: manifest["data"]} | {MEDIA_PREFIX + m["name"]: m for m in manifest["media"]}
    stored = {name: sizes for name, sizes in seen.items() if name != MANIFEST}
    if set(listed) != set(stored):
        missing = sorted(set(listed) - set(stored))[:5]
        extra = sorted(set(stored) - set(listed))[:5]
        raise BackupError(
            f"its members differ from its manifest (missing: {missing}, not listed: {extra})"
        )
    for name, (size, sha256) in stored.items():
        if (size, sha256) != (listed[name]["size"], listed[name]["sha256"]):
            raise BackupError(f"{name} is damaged (its checksum differs from the manifest's)")
    return manifest, data, media


def read(path, work: Path) -> Archive:
    """Check the whole archive (manifest, checksums, member names) and extract it into
    `work`; nothing else is touched."""
    path = Path(path).expanduser()
    if not path.exists():
        raise BackupError(f"No such file: {path}")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    try:
        manifest, data, media = _read_members(path, work)
    except BackupError as error:
        raise BackupError(f"{path} cannot be restored: {error}.") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as error:
        # A truncated download, another kind of file, a damaged disk: all say the same.
        reason = str(error) or type(error).__name__
        raise BackupError(
            f"{path} is not a readable backup archive (a .tar.gz made by `backup`): {reason}."
        ) from None
    return Archive(path, manifest, data, media)


# Restoring


def existing_content(using=DEFAULT_DB_ALIAS) -> dict:
    """What the database holds beyond what `migrate` writes: {model label: rows}."""
    found = {}
    for model in backed_up_models(using):
        label = model._meta.label_lower
        if label in SEEDED_BY_MIGRATE:
            continue
        count = model._base_manager.using(using).count()
        if count:
            found[label] = count
    return found


def check_migrations(manifest, using=DEFAULT_DB_ALIAS):
    pending = pending_migrations(using)
    if pending:
        raise BackupError(
            f"This database is not fully migrated ({len(pending)} migrations not applied): "
            "run `manage.py migrate` first, then restore."
        )
    here = {(app, name) for app, names in applied_migrations(using).items() for name in names}
    there = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    if here != there:
        only_there = ", ".join(f"{a}.{n}" for a, n in sorted(there - here)[:8]) or "none"
        only_here = ", ".join(f"{a}.{n}" for a, n in sorted(here - there)[:8]) or "none"
        raise BackupError(
            "The backup was made with other migrations than this code has "
            f"(only in the backup: {only_there}; only here: {only_here}). Restore it with "
            "the release of the code that made it, then upgrade and migrate."
        )


def _tables(models, using):
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        tables += [f.remote_field.through._meta.db_table for f in _link_fields(model)]
    if apps.is_installed("django.contrib.sessions"):
        from django.contrib.sessions.models import Session

        # Log-ins to what was here: the user ids they name are now other people's.
        tables.append(Session._meta.db_table)
    existing = set(connections[using].introspection.table_names())
    return sorted(set(tables) & existing)


def _refuse_content(force, using):
    content = existing_content(using)
    if content and not force:
        raise BackupError(
            "This database already holds content ("
            + ", ".join(plural(label, n) for label, n in sorted(content.items()))
            + "). Restore into an empty database (create one and run `manage.py migrate`), "
            "or pass --force to replace everything in this one with the backup."
        )
    return content


def _lock(models, using):
    """Nobody writes to what the restore replaces between its look and its load."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(t) for t in _tables(models, using))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
    # SQLite: settings begin every transaction IMMEDIATE, which takes the write lock.


def _empty(models, using):
    connection = connections[using]
    # PostgreSQL refuses to TRUNCATE a table with foreign-key checks still deferred in
    # this transaction (rows written earlier in it, when the caller holds one open):
    # run them now.
    connection.check_constraints()
    statements = connection.ops.sql_flush(no_style(), _tables(models, using))
    connection.ops.execute_sql_flush(statements)


def _verify_counts(manifest, models, using):
    wrong = []
    for model in models:
        label = model._meta.label_lower
        expected = manifest["counts"].get(label, 0)
        found = model._base_manager.using(using).count()
        if found != expected:
            wrong.append(f"{label}: {found} instead of {expected}")
        for f in _link_fields(model):
            key = f"{label}.{f.name}"
            expected = manifest["links"].get(key, 0)
            found = f.remote_field.through._base_manager.using(using).count()
            if found != expected:
                wrong.append(f"{key}: {found} links instead of {expected}")
    unknown = set(manifest["counts"]) - {m._meta.label_lower for m in models}
    if unknown:
        wrong.append(f"models in the backup but not here: {', '.join(sorted(unknown))}")
    if wrong:
        raise BackupError("The restored data differs from the manifest: " + "; ".join(wrong))


def search_index_state(using=DEFAULT_DB_ALIAS) -> dict:
    """{model label: (rows, rows in the search index)} for the searched models."""
    from portal.search import SEARCHED

    connection = connections[using]
    state = {}
    for model, searched in SEARCHED.items():
        rows = model._base_manager.using(using).count()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {searched.fts_table}")  # noqa: S608 - our table
                indexed = cursor.fetchone()[0]
        elif connection.vendor == "postgresql":
            indexed = model._base_manager.using(using).filter(search_vector__isnull=False).count()
        else:
            indexed = rows
        state[model._meta.label_lower] = (rows, indexed)
    return state


def _verify_search_index(using):
    state = search_index_state(using)
    wrong = [
        f"{label}: {indexed} of {rows}"
        for label, (rows, indexed) in state.items()
        if rows != indexed
    ]
    if wrong:
        raise BackupError(
            "The search index did not take every restored row (" + "; ".join(wrong) + "): "
            "are the search triggers of portal/migrations/0005 in place?"
        )
    return state


class _MediaWriter:
    """Writes the backup's files into the storage, and can take them back: files it
    created are removed, files it replaced get their old content again."""

    def __init__(self, storage, work: Path):
        self.storage, self.work = storage, work
        self.created, self.replaced = [], {}
        self.written = self.unchanged = 0

    def write(self, media: dict, manifest_media: list):
        checksums = {entry["name"]: entry["sha256"] for entry in manifest_media}
        for name, extracted in sorted(media.items()):
            if self.storage.exists(name):
                with self.storage.open(name, "rb") as stream:
                    current = hashlib.sha256(stream.read()).hexdigest()
                if current == checksums[name]:
                    self.unchanged += 1
                    continue
                kept = self.work / "replaced" / str(len(self.replaced))
                kept.parent.mkdir(exist_ok=True)
                with self.storage.open(name, "rb") as stream, open(kept, "wb") as out:
                    shutil.copyfileobj(stream, out)
                self.replaced[name] = kept
                self.storage.delete(name)
            else:
                self.created.append(name)
            with open(extracted, "rb") as stream:
                saved = self.storage.save(name, File(stream, name=name))
            if saved != name:
                self.created.append(saved)
                raise BackupError(f"The storage stored {name} as {saved}.")
            self.written += 1

    def undo(self):
        for name in self.created:
            with suppress(Exception):
                self.storage.delete(name)
        for name, kept in self.replaced.items():
            with suppress(Exception):
                self.storage.delete(name)
                with open(kept, "rb") as stream:
                    self.storage.save(name, File(stream, name=name))


@dataclass
class RestoreReport:
    replaced: dict  # what the database held before (with --force)
    counts: dict
    search_index: dict
    media_written: int
    media_unchanged: int


def restore(archive: Archive, *, force=False, using=DEFAULT_DB_ALIAS, work: Path) -> RestoreReport:
    """Load `archive` (already read and checked) into the database, all or nothing."""
    check_migrations(archive.manifest, using)
    _refuse_content(force, using)
    models = backed_up_models(using)
    connection = connections[using]
    media = _MediaWriter(default_storage, work)
    try:
        with transaction.atomic(using=using):
            _lock(models, using)
            # Again under the lock: what was written since the first look counts too.
            before = _refuse_content(force, using)
            _empty(models, using)
            try:
                call_command(
                    "loaddata", str(archive.data), database=using, verbosity=0, stdout=StringIO()
                )
                # On PostgreSQL, foreign keys are checked at commit: check them now, so a
                # dangling one is reported here and rolls everything back.
                connection.check_constraints()
            except Exception as error:
                # One line: PostgreSQL's messages carry a DETAIL line of their own.
                reason = " ".join(str(error).split())
                raise BackupError(f"The backup's data could not be loaded: {reason}") from error
            _verify_counts(archive.manifest, models, using)
            search_index = _verify_search_index(using)
            _sync_site(using)
            # Last, so that a failure before leaves the storage untouched.
            media.write(archive.media, archive.manifest["media"])
    except BaseException:
        media.undo()
        raise
    from django.contrib.sites.models import Site

    from portal.pagecache import content_changed

    Site.objects.clear_cache()
    # Pages cached before the restore showed what is gone: none of them is served again.
    content_changed()
    return RestoreReport(
        replaced=before,
        counts=archive.manifest["counts"],
        search_index=search_index,
        media_written=media.written,
        media_unchanged=media.unchanged,
    )


def _sync_site(using):
    # The site's domain and name are this server's settings (portal.apps keeps them so
    # on every migrate), not content: a backup from another host must not bring its own.
    from portal.apps import sync_site

    sync_site(sender=None, using=using)
