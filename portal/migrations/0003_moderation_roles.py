"""Jokes for the editors, and the moderation queue for the moderators (README.md, Roles)."""

from django.db import migrations

from portal.roles import grant, revoke

ROLES = {
    "Editors": {
        "jokes": [
            "add_joke", "change_joke", "delete_joke", "view_joke", "moderate_joke",
            "add_category", "change_category", "delete_category", "view_category",
            "view_report", "view_jokeoftheday", "change_jokeoftheday",
        ],
        "portal": ["view_contribution"],
    },
    "Moderators": {
        "jokes": ["view_joke", "moderate_joke", "view_report", "view_category"],
        "portal": ["view_contribution", "moderate_contribution"],
    },
}  # fmt: skip


def forwards(apps, schema_editor):
    grant(apps, ROLES)


def backwards(apps, schema_editor):
    revoke(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_contribution"),
        ("jokes", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
