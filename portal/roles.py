"""Granting permissions to the staff groups, for the data migrations that define roles.

Kept apart from the migrations so each role migration is a table of permissions.
"""

from django.contrib.auth.management import create_permissions


def grant(apps, roles, exact=False):
    """Give each group in `roles` ({group: {app_label: [codename, ...]}}) these
    permissions (in addition to what it has, or exactly these), creating groups and
    permissions as needed."""
    for app_config in apps.get_app_configs():
        # create_permissions skips apps whose models module is unset (as it is in a
        # migration's state); set it for the call, then put back what was there.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, by_app in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codenames in by_app.items()
            for codename in codenames
        ]
        if exact:
            group.permissions.set(wanted)
        else:
            group.permissions.add(*wanted)


def revoke(apps, roles):
    """Take back what `grant` gave (the groups themselves stay)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, by_app in roles.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, codenames in by_app.items():
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
