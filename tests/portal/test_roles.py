"""The staff roles: groups made by the portal's data migration, with exactly the
permissions each role needs, and a migration that can be undone and redone."""

import importlib

import pytest
from django.apps import apps as current_apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db

roles_migration = importlib.import_module("portal.migrations.0001_create_roles")
moderation_migration = importlib.import_module("portal.migrations.0003_moderation_roles")
author_jokes_migration = importlib.import_module("portal.migrations.0004_author_jokes")

AUTHORS = {
    "bulletin.add_article",
    "bulletin.change_article",
    "bulletin.view_article",
    "bulletin.view_section",
    "taggit.view_tag",
    # From 0004_author_jokes
    "jokes.add_joke",
    "jokes.change_joke",
    "jokes.view_joke",
    "jokes.view_category",
}
EDITORS = {
    "bulletin.add_article",
    "bulletin.change_article",
    "bulletin.delete_article",
    "bulletin.view_article",
    "bulletin.publish_article",
    "bulletin.add_section",
    "bulletin.change_section",
    "bulletin.delete_section",
    "bulletin.view_section",
    "bulletin.add_previewlink",
    "bulletin.change_previewlink",
    "bulletin.delete_previewlink",
    "bulletin.view_previewlink",
    "taggit.add_tag",
    "taggit.change_tag",
    "taggit.delete_tag",
    "taggit.view_tag",
    "redirects.add_redirect",
    "redirects.change_redirect",
    "redirects.delete_redirect",
    "redirects.view_redirect",
    # From 0003_moderation_roles: the jokes, and the contributions to read.
    "jokes.add_joke",
    "jokes.change_joke",
    "jokes.delete_joke",
    "jokes.view_joke",
    "jokes.moderate_joke",
    "jokes.add_category",
    "jokes.change_category",
    "jokes.delete_category",
    "jokes.view_category",
    "jokes.view_report",
    "jokes.view_jokeoftheday",
    "jokes.change_jokeoftheday",
    "portal.view_contribution",
    "jokes.publish_joke",
}
MODERATORS = {
    "jokes.view_joke",
    "jokes.moderate_joke",
    "jokes.view_report",
    "jokes.view_category",
    "portal.view_contribution",
    "portal.moderate_contribution",
}


def create_all_roles(apps):
    """What the role migrations do, in their order."""
    roles_migration.create_roles(apps, None)
    moderation_migration.forwards(apps, None)
    author_jokes_migration.forwards(apps, None)


def remove_all_roles(apps):
    author_jokes_migration.backwards(apps, None)
    moderation_migration.backwards(apps, None)
    roles_migration.remove_roles(apps, None)


def permissions_of(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def all_role_permissions():
    return {name: permissions_of(name) for name in ("Authors", "Editors", "Moderators")}


def test_the_three_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Authors", "Editors", "Moderators"}


@pytest.mark.parametrize(
    ("group_name", "expected"),
    [("Authors", AUTHORS), ("Editors", EDITORS), ("Moderators", MODERATORS)],
)
def test_each_role_has_exactly_its_permissions(group_name, expected):
    assert permissions_of(group_name) == expected


def test_only_editors_may_publish():
    permission = Permission.objects.get(
        content_type__app_label="bulletin", codename="publish_article"
    )
    assert permission.name == "Can publish, unpublish and archive articles"
    assert list(permission.group_set.values_list("name", flat=True)) == ["Editors"]


def test_no_role_manages_users_or_groups():
    for permissions in all_role_permissions().values():
        assert not {perm for perm in permissions if perm.startswith(("auth.", "admin."))}


def test_authors_are_a_subset_of_editors():
    assert AUTHORS < EDITORS


def test_moderators_touch_nothing_of_the_bulletin():
    assert not {perm for perm in MODERATORS if perm.startswith(("bulletin.", "taggit."))}


@pytest.mark.parametrize(
    ("role", "may_publish", "may_add", "may_delete"),
    [
        ("author", False, True, False),
        ("editor", True, True, True),
        ("moderator", False, False, False),
    ],
)
def test_users_in_a_role_get_its_permissions(request, role, may_publish, may_add, may_delete):
    user = request.getfixturevalue(role)
    assert user.has_perm("bulletin.publish_article") is may_publish
    assert user.has_perm("bulletin.add_article") is may_add
    assert user.has_perm("bulletin.delete_article") is may_delete
    assert not user.has_perm("auth.change_user")


def test_the_migrations_are_reversible():
    [operation] = roles_migration.Migration.operations
    assert operation.reversible
    assert operation.reverse_code is roles_migration.remove_roles
    [operation] = moderation_migration.Migration.operations
    assert operation.reverse_code is moderation_migration.backwards


def historical_apps():
    """The models as the roles migration saw them (what `migrate` passes it)."""
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(("portal", "0004_author_jokes")).apps


@pytest.mark.parametrize("apps", [historical_apps, lambda: current_apps], ids=["state", "live"])
def test_removing_and_recreating_the_roles(apps, editor):
    before = all_role_permissions()

    remove_all_roles(apps())
    assert not Group.objects.filter(name__in=["Authors", "Editors", "Moderators"]).exists()
    editor.refresh_from_db()
    assert editor.groups.count() == 0

    create_all_roles(apps())
    assert all_role_permissions() == before


def test_creating_the_roles_twice_changes_nothing():
    before = all_role_permissions()
    group_ids = set(Group.objects.values_list("pk", flat=True))

    create_all_roles(current_apps)

    assert all_role_permissions() == before
    assert set(Group.objects.values_list("pk", flat=True)) == group_ids


def test_recreating_the_roles_repairs_changed_permissions():
    editors = Group.objects.get(name="Editors")
    editors.permissions.remove(Permission.objects.get(codename="publish_article"))
    Group.objects.get(name="Moderators").permissions.add(
        Permission.objects.get(codename="delete_article")
    )

    create_all_roles(current_apps)

    assert permissions_of("Editors") == EDITORS
    assert permissions_of("Moderators") == MODERATORS


def test_roles_are_created_on_an_empty_permission_table():
    """On a fresh database the permissions do not exist yet when the migration runs."""
    Group.objects.filter(name__in=["Authors", "Editors", "Moderators"]).delete()
    Permission.objects.all().delete()

    create_all_roles(historical_apps())

    assert permissions_of("Editors") == EDITORS
    assert permissions_of("Authors") == AUTHORS
