"""Who may do what: every role against every admin page, admin action, upload and staff
preview, written down as tables (PRODUCT.md, "Who uses it") and checked cell by cell.

The tables say what should happen; Django's admin decides how a refusal looks (a 403,
a redirect to the login page, or to the admin index when the object is not in the
user's list). A cell where the code does not do what the table says is marked with
the bug it shows (BUGS, at the end of the tables): `xfail(strict=True)`, so fixing
the code makes the cell pass unexpectedly and the BUGS line is then deleted.

The last test walks `admin.site` and the URL patterns: a new admin model, action,
list_editable column, autocomplete field or admin URL without cells here fails it.
"""

import io
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

import pytest
import reversion
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone
from PIL import Image
from reversion.models import Version
from taggit.models import Tag

from bulletin.models import Article
from jokes.models import Joke, JokeOfTheDay
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ContributionFactory,
    JokeFactory,
    PreviewLinkFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "visitor", "author", "editor", "moderator", "superuser"]
STAFF = ["author", "editor", "moderator", "superuser"]

# What a user gets: how each refusal or success looks in a response.
OK = "200"
DENIED = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"
LOGIN = "to login"  # 302 to the admin login page
INDEX = "to admin index"  # 302 to the admin index: "not in your list" (or already in)
LIST = "to changelist"  # 302 to the model's changelist: done, or "no action selected"
CHANGE = "to change page"  # 302 to the object's change page
PUBLIC = "to public page"  # 302 to a public page of the site
ASKS = "asks"  # 200, the page where approve or reject asks for flags or a reason


# The tables ---------------------------------------------------------------------------

ALL = "view add change delete"
RESTORE = " restore"  # revisions: restore one, recover a deleted item
SEEN_AND_DELETED = "view change delete"

# What each staff role may do on each admin model (PRODUCT.md, "Who uses it"): view
# (list, read-only page, history), add, change, delete, restore; "own" limits view and
# change to the user's own items (and change to those still draft or in review).
# Anonymous visitors and logged-in visitors without staff status get the login page.
RIGHTS = {
    # model:                (author,                editor,           moderator, superuser)
    "auth.group":           ("",                    "",               "",        ALL),
    "auth.user":            ("",                    "",               "",        ALL),
    "sites.site":           ("",                    "",               "",        ALL),
    "redirects.redirect":   ("",                    ALL,              "",        ALL),
    "bulletin.section":     ("view",                ALL,              "",        ALL),
    "bulletin.article":     ("own view add change", ALL + RESTORE,    "",        ALL + RESTORE),
    "bulletin.previewlink": ("",                    ALL,              "",        ALL),
    "jokes.category":       ("view",                ALL,              "view",    ALL),
    "jokes.jokeoftheday":   ("",                    "view change",    "",        ALL),
    "taggit.tag":           ("view",                ALL,              "",        ALL),
    "jokes.joke":           ("own view add change", ALL + RESTORE,    "view",    ALL + RESTORE),
    # Contributions come from visitors only: nobody adds one in the admin.
    "portal.contribution":  ("",                    "view",           "view",    SEEN_AND_DELETED),
}  # fmt: skip

# The object each model's pages open. Authors' items are opened both as their own
# ("authors-...") and as another author's ("others-...").
OBJECT_TARGETS = {
    "auth.group": ["group"],
    "auth.user": ["user"],
    "sites.site": ["site"],
    "redirects.redirect": ["redirect"],
    "bulletin.section": ["section"],
    "bulletin.article": ["article:authors-draft", "article:others-draft"],
    "bulletin.previewlink": ["previewlink:valid"],
    "jokes.category": ["category"],
    "jokes.jokeoftheday": ["jokeoftheday"],
    "taggit.tag": ["tag"],
    "jokes.joke": ["joke:authors-draft", "joke:others-draft"],
    "portal.contribution": ["contribution"],
}
MODEL_VIEWS = ["changelist", "add"]
OBJECT_VIEWS = ["change", "delete", "delete POST", "history", "object"]
EXTRA_OBJECT_VIEWS = {"auth.user": ["password"]}
REVISION_VIEWS = ["recoverlist", "recover"]  # for the models kept in revisions
REVISION_OBJECT_VIEWS = ["compare", "revision"]

EDITORS = ("editor", "superuser")
MODERATORS = ("editor", "moderator", "superuser")  # editors approve jokes too (roles 0003)

# Every admin action: (model, action) -> (the item it is run on, who may run it).
# The item is in the state the action changes, and an author's own when authors may
# see it, so what stops an author is the permission, not the list.
ACTIONS = {
    ("auth.group", "delete_selected"): ("group", ("superuser",)),
    ("auth.user", "delete_selected"): ("user", ("superuser",)),
    ("sites.site", "delete_selected"): ("site", ("superuser",)),
    ("redirects.redirect", "delete_selected"): ("redirect", EDITORS),
    ("bulletin.section", "delete_selected"): ("section", EDITORS),
    ("bulletin.article", "delete_selected"): ("article:authors-draft", EDITORS),
    ("bulletin.article", "publish"): ("article:authors-draft", EDITORS),
    ("bulletin.article", "unpublish"): ("article:authors-published", EDITORS),
    ("bulletin.article", "archive"): ("article:authors-published", EDITORS),
    ("bulletin.article", "submit_for_review"): ("article:authors-draft", ("author", *EDITORS)),
    ("bulletin.previewlink", "delete_selected"): ("previewlink:valid", EDITORS),
    ("bulletin.previewlink", "revoke"): ("previewlink:valid", EDITORS),
    ("jokes.category", "delete_selected"): ("category", EDITORS),
    ("jokes.jokeoftheday", "delete_selected"): ("jokeoftheday", ("superuser",)),
    ("taggit.tag", "delete_selected"): ("tag", EDITORS),
    ("jokes.joke", "delete_selected"): ("joke:authors-draft", EDITORS),
    ("jokes.joke", "approve"): ("joke:pending", MODERATORS),
    ("jokes.joke", "reject"): ("joke:pending", MODERATORS),
    ("jokes.joke", "publish"): ("joke:authors-draft", EDITORS),
    ("jokes.joke", "unpublish"): ("joke:authors-published", EDITORS),
    ("jokes.joke", "archive"): ("joke:authors-published", EDITORS),
    ("jokes.joke", "submit_for_review"): ("joke:authors-draft", ("author", *EDITORS)),
    ("portal.contribution", "delete_selected"): ("contribution", ("superuser",)),
    ("portal.contribution", "approve"): ("contribution", ("moderator", "superuser")),
    ("portal.contribution", "reject"): ("contribution", ("moderator", "superuser")),
}
# An action offered to a role that must still not reach another author's item.
OTHERS_ITEMS = {
    ("bulletin.article", "submit_for_review"): "article:others-draft",
    ("jokes.joke", "submit_for_review"): "joke:others-draft",
}
# The actions that first ask on a page of their own; the moderation queue posts to it.
ASKING_ACTIONS = {"approve", "reject"}

# Columns edited in the changelist: (model) -> (item, field, new value).
LIST_EDITABLE = {"bulletin.section": ("section", "position", "7")}

# Public addresses of what is not public: only the staff who may preview it see it, and
# everybody else gets a 404 (never a 403: nothing leaks). Preview links work for anyone
# while valid.
# an author's own article: its author and the editors preview it
_its_staff = {"author": OK, "editor": OK, "moderator": NOT_FOUND, "superuser": OK}
_everybody = dict.fromkeys(ROLES, OK)
_nobody = dict.fromkeys(ROLES, NOT_FOUND)
PREVIEWS = {
    "article:authors-draft": {"anonymous": NOT_FOUND, "visitor": NOT_FOUND, **_its_staff},
    "article:authors-review": {"anonymous": NOT_FOUND, "visitor": NOT_FOUND, **_its_staff},
    "article:authors-scheduled": {"anonymous": NOT_FOUND, "visitor": NOT_FOUND, **_its_staff},
    "article:others-draft": {**_nobody, "editor": OK, "superuser": OK},
    "previewlink:valid": _everybody,
    "previewlink:revoked": _nobody,
    "previewlink:expired": _nobody,
    "joke:authors-draft": {
        "anonymous": NOT_FOUND,
        "visitor": NOT_FOUND,
        **dict.fromkeys(STAFF, OK),
    },
    "joke:others-draft": {**_nobody, "editor": OK, "moderator": OK, "superuser": OK},
    "joke:pending": {**_nobody, "editor": OK, "moderator": OK, "superuser": OK},
}

_staff_ok = {"anonymous": LOGIN, "visitor": LOGIN, **dict.fromkeys(STAFF, OK)}
_writers = {"anonymous": LOGIN, "visitor": LOGIN, **dict.fromkeys(STAFF, OK), "moderator": LOGIN}
# The admin's own pages and the staff pages next to it.
SITE_PAGES = {
    "index": _staff_ok,
    "moderation queue": {**_staff_ok, "author": DENIED},
    "login page": {"anonymous": OK, "visitor": OK, **dict.fromkeys(STAFF, INDEX)},
    "logout POST": {"anonymous": INDEX, "visitor": INDEX, **dict.fromkeys(STAFF, OK)},
    "password change": _staff_ok,
    "password change done": _staff_ok,
    "javascript catalog": _staff_ok,
    "unknown admin page": {**_staff_ok, **dict.fromkeys(STAFF, NOT_FOUND)},
    # The editor's image upload and browser: for those who write articles.
    "ckeditor upload POST": _writers,
    "ckeditor upload GET": {
        **_writers,
        "author": NOT_ALLOWED,
        "editor": NOT_ALLOWED,
        "superuser": NOT_ALLOWED,
    },
    "ckeditor browse": _writers,
    # The admin's "View on site" shortcut (/admin/r/<content type>/<pk>/): whoever may
    # not preview a draft must not learn its address either, which carries its headline.
    "view on site (others-draft article)": {
        "anonymous": LOGIN,
        "visitor": LOGIN,
        "author": NOT_FOUND,
        "editor": PUBLIC,
        "moderator": NOT_FOUND,
        "superuser": PUBLIC,
    },
    "view on site (authors-draft article)": {
        "anonymous": LOGIN,
        "visitor": LOGIN,
        "author": PUBLIC,
        "editor": PUBLIC,
        "moderator": NOT_FOUND,
        "superuser": PUBLIC,
    },
}


@dataclass(frozen=True)
class Forgery:
    """A change or add form posted with a value the role may not set."""

    page: str  # "add" or "change"
    model: str
    target: str | None  # the item changed (None for add)
    changes: dict  # what is posted differently from the form as shown
    allowed: tuple  # roles for whom it takes effect


FORGED_FORMS = {
    "publish own draft article in the form": Forgery(
        "change", "bulletin.article", "article:authors-draft", {"status": "published"}, EDITORS
    ),
    "add an article already published": Forgery(
        "add", "bulletin.article", None, {"status": "published"}, EDITORS
    ),
    "feature own draft article": Forgery(
        "change", "bulletin.article", "article:authors-draft", {"featured": "on"}, EDITORS
    ),
    "give a draft article to another author": Forgery(
        "change", "bulletin.article", "article:authors-draft", {"author": "other_author"}, EDITORS
    ),
    "edit a published article": Forgery(
        "change", "bulletin.article", "article:authors-published", {"title": "Forged"}, EDITORS
    ),
    "edit another author's draft article": Forgery(
        "change", "bulletin.article", "article:others-draft", {"title": "Forged"}, EDITORS
    ),
    "edit own draft article": Forgery(
        "change",
        "bulletin.article",
        "article:authors-draft",
        {"title": "Edited"},
        ("author", *EDITORS),
    ),
    "add a joke already published": Forgery(
        "add", "jokes.joke", None, {"status": "published"}, EDITORS
    ),
    "edit own draft joke": Forgery(
        "change", "jokes.joke", "joke:authors-draft", {"text": "Edited."}, ("author", *EDITORS)
    ),
    "edit another author's draft joke": Forgery(
        "change", "jokes.joke", "joke:others-draft", {"text": "Forged."}, EDITORS
    ),
    "edit a visitor's pending joke": Forgery(
        "change", "jokes.joke", "joke:pending", {"text": "Forged."}, EDITORS
    ),
    # Contributions are read-only for everybody: they change through approve and reject.
    "approve a contribution in the form": Forgery(
        "change", "portal.contribution", "contribution", {"status": "approved"}, ()
    ),
}
STORED = {"on": "True"}  # a ticked checkbox, as the row has it

# What a new item needs besides the forged values, and the field that finds it again.
NEW_ITEMS = {
    "bulletin.article": ("title", {"title": "Forged", "slug": "forged"}, "section"),
    "jokes.joke": ("text", {"text": "Forged."}, "category"),
}

# Cells where the code does not do what the tables say (see the module docstring).
BUGS = {}


# The objects the cells point at --------------------------------------------------------


def _article(world, owner, **kwargs):
    return ArticleFactory(author=world.user(owner) if owner else None, **kwargs)


def _joke(world, owner, **kwargs):
    kwargs.setdefault("status", Joke.Status.DRAFT)
    if kwargs["status"] != Joke.Status.PUBLISHED:
        kwargs.setdefault("published_at", None)
    return JokeFactory(author=world.user(owner) if owner else None, **kwargs)


def _preview_link(world, **kwargs):
    return PreviewLinkFactory(article=world.obj("article:authors-draft"), **kwargs)


MAKERS = {
    "group": lambda w: Group.objects.create(name="Proofreaders"),
    "user": lambda w: UserFactory(username="someone"),
    "site": lambda w: Site.objects.create(domain="mirror.example.org", name="Mirror"),
    "redirect": lambda w: Redirect.objects.create(
        site_id=settings.SITE_ID, old_path="/old/", new_path="/new/"
    ),
    "section": lambda w: SectionFactory(),
    "category": lambda w: CategoryFactory(),
    "tag": lambda w: Tag.objects.create(name="Puns"),
    "jokeoftheday": lambda w: JokeOfTheDay.objects.create(
        date=date(2020, 1, 1), joke=JokeFactory()
    ),
    "contribution": lambda w: ContributionFactory(),
    "article:authors-draft": lambda w: _article(w, "author", draft=True),
    "article:authors-review": lambda w: _article(
        w, "author", status=Article.Status.REVIEW, publish_at=None
    ),
    "article:authors-scheduled": lambda w: _article(w, "author", scheduled=True),
    "article:authors-published": lambda w: _article(w, "author"),
    "article:others-draft": lambda w: _article(w, "other_author", draft=True),
    "previewlink:valid": lambda w: _preview_link(w),
    "previewlink:revoked": lambda w: _preview_link(w, revoked_at=timezone.now()),
    "previewlink:expired": lambda w: _preview_link(
        w, expires_at=timezone.now() - timedelta(minutes=1)
    ),
    "joke:authors-draft": lambda w: _joke(w, "author"),
    "joke:authors-published": lambda w: _joke(w, "author", status=Joke.Status.PUBLISHED),
    "joke:others-draft": lambda w: _joke(w, "other_author"),
    "joke:pending": lambda w: JokeFactory(pending=True),
}
DELETED_MAKERS = {
    "bulletin.article": lambda w: _article(w, "author", draft=True),
    "jokes.joke": lambda w: _joke(w, "author"),
}


# django-axes (log-in throttling) brings an admin of its log-in records: for the
# administrator only (PRODUCT.md: users and groups), and nobody adds one by hand.
if apps.is_installed("axes"):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    def _login_record(model, **kwargs):
        record = model.objects.create(
            user_agent="Test agent",
            ip_address="192.0.2.1",
            username="someone",
            http_accept="*/*",
            path_info="/admin/login/",
            **kwargs,
        )
        # Older than the cool-off time: what cleaning up expired attempts removes.
        model.objects.filter(pk=record.pk).update(attempt_time=timezone.now() - timedelta(days=2))
        return record

    for _label, _maker in {
        "axes.accessattempt": lambda w: _login_record(
            AccessAttempt, get_data="", post_data="", failures_since_start=1
        ),
        "axes.accesslog": lambda w: _login_record(AccessLog),
        "axes.accessfailurelog": lambda w: _login_record(AccessFailureLog),
    }.items():
        RIGHTS[_label] = ("", "", "", SEEN_AND_DELETED)
        OBJECT_TARGETS[_label] = [_label.split(".")[1]]
        MAKERS[_label.split(".")[1]] = _maker
        ACTIONS[(_label, "delete_selected")] = (_label.split(".")[1], ("superuser",))
    # axes' own "Clean up expired attempts" is left out (portal/admin.py says why).


class World:
    """The objects one cell needs, made on first use (a cell makes only its own)."""

    def __init__(self, request):
        self.request = request
        self.made = {}

    def user(self, role):
        return self.request.getfixturevalue(role)

    def obj(self, name):
        if name not in self.made:
            self.made[name] = MAKERS[name](self)
        return self.made[name]

    def pk(self, name):
        return str(self.obj(name).pk)

    def versions(self, name):
        """The ids of two saved versions of the item, older first."""
        key = ("versions", name)
        if key not in self.made:
            item = self.obj(name)
            for _ in range(2):
                with reversion.create_revision():
                    item.save()
            self.made[key] = sorted(
                Version.objects.get_for_object(item).values_list("pk", flat=True)
            )
        return self.made[key]

    def deleted_version(self, model):
        """The id of the version of an item that was deleted (what recover restores)."""
        with reversion.create_revision():
            item = DELETED_MAKERS[model](self)
        version = Version.objects.get_for_object(item).get()
        item.delete()
        return version.pk

    def content_type(self, name):
        return ContentType.objects.get_for_model(self.obj(name)).pk


class RoutesOnly:
    """Stands in for World where only the shape of an address matters."""

    def pk(self, name):
        return "1"

    def versions(self, name):
        return [1, 2]

    def deleted_version(self, model):
        return 1

    def content_type(self, name):
        return 1


@pytest.fixture
def world(request):
    return World(request)


# Addresses ----------------------------------------------------------------------------


def changelist_url(model):
    return reverse(f"admin:{model.replace('.', '_')}_changelist")


def model_url(world, model, view, target=None):
    prefix = f"admin:{model.replace('.', '_')}"
    if view in ("changelist", "add", "recoverlist"):
        return reverse(f"{prefix}_{view}")
    if view == "recover":
        return reverse(f"{prefix}_recover", args=[world.deleted_version(model)])
    pk = world.pk(target)
    if view in ("change", "history", "delete"):
        return reverse(f"{prefix}_{view}", args=[pk])
    if view == "delete POST":
        return reverse(f"{prefix}_delete", args=[pk])
    if view == "password":
        return reverse("admin:auth_user_password_change", args=[pk])
    if view == "object":  # the old address of a change page, kept as a redirect
        return reverse(f"{prefix}_change", args=[pk]).removesuffix("change/")
    older, newer = world.versions(target)
    if view == "compare":
        query = urlencode({"version_id1": older, "version_id2": newer})
        return reverse(f"{prefix}_compare", args=[pk]) + "?" + query
    if view == "revision":
        return reverse(f"{prefix}_revision", args=[pk, older])
    raise ValueError(view)


def autocomplete_url(model, field):
    app_label, model_name = model.split(".")
    query = {"app_label": app_label, "model_name": model_name, "field_name": field, "term": ""}
    return reverse("admin:autocomplete") + "?" + urlencode(query)


SITE_URLS = {
    "index": lambda w: reverse("admin:index"),
    "moderation queue": lambda w: reverse("moderation:queue"),
    "login page": lambda w: reverse("admin:login"),
    "logout POST": lambda w: reverse("admin:logout"),
    "password change": lambda w: reverse("admin:password_change"),
    "password change done": lambda w: reverse("admin:password_change_done"),
    "javascript catalog": lambda w: reverse("admin:jsi18n"),
    "unknown admin page": lambda w: "/admin/no-such-page/",
    "ckeditor upload POST": lambda w: reverse("ckeditor_upload"),
    "ckeditor upload GET": lambda w: reverse("ckeditor_upload"),
    "ckeditor browse": lambda w: reverse("ckeditor_browse"),
    "view on site (others-draft article)": lambda w: reverse(
        "admin:view_on_site",
        args=[w.content_type("article:others-draft"), w.pk("article:others-draft")],
    ),
    "view on site (authors-draft article)": lambda w: reverse(
        "admin:view_on_site",
        args=[w.content_type("article:authors-draft"), w.pk("article:authors-draft")],
    ),
}


def app_index_url(app_label):
    return reverse("admin:app_list", kwargs={"app_label": app_label})


# Expected outcomes derived from the tables ----------------------------------------------


def rights_of(role, model):
    return set(RIGHTS[model][STAFF.index(role)].split())


def expected_page(role, model, view, target):
    """What `role` gets on an admin page of `model`, following RIGHTS."""
    if role not in STAFF:
        return LOGIN
    rights = rights_of(role, model)
    may_see = bool(rights & {"view", "change"})
    in_list = "own" not in rights or not (target or "").split(":")[-1].startswith("others")
    if view == "changelist":
        return OK if may_see else DENIED
    if view == "add":
        return OK if "add" in rights else DENIED
    if view == "object":
        return CHANGE
    if view == "password":
        return OK if "change" in rights else DENIED
    if view in ("change", "history", "compare"):
        return DENIED if not may_see else OK if in_list else INDEX
    if view in ("delete", "delete POST"):
        done = LIST if view == "delete POST" else OK
        return DENIED if "delete" not in rights else done if in_list else INDEX
    if view == "revision":
        return DENIED if "restore" not in rights else OK if in_list else INDEX
    if view in ("recoverlist", "recover"):
        return OK if "restore" in rights else DENIED
    raise ValueError(view)


def expected_app_index(role, app_label):
    if role not in STAFF:
        return LOGIN
    models = [model for model in RIGHTS if model.startswith(app_label + ".")]
    return OK if any(rights_of(role, model) for model in models) else NOT_FOUND


def expected_autocomplete(role, remote_model):
    if role not in STAFF:
        return LOGIN
    return OK if rights_of(role, remote_model) & {"view", "change"} else DENIED


def expected_asking_page(role, model, action):
    """The page an approve or reject asks on (what the moderation queue's buttons open)."""
    if role not in STAFF:
        return LOGIN
    if role in ACTIONS[(model, action)][1]:
        return ASKS
    if not rights_of(role, model) & {"view", "change"}:
        return DENIED
    # With no action at all the admin ignores the POST and shows the list; with some,
    # it answers "no action selected" with a redirect to the list.
    has_actions = any(m == model and role in allowed for (m, _a), (_t, allowed) in ACTIONS.items())
    return LIST if has_actions else OK


# The cells ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    role: str
    area: str  # the model label, "site", "app", "autocomplete", "preview", ...
    what: str  # the page, action or case
    expected: object
    target: str | None = None
    extra: tuple = ()

    @property
    def id(self):
        target = f"[{self.target}]" if self.target else ""
        return f"{self.role}-{self.area}-{self.what}{target}"


def _params(cells):
    params = []
    for cell in cells:
        marks = [pytest.mark.xfail(strict=True, reason=BUGS[cell.id])] if cell.id in BUGS else []
        params.append(pytest.param(cell, id=cell.id, marks=marks))
    return params


def reversioned(model):
    """Whether the model's admin keeps revisions (django-reversion's extra pages)."""
    return hasattr(admin.site._registry[apps.get_model(model)], "recoverlist_view")


def page_cells():
    for model in RIGHTS:
        model_views = MODEL_VIEWS + (REVISION_VIEWS if reversioned(model) else [])
        object_views = OBJECT_VIEWS + EXTRA_OBJECT_VIEWS.get(model, [])
        if reversioned(model):
            object_views = object_views + REVISION_OBJECT_VIEWS
        for role in ROLES:
            # Another author's item makes a difference to authors only: for everybody
            # else the author's item is somebody else's already.
            targets = OBJECT_TARGETS[model] if role == "author" else OBJECT_TARGETS[model][:1]
            views = [(view, None) for view in model_views]
            views += [(view, target) for target in targets for view in object_views]
            for view, target in views:
                yield Cell(role, model, view, expected_page(role, model, view, target), target)


def site_cells():
    for page, by_role in SITE_PAGES.items():
        for role in ROLES:
            yield Cell(role, "site", page, by_role[role])
    for app_label in sorted({model.split(".")[0] for model in RIGHTS}):
        for role in ROLES:
            yield Cell(role, "app", app_label, expected_app_index(role, app_label))
    for model_class, model_admin in admin.site._registry.items():
        for field in model_admin.autocomplete_fields:
            remote = model_class._meta.get_field(field).related_model._meta.label_lower
            source = model_class._meta.label_lower
            for role in ROLES:
                yield Cell(
                    role, "autocomplete", f"{source}.{field}", expected_autocomplete(role, remote)
                )


def action_cells():
    for (model, action), (target, allowed) in ACTIONS.items():
        for role in ROLES:
            may = role in allowed
            yield Cell(role, model, action, (may, may), target)
        if (model, action) in OTHERS_ITEMS:
            # offered to the author, but another author's item is out of reach
            yield Cell("author", model, action, (True, False), OTHERS_ITEMS[(model, action)])


def asking_page_cells():
    for (model, action), (target, _allowed) in ACTIONS.items():
        if action in ASKING_ACTIONS:
            for role in ROLES:
                expected = expected_asking_page(role, model, action)
                yield Cell(role, model, f"{action} page", expected, target)


def list_editable_cells():
    for model, (target, field, value) in LIST_EDITABLE.items():
        for role in ROLES:
            changes = role in STAFF and "change" in rights_of(role, model)
            yield Cell(role, model, f"list_editable {field}", changes, target, (field, value))


def preview_cells():
    for target, by_role in PREVIEWS.items():
        for role in ROLES:
            yield Cell(role, "preview", "public address", by_role[role], target)


def forgery_cells():
    for case, forgery in FORGED_FORMS.items():
        for role in ROLES:
            yield Cell(role, "forged form", case, role in forgery.allowed, forgery.target)


PAGE_CELLS = list(page_cells())
SITE_CELLS = list(site_cells())
ACTION_CELLS = list(action_cells())
ASKING_PAGE_CELLS = list(asking_page_cells())
LIST_EDITABLE_CELLS = list(list_editable_cells())
PREVIEW_CELLS = list(preview_cells())
FORGERY_CELLS = list(forgery_cells())
ALL_CELLS = [
    *PAGE_CELLS,
    *SITE_CELLS,
    *ACTION_CELLS,
    *ASKING_PAGE_CELLS,
    *LIST_EDITABLE_CELLS,
    *PREVIEW_CELLS,
    *FORGERY_CELLS,
]


# Reading responses --------------------------------------------------------------------


def outcome(response):
    """What the user got, in the words of the tables."""
    if response.status_code not in (301, 302):
        return str(response.status_code)
    path = urlsplit(response["Location"]).path
    if path == reverse("admin:login"):
        return LOGIN
    if path == reverse("admin:index"):
        return INDEX
    try:
        name = resolve(path).view_name
    except Resolver404:
        return f"redirect to {path}"
    if name.endswith("_changelist"):
        return LIST
    if name.endswith("_change"):
        return CHANGE
    if not name.startswith("admin:"):
        return PUBLIC
    return f"redirect to {path}"


def row_of(item):
    """The item's row as stored now (None when it is gone)."""
    return type(item)._default_manager.filter(pk=item.pk).values().first()


def offered_actions(response):
    if response.status_code != 200:
        return []
    action_form = response.context.get("action_form")
    if action_form is None:
        return []
    return [name for name, _label in action_form.fields["action"].choices if name]


def form_as_shown(response):
    """What a browser sends back for the admin form in `response`, left as shown."""
    data = {}
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        all_forms += inline.formset.forms
    for form in all_forms:
        for name, field in form.fields.items():
            key, value = form.add_prefix(name), form[name].value()
            widget = getattr(field.widget, "widget", field.widget)  # unwrap related widgets
            if isinstance(widget, forms.MultiWidget):
                for index, (part_widget, part) in enumerate(
                    zip(widget.widgets, widget.decompress(value), strict=True)
                ):
                    data[f"{key}_{index}"] = part_widget.format_value(part) or ""
            elif isinstance(widget, forms.CheckboxInput):
                if value:
                    data[key] = "on"
            elif value is None:
                data[key] = ""
            else:
                shown = widget.format_value(value)
                data[key] = "" if shown is None else shown
    return data


def template_names(response):
    return [template.name for template in response.templates]


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "teal").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


# The tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", _params(PAGE_CELLS))
def test_admin_page(cell, world, client_for):
    client = client_for(cell.role)  # first: a log-in may tidy records (django-axes)
    url = model_url(world, cell.area, cell.what, cell.target)
    item = world.obj(cell.target) if cell.target else None
    if cell.what == "delete POST":
        response = client.post(url, {"post": "yes"})
        assert (outcome(response), row_of(item) is not None) == (
            cell.expected,
            cell.expected != LIST,  # refused: the item is still there
        )
    else:
        assert outcome(client.get(url)) == cell.expected


def test_authors_list_only_their_own_items(world, client_for):
    client = client_for("author")
    for model, prefix in (("bulletin.article", "article"), ("jokes.joke", "joke")):
        own, others = world.obj(f"{prefix}:authors-draft"), world.obj(f"{prefix}:others-draft")
        listed = list(client.get(changelist_url(model)).context["cl"].result_list)
        assert own in listed
        assert others not in listed


@pytest.mark.parametrize("cell", _params(SITE_CELLS))
def test_site_page(cell, world, client_for):
    client = client_for(cell.role)
    if cell.area == "app":
        response = client.get(app_index_url(cell.what))
    elif cell.area == "autocomplete":
        model, field = cell.what.rsplit(".", 1)
        response = client.get(autocomplete_url(model, field))
    elif cell.what == "ckeditor upload POST":
        client.cookies["ckCsrfToken"] = "token-from-the-editor"
        response = client.post(
            SITE_URLS[cell.what](world), {"ckCsrfToken": "token-from-the-editor", "upload": png()}
        )
    elif cell.what.endswith(" POST"):
        response = client.post(SITE_URLS[cell.what](world))
    else:
        response = client.get(SITE_URLS[cell.what](world))
    assert outcome(response) == cell.expected


@pytest.mark.parametrize("cell", _params(ACTION_CELLS))
def test_action(cell, world, client_for):
    """The action is in the dropdown for those who may, and a forged POST of it changes
    the item only for them."""
    model, action = cell.area, cell.what
    client = client_for(cell.role)  # first: a log-in may tidy records (django-axes)
    item = world.obj(cell.target)
    before = row_of(item)
    offered = action in offered_actions(client.get(changelist_url(model)))
    data = {"action": action, "_selected_action": [item.pk], "index": 0}
    if action == "delete_selected":
        data["post"] = "yes"  # the answer to "Are you sure?"
    if action in ASKING_ACTIONS:
        data.update(apply="1", reason="Not for this site.")  # the answers to its page
    client.post(changelist_url(model), data)
    changed = row_of(item) != before
    assert (offered, changed) == cell.expected, "(offered in the dropdown, item changed)"


@pytest.mark.parametrize("cell", _params(ASKING_PAGE_CELLS))
def test_moderation_page(cell, world, client_for):
    """The queue's Approve… and Reject… buttons post the item to the action, which
    answers with a page that asks (flags, a reason); nothing is decided yet."""
    item = world.obj(cell.target)
    before = row_of(item)
    action = cell.what.removesuffix(" page")
    response = client_for(cell.role).post(
        changelist_url(cell.area), {"action": action, "_selected_action": [item.pk]}
    )
    asks = response.status_code == 200 and "admin/moderate.html" in template_names(response)
    assert (ASKS if asks else outcome(response)) == cell.expected
    assert row_of(item) == before


@pytest.mark.parametrize("cell", _params(LIST_EDITABLE_CELLS))
def test_list_editable(cell, world, client_for):
    field, value = cell.extra
    item = world.obj(cell.target)
    before = row_of(item)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(item.pk),
        f"form-0-{field}": value,
        "_save": "Save",
    }
    client_for(cell.role).post(changelist_url(cell.area), data)
    assert (row_of(item) != before) is cell.expected, "item changed"


@pytest.mark.parametrize("cell", _params(PREVIEW_CELLS))
def test_staff_preview(cell, world, client_for):
    item = world.obj(cell.target)
    response = client_for(cell.role).get(item.get_absolute_url())
    assert outcome(response) == cell.expected
    if cell.expected == OK:
        assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("cell", _params(FORGERY_CELLS))
def test_forged_form(cell, world, client_for, superuser):
    """The form as a superuser sees it, posted by the role with one value changed."""
    forgery = FORGED_FORMS[cell.what]
    item = world.obj(cell.target) if cell.target else None
    url = model_url(world, forgery.model, "change" if item else "add", cell.target)
    data = {}
    if cell.role in STAFF:  # anybody else is turned away before the form is read
        shown = Client()
        shown.force_login(superuser)
        data = form_as_shown(shown.get(url))
    if item is None:
        key, values, parent = NEW_ITEMS[forgery.model]
        parent_item = SectionFactory() if parent == "section" else CategoryFactory()
        data.update(values, **{parent: str(parent_item.pk)})
    changes = dict(forgery.changes)
    if "author" in changes:
        changes["author"] = str(world.user(changes["author"]).pk)
    data.update(changes)
    client_for(cell.role).post(url, data)

    if item is None:
        found = apps.get_model(forgery.model).objects.filter(
            **{key: values[key]}, **forgery.changes
        )
        took_effect = found.exists()
    else:
        after = row_of(item)
        took_effect = after is not None and all(
            str(after["author_id" if name == "author" else name]) == STORED.get(value, value)
            for name, value in changes.items()
        )
    assert took_effect is cell.expected, "the forged value was stored"


# Nothing left out ---------------------------------------------------------------------


def admin_routes():
    """Every route of the admin and of the staff pages mounted under /admin/."""
    routes = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = URLResolver._join_route(prefix, str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("admin/"):
                routes.add(route)

    walk(get_resolver().url_patterns, "")
    # The admin's own view-on-site route is never reached: config/urls.py puts the
    # guarded one (staff/views.py) in front of it, at the same address.
    routes.discard("admin/r/<path:content_type_id>/<path:object_id>/")
    return routes


def covered_routes():
    """The routes the cells of the matrix open."""
    shape = RoutesOnly()
    urls = [model_url(shape, cell.area, cell.what, cell.target) for cell in PAGE_CELLS]
    urls += [SITE_URLS[cell.what](shape) for cell in SITE_CELLS if cell.area == "site"]
    urls += [app_index_url(cell.what) for cell in SITE_CELLS if cell.area == "app"]
    urls += (
        [reverse("admin:autocomplete")] if any(c.area == "autocomplete" for c in SITE_CELLS) else []
    )
    urls += [changelist_url(cell.area) for cell in ACTION_CELLS]
    return {resolve(urlsplit(url).path).route for url in urls}


def test_the_matrix_covers_every_admin_model_action_and_url():
    registered = {
        model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()
    }
    assert set(RIGHTS) == set(registered), "a model admin without a row in RIGHTS"
    assert set(OBJECT_TARGETS) == set(registered)

    discovered = {
        (label, name)
        for label, model_admin in registered.items()
        for _func, name, _description in model_admin._get_base_actions()
    }
    assert discovered == set(ACTIONS), "an admin action without a row in ACTIONS"

    editable = {label for label, model_admin in registered.items() if model_admin.list_editable}
    assert editable == set(LIST_EDITABLE), "a list_editable admin without a row"

    missing = admin_routes() - covered_routes()
    assert not missing, f"admin URLs no cell opens: {sorted(missing)}"

    ids = [cell.id for cell in ALL_CELLS]
    assert len(ids) == len(set(ids)), "two cells with one name"
    assert set(BUGS) <= set(ids), "a BUGS entry that names no cell"
    for cell in ALL_CELLS:
        if cell.role in ("anonymous", "visitor") and cell.area in RIGHTS:
            # nobody without staff status gets anything from the admin
            assert cell.expected in (LOGIN, (False, False), False), cell.id
