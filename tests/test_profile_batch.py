"""The profile's batch measurement gives exactly what the per-record measurement gives.

``talimat.profile`` measures the plain records of a file a batch at a time (lengths,
word counts, duplicate keys); the per-record measurement it replaced is kept as the
reference path and as the fallback for text off the fast path. These tests pin the two
together: on arbitrary Unicode text (property tests), on real records from public
trainers' repositories, and against fingerprints of reports that the per-record
implementation computed before the batch path existed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import random
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talimat.profile import DatasetProfile, profile_file
from talimat.profile_text import measure_batch, measure_texts, padded_form

PUBLIC = resources.files("talimat") / "data" / "public"

#: sha256 of :func:`fingerprint` of each report, computed by the per-record implementation
#: (talimat at commit 3f0e3fc, before the batch path) with the default language sample.
RECORDED = {
    "llamafactory/alpaca_en_demo.json": (
        "2a3e7882c503c60bbb12177b3f44633a56f137ab9be35b40eaf2194ebf95627c"
    ),
    "llamafactory/dpo_en_demo.json": (
        "59c41e345d3a0271c4902877f0a4b3a28fdb6956d2b4817b5350650c9bc9c3e6"
    ),
    "llamafactory/glaive_toolcall_en_demo.json": (
        "40a37b02786d0cd106bd32a4f2f1eb01e2b065bec81d0fda383cce3965d4ae9f"
    ),
    "llamafactory/identity.json": (
        "e840d722ea917e98dec2a4757980fcd7eb3348d943f10d7f05a0ede663276373"
    ),
    "llamafactory/kto_en_demo.json": (
        "adb24c61ad96ec31849af78b60db90b1d737d4054387b8937f6924747e501f51"
    ),
}


def fingerprint_payload(profile: DatasetProfile) -> dict[str, Any]:
    """Every figure of a report, as JSON: each table, the sample size, problems, summaries."""
    names = (
        "counts",
        "turns_per_record",
        "lengths",
        "duplicates",
        "duplicate_pairs",
        "languages",
        "turn_lengths",
    )
    payload: dict[str, Any] = {
        name: json.loads(getattr(profile, name).to_json(orient="split", double_precision=15))
        for name in names
    }
    payload["records"] = profile.records
    payload["language_sample_size"] = profile.language_sample_size
    payload["problems"] = [problem.to_dict() for problem in profile.problems]
    payload["summary"] = [profile.summary("en"), profile.summary("tr")]
    return payload


def fingerprint(profile: DatasetProfile) -> str:
    text = json.dumps(fingerprint_payload(profile), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _load(name: str) -> Any:
    return json.loads((PUBLIC / name).read_text(encoding="utf-8"))


def _lines(name: str) -> list[Any]:
    text = (PUBLIC / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _turn(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


SHAREGPT_ROLES = {"human": "user", "gpt": "assistant", "function_call": "assistant"}
SHAREGPT_ROLES |= {"observation": "tool", "system": "system"}


def real_conversations() -> dict[str, list[dict[str, Any]]]:
    """Real records of the public files, written by hand as plain ``messages`` records.

    Written here rather than by ``talimat convert`` so that the recorded fingerprints
    depend on the profile alone.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for name in ("alpaca_en_demo", "identity"):
        out[name] = [
            {
                "messages": [
                    _turn("user", "\n\n".join(filter(None, [r["instruction"], r["input"]]))),
                    _turn("assistant", r["output"]),
                ]
            }
            for r in _load(f"llamafactory/{name}.json")
        ]
    for name in ("dpo_en_demo", "glaive_toolcall_en_demo"):
        records = []
        for r in _load(f"llamafactory/{name}.json"):
            turns = [*r["conversations"], *([r["chosen"]] if "chosen" in r else [])]
            records.append(
                {"messages": [_turn(SHAREGPT_ROLES[t["from"]], t["value"]) for t in turns]}
            )
        out[name] = records
    out["kto_en_demo"] = [
        {"messages": [_turn(m["role"], m["content"]) for m in r["messages"]]}
        for r in _load("llamafactory/kto_en_demo.json")
    ]
    answers = {
        r["question_id"]: r["choices"][0]["turns"]
        for r in _lines("fastchat/mt_bench_reference_answer_gpt-4.jsonl")
    }
    out["mt_bench"] = [
        {
            "messages": [
                message
                for question, answer in zip(q["turns"], answers[q["question_id"]], strict=False)
                for message in (_turn("user", question), _turn("assistant", answer))
            ]
        }
        for q in _lines("fastchat/mt_bench_question.jsonl")
        if q["question_id"] in answers
    ]
    out["seed_tasks"] = [
        {
            "messages": [
                _turn("user", "\n\n".join(filter(None, [r["instruction"], i["input"]]))),
                _turn("assistant", i["output"]),
            ]
        }
        for r in _lines("stanford_alpaca/seed_tasks.jsonl")
        for i in r["instances"]
    ]
    return out


def mixed_records() -> list[dict[str, Any]]:
    """All the real conversations shuffled, with repeats, near repeats and odd records."""
    rng = random.Random(11)
    records = [r for group in real_conversations().values() for r in group]
    rng.shuffle(records)
    mixed: list[dict[str, Any]] = []
    for record in records:
        mixed.append(record)
        roll = rng.random()
        if roll < 0.05:
            mixed.append(rng.choice(mixed))  # an exact repeat
        elif roll < 0.1:
            near = rng.choice(mixed)
            mixed.append(
                {
                    "messages": [
                        _turn(m["role"], "  " + m["content"].upper() + " !")
                        for m in near["messages"]
                    ]
                }
            )
        elif roll < 0.12:  # off the fast path: an extra key, a blank turn
            mixed.append({"messages": [{**record["messages"][0], "name": "ayşe"}]})
            mixed.append({"messages": [_turn("user", "Soru"), _turn("assistant", " ")]})
    return mixed


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the batch kernel against the per-record one, on arbitrary text -------------------

TRICKY = list(
    "aıIİiŞşÇçĞğ .,!?'\t\n\x0b\x1c\x1f\x00\x02\x01\xa0\u2009\u3000\u2019—_-xX0é\u0307ßΣς😀"
)


def per_record(records: list[tuple[str, ...]]) -> tuple[list[int], list[bytes]]:
    """The reference: :func:`measure_texts` record by record, keys written padded."""
    words: list[int] = []
    forms: list[bytes] = []
    for texts in records:
        counts, form = measure_texts(list(texts))
        words.extend(counts)
        forms.append(padded_form(form))
    return words, forms


def check_batch(records: list[tuple[str, ...]]) -> None:
    words, forms = measure_batch(records)
    assert (words.tolist(), forms) == per_record(records)
    for texts, count in zip(records, _split(words.tolist(), records), strict=True):
        assert count == [len(text.split()) for text in texts]  # the definition of a word


def _split(words: list[int], records: list[tuple[str, ...]]) -> list[list[int]]:
    out, at = [], 0
    for texts in records:
        out.append(words[at : at + len(texts)])
        at += len(texts)
    return out


record_texts = st.lists(
    st.one_of(
        st.text(alphabet=st.sampled_from(TRICKY), max_size=30),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
        st.text(alphabet=st.characters(max_codepoint=0x7FF), max_size=30),
        st.text(alphabet=st.sampled_from(list("İstanbul IŞIK ışık i.")), max_size=30),
    ),
    min_size=1,
    max_size=4,
).map(tuple)


@settings(max_examples=400, deadline=None)
@given(st.lists(record_texts, max_size=12))
def test_batch_matches_per_record_on_any_text(records: list[tuple[str, ...]]) -> None:
    check_batch(records)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TRICKY[:12]), max_size=3).map(tuple), max_size=12))
def test_batch_matches_per_record_on_empty_and_tiny_texts(records: list[tuple[str, ...]]) -> None:
    """Records with no text at all, empty texts, lone separators and capitals."""
    check_batch(records)


def test_batch_kernels_on_fixed_cases() -> None:
    english, turkish = ("I said: HI!", "In  the end."), ("IŞIK", "İstanbul’da  ışık ")
    check_batch([english, turkish, ("x\x00y",), ("a\x02b", " "), (), ("ß Σ ς", "\ud800")])
    check_batch([english, turkish] * 50)  # all on the fast path
    forms = [" i said hi \x00 in the end ", " ışık \x00 istanbulda ışık "]
    assert measure_batch([english, turkish])[1] == [form.encode() for form in forms]
    huge = ("Bir İki ÜÇ, dört; " * 60_000, "The END " * 100_000)
    check_batch([huge, english])
    words, forms = measure_batch([])  # no records: nothing measured
    assert words.tolist() == []
    assert forms == []


def safe_two_byte_letters() -> list[str]:
    """Every non-ASCII character the batch kernel takes (two UTF-8 bytes, a safe lead)."""
    from talimat.profile_text import _fold_tables

    safe = set(_fold_tables().off_path)
    return [chr(code) for code in range(0x80, 0x800) if chr(code).encode()[0] in safe]


def test_two_byte_case_folding_is_str_casefold_on_every_character() -> None:
    from talimat.profile_text import _casefold_two_byte

    letters = safe_two_byte_letters()
    assert {"Ş", "İ", "ß", "Ж"} <= set(letters)
    for letter in letters:
        text = f"a {letter}\x00{letter * 3}\x02b"
        assert _casefold_two_byte(text.encode()) == text.casefold().encode(), letter
    everything = "".join(letters)
    assert _casefold_two_byte(everything.encode()) == everything.casefold().encode()


@given(
    st.text(
        alphabet=st.sampled_from(
            [*"abc xyz\x00\x01\x02", *"ıİşŞğĞçÇöÖüÜâ", *"ΣσςЖжßſǅ", *"µÀÿĀžƀɏ"]
        ),
        max_size=60,
    )
)
@settings(max_examples=300, deadline=None)
def test_two_byte_case_folding_matches_str_casefold(text: str) -> None:
    from talimat.profile_text import _casefold_two_byte

    if "İ" in text:  # the batch kernel replaces İ before folding; str.casefold gives i̇
        text = text.replace("İ", "i")
    assert _casefold_two_byte(text.encode()) == text.casefold().encode()


def test_plain_text_takes_the_batch_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """English and Turkish text never falls back to record-by-record measurement."""
    import talimat.profile_text as profile_text

    alpaca = real_conversations()["alpaca_en_demo"]
    records = [tuple(m["content"] for m in r["messages"]) for r in alpaca]
    records = [texts for texts in records if "\x00".join(texts).isascii()]
    assert len(records) > 800
    records += [("İstanbul’da ne var?", "Işık")]  # ’ is off the fast path: that record alone
    records += [("Türkiye'nin en kalabalık şehri İSTANBUL", "Ağaç, çiçek; ÖĞRENCİ!")] * 3
    fallback: list[int] = []

    def measured_alone(texts: list[str], lang: str | None = None) -> tuple[list[int], bytes]:
        fallback.append(len(texts))
        return measure_texts(texts, lang)

    monkeypatch.setattr(profile_text, "measure_texts", measured_alone)
    check_batch(records)
    assert fallback == [2]


def test_plain_records_take_the_batch_path(tmp_path: Path) -> None:
    """A profile of plain records measures them in batches, not one by one."""
    from talimat import profile

    path = write_jsonl(tmp_path / "plain.jsonl", real_conversations()["alpaca_en_demo"])
    calls: list[int] = []
    original = profile._Accumulator.add_batch

    def counted(self: Any, numbers: list[int], records: list[Any], *rest: Any) -> None:
        calls.append(len(records))
        original(self, numbers, records, *rest)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(profile._Accumulator, "add_batch", counted)
        profile_file(path, language_sample=0)
    assert sum(calls) == 999
    # Whole blocks of the reader, gathered until there are BATCH_RECORDS or more.
    assert len(calls) > 1
    assert all(count >= profile.BATCH_RECORDS for count in calls[:-1])
    assert max(calls) < 2 * profile.BATCH_RECORDS


# --- whole profiles: the batch path against the reference path and recorded reports ----

#: sha256 of :func:`fingerprint` of the profile of each :func:`real_conversations` file
#: (and of :func:`mixed_records`), computed by the per-record implementation.
RECORDED_CONVERSATIONS = {
    "alpaca_en_demo": "e7b86f2b8bc321e2636c077cb30e4da98316622b48b357307dc728bb66a0da0b",
    "identity": "e840d722ea917e98dec2a4757980fcd7eb3348d943f10d7f05a0ede663276373",
    "dpo_en_demo": "59c41e345d3a0271c4902877f0a4b3a28fdb6956d2b4817b5350650c9bc9c3e6",
    "glaive_toolcall_en_demo": "8787b6a91479470091a31b1c5bdc74ab1a6817135a5d00b85b0e1aee662176e8",
    "kto_en_demo": "adb24c61ad96ec31849af78b60db90b1d737d4054387b8937f6924747e501f51",
    "mt_bench": "093cc02cb4012a8da46720b91a56bf2b8f5544b583666b57c79ccdd9f5f10cc1",
    "seed_tasks": "4a4aad3848f49119dc6373f2afe02165146bafc59aa477d0f1c885803a828665",
    "mixed": "7e05efe1b411779a0b24b15b5f841f76af875e74baffa3b8ba8184f73deca895",
}
#: The same for the mixed file profiled with ``language_sample=50, seed=3``.
RECORDED_MIXED_SAMPLE_50 = "ea88745504b88ce0b1314965b8553a3b8dea0638523bb15d3ea5f5dde75ccd30"
#: ``benchmarks/bench_package.py``'s file of 20,000 records (seed 0): its sha256 and the
#: fingerprint of its profile, computed by the per-record implementation.
BENCH_FILE = "c8567e484e790b481fcb79237d5f3b14d619905cc891e8a136325089897a104e"
RECORDED_BENCH = "55dff8d0213eebc722a6273ea24895c9d227f9e86f002d3595b426233e9813fc"


def profiled(path: Path, batch_size: int | None = None, **options: Any) -> DatasetProfile:
    """``profile_file`` with plain records measured ``batch_size`` at a time (0: one by one)."""
    from talimat import profile

    if batch_size is None:
        return profile_file(path, **options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(profile, "_pass", functools.partial(profile._pass, batch_size=batch_size))
        return profile_file(path, **options)


@pytest.fixture(scope="module")
def conversation_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("conversations")
    files = {
        name: write_jsonl(folder / f"{name}.jsonl", records)
        for name, records in real_conversations().items()
    }
    files["mixed"] = write_jsonl(folder / "mixed.jsonl", mixed_records())
    return files


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_public_files_profile_as_recorded(name: str) -> None:
    assert fingerprint(profile_file(Path(str(PUBLIC / name)))) == RECORDED[name]


@pytest.mark.parametrize("name", sorted(RECORDED_CONVERSATIONS))
def test_real_conversations_profile_as_recorded(
    name: str, conversation_files: dict[str, Path]
) -> None:
    assert fingerprint(profiled(conversation_files[name])) == RECORDED_CONVERSATIONS[name]


@pytest.mark.parametrize("batch_size", [1, 7, 256])
def test_batch_sizes_and_reservoir_steps_agree(
    batch_size: int, conversation_files: dict[str, Path]
) -> None:
    """Reservoir picks inside and across batches, and records between batches, in order."""
    path = conversation_files["mixed"]
    reference = fingerprint_payload(profiled(path, 0, language_sample=50, seed=3))
    assert fingerprint_payload(profiled(path, batch_size, language_sample=50, seed=3)) == reference
    assert fingerprint(profiled(path, batch_size, language_sample=50, seed=3)) == (
        RECORDED_MIXED_SAMPLE_50
    )


def test_reference_path_is_the_recorded_implementation(
    conversation_files: dict[str, Path],
) -> None:
    path = conversation_files["mixed"]
    assert fingerprint(profiled(path, 0)) == RECORDED_CONVERSATIONS["mixed"]


@pytest.mark.slow
def test_bench_file_profiles_as_recorded(tmp_path: Path) -> None:
    """The benchmark's own file: the batch path, the reference path and the record agree."""
    spec = importlib.util.spec_from_file_location(
        "bench_package", Path(__file__).parents[1] / "benchmarks" / "bench_package.py"
    )
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "bench.messages.jsonl"
    bench.generate(path, 20_000, 0)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == BENCH_FILE, (
        "benchmarks/bench_package.py writes another file now: record its fingerprint anew "
        "with the reference path (batch_size=0)"
    )
    batch = fingerprint_payload(profiled(path))
    assert batch == fingerprint_payload(profiled(path, 0))
    assert hashlib.sha256(json.dumps(batch, sort_keys=True).encode()).hexdigest() == (
        RECORDED_BENCH
    )
    # Worker processes, each reading a part of the file (talimat.profile_workers).
    assert fingerprint_payload(profile_file(path, workers=2)) == batch
