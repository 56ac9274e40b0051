"""Authors write jokes too (their own drafts, sent to review); editors publish them."""

from django.db import migrations

from portal.roles import grant, revoke

ROLES = {
    "Authors": {"jokes": ["add_joke", "change_joke", "view_joke", "view_category"]},
    "Editors": {"jokes": ["publish_joke"]},
}


def forwards(apps, schema_editor):
    grant(apps, ROLES)


def backwards(apps, schema_editor):
    revoke(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_moderation_roles"),
        ("jokes", "0004_joke_author_review"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
