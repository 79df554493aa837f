"""Read-only commands start without spaCy (it was 77% of their import time).

Each command runs in a fresh interpreter under ``-X importtime``, which lists every
module imported; spaCy (and thinc, its engine) must not be among them. Timings are not
asserted here (see the README for the figures).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINUTES = ROOT / "corpus" / "documents" / "bridgend_cabinet_2023_ciw_improvement_check_item168.txt"
PLAN = ROOT / "corpus" / "bridgend-plan" / "plan.csv"
HEAVY = ("spacy", "thinc")


def followthrough(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "followthrough", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def imported(stderr: str) -> set[str]:
    """Module names from ``-X importtime`` lines ("import time: self | cumulative | name")."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("imports") / "f.db")
    result = followthrough("--db", path, "ingest", str(MINUTES), str(PLAN), "--meeting-date", "2023-02-14")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "spacy" in imported(result.stderr)  # ingest extracts, so it does load spaCy
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["search", "word"],
        ["search", "recruitment", "--kind", "commitment", "--format", "json"],
        ["statements", "--kind", "commitment"],
        ["commitments", "--as-of", "2023-10-31"],
        ["gaps", "--plan", "plan.csv", "--as-of", "2023-10-31"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_read_only_commands_do_not_import_spacy(db, command):
    result = followthrough("--db", db, *command)
    assert result.returncode == 0, result.stderr[-2000:]
    modules = imported(result.stderr)
    assert "followthrough.cli" in modules  # the listing is really there
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == [], f"{' '.join(command)} imports {heavy[:5]}"
