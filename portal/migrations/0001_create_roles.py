"""The staff roles as groups with their permissions (see README.md, Roles).

Permissions are normally created after all migrations have run; portal.roles.grant
creates them first so that the groups can be given them on a fresh database.
"""

from django.db import migrations

from portal.roles import grant

ROLES = {
    "Authors": {
        "bulletin": ["add_article", "change_article", "view_article", "view_section"],
        "taggit": ["view_tag"],
    },
    "Editors": {
        "bulletin": [
            "add_article", "change_article", "delete_article", "view_article", "publish_article",
            "add_section", "change_section", "delete_section", "view_section",
            "add_previewlink", "change_previewlink", "delete_previewlink", "view_previewlink",
        ],
        "taggit": ["add_tag", "change_tag", "delete_tag", "view_tag"],
        "redirects": ["add_redirect", "change_redirect", "delete_redirect", "view_redirect"],
    },
    # Moderators get the moderation queue with the jokes issue; nothing else.
    "Moderators": {},
}  # fmt: skip


def create_roles(apps, schema_editor):
    # Exactly these permissions: running it again repairs a group changed by hand.
    grant(apps, ROLES, exact=True)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("bulletin", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
