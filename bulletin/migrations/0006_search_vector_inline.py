"""On PostgreSQL, an article's search vector is kept in its row (storage MAIN).

Left to the default (EXTENDED), the vector of an article of two thousand characters
went to the TOAST table, body compressed in the row: a search for a common word
fetched 500 vectors from there, one index lookup each (the newest matches with their
ranks: 2.0 ms at 100,000 articles; 0.5 ms with the vectors in the rows). Now the body
goes out of the row first. Rows written from now on are laid out this way; `VACUUM
FULL bulletin_article` rewrites those already there (README, Operations)."""

from django.db import migrations

TABLE = "bulletin_article"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE MAIN")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("bulletin", "0005_tag_page_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
