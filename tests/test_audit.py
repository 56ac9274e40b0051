"""scripts/audit.py: which pip-audit reports pass, which fail, and that an audit that
could check nothing never reads as a clean one."""

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location(
    "audit", Path(__file__).resolve().parents[1] / "scripts" / "audit.py"
)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def fake_report(monkeypatch, dependencies):
    stdout = json.dumps({"dependencies": dependencies, "fixes": []})
    monkeypatch.setattr(
        subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 1, stdout, "")
    )


def vuln(name, vuln_id, fixes=("2",)):
    return {"name": name, "version": "1", "vulns": [{"id": vuln_id, "fix_versions": list(fixes)}]}


def test_a_clean_audit_passes(monkeypatch, capsys):
    fake_report(monkeypatch, [{"name": "django", "version": "5.2", "vulns": []}])
    assert audit.main() == 0
    assert "Audited 1 dependencies: 0 finding(s) to fix." in capsys.readouterr().out


def test_the_ckeditor_finding_is_the_only_accepted_one(monkeypatch, capsys):
    ckeditor = vuln("django-ckeditor", "GHSA-x", fixes=())
    fake_report(monkeypatch, [ckeditor, {"name": "django", "vulns": []}])
    assert audit.main() == 0
    assert "GHSA-x fixed in no release: accepted" in capsys.readouterr().out
    fake_report(monkeypatch, [ckeditor, vuln("django", "PYSEC-1")])
    assert audit.main() == 1
    assert "django: PYSEC-1 fixed in 2: FAIL" in capsys.readouterr().out


def test_a_ckeditor_finding_a_release_fixes_fails(monkeypatch, capsys):
    fake_report(monkeypatch, [vuln("django-ckeditor", "GHSA-y", fixes=("6.7.5",))])
    assert audit.main() == 1
    assert "django-ckeditor: GHSA-y fixed in 6.7.5: FAIL" in capsys.readouterr().out


@pytest.mark.parametrize("required, code", [("", 0), ("1", 1)])
def test_pip_audit_that_cannot_run_is_not_a_clean_audit(monkeypatch, capsys, required, code):
    monkeypatch.setenv("REQUIRE_AUDIT", required)
    monkeypatch.setattr(
        subprocess,
        "run",
        lambda *a, **k: subprocess.CompletedProcess(a, 1, "", "ConnectionError: no route"),
    )
    assert audit.main() == code
    assert (
        capsys.readouterr().out
        == "AUDIT NOT RUN: pip-audit could not run (ConnectionError: no route).\n"
    )


@pytest.mark.parametrize("required, code", [("", 0), ("1", 1)])
def test_a_partial_audit_names_what_it_missed(monkeypatch, capsys, required, code):
    monkeypatch.setenv("REQUIRE_AUDIT", required)
    fake_report(
        monkeypatch,
        [{"name": "django", "vulns": []}, {"name": "local-thing", "skip_reason": "not on PyPI"}],
    )
    assert audit.main() == code
    out = capsys.readouterr().out
    assert "AUDIT INCOMPLETE: 1 dependencies could not be checked: local-thing" in out


@pytest.mark.parametrize("required, code", [("", 0), ("1", 1)])
def test_nothing_audited_is_said_and_fails_when_required(monkeypatch, capsys, required, code):
    monkeypatch.setenv("REQUIRE_AUDIT", required)
    fake_report(monkeypatch, [{"name": "django", "skip_reason": "not found"}])
    assert audit.main() == code
    assert "AUDIT NOT RUN" in capsys.readouterr().out
