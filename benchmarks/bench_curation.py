"""Benchmark near-duplicate removal: throughput, memory, and the ratio to datasketch itself.

Generates the seeded dataset of ``bench_package.py`` (about 3% exact and 2% near
duplicates) and measures, each in a fresh subprocess:

``dedup``
    ``talimat.dedup.deduplicate_records(..., near=True)`` over the streamed file: reading
    and checking every record, exact and normalized keys, word 3-gram shingles, a MinHash
    signature per record, and the look-ups and inserts of the on-disk index of kept records
    (keys, LSH band keys, signatures in a temporary SQLite file);
``floor``
    the same file read line by line, the same shingles, and datasketch's own batch MinHash
    (``MinHash.bulk``, 128 permutations), nothing else: the cost of the signatures alone.

Both run ``--repeat`` times (3) on ``--records`` records (100,000); the medians give the
throughput and the ratio ``dedup / floor``, which is what the package adds around datasketch,
measured on the same texts in the same run, so it does not depend on the machine. Then
``dedup`` runs once more on ``--large`` records (1,000,000): its peak memory against the peak
at ``--records`` shows whether memory is flat in the record count, and the difference
divided by the extra records is what each additional record costs in memory (the list of
removed records that the report returns, about 5% of them here; the index is on disk). The
large run is not repeated: it takes minutes (12 at 1,360 records per second on the shared
two-core machine of 2026-12-01, where the whole benchmark took 19), and memory, unlike time,
hardly varies between runs. Measured there: ratio 1.43 (medians of 3), 137 MiB at 100,000
records and 144 MiB at 1,000,000, 7.4 bytes per extra record (before the on-disk index:
4,127 bytes, 4.2 GiB at a million)::

    python benchmarks/bench_curation.py                     # 3 × 100,000, then 1 × 1,000,000
    python benchmarks/bench_curation.py --records 20000 --large 80000 --json curation.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_package import generate  # run as a script, so its own folder is on the path

OPERATIONS = ("dedup", "floor")
#: The package may spend at most this many times datasketch's own MinHash time.
TARGET_RATIO = 4.0
BATCH = 1_000


def run_operation(operation: str, source: Path, workdir: Path) -> None:
    """The work being measured (runs in the innermost process)."""
    if operation == "dedup":
        from talimat.dedup import DedupResult, deduplicate_records
        from talimat.streams import numbered_records

        result = DedupResult()
        stream = deduplicate_records(numbered_records(source), result, near=True, folder=workdir)
        for _ in stream:
            pass
        print(json.dumps(result.counts()), file=sys.stderr)
    elif operation == "floor":
        from datasketch import MinHash

        from talimat.dedup import shingles

        batch: list[list[bytes]] = []
        with source.open("rb") as handle:
            for line in handle:
                turns = json.loads(line)["messages"]
                text = "\n".join(t["content"] for t in turns if t["role"] != "system")
                batch.append([gram.encode() for gram in shingles(text)])
                if len(batch) == BATCH:
                    MinHash.bulk(batch, num_perm=128)
                    batch = []
        if batch:
            MinHash.bulk(batch, num_perm=128)
    else:
        raise SystemExit(f"unknown operation {operation!r}")


def measure(operation: str, source: Path, workdir: Path) -> dict[str, float]:
    """One measurement in a fresh wrapper process, so RUSAGE_CHILDREN sees one child."""
    command = [sys.executable, __file__, "_measure", operation, str(source), str(workdir)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def _median_run(operation: str, source: Path, workdir: Path, repeat: int) -> dict[str, float]:
    runs = [measure(operation, source, workdir) for _ in range(repeat)]
    return {
        "median_seconds": statistics.median(run["seconds"] for run in runs),
        "all_seconds": [round(run["seconds"], 3) for run in runs],
        "peak_bytes": max(run["peak_bytes"] for run in runs),
    }


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["_run"]:
        run_operation(args[1], Path(args[2]), Path(args[3]))
        return 0
    if args[:1] == ["_measure"]:
        command = [sys.executable, __file__, "_run", *args[1:4]]
        start = time.perf_counter()
        subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(json.dumps({"seconds": seconds, "peak_bytes": usage.ru_maxrss * 1024}))
        return 0

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records of the timed runs")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per operation (median)")
    parser.add_argument(
        "--large", type=int, default=1_000_000, help="records of the one memory run (0: none)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic dataset")
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args(args)

    with tempfile.TemporaryDirectory(prefix="talimat-bench-curation-") as folder:
        workdir = Path(folder)
        source = workdir / "records.jsonl"
        generate(source, options.records, options.seed)
        dedup = _median_run("dedup", source, workdir, options.repeat)
        floor = _median_run("floor", source, workdir, options.repeat)
        large = None
        if options.large > options.records:
            source.unlink()
            source = workdir / "large.jsonl"
            generate(source, options.large, options.seed)
            large = _median_run("dedup", source, workdir, 1)

    ratio = dedup["median_seconds"] / floor["median_seconds"]
    result: dict[str, object] = {
        "records": options.records,
        "runs": options.repeat,
        "dedup_seconds": round(dedup["median_seconds"], 3),
        "dedup_all_seconds": dedup["all_seconds"],
        "dedup_records_per_second": round(options.records / dedup["median_seconds"]),
        "floor_seconds": round(floor["median_seconds"], 3),
        "floor_all_seconds": floor["all_seconds"],
        "floor_records_per_second": round(options.records / floor["median_seconds"]),
        "ratio_to_datasketch": round(ratio, 2),
        "ratio_ok": ratio <= TARGET_RATIO,
        "dedup_peak_bytes": dedup["peak_bytes"],
        "floor_peak_bytes": floor["peak_bytes"],
    }
    mib = 1024**2
    lines = [
        f"near-dedup of {options.records:,} records, median of {options.repeat}: "
        f"{dedup['median_seconds']:.1f} s ({result['dedup_records_per_second']:,} records/s); "
        f"datasketch MinHash alone {floor['median_seconds']:.1f} s; "
        f"ratio {ratio:.2f} (target ≤ {TARGET_RATIO:g})",
        f"peak memory {dedup['peak_bytes'] / mib:,.0f} MiB at {options.records:,} records "
        f"(datasketch MinHash alone {floor['peak_bytes'] / mib:,.0f} MiB)",
    ]
    if large is not None:
        extra = options.large - options.records
        per_record = (large["peak_bytes"] - dedup["peak_bytes"]) / extra
        result |= {
            "large_records": options.large,
            "large_seconds": round(large["median_seconds"], 3),
            "large_records_per_second": round(options.large / large["median_seconds"]),
            "large_peak_bytes": large["peak_bytes"],
            "bytes_per_extra_record": round(per_record, 1),
        }
        lines.append(
            f"peak memory {large['peak_bytes'] / mib:,.0f} MiB at {options.large:,} records "
            f"(one run, {large['median_seconds']:.0f} s): {per_record:,.1f} bytes per extra "
            "record (the removed-records list; the index is on disk)"
        )
    print("\n".join(lines))
    if options.json:
        options.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0 if result["ratio_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
