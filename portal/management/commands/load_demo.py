"""Demo content and one user per role, for development. Running it again changes nothing."""

from datetime import timedelta
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bulletin.models import Article, Section
from jokes.models import Category, Joke, new_status_token
from portal.demo.articles import ARTICLES, SECTIONS
from portal.demo.jokes import CATEGORIES, JOKES, PENDING
from portal.models import Contribution

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

# Development only: the command refuses to run with DEBUG off.
DEMO_USERS = [
    # username, password, group (None: superuser)
    ("admin", "demo-admin-pass", None),
    ("editor", "demo-editor-pass", "Editors"),
    ("author", "demo-author-pass", "Authors"),
    ("moderator", "demo-moderator-pass", "Moderators"),
]


class Command(BaseCommand):
    help = "Load demo content and demo users (one per role). Development only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo is for development: it refuses to run with DEBUG off.")
        users = self.create_users()
        self.create_content(author=users["editor"])
        self.create_jokes()
        call_command(
            "import_articles",
            str(DEMO_DIR / "four-environments.txt"),
            "--publish",
            stdout=self.stdout,
            stderr=self.stderr,
        )
        self.print_logins()

    def create_users(self):
        User = get_user_model()
        users = {}
        for username, password, group in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": True,
                    "is_superuser": group is None,
                    "email": f"{username}@example.com",
                    "first_name": username.title(),
                    "last_name": "Demo",
                },
            )
            if created:
                user.set_password(password)
                user.save()
                if group:
                    user.groups.add(Group.objects.get(name=group))
            users[username] = user
        return users

    def create_content(self, author):
        now = timezone.now()
        sections = {}
        for position, (name, description) in enumerate(SECTIONS):
            sections[name], _ = Section.objects.get_or_create(
                name=name, defaults={"description": description, "position": position}
            )
        created = 0
        for data in ARTICLES:
            section = sections[data["section"]]
            if Article.objects.filter(section=section, title=data["title"]).exists():
                continue
            article = Article(
                title=data["title"],
                section=section,
                author=author,
                summary=data["summary"],
                body="".join(f"<p>{p}</p>" for p in data["body"]),
                featured=data.get("featured", False),
            )
            if not data.get("draft"):
                article.status = Article.Status.PUBLISHED
                article.publish_at = now - timedelta(days=data["days_ago"], hours=2)
            with reversion.create_revision():
                article.save()
                article.tags.set(data["tags"])
                reversion.set_comment("Demo content")
            created += 1
        self.stdout.write(f"Demo content: {created} article(s) added.")

    def create_jokes(self):
        now = timezone.now()
        categories = {}
        for name, description in CATEGORIES:
            categories[name], _ = Category.objects.get_or_create(
                name=name, defaults={"description": description}
            )
        created = 0
        for number, (category, title, text, tags, flags) in enumerate(JOKES):
            if Joke.objects.filter(text=text).exists():
                continue
            joke = Joke(
                category=categories[category],
                title=title,
                text=text,
                status=Joke.Status.PUBLISHED,
                published_at=now - timedelta(days=number, hours=3),
                **{flag: True for flag in flags},
            )
            with reversion.create_revision():
                joke.save()
                joke.tags.set(tags)
                reversion.set_comment("Demo content")
            # Some votes from made-up visitors, so "best rated" has an order.
            for voter in range((len(JOKES) - number) % 7):
                joke.vote(f"demo-visitor-{voter}", 1 if (voter + number) % 4 else -1)
            created += 1
        category, text, name = PENDING
        if not Joke.objects.filter(text=text).exists():
            Joke.objects.create(
                category=categories[category],
                text=text,
                submitter_name=name,
                status=Joke.Status.PENDING,
                status_token=new_status_token(),
            )
        self.stdout.write(f"Demo content: {created} joke(s) added.")
        self.create_contribution()

    def create_contribution(self):
        """A visitor's article waiting for the demo moderator."""
        title = "Lost cat found on the town hall roof"
        if Contribution.objects.filter(title=title).exists():
            return
        Contribution.objects.create(
            title=title,
            section=Section.objects.get(name="Bulletin headlines"),
            text="The town hall's caretaker found a ginger cat on the roof on Tuesday morning."
            "\n\nThe cat, called Marmalade, had been missing for three days. Its owner says "
            "it will not be allowed near the ladder again.",
            submitter_name="Ben Visitor",
        )

    def print_logins(self):
        self.stdout.write(self.style.SUCCESS("\nDemo log-ins for http://127.0.0.1:8000/admin/"))
        User = get_user_model()
        for username, password, group in DEMO_USERS:
            user = User.objects.get(username=username)
            role = group or "superuser"
            note = "" if user.check_password(password) else "  (password was changed since)"
            self.stdout.write(f"  {role:<11} {username:<10} {password}{note}")
