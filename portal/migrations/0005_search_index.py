"""The full-text index behind /search/, kept current by the database itself.

Triggers, not Python, keep it current, so every way a row changes counts: a save, a
queryset update(), a bulk_create() (the benchmark seeder), a restore, a revision revert.

- PostgreSQL: a trigger fills `search_vector` on insert and on any update of the
  searched columns (title weighted A, summary B, body/text C, HTML tags and entities
  removed from article bodies), with a GIN index on it.
- SQLite: an FTS5 table per model (contentless, Porter stemming over unicode61 words)
  fed by triggers; the article body goes in as plain text through the
  `portal_plain_text` function that portal/apps.py registers on every connection.
"""

from django.db import migrations

# model table -> (searched columns with their weight, columns holding HTML)
SEARCHED = {
    "bulletin_article": ({"title": "A", "summary": "B", "body": "C"}, {"body"}),
    "jokes_joke": ({"title": "A", "text": "C"}, set()),
}
CONFIG = "english"


def postgres_forwards(cursor):
    for table, (columns, html) in SEARCHED.items():
        parts = []
        for column, weight in columns.items():
            value = f"coalesce(NEW.{column}, '')"
            if column in html:
                value = f"regexp_replace({value}, '<[^>]*>|&[#a-zA-Z0-9]+;', ' ', 'g')"
            parts.append(f"setweight(to_tsvector('{CONFIG}', {value}), '{weight}')")
        cursor.execute(
            f"""
            CREATE FUNCTION {table}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.search_vector := {" || ".join(parts)};
                RETURN NEW;
            END
            $$
            """
        )
        cursor.execute(
            f"CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE OF "
            f"{', '.join(columns)} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_search_vector()"
        )
        cursor.execute(f"CREATE INDEX {table}_search_idx ON {table} USING gin (search_vector)")
        first = next(iter(columns))
        cursor.execute(f"UPDATE {table} SET {first} = {first}")  # fills existing rows


def postgres_backwards(cursor):
    for table in SEARCHED:
        cursor.execute(f"DROP INDEX IF EXISTS {table}_search_idx")
        cursor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {table}_search_vector()")
        cursor.execute(f"UPDATE {table} SET search_vector = NULL")


def sqlite_forwards(cursor):
    for table, (columns, html) in SEARCHED.items():
        fts = f"{table}_fts"
        names = ", ".join(columns)

        def values(row):
            return ", ".join(
                f"portal_plain_text({row}.{column})" if column in html else f"{row}.{column}"
                for column in columns
            )

        cursor.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='', "
            f"tokenize='porter unicode61 remove_diacritics 2')"
        )
        # A contentless table forgets a row only when given the values it indexed.
        remove = (
            f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {values('old')});"
        )
        add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {values('new')});"
        cursor.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END")
        cursor.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END")
        cursor.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} "
            f"BEGIN {remove} {add} END"
        )
        cursor.execute(
            f"INSERT INTO {fts}(rowid, {names}) SELECT id, {values(table)} FROM {table}"
        )


def sqlite_backwards(cursor):
    for table in SEARCHED:
        fts = f"{table}_fts"
        for event in ("insert", "delete", "update"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
        cursor.execute(f"DROP TABLE IF EXISTS {fts}")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            postgres_forwards(cursor)
        elif vendor == "sqlite":
            from portal.search import register_sqlite_functions

            register_sqlite_functions(schema_editor.connection)
            sqlite_forwards(cursor)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            postgres_backwards(cursor)
        elif vendor == "sqlite":
            sqlite_backwards(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_author_jokes"),
        ("bulletin", "0002_search_vector"),
        ("jokes", "0005_search_vector"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
