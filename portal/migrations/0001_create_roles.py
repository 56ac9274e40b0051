"""The staff roles as groups with their permissions (see README.md, Roles).

Permissions are normally created after all migrations have run; they are created
here first so that the groups can be given them on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    for app_config in apps.get_app_configs():
        # create_permissions skips apps whose models module is unset (as it is in a
        # migration's state); set it for the call, then put back what was there.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, by_app in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codenames in by_app.items()
            for codename in codenames
        ]
        group.permissions.set(wanted)


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
