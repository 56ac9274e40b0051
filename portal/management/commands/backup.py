"""`manage.py backup`: the database and the media files in one archive (portal/backups.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from portal import backups


class Command(BaseCommand):
    help = (
        "Write one .tar.gz archive of the whole site: every model's rows (a loaddata "
        "fixture with natural foreign keys and exact times), every media file, and a "
        "manifest with counts, time, Django version and migration state. Restore it with "
        "`manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            default="backups",
            help="A directory (created if needed) to write a dated archive into, or a file "
            "name ending in .tar.gz (never overwritten). Default: ./backups/",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to back up.")

    def handle(self, *args, **options):
        try:
            path, manifest = backups.create(options["output"], using=options["database"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"The backup could not be written: {error}") from error
        except Exception as error:
            # An operator sees one line; --traceback shows the chain for a bug report.
            reason = " ".join(str(error).split())  # one line, whatever the database said
            raise CommandError(f"The backup failed: {reason}") from error
        rows = sum(manifest["counts"].values())
        size = sum(entry["size"] for entry in manifest["media"])
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Backed up {rows} rows of {len(manifest['counts'])} models and "
                f"{len(manifest['media'])} media files ({size} bytes) from the "
                f"{manifest['database']} database."
            )
            for label, count in manifest["counts"].items():
                if count and options["verbosity"] >= 2:
                    self.stdout.write(f"  {label}: {count}")
            self.stdout.write(
                "The archive holds password hashes and private e-mail addresses: keep it "
                "where only operators can read it."
            )
        self.stdout.write(str(path))
