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


def vuln(name, vuln_id):
    return {"name": name, "version": "1", "vulns": [{"id": vuln_id, "fix_versions": ["2"]}]}


def test_a_clean_audit_passes(monkeypatch, capsys):
    fake_report(monkeypatch, [{"name": "django", "version": "5.2", "vulns": []}])
    assert audit.main() == 0
    assert "Audited 1 dependencies: 0 finding(s) to fix." in capsys.readouterr().out


def test_the_ckeditor_finding_is_the_only_accepted_one(monkeypatch, capsys):
    fake_report(monkeypatch, [vuln("django-ckeditor", "GHSA-x"), {"name": "django", "vulns": []}])
    assert audit.main() == 0
    assert "GHSA-x fixed in 2: accepted" in capsys.readouterr().out
    fake_report(monkeypatch, [vuln("django-ckeditor", "GHSA-x"), vuln("django", "PYSEC-1")])
    assert audit.main() == 1
    assert "django: PYSEC-1 fixed in 2: FAIL" in capsys.readouterr().out


@pytest.mark.parametrize("required, code", [("", 0), ("1", 1)])
def test_nothing_audited_is_said_and_fails_when_required(monkeypatch, capsys, required, code):
    monkeypatch.setenv("REQUIRE_AUDIT", required)
    fake_report(monkeypatch, [{"name": "django", "skip_reason": "not found"}])
    assert audit.main() == code
    assert "AUDIT NOT RUN" in capsys.readouterr().out
