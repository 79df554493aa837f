"""Run the README's example sessions and check or update their output.

    python tools/readme_examples.py --check     # exit 1 with a diff if the README drifted
    python tools/readme_examples.py --update    # rewrite the README with the real output
    python tools/readme_examples.py --list      # the sessions and blocks it would run

An example block is a fenced code block whose first command line starts with "$ "
(shell sessions) or ">>> " (Python, in a ```python block). Each shell command runs with
bash in a scratch directory that holds symlinks to the repository's folders (so
corpus/..., tests/fixtures/... resolve) and whose parent holds ``shared`` (so ../shared/...
resolves; found beside the repository or above it, or from $FOLLOWTHROUGH_SHARED). The
default database, followthrough.db, and every file a command writes land in the scratch
directory, so each session starts from an empty database. ``followthrough`` and
``python`` are those of the interpreter running this tool.

Markers, HTML comments on the lines just before the opening fence (invisible on GitHub):

    <!-- session: NAME -->   blocks with the same NAME share one scratch directory and
                             database, run in README order; a block without it is a
                             session of its own
    <!-- not run -->        the block is left as written
    <!-- output varies -->   the commands run (their effects count for the session) but
                             their output is neither checked nor rewritten

In expected output a line "..." stands for any number of lines (zero or more): the
check accepts anything there, and --update keeps the elision, refreshing the lines
around it. A command whose whole output is "..." is run but not checked.

A block is skipped (with a message) when it needs ../shared and there is none, or runs a
program that is not installed (sqlite3, say). --update and --check name each command whose
output changed, with its exit status: an "Error:" where the README showed a result usually
means the block needs the state of an earlier one (give both the same session).

Commands may continue over several lines while a quote is open or a line ends in "\\".
Output is compared line by line with trailing spaces ignored; stdout and stderr are
merged, as on a terminal. A command's exit status is not checked (examples of failures
are welcome), only what it prints.

Cog (used by sqlite-utils) was considered: it regenerates text from Python code kept in
the README itself and compares it exactly, so every block would carry its generator code
and no elision; here the README keeps plain sessions and three one-line markers.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ELISION = "..."
FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?P<info>[\w+-]*)")
MARKER = re.compile(r"^\s*<!--\s*(?P<body>.*?)\s*-->\s*$")
SHELL_INFO = {"", "console", "shell", "sh", "bash", "shell-session", "text"}
# Repository entries the scratch directory links to: folders, plus these files.
LINKED_FILES = {"README.md", "pyproject.toml", "Makefile"}
NOT_LINKED = {"build", "dist", "out", "__pycache__"}
TIMEOUT = 600


@dataclass
class Command:
    """One ``$ command`` with the output the README shows after it."""

    lines: list[str]  # as written, first one starting with "$ "
    expected: list[str]
    gap: int = 0  # blank lines between its output and the next command

    @property
    def source(self) -> str:
        text = "\n".join(self.lines)[2:]
        return text


@dataclass
class Block:
    """One fenced example block: its place in the README and its commands."""

    start: int  # index of the first line inside the fence
    end: int  # index of the closing fence
    kind: str  # "shell" or "python"
    session: str
    run: bool = True
    checked: bool = True
    preamble: list[str] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)

    def render(self) -> list[str]:
        out = list(self.preamble)
        for command in self.commands:
            out += command.lines + command.expected + [""] * command.gap
        return out


# -- parsing ---------------------------------------------------------------------------


def _complete(text: str) -> bool:
    """Whether a shell command is complete (no open quote, no trailing backslash)."""
    if text.endswith("\\"):
        return False
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    try:
        list(lexer)
    except ValueError:
        return False
    return True


def _split_shell(body: list[str]) -> tuple[list[str], list[Command]]:
    preamble: list[str] = []
    commands: list[Command] = []
    i = 0
    while i < len(body) and not body[i].startswith("$ "):
        preamble.append(body[i])
        i += 1
    while i < len(body):
        lines = [body[i]]
        i += 1
        while not _complete("\n".join(lines)[2:]) and i < len(body):
            lines.append(body[i])
            i += 1
        output: list[str] = []
        while i < len(body) and not body[i].startswith("$ "):
            output.append(body[i])
            i += 1
        gap = 0
        while output and not output[-1].strip():
            output.pop()
            gap += 1
        commands.append(Command(lines, output, gap))
    return preamble, commands


def _split_python(body: list[str]) -> tuple[list[str], list[Command]]:
    preamble: list[str] = []
    commands: list[Command] = []
    i = 0
    while i < len(body) and not body[i].startswith(">>> "):
        preamble.append(body[i])
        i += 1
    while i < len(body):
        lines = [body[i]]
        i += 1
        while i < len(body) and body[i].startswith("... "):
            lines.append(body[i])
            i += 1
        output = []
        while i < len(body) and not body[i].startswith(">>> "):
            output.append(body[i])
            i += 1
        gap = 0
        while output and not output[-1].strip():
            output.pop()
            gap += 1
        commands.append(Command(lines, output, gap))
    return preamble, commands


def parse(lines: list[str]) -> list[Block]:
    """Find the example blocks of a README (given as lines without line ends)."""
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, info = match["fence"], match["info"].lower()
        close = i + 1
        while close < len(lines) and not lines[close].startswith(fence):
            close += 1
        body = lines[i + 1 : close]
        markers = _markers_before(lines, i)
        first = next((line for line in body if line.strip()), "")
        kind = None
        if info in SHELL_INFO and first.startswith("$ "):
            kind = "shell"
        elif info in {"python", "py", "pycon", "pyrepl"} and first.startswith(">>> "):
            kind = "python"
        if kind:
            split = _split_shell if kind == "shell" else _split_python
            preamble, commands = split(body)
            session = markers.get("session") or f"line {i + 1}"
            blocks.append(
                Block(
                    start=i + 1,
                    end=close,
                    kind=kind,
                    session=session,
                    run="not run" not in markers,
                    checked="output varies" not in markers,
                    preamble=preamble,
                    commands=commands,
                )
            )
        i = close + 1
    return blocks


def _markers_before(lines: list[str], fence: int) -> dict[str, str]:
    """The ``<!-- ... -->`` markers on the lines just above a fence (blank lines allowed)."""
    markers: dict[str, str] = {}
    j = fence - 1
    while j >= 0:
        if not lines[j].strip():
            j -= 1
            continue
        match = MARKER.match(lines[j])
        if not match:
            break
        body = match["body"]
        key, _, value = body.partition(":")
        markers[key.strip().lower()] = value.strip()
        j -= 1
    return markers


# -- comparing -------------------------------------------------------------------------


def _segments(expected: list[str]) -> list[list[str]]:
    segments: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == ELISION:
            segments.append([])
        else:
            segments[-1].append(line.rstrip())
    return segments


def _find(needle: list[str], hay: list[str], lo: int, hi: int) -> int:
    for k in range(lo, hi - len(needle) + 1):
        if hay[k : k + len(needle)] == needle:
            return k
    return -1


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether output matches what the README shows ("..." lines stand for any lines)."""
    actual = [line.rstrip() for line in actual]
    segments = _segments(expected)
    if len(segments) == 1:
        return segments[0] == actual
    head, *middle, tail = segments
    if len(head) + len(tail) > len(actual):
        return False
    if actual[: len(head)] != head or actual[len(actual) - len(tail) :] != tail:
        return False
    pos, end = len(head), len(actual) - len(tail)
    for segment in middle:
        found = _find(segment, actual, pos, end)
        if found < 0:
            return False
        pos = found + len(segment)
    return True


def refreshed(expected: list[str], actual: list[str]) -> list[str]:
    """The output to write back: the README's own text if it matches, else the real
    output, keeping each "..." elision and the lines around it (a segment that no longer
    occurs is replaced by the lines that look most like it)."""
    actual = [line.rstrip() for line in actual]
    if matches(expected, actual):
        return expected
    segments = _segments(expected)
    if len(segments) == 1:
        return actual
    head, *middle, tail = segments
    out = actual[: len(head)]
    pos = len(out)
    end = max(pos, len(actual) - len(tail))
    for segment in middle:
        if not segment:
            continue
        found = _find(segment, actual, pos, end)
        if found < 0:
            found = _most_like(segment, actual, pos, end)
        if found < 0:
            continue
        out += [ELISION] + actual[found : found + len(segment)]
        pos = found + len(segment)
    return out + [ELISION] + actual[max(pos, end) :]


def _most_like(segment: list[str], actual: list[str], lo: int, hi: int) -> int:
    best, best_ratio = -1, 0.5
    for k in range(lo, hi - len(segment) + 1):
        ratio = difflib.SequenceMatcher(None, segment[0], actual[k]).ratio()
        if ratio > best_ratio:
            best, best_ratio = k, ratio
    return best


# -- running ---------------------------------------------------------------------------


def find_shared() -> Path | None:
    """The read-only ``shared`` folder: $FOLLOWTHROUGH_SHARED, else beside the
    repository or one of its parents."""
    env = os.environ.get("FOLLOWTHROUGH_SHARED")
    if env:
        return Path(env).resolve() if Path(env).is_dir() else None
    for parent in REPO.parents:
        candidate = parent / "shared"
        if (candidate / "eval").is_dir():
            return candidate
    return None


class Session:
    """A scratch directory (with its own database) in which blocks run in turn."""

    def __init__(self, shared: Path | None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="readme-session-"))
        self.cwd = self.root / "work"
        self.cwd.mkdir()
        if shared is not None:
            (self.root / "shared").symlink_to(shared)
        for entry in REPO.iterdir():
            linked = entry.is_dir() or entry.name in LINKED_FILES
            if entry.name.startswith(".") or entry.name in NOT_LINKED:
                linked = False
            if entry.name.endswith(".egg-info"):
                linked = False
            if linked:
                (self.cwd / entry.name).symlink_to(entry)
        self.namespace: dict[str, object] = {"__name__": "__readme__"}
        bindir = str(Path(sys.executable).parent)
        self.env = dict(os.environ)
        self.env.pop("FOLLOWTHROUGH_DB", None)
        self.env.update(
            PATH=bindir + os.pathsep + self.env.get("PATH", ""),
            PYTHONUNBUFFERED="1",
            PYTHONHASHSEED="0",
            NO_COLOR="1",
            COLUMNS="200",
        )

    def shell(self, source: str) -> tuple[list[str], int]:
        result = subprocess.run(
            ["bash", "-c", source],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=TIMEOUT,
        )
        return _lines(result.stdout.decode("utf-8", errors="replace")), result.returncode

    def python(self, source: str) -> tuple[list[str], int]:
        buffer = io.StringIO()
        status = 0
        old = os.getcwd()
        try:
            os.chdir(self.cwd)
            with contextlib.redirect_stdout(buffer):
                try:
                    code = compile(source + "\n", "<README>", "single")
                    exec(code, self.namespace)  # noqa: S102 - the README's own examples
                except Exception as error:  # shown as doctest shows it
                    status = 1
                    last = traceback.format_exception_only(type(error), error)[-1]
                    print("Traceback (most recent call last):\n  ...\n" + last, end="")
        finally:
            os.chdir(old)
        return _lines(buffer.getvalue()), status

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _python_source(command: Command) -> str:
    return "\n".join(line[4:] for line in command.lines)


def _cannot_run(block: Block, shared: Path | None) -> str | None:
    """Why a block cannot run on this machine (no ../shared, a program not installed)."""
    if block.kind != "shell":
        return None
    path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    for command in block.commands:
        if shared is None and "../shared" in command.source:
            return "no ../shared folder"
        try:
            program = shlex.split(command.source)[0]
        except (ValueError, IndexError):
            continue
        if shutil.which(program, path=path) is None:
            return f"{program} is not installed"
    return None


def run(blocks: list[Block], only: set[str] | None = None, log=print) -> list[Block]:
    """Run every block (session by session, in README order) and fill in the output to
    write back; returns the blocks that were skipped."""
    shared = find_shared()
    sessions: dict[str, Session] = {}
    skipped: list[Block] = []
    try:
        for block in blocks:
            if not block.run or (only and block.session not in only):
                continue
            reason = _cannot_run(block, shared)
            if reason:
                log(f"skipped session {block.session!r}, block at line {block.start}: {reason}")
                skipped.append(block)
                continue
            if block.session not in sessions:
                sessions[block.session] = Session(shared)
            session = sessions[block.session]
            log(f"running session {block.session!r}, block at line {block.start}")
            for command in block.commands:
                if block.kind == "shell":
                    actual, status = session.shell(command.source)
                else:
                    actual, status = session.python(_python_source(command))
                if block.checked:
                    new = refreshed(command.expected, actual)
                    if new != command.expected:
                        first = command.lines[0][:70]
                        log(f"  changed: {first} (exit status {status})")
                    command.expected = new
    finally:
        for session in sessions.values():
            session.close()
    return skipped


def regenerate(text: str, only: set[str] | None = None, log=print) -> str:
    """The README text with every example's output replaced by what the commands print."""
    lines = text.split("\n")
    blocks = parse(lines)
    run(blocks, only, log)
    out: list[str] = []
    pos = 0
    for block in blocks:
        out += lines[pos : block.start]
        out += block.render()
        pos = block.end
    out += lines[pos:]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="exit 1 with a diff on drift")
    action.add_argument("--update", action="store_true", help="rewrite the README's output")
    action.add_argument("--list", action="store_true", help="list sessions and blocks")
    parser.add_argument("--readme", type=Path, default=REPO / "README.md")
    parser.add_argument("--session", action="append", help="run only this session (repeatable)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")

    if args.list:
        for block in parse(text.split("\n")):
            state = "not run" if not block.run else "run" if block.checked else "varies"
            print(
                f"{block.session:24} line {block.start:4}  {block.kind:6}  {state:7}  {len(block.commands)} command(s)"
            )
        return 0

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr)

    if shutil.which("followthrough", path=str(Path(sys.executable).parent)) is None:
        print(
            f"error: no followthrough command beside {sys.executable}; run this with the "
            "project's environment (.venv/bin/python tools/readme_examples.py)",
            file=sys.stderr,
        )
        return 2
    new = regenerate(text, set(args.session) if args.session else None, log)
    if new == text:
        log("README examples are up to date")
        return 0
    if args.update:
        args.readme.write_text(new, encoding="utf-8")
        log(f"updated {args.readme}")
        return 0
    diff = difflib.unified_diff(
        text.splitlines(keepends=True),
        new.splitlines(keepends=True),
        f"{args.readme.name} (as written)",
        f"{args.readme.name} (as the commands print it)",
    )
    sys.stdout.writelines(diff)
    print("README examples drifted: run python tools/readme_examples.py --update", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
