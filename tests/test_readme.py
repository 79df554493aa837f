"""The README's examples are what the commands print (tools/readme_examples.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "readme_examples.py"

spec = importlib.util.spec_from_file_location("readme_examples", TOOL)
readme_examples = importlib.util.module_from_spec(spec)
sys.modules["readme_examples"] = readme_examples
spec.loader.exec_module(readme_examples)


@pytest.mark.slow
def test_readme_examples_print_what_the_readme_shows():
    result = subprocess.run(
        [sys.executable, str(TOOL), "--check", "--quiet"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, (
        "README examples drifted; run `python tools/readme_examples.py --update` and review the diff\n"
        + result.stdout[-6000:]
        + result.stderr[-2000:]
    )


README = """\
Intro.

<!-- session: one -->
```
$ followthrough ingest a.pdf
1 file: 1 added
$ sqlite3 -header x.db "SELECT 'it''s',
    2"

$ followthrough search x
...
```

<!-- not run -->
```
$ make demo
```

```python
>>> 1 + 1
2
```

```
make test    # not a session: no "$ " line
```

<!-- output varies -->
<!-- session: one -->
```
$ followthrough ingest b.pdf --timing
took 0.3 s
```
"""


def test_parse_finds_sessions_markers_and_multi_line_commands():
    blocks = readme_examples.parse(README.split("\n"))
    assert [(b.kind, b.session, b.run, b.checked) for b in blocks] == [
        ("shell", "one", True, True),
        ("shell", f"line {README.split(chr(10)).index('<!-- not run -->') + 2}", False, True),
        ("python", f"line {README.split(chr(10)).index('```python') + 1}", True, True),
        ("shell", "one", True, False),
    ]
    first = blocks[0]
    assert [c.source for c in first.commands] == [
        "followthrough ingest a.pdf",
        "sqlite3 -header x.db \"SELECT 'it''s',\n    2\"",
        "followthrough search x",
    ]
    assert first.commands[0].expected == ["1 file: 1 added"]
    assert first.commands[1].expected == [] and first.commands[1].gap == 1
    assert first.commands[2].expected == ["..."]
    # rendering an unchanged block gives back its lines exactly
    lines = README.split("\n")
    assert first.render() == lines[first.start : first.end]


def test_elision_matches_any_lines_and_only_those():
    matches = readme_examples.matches
    assert matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert matches(["a", "...", "z"], ["a", "z"])
    assert matches(["..."], [])
    assert matches(["...", "m", "..."], ["a", "m", "z"])
    assert matches(["a  "], ["a"])  # trailing spaces are not compared
    assert not matches(["a", "...", "z"], ["a", "b"])
    assert not matches(["...", "m", "..."], ["a", "b"])
    assert not matches(["a", "b"], ["a", "b", "c"])
    assert not matches(["a", "...", "a"], ["a"])  # head and tail cannot share a line


def test_update_keeps_elisions_and_refreshes_the_lines_around_them():
    refreshed = readme_examples.refreshed
    expected = ["total 3", "...", "## Overdue (2)", "- x", "..."]
    actual = ["total 4", "1", "2", "## Overdue (3)", "- x", "- y"]
    assert refreshed(expected, actual) == ["total 4", "...", "## Overdue (3)", "- x", "..."]
    assert refreshed(["a", "b"], ["a", "c"]) == ["a", "c"]
    unchanged = ["a", "...", "z"]
    assert refreshed(unchanged, ["a", "q", "z"]) is unchanged


def test_regenerate_runs_sessions_in_a_scratch_directory(tmp_path):
    text = "\n".join(
        [
            "<!-- session: s -->",
            "```",
            "$ echo hello > note.txt; ls corpus/SOURCES.tsv",
            "wrong",
            "```",
            "",
            "<!-- session: s -->",
            "```",
            "$ cat note.txt; test -e followthrough.db || echo no database yet",
            "```",
            "",
            "```",
            "$ cat note.txt 2>/dev/null || echo fresh session",
            "...",
            "```",
            "",
            "```python",
            ">>> print('a'); 6 * 7",
            "```",
        ]
    )
    new = readme_examples.regenerate(text, log=lambda message: None)
    assert new.split("\n") == [
        "<!-- session: s -->",
        "```",
        "$ echo hello > note.txt; ls corpus/SOURCES.tsv",
        "corpus/SOURCES.tsv",
        "```",
        "",
        "<!-- session: s -->",
        "```",
        "$ cat note.txt; test -e followthrough.db || echo no database yet",
        "hello",
        "no database yet",
        "```",
        "",
        "```",
        "$ cat note.txt 2>/dev/null || echo fresh session",
        "...",
        "```",
        "",
        "```python",
        ">>> print('a'); 6 * 7",
        "a",
        "42",
        "```",
    ]
    assert not (ROOT / "note.txt").exists()
