"""The import rules of pyproject.toml ([tool.importlinter]) hold, and they do catch a forbidden
import: a copy of the package in which a shared home imports a feature area breaks them."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path):
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_rules_hold():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_a_forbidden_import_breaks_them(tmp_path):
    shutil.copytree(
        ROOT / "qms", tmp_path / "qms", ignore=shutil.ignore_patterns("__pycache__", "static", "translations")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    storage = tmp_path / "qms" / "files" / "storage.py"
    storage.write_text(
        storage.read_text(encoding="utf-8") + "\nfrom qms.documents.models import Document  # noqa\n", encoding="utf-8"
    )
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "Core and the shared homes never import a feature area BROKEN" in " ".join(result.stdout.split())
    assert "qms.files.storage -> qms.documents.models" in result.stdout
