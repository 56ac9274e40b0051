"""Import text articles exported by the old site (see bulletin/importing.py)."""

import codecs
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bulletin.importing import ImportFailure, parse
from bulletin.models import Article, Section


class Command(BaseCommand):
    help = (
        "Import articles from text files whose first line is 'Site - Section - Title'. "
        "Re-importing a file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--publish", action="store_true", help="Publish what is imported (default: draft)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; write nothing."
        )
        parser.add_argument(
            "--encoding",
            help="Read the files in this encoding (e.g. cp1252, gbk) instead of detecting it; "
            "detection can be wrong on very short files in legacy encodings.",
        )

    def handle(self, *args, files, publish, dry_run, encoding=None, **options):
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError as error:
                raise CommandError(f"unknown encoding: {encoding}") from error
        total, failed = len(files), 0
        counts = {"imported": 0, "unchanged": 0, "skipped": 0}
        for number, path in enumerate(files, start=1):
            prefix = f"[{number}/{total}] {path}:" if total > 1 else f"{path}:"
            try:
                outcome, message = self.import_file(
                    path, publish=publish, dry_run=dry_run, encoding=encoding
                )
            except ImportFailure as why:
                failed += 1
                self.stderr.write(self.style.ERROR(f"{prefix} failed: {why}"))
                continue
            counts[outcome] += 1
            style = self.style.SUCCESS if outcome == "imported" else self.style.WARNING
            self.stdout.write(f"{prefix} {style(message)}")

        would = "would be " if dry_run else ""
        self.stdout.write(
            f"{total} file(s): {counts['imported']} {would}imported, "
            f"{counts['unchanged']} unchanged, {counts['skipped']} skipped, {failed} failed."
        )
        if failed:
            raise CommandError(f"{failed} of {total} file(s) could not be imported.")

    def import_file(self, path, *, publish, dry_run, encoding=None):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ImportFailure(f"cannot read the file ({error.strerror or error})") from error
        parsed = parse(data, encoding)
        # Say which encoding was used when it was not UTF-8, so a wrong guess shows.
        read_as = "" if parsed.encoding in ("utf-8", "utf-16") else f" (read as {parsed.encoding})"

        existing = Article.objects.filter(source_checksum=parsed.checksum).first()
        if existing:
            return "unchanged", f"already imported as “{existing.title}”, nothing changed"
        section = Section.objects.filter(name__iexact=parsed.section).first()
        if section and Article.objects.filter(section=section, title=parsed.title).exists():
            return "skipped", (
                f"section “{section.name}” already has an article titled “{parsed.title}” "
                "with other content; left as it is"
            )

        new_section = "" if section else f" (new section “{parsed.section}”)"
        state = "published" if publish else "draft"
        if dry_run:
            return "imported", f"would import “{parsed.title}” as {state}{new_section}{read_as}"

        with transaction.atomic():
            if section is None:
                section = Section.objects.create(name=parsed.section)
            article = Article(
                title=parsed.title,
                section=section,
                summary=parsed.summary,
                body=parsed.body_html,
                source_name=parsed.site,
                source_file=path.name[:255],
                source_checksum=parsed.checksum,
            )
            if publish:
                article.status = Article.Status.PUBLISHED
                article.publish_at = timezone.now()
            article.save()
        return "imported", f"imported “{article.title}” as {state}{new_section}{read_as}"
