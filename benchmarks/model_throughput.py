"""End-to-end extraction throughput with the learned classifier, on long real minutes.

Reads each document of ../shared/realdocs (the long Limerick minutes; or the files given)
as ingest reads it, then times extract_statements with the model (the default) and with
the rules alone (--no-model), best of --repeat runs, in characters per second. Both the
wall clock and this process's CPU time are printed: on a shared machine the CPU-time rate
is the one that says what the code costs. Target (issue 9): >= 0.3 M characters/s.

    .venv/bin/python benchmarks/model_throughput.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from followthrough.extract import build_pipeline, extract_statements
from followthrough.ingest import read_document

# ../shared/realdocs beside the project (worktrees sit one level deeper)
HERE = Path(__file__).resolve()
REALDOCS = next(
    (p / "shared" / "realdocs" for p in HERE.parents if (p / "shared" / "realdocs").is_dir()), Path("realdocs")
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each; the fastest counts")
    parser.add_argument("--copies", type=int, default=10, help="each document this many times per run")
    args = parser.parse_args()
    files = args.files or sorted(p for p in Path(os.environ.get("REALDOCS", REALDOCS)).iterdir() if p.is_file())
    documents = [read_document(path) for path in files]
    size = sum(len(d.text) for d in documents) * args.copies
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"text: {len(documents)} documents x {args.copies}, {size:,} characters")
    pipelines = {"model": build_pipeline(), "rules alone": build_pipeline(learned=False)}
    best = {name: [float("inf"), float("inf"), 0] for name in pipelines}
    for _ in range(args.repeat):
        for name, nlp in pipelines.items():
            wall, cpu = time.perf_counter(), time.process_time()
            found = sum(len(extract_statements(d, nlp=nlp)) for _ in range(args.copies) for d in documents)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            b = best[name]
            b[0], b[1], b[2] = min(b[0], wall), min(b[1], cpu), found // args.copies
    for name, (wall, cpu, found) in best.items():
        print(
            f"{name:<12} {size / cpu / 1e6:5.2f} M chars/s CPU time, {size / wall / 1e6:5.2f} M chars/s wall; {found} statements"
        )


if __name__ == "__main__":
    main()
