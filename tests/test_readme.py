"""Every `qms` command the README shows works as printed on the demo installation (after `make run`,
with no variable the README does not set). Each runs in a shell, in a folder laid out as the
project's (`.venv`, `instance/` and the sample files under `tests/`), on a demo installation of its own."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent
NOT_RUN = ("serve",)  # runs until stopped
PASSWORD = "Readme-Password-2026"


def readme_commands():
    """The commands of the README's ```sh blocks and `inline code`, in order, that run qms (or
    prepare a folder for it)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        command = ""
        for line in block.splitlines():
            command += line.rstrip("\\").strip() + " " if line.rstrip().endswith("\\") else line.strip()
            if not line.rstrip().endswith("\\"):
                if command:
                    found.append(command)
                command = ""
    found += re.findall(r"`(\.venv/bin/qms[^`]*)`", text)
    seen, ordered = set(), []
    for command in found:
        if (command.startswith(".venv/bin/qms") or command.startswith("mkdir")) and command not in seen:
            seen.add(command)
            ordered.append(command)
    return ordered


def test_the_readme_shows_commands():
    commands = readme_commands()
    assert any("qms jobs run" in c for c in commands) and any("qms restore" in c for c in commands)


@pytest.mark.slow
def test_every_command_of_the_readme_works_as_printed(tmp_path):
    (tmp_path / ".venv").symlink_to(VENV)
    (tmp_path / "tests").symlink_to(ROOT / "tests")  # the sample document system the tour imports
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
    env["QMS_INSTANCE_PATH"] = str(tmp_path / "instance")
    demo = {**env, "QMS_DEMO": "1", "QMS_DEMO_PASSWORD": PASSWORD}
    for command in (".venv/bin/qms db upgrade", ".venv/bin/qms demo load --if-empty"):  # what `make run` does
        result = subprocess.run(
            command, shell=True, cwd=tmp_path, env=demo, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, (command, result.stderr)
    ran = []
    for command in readme_commands():
        words = shlex.split(command)
        if len(words) > 1 and words[1] in NOT_RUN:
            continue
        answer = "y\n" if words[1] == "restore" else PASSWORD + "\n"  # what a person types at the prompt
        result = subprocess.run(
            command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, input=answer, timeout=300
        )
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
        ran.append(command)
    assert len(ran) >= 12, ran
