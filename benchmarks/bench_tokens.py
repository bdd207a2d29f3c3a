"""Benchmark ``talimat tokens`` against a floor: the same tokenizer's batch encoding.

Writes a JSONL file of ``--records`` records (default 100,000) in ``messages`` form, cycling
through the real Alpaca sample that ships with talimat, then times three things in fresh
subprocesses, ``--repeat`` times each (median):

``tokens``
    ``talimat tokens FILE --tokenizer NAME --json``: read, validate, render every record
    with the chat template in fine-tuning mode, count by role, check the lengths.
``floor``
    Read the same file with ``json.loads`` and encode every message text in one batch call
    of the same tokenizer (SentencePiece ``encode(list)``, Tekken ``encode_ordinary_batch``):
    the least work that yields a token count for each text, as the target defines it.
``loop``
    The same texts encoded one call each (SentencePiece ``encode(text)``, tiktoken
    ``encode_ordinary(text)``). On a busy two-core machine tiktoken's threaded batch is
    slower than this loop, so the ratio to the faster of the two floors is reported too.

It reports the ratio tokens/floor (target <= 1.3), the ratio to the faster floor, the
ratio of CPU seconds (user + system, less sensitive to other load on the machine), and
the peak resident memory of ``talimat tokens`` at a quarter of the records and at all of
them (target: flat, the larger within 10 % of the smaller)::

    python benchmarks/bench_tokens.py
    python benchmarks/bench_tokens.py --records 20000 --repeat 1 --tokenizer tekken

Peak memory is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by a wrapper process
around each run, as in bench_package.py. Unix only.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 1.3
TARGET_MEMORY_GROWTH = 1.10
TOKENIZERS = ("mistral-v1", "mistral-v3", "tekken")


def generate(path: Path, records: int) -> None:
    """Cycle through the real Alpaca sample until ``records`` records are written."""
    from talimat.formats import read_records
    from talimat.samples import public_path

    sample = read_records(public_path("llamafactory/alpaca_en_demo.json")).records
    with path.open("w", encoding="utf-8") as handle:
        for index in range(records):
            record = sample[index % len(sample)]
            handle.write(json.dumps({"messages": record["messages"]}, ensure_ascii=False))
            handle.write("\n")


def run_tokens(source: Path, tokenizer: str) -> None:
    from contextlib import redirect_stdout
    from io import StringIO

    from talimat.cli import main

    with redirect_stdout(StringIO()):
        status = main(["tokens", str(source), "--tokenizer", tokenizer, "--json"])
    if status:
        raise SystemExit(status)


def _texts(source: Path, tokenizer: str) -> tuple[Any, list[str]]:
    from talimat.tokens import _load

    raw = _load(tokenizer).raw
    texts: list[str] = []
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            texts.extend(turn["content"] for turn in json.loads(line)["messages"])
    return raw._model, texts  # the SentencePiece processor or tiktoken Encoding


def run_floor(source: Path, tokenizer: str) -> None:
    model, texts = _texts(source, tokenizer)
    if hasattr(model, "encode_ordinary_batch"):
        model.encode_ordinary_batch(texts)
    else:
        model.encode(texts)


def run_loop(source: Path, tokenizer: str) -> None:
    model, texts = _texts(source, tokenizer)
    encode = getattr(model, "encode_ordinary", model.encode)
    for text in texts:
        encode(text)


RUNS = {"tokens": run_tokens, "floor": run_floor, "loop": run_loop}


def measure(kind: str, source: Path, tokenizer: str) -> dict[str, float]:
    """Run one measurement in a wrapper process, so that its peak memory is its own."""
    command = [sys.executable, __file__, "_measure", kind, str(source), tokenizer]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def _measure(kind: str, source: str, tokenizer: str) -> None:
    command = [sys.executable, __file__, "_run", kind, source, tokenizer]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    print(
        json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_bytes": usage.ru_maxrss * 1024})
    )


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "_run":
        RUNS[args[1]](Path(args[2]), args[3])
        return 0
    if args and args[0] == "_measure":
        _measure(args[1], args[2], args[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--tokenizer", choices=TOKENIZERS, action="append")
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args(args)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        full = Path(folder) / "records.jsonl"
        quarter = Path(folder) / "quarter.jsonl"
        generate(full, options.records)
        generate(quarter, max(1, options.records // 4))
        for tokenizer in options.tokenizer or list(TOKENIZERS):
            runs = {
                kind: [measure(kind, full, tokenizer) for _ in range(options.repeat)]
                for kind in RUNS
            }
            small = measure("tokens", quarter, tokenizer)
            seconds = {kind: _median(done, "seconds") for kind, done in runs.items()}
            cpu = {kind: _median(done, "cpu_seconds") for kind, done in runs.items()}
            floor_seconds = seconds["floor"]
            best_floor = min(floor_seconds, seconds["loop"])
            cpu_ratio = cpu["tokens"] / min(cpu["floor"], cpu["loop"])
            peak = max(run["peak_bytes"] for run in runs["tokens"])
            ratio = seconds["tokens"] / floor_seconds
            growth = peak / small["peak_bytes"]
            rows.append(
                {
                    "tokenizer": tokenizer,
                    "records": options.records,
                    "runs": options.repeat,
                    "tokens_seconds": round(seconds["tokens"], 2),
                    "floor_seconds": round(floor_seconds, 2),
                    "loop_seconds": round(seconds["loop"], 2),
                    "ratio": round(ratio, 2),
                    "ratio_to_faster_floor": round(seconds["tokens"] / best_floor, 2),
                    "cpu_ratio_to_faster_floor": round(cpu_ratio, 2),
                    "ratio_ok": ratio <= TARGET_RATIO,
                    "peak_bytes": peak,
                    "peak_bytes_quarter": small["peak_bytes"],
                    "memory_growth": round(growth, 3),
                    "memory_ok": growth <= TARGET_MEMORY_GROWTH,
                }
            )
    print(
        f"{'tokenizer':<11} {'tokens s':>9} {'floor s':>8} {'loop s':>7} {'ratio':>6} "
        f"{'/faster':>8} {'cpu':>5} {'peak MiB':>9} {'at 1/4':>7}  verdict"
    )
    for row in rows:
        verdict = "ok" if row["ratio_ok"] and row["memory_ok"] else "ABOVE TARGET"
        print(
            f"{row['tokenizer']:<11} {row['tokens_seconds']:>9.2f} {row['floor_seconds']:>8.2f} "
            f"{row['loop_seconds']:>7.2f} {row['ratio']:>6.2f} "
            f"{row['ratio_to_faster_floor']:>8.2f} {row['cpu_ratio_to_faster_floor']:>5.2f} "
            f"{row['peak_bytes'] / 1024**2:>9.0f} {row['peak_bytes_quarter'] / 1024**2:>7.0f}  "
            f"{verdict}"
        )
    if options.json:
        targets = {"ratio": TARGET_RATIO, "memory_growth": TARGET_MEMORY_GROWTH}
        options.json.write_text(json.dumps({"results": rows, "targets": targets}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
