"""Benchmark talimat on a synthetic instruction dataset: validate, convert and profile.

Generates a seeded JSONL dataset in ``messages`` form (alpaca-like single turns, multi-turn
conversations, some Turkish text, some exact and near duplicates) in a temporary folder,
then runs each operation in a fresh subprocess and reports the median time over
``--repeat`` runs as a ratio to a floor measured in the same run on the same file — the
file read line by line and each line parsed with ``orjson.loads``, nothing else — and the
peak resident memory, against the targets (validate ≤ 1.5×, convert ≤ 2.5× for every
output format, profile ≤ 4× the floor, also on a file whose records repeat; peak RSS ≤ 300 MiB
each):

    python benchmarks/bench_package.py                      # 1,000,000 records, 3 runs
    python benchmarks/bench_package.py --records 100000 --repeat 1 --json bench.json

Times are taken inside the child around the work itself (interpreter start-up and imports
are left out, the same for the floor and the commands). Each measurement starts a small
wrapper process that runs the operation in its own child and reads
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: with exactly one child waited for, that
is the largest peak of the operation's processes, unaffected by earlier runs. An operation
that starts processes of its own (the profile's workers) uses memory in all of them at
once, so the wrapper also adds up the resident memory of the child and its descendants
every 10 ms (Linux's ``/proc``) and reports the larger of the two peaks. The sum counts
pages the processes share (the interpreter's and numpy's libraries) once per process: it
overstates, never understates. CPU seconds are those of every process. Unix only.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TARGET_BYTES = 300 * 1024**2
#: operation → its target as a ratio to the parse-only floor
TARGET_RATIOS = {
    "validate": 1.5,
    "convert": 2.5,
    "convert-json": 2.5,
    "convert-parquet": 2.5,
    "profile": 4.0,
    # The profile of a file whose records repeat (its first fifth five times): the pairs of
    # duplicates it reports are about as many as the records, and must stay in memory.
    "profile-repeated": 4.0,
}
OPERATIONS = ("floor", *TARGET_RATIOS)

ENGLISH_TEXT = (
    "the model should answer each question with a short clear explanation and one example "
    "write a function that returns the list of values sorted by date summarize this article "
    "in three sentences translate the following text classify the review as positive or "
    "negative give step by step instructions for training data quality matters more than "
    "quantity when you fine tune a large language model on instructions"
)
TURKISH_TEXT = (
    "modelin her soruyu kısa ve açık bir açıklamayla yanıtlaması gerekir bu metni üç cümlede "
    "özetle aşağıdaki yorumu olumlu ya da olumsuz olarak sınıflandır İstanbul Işık Ağaç Çiçek "
    "Şehir Öğrenci Üniversite verilerin kalitesi miktarından daha önemlidir ince ayar için "
    "yüksek kaliteli örnekler seç adım adım açıkla tarihe göre sıralanmış değerleri döndüren "
    "bir fonksiyon yaz"
)
ENGLISH, TURKISH = ENGLISH_TEXT.split(), TURKISH_TEXT.split()
PUNCTUATION = (".", ".", ".", "?", "!", ":", ",")


def _sentence(rng: random.Random, words: list[str], median: int, cap: int) -> str:
    count = min(cap, max(1, round(rng.lognormvariate(math.log(median), 0.6))))
    text = " ".join(rng.choices(words, k=count))
    return text[0].upper() + text[1:] + rng.choice(PUNCTUATION)


def _record(rng: random.Random) -> dict[str, object]:
    """Sizes follow Alpaca: prompts of about 13 words, responses of about 40.

    A quarter of the records are conversations of two to four exchanges; one in ten has
    a system message; one in five is Turkish.
    """
    words = TURKISH if rng.random() < 0.2 else ENGLISH
    turns: list[dict[str, str]] = []
    if rng.random() < 0.1:
        turns.append({"role": "system", "content": _sentence(rng, words, 10, 40)})
    exchanges = 1 if rng.random() < 0.75 else rng.randint(2, 4)
    for _ in range(exchanges):
        turns.append({"role": "user", "content": _sentence(rng, words, 13, 120)})
        reply = " ".join(_sentence(rng, words, 14, 80) for _ in range(rng.randint(1, 4)))
        turns.append({"role": "assistant", "content": reply})
    return {"messages": turns}


def _near_copy(record: dict[str, object]) -> dict[str, object]:
    """The same record with spacing and punctuation changed."""
    turns = [
        {"role": turn["role"], "content": "  " + turn["content"].rstrip(".?!:,") + " !"}
        for turn in record["messages"]  # type: ignore[attr-defined]
    ]
    return {"messages": turns}


def generate(path: Path, records: int, seed: int) -> None:
    """Write ``records`` JSONL records: about 3% exact and 2% near duplicates."""
    rng = random.Random(seed)
    recent: list[dict[str, object]] = []
    encode = json.JSONEncoder(ensure_ascii=False).encode
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for _ in range(records):
            roll = rng.random()
            if recent and roll < 0.03:
                record = rng.choice(recent)
            elif recent and roll < 0.05:
                record = _near_copy(rng.choice(recent))
            else:
                record = _record(rng)
                if len(recent) < 1000:
                    recent.append(record)
                else:
                    recent[rng.randrange(1000)] = record
            handle.write(encode(record) + "\n")


def write_repeated(source: Path, target: Path, records: int) -> None:
    """The first fifth of ``source``'s lines, five times over: as many records, 4/5 repeats."""
    with source.open("rb") as handle:
        head = [line for _, line in zip(range(max(1, records // 5)), handle, strict=False)]
    with target.open("wb") as out:
        for _ in range(5):
            out.writelines(head)


def run_operation(operation: str, source: Path, workdir: Path) -> None:
    """The work being measured (runs in the innermost process)."""
    if operation == "floor":
        import orjson

        loads = orjson.loads
        with source.open("rb") as handle:
            for line in handle:
                loads(line)
        return
    from talimat import formats
    from talimat.profile import profile_file

    if operation == "validate":
        report = formats.validate_file(source)
        if not report.ok:
            raise SystemExit(f"validate: {len(report.problems)} problems in {source}")
    elif operation.startswith("convert"):
        suffix = {"convert": ".jsonl", "convert-json": ".json", "convert-parquet": ".parquet"}
        target = workdir / f"converted.sharegpt{suffix[operation]}"
        report = formats.convert_file(source, target, "sharegpt")
        if not report.ok:
            raise SystemExit(f"{operation}: {len(report.problems)} problems in {source}")
    elif operation in ("profile", "profile-repeated"):
        profile_file(source).summary()
    else:
        raise SystemExit(f"unknown operation {operation!r}")


def timed_operation(operation: str, source: Path, workdir: Path) -> None:
    """Run the operation and print how long the work itself took, in seconds."""
    # Imports are not part of the measured work (their memory counts in the peak).
    if operation != "floor":
        import talimat.formats
        import talimat.profile  # noqa: F401
    if operation in ("convert-parquet", "profile", "profile-repeated"):
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
    start = time.perf_counter()
    run_operation(operation, source, workdir)
    print(json.dumps({"seconds": time.perf_counter() - start}))


def _resident_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants now, from ``/proc`` (0 elsewhere)."""
    total, waiting = 0, [pid]
    while waiting:
        current = waiting.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
                waiting += map(int, children.read().split())
        except (OSError, ValueError):
            continue  # the process ended meanwhile (or this is not Linux)
    return total


def measure_once(operation: str, source: Path, workdir: Path) -> dict[str, float]:
    """Run the operation in a child process; return its time and peak memory."""
    command = [sys.executable, __file__, "_run", operation, str(source), str(workdir)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_sum = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_sum
        while not done.wait(0.01):
            peak_sum = max(peak_sum, _resident_bytes(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    done.set()
    sampler.join()
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command, out, err)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    largest = usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux
    return {
        "seconds": json.loads(out.strip().splitlines()[-1])["seconds"],
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_bytes": max(largest, peak_sum),
        "largest_process_bytes": largest,
        "sampled_sum_bytes": peak_sum,
    }


def measure(operation: str, source: Path, workdir: Path) -> dict[str, float]:
    """One measurement in a fresh wrapper process, so RUSAGE_CHILDREN sees one child."""
    command = [sys.executable, __file__, "_measure", operation, str(source), str(workdir)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["_run"]:
        timed_operation(args[1], Path(args[2]), Path(args[3]))
        return 0
    if args[:1] == ["_measure"]:
        print(json.dumps(measure_once(args[1], Path(args[2]), Path(args[3]))))
        return 0

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records to generate")
    parser.add_argument("--repeat", type=int, default=3, help="runs per operation (median)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic dataset")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--only", choices=OPERATIONS, action="append", help="run only these operations"
    )
    options = parser.parse_args(args)

    results = []
    with tempfile.TemporaryDirectory(prefix="talimat-bench-") as folder:
        workdir = Path(folder)
        source = workdir / "dataset.messages.jsonl"
        start = time.perf_counter()
        generate(source, options.records, options.seed)
        size = source.stat().st_size
        print(
            f"generated {options.records:,} records ({size / 1024**2:,.0f} MiB, "
            f"{size / max(1, options.records):,.0f} bytes per record) "
            f"in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
        operations = ["floor", *(op for op in options.only or OPERATIONS if op != "floor")]
        repeated = workdir / "repeated.messages.jsonl"
        if "profile-repeated" in operations:
            write_repeated(source, repeated, options.records)
        sources = {op: repeated if op == "profile-repeated" else source for op in operations}
        measured: dict[str, list[dict[str, float]]] = {op: [] for op in operations}
        for _ in range(options.repeat):  # interleaved, so load on the machine hits all alike
            for operation in operations:
                measured[operation].append(measure(operation, sources[operation], workdir))
        floor = statistics.median(run["seconds"] for run in measured["floor"])
        for operation, runs in measured.items():
            seconds = statistics.median(run["seconds"] for run in runs)
            peak = max(run["peak_bytes"] for run in runs)
            ratio = seconds / floor if floor else math.inf
            target = TARGET_RATIOS.get(operation)
            results.append(
                {
                    "operation": operation,
                    "records": options.records,
                    "runs": len(runs),
                    "median_seconds": round(seconds, 3),
                    "all_seconds": [round(run["seconds"], 3) for run in runs],
                    "ratio_to_floor": round(ratio, 2),
                    "target_ratio": target,
                    "median_cpu_seconds": round(
                        statistics.median(run["cpu_seconds"] for run in runs), 3
                    ),
                    "peak_bytes": peak,
                    "peak_largest_process_bytes": max(run["largest_process_bytes"] for run in runs),
                    "peak_sampled_sum_bytes": max(run["sampled_sum_bytes"] for run in runs),
                    "ratio_ok": target is None or ratio <= target,
                    "memory_ok": operation == "floor" or peak <= TARGET_BYTES,
                }
            )

    print(
        f"{'operation':<16} {'median s':>9} {'× floor':>8} {'target':>7} {'peak MiB':>9}  "
        f"(medians of {options.repeat}; peak RSS target ≤ {TARGET_BYTES // 1024**2} MiB)"
    )
    for row in results:
        verdict = "ok" if row["ratio_ok"] and row["memory_ok"] else "MISSED"
        target = f"{row['target_ratio']:g}×" if row["target_ratio"] else "–"
        print(
            f"{row['operation']:<16} {row['median_seconds']:>9.2f} "
            f"{row['ratio_to_floor']:>7.2f}× {target:>7} "
            f"{row['peak_bytes'] / 1024**2:>9.0f}  {verdict}"
        )
    if options.json:
        payload = {
            "records": options.records,
            "dataset_bytes": size,
            "seed": options.seed,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "targets": {"ratios": TARGET_RATIOS, "peak_bytes": TARGET_BYTES},
            "results": results,
        }
        options.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0 if all(row["ratio_ok"] and row["memory_ok"] for row in results) else 1


if __name__ == "__main__":
    sys.exit(main())
