"""Benchmark the bilingual docs build; report medians and ratios to the targets.

    python benchmarks/bench_build.py [--repeat 3] [--json out.json]

Runs in a temporary copy of the repository so your own ``_build`` is left alone. Measured on
the same machine in the same run:

* floor: one kernel start + ``import numpy, pandas, matplotlib.pyplot, talimat`` + shutdown;
* Sphinx's own time: a clean bilingual build with notebook execution off;
* clean bilingual build, unchanged rebuild, rebuild after editing one page's prose and after
  editing one notebook's code.

Targets (from the project's issue): clean build <= 1.5 x (executions x floor / cores + Sphinx's
own time); unchanged rebuild <= 2 s per language. Shared machines are noisy: medians of
``--repeat`` runs, and the ratio matters more than the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from talimat.language import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent

LANG_TIME = re.compile(r"^\[(\w+)\] ok in ([\d.]+) s$", re.MULTILINE)


def copy_repository(target: Path) -> Path:
    """Copy the tracked and new (not ignored) files of the repository into ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run_build(repo: Path, *extra: str) -> tuple[float, dict[str, float]]:
    """Wall time of one ``tools/build_site.py`` run and each language's own time."""
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "tools/build_site.py", "--no-open", *extra],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if completed.returncode:
        sys.exit(f"build failed:\n{completed.stdout}\n{completed.stderr}")
    return wall, {lang: float(sec) for lang, sec in LANG_TIME.findall(completed.stdout)}


def sphinx_only(repo: Path) -> float:
    """A clean bilingual build with notebook execution off, both languages side by side."""
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sphinx",
                "-b",
                "html",
                "-q",
                "-D",
                f"language={lang}",
                "-D",
                "nb_execution_mode=off",
                "-d",
                str(repo / "_off" / lang / "doctrees"),
                str(repo),
                str(repo / "_off" / lang / "html"),
            ],
            cwd=repo,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for lang in LANGUAGES
    ]
    if any(process.wait() for process in processes):
        sys.exit("the build with execution off failed")
    seconds = time.perf_counter() - start
    shutil.rmtree(repo / "_off")
    return seconds


def kernel_floor() -> float:
    """Kernel start + the imports every notebook makes + shutdown, in seconds."""
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reply = client.execute_interactive(
            "import numpy, pandas, matplotlib.pyplot, talimat", timeout=120
        )
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
    return time.perf_counter() - start


def count_notebooks(repo: Path) -> int:
    return sum(
        "kernelspec:" in p.read_text(encoding="utf-8") for p in (repo / "notebooks").glob("*.md")
    )


def edit(path: Path, old: str | None, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1) if old else text + new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench" / "build.json")
    args = parser.parse_args(argv)
    median = statistics.median
    with tempfile.TemporaryDirectory(prefix="talimat-bench-") as tmp:
        repo = copy_repository(Path(tmp))
        notebooks = count_notebooks(repo)
        executions = notebooks * len(LANGUAGES)
        floors = [kernel_floor() for _ in range(args.repeat)]
        sphinx_times = [sphinx_only(repo) for _ in range(args.repeat)]
        clean, unchanged, per_language, page_edit, code_edit = [], [], [], [], []
        page = next((repo / "docs").glob("*.md"))
        notebook = next((repo / "notebooks").glob("*.md"))
        for run in range(args.repeat):
            shutil.rmtree(repo / "_build", ignore_errors=True)
            clean.append(run_build(repo)[0])
            wall, languages = run_build(repo)
            unchanged.append(wall)
            per_language.append(max(languages.values()))
            edit(page, None, f"\nA sentence added by the benchmark, run {run}.\n")
            page_edit.append(run_build(repo)[0])
            edit(
                notebook,
                "```{code-cell} ipython3\n",
                f"```{{code-cell}} ipython3\n_bench = {run}\n",
            )
            code_edit.append(run_build(repo)[0])
    floor = median(floors)
    sphinx_own = median(sphinx_times)
    cores = os.cpu_count() or 1
    budget = 1.5 * (executions * floor / cores + sphinx_own)
    results = {
        "cores": cores,
        "notebooks": notebooks,
        "notebook_executions": executions,
        "floor_per_notebook_s": floor,
        "sphinx_own_time_s": sphinx_own,
        "clean_build_s": median(clean),
        "clean_build_budget_s": budget,
        "clean_build_ratio_to_budget": median(clean) / budget,
        "unchanged_rebuild_s": median(unchanged),
        "unchanged_rebuild_slowest_language_s": median(per_language),
        "edit_one_page_s": median(page_edit),
        "edit_one_notebook_code_s": median(code_edit),
        "repeat": args.repeat,
    }
    for key, value in results.items():
        print(f"{key:40} {value:.2f}" if isinstance(value, float) else f"{key:40} {value}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    missed = []
    if results["clean_build_ratio_to_budget"] > 1:
        missed.append("clean build over 1.5 x (executions x floor / cores + Sphinx's own time)")
    if results["unchanged_rebuild_slowest_language_s"] > 2:
        missed.append("unchanged rebuild over 2 s per language")
    for miss in missed:
        print(f"TARGET MISSED: {miss}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
