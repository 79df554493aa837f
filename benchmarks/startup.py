"""Start-up cost of the read-only commands: wall time, CPU time and peak memory per run.

    .venv/bin/python benchmarks/startup.py              # 15 runs of each command
    .venv/bin/python benchmarks/startup.py --runs 30 --db corpus.db

Each command runs in a fresh interpreter (``python -m followthrough``) against a database
holding corpus/ (built on first use). CPU time (user + system, from ``wait4``) is the
steadier figure on a shared machine; wall time follows the machine's load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [
    ["--help"],
    ["search", "word"],
    ["statements", "--kind", "commitment"],
    ["commitments", "--as-of", "2023-10-31"],
    ["gaps", "--plan", "plan.pdf", "--as-of", "2023-10-31"],
]


def run_once(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed with exit status {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", type=Path, default=ROOT / "out" / "startup.db")
    args = parser.parse_args()
    base = [sys.executable, "-m", "followthrough", "--db", str(args.db)]
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(base + ["ingest", "corpus/"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"{'command':40}  wall median (min)   CPU median (min)   peak RSS")
    for command in COMMANDS:
        runs = [run_once(base + command) for _ in range(args.runs)]
        wall, cpu, rss = zip(*runs)
        print(
            f"{' '.join(command):40}  {statistics.median(wall):.3f} s ({min(wall):.3f})"
            f"   {statistics.median(cpu):.3f} s ({min(cpu):.3f})   {statistics.median(rss):.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
