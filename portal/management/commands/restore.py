"""`manage.py restore FILE`: an archive made by `backup`, into an empty database
(portal/backups.py)."""

import tempfile
from pathlib import Path

import django
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from portal import backups


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup` into a migrated database that holds "
        "no content yet (or, with --force, replace all of its content). All or nothing: "
        "one transaction, checked against the archive's manifest before it commits."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz file made by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the content this database already holds (users included) with "
            "the backup's. Asks for confirmation unless --no-input.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation (with --force).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the archive and whether it can be restored here; change nothing.",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database to restore into."
        )

    def handle(self, *args, **options):
        using = options["database"]
        try:
            with tempfile.TemporaryDirectory(prefix="restore-") as work:
                self.run(Path(options["archive"]), Path(work), using, options)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        except CommandError:
            raise
        except Exception as error:
            # Nothing was committed; an operator sees one line, --traceback the chain.
            reason = " ".join(str(error).split())  # one line, whatever the database said
            raise CommandError(f"The restore failed and changed nothing: {reason}") from error

    def run(self, path, work, using, options):
        archive = backups.read(path, work)
        verbose = options["verbosity"] >= 1
        if verbose:
            self.stdout.write(f"{archive.path}: {archive.summary}.")
        made_with = archive.manifest["django_version"]
        if made_with != django.get_version():
            self.stderr.write(
                f"Note: the backup was made with Django {made_with}; this is "
                f"{django.get_version()}."
            )
        backups.check_migrations(archive.manifest, using)
        if options["check"]:
            content = backups.existing_content(using)
            if content and not options["force"]:
                raise CommandError(
                    "The archive is sound, but this database already holds content; "
                    "restore needs an empty database or --force."
                )
            self.stdout.write("The archive is sound and can be restored into this database.")
            return
        content = backups.existing_content(using)
        if content and options["force"] and options["interactive"]:
            what = ", ".join(backups.plural(label, n) for label, n in sorted(content.items()))
            self.stdout.write(
                f"This database holds {what}. All of it will be replaced by the backup."
            )
            try:
                answer = input("Type 'yes' to replace it: ")
            except EOFError:
                answer = ""
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled: nothing was changed.")
        report = backups.restore(archive, force=options["force"], using=using, work=work)
        if verbose:
            rows = sum(report.counts.values())
            if report.replaced:
                self.stdout.write(
                    "Replaced "
                    + ", ".join(backups.plural(k, n) for k, n in sorted(report.replaced.items()))
                    + "."
                )
            self.stdout.write(
                f"Restored {rows} rows and {report.media_written} media files "
                f"({report.media_unchanged} already there, identical)."
            )
            indexed = ", ".join(
                backups.plural(label, rows) for label, (rows, _) in report.search_index.items()
            )
            self.stdout.write(
                f"Checked: every count matches the manifest; search index: {indexed}."
            )
