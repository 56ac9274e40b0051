"""Production settings refuse to start without what production must set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environ.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "example.com"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
    ],
)
def test_production_without_required_values_stops_with_one_line(env, missing):
    result = run_check(**env)
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == (
        f"{missing} must be set when DEBUG is off (see README.md, Configuration)."
    )


def test_a_host_list_without_a_host_stops_with_one_line():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS=" , ")
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "ALLOWED_HOSTS must name at least one host (see README.md, Configuration)."
    ]


def test_gunicorn_without_a_secret_key_stops_with_one_line():
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environ.update(ALLOWED_HOSTS="example.com", BIND="127.0.0.1:0", WEB_CONCURRENCY="1")
    result = subprocess.run(  # noqa: S603 - gunicorn with our own config
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert (
        "SECRET_KEY must be set when DEBUG is off (see README.md, Configuration)."
        in result.stderr.splitlines()
    )
    assert "Booting worker" not in result.stdout + result.stderr


def test_production_with_required_values_starts():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.com")
    assert result.returncode == 0, result.stderr


def test_email_is_configured_from_one_url():
    environ = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environ.update(
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="example.com",
        EMAIL_URL="smtp+tls://mailer:secret@mail.example.org:587",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER)"
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The last line: log lines (JSON, on stdout) may come first.
    assert result.stdout.splitlines()[-1].split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "587",
        "True",
        "mailer",
    ], result.stderr


@pytest.mark.parametrize(
    "database", ["sqlite:////tmp/x.sqlite3", "postgres://postgres@127.0.0.1:5432/x"]
)
def test_database_connections_are_kept_between_requests(database):
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "CONN_MAX_AGE"}
    }
    environ.update(
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="example.com",
        DATABASE_URL=database,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(  # noqa: S603 - a fixed script
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert result.stdout.splitlines()[-1].split() == ["60", "True"], result.stderr
