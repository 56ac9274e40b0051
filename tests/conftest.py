import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from tests.factories import UserFactory

ROLES = ["author", "editor", "moderator"]


def make_staff(username, group_name):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def author(db):
    return make_staff("author", "Authors")


@pytest.fixture
def other_author(db):
    return make_staff("other-author", "Authors")


@pytest.fixture
def editor(db):
    return make_staff("editor", "Editors")


@pytest.fixture
def moderator(db):
    return make_staff("moderator", "Moderators")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def visitor(db):
    """A logged-in user who is not staff."""
    return UserFactory(username="visitor")


@pytest.fixture
def user_for_role(request, db):
    """Parametrise with a role name ("anonymous", "visitor", "author", ...)."""

    def get(role):
        if role == "anonymous":
            return None
        return request.getfixturevalue(role)

    return get


@pytest.fixture
def client_for(client, user_for_role):
    """A test client logged in as the given role (anonymous stays logged out)."""

    def get(role):
        user = user_for_role(role)
        if user is not None:
            client.force_login(user)
        return client

    return get


@pytest.fixture(autouse=True)
def fresh_cache():
    """The cache outlives a test (rate-limit counts live there): start each from empty,
    and so the workers' own copies of pages (portal/pagecache.py)."""
    from portal.pagecache import local

    cache.clear()
    local.clear()
    yield
    cache.clear()
    local.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow by design; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
