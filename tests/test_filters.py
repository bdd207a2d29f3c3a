"""Tests for talimat.filters and the ``talimat filter`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curation_support import ALPACA, BOOKSHOP, pair, write_jsonl
from talimat.cli import main
from talimat.filters import (
    RULES,
    FilterConfig,
    FilterError,
    FilterReport,
    check_record,
    filter_records,
    prose,
    repeated_share,
)
from talimat.streams import numbered_records

pytestmark = pytest.mark.usefixtures("english_by_default")


def rules_of(record: dict, **config: object) -> list[str]:
    return [flag.rule for flag in check_record(record, config=FilterConfig(**config))]  # type: ignore[arg-type]


def test_clean_record_passes() -> None:
    assert rules_of(pair("Name a colour.", "Turquoise is a colour.")) == []


@pytest.mark.parametrize(
    ("answer", "rule"),
    [
        ("A", "length"),
        ("x" * 10_001, "length"),
        ("ooh ah ah " * 20, "repetition"),
        ("As an AI language model, I cannot have opinions.", "refusal"),
        ("I'm sorry, but I cannot help with that.", "refusal"),
        ("Bir yapay zekâ olarak kişisel görüşüm yok.", "refusal"),
        ("Here it is:\n\n```python\nprint(1)\n", "markup"),
        ("Click <script>alert(1)</script> here.", "markup"),
        ("Tom &amp; Jerry are friends.", "markup"),
        ("Dear {{customer_name}}, your order shipped.", "placeholder"),
        ("Best regards,\n[Your Name]", "placeholder"),
    ],
)
def test_each_rule_catches_its_defect(answer: str, rule: str) -> None:
    assert rules_of(pair("Write something.", answer)) == [rule]


def test_code_blocks_are_not_markup_or_placeholders() -> None:
    answer = "An HTML page:\n\n```html\n<html><body>{{ name }}</body></html>\n```\n\nDone."
    assert rules_of(pair("Write an HTML page.", answer)) == []
    assert "{{" not in prose(answer)


def test_language_rule_needs_expected_languages() -> None:
    turkish = "Siparişiniz yarın kargoya verilecek ve iki iş günü içinde adresinize ulaşacaktır."
    record = pair("When will my order ship? Please tell me the date.", turkish)
    assert rules_of(record) == []
    assert rules_of(record, languages=("en",)) == ["language"]
    assert rules_of(record, languages=("en", "tr")) == []  # a language list, not the table


def test_language_rule_ignores_short_lists() -> None:
    record = pair("List fruits.", "1. Apple\n2. Banana\n3. Kiwi")
    assert rules_of(record, languages=("tr",)) == []


def test_repeated_share() -> None:
    words, share = repeated_share("a b c a b c a b c")
    assert words == 9
    assert share == pytest.approx(4 / 7)
    assert repeated_share("one two") == (2, 0.0)


def test_reason_names_the_evidence_in_both_languages() -> None:
    [flag] = check_record(pair("Hi", "As an AI, I have no feelings."), 7)
    assert flag.record == 7
    assert flag.field == "messages[1].content"
    assert "As an AI" in flag.reason("en")
    assert "kalıp" in flag.reason("tr")
    assert flag.describe("tr").startswith("kayıt 7")


def test_bad_settings_are_refused() -> None:
    with pytest.raises(FilterError):
        FilterConfig(min_chars=10, max_chars=5)
    with pytest.raises(FilterError):
        FilterConfig(max_repeated_share=0)
    with pytest.raises(FilterError, match="unknown rule"):
        check_record(pair("a", "b"), rules=["nonsense"])


def test_real_alpaca_sample() -> None:
    report = FilterReport()
    kept = list(filter_records(numbered_records(ALPACA), report))
    counts = report.counts()
    assert report.total == 999
    assert len(kept) == report.kept == report.total - len({f.record for f in report.flags})
    assert counts["refusal"] >= 20  # "As an AI …" answers are common in GPT-generated data
    assert counts["placeholder"] >= 5  # letters that end in [Your Name]
    assert set(counts) <= set(RULES)
    # record 36 of the sample answers "3" (a valid label): the length rule's known false positive
    assert any(f.record == 36 and f.rule == "length" for f in report.flags)


def test_bookshop_markup_line_is_found() -> None:
    from talimat.samples import BOOKSHOP_PLANTED_PROBLEMS

    report = FilterReport()
    list(filter_records(numbered_records(BOOKSHOP, strict=False), report, rules=["markup"]))
    markup = {p.line for p in BOOKSHOP_PLANTED_PROBLEMS if p.kind == "markup"}
    assert {f.record for f in report.flags} == markup


# --------------------------------------------------------------------------- CLI


def test_cli_filter_writes_kept_records_in_the_input_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"instruction": "Name a colour.", "input": "", "output": "Turquoise."},
            {"instruction": "Sign the letter.", "input": "", "output": "Regards, [Your Name]"},
        ],
    )
    out = tmp_path / "out.jsonl"
    assert main(["filter", str(source), str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["records"] == 2
    assert report["kept"] == 1
    assert report["removed"][0]["record"] == 2
    assert report["removed"][0]["rule"] == "placeholder"
    lines = out.read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"instruction": "Name a colour.", "input": "", "output": "Turquoise."}
    ]


def test_cli_filter_in_turkish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [pair("Selam", "As an AI, I cannot.")])
    assert main(["--lang", "tr", "filter", str(source), str(tmp_path / "o.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "1 kayıt okundu" in out
    assert "kayıt 1, 'messages[1].content' alanı: refusal" in out


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"{not json\n", 1),  # a bad record
        (b"\xff\xfe\x00garbage\n", 2),  # not a dataset at all: unusable input
        (b"[1, 2, 3]\n", 2),
        (b'{"messages": "no list"}\n', 1),
    ],
)
def test_cli_filter_hostile_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, status: int
) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_bytes(content)
    out = tmp_path / "out.jsonl"
    assert main(["filter", str(source), str(out)]) == status
    error = capsys.readouterr().err
    assert "Traceback" not in error
    assert "bad.jsonl" in error
    if status == 1:  # a bad record is named by its number; an unusable file by what it is
        assert "record 1" in error
    assert [path.name for path in tmp_path.iterdir()] == ["bad.jsonl"]  # no partial output


def test_cli_filter_refuses_its_input_and_non_jsonl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [pair("a", "bb")])
    before = source.read_bytes()
    link = tmp_path / "hard.jsonl"
    link.hardlink_to(source)
    assert main(["filter", str(source), str(link)]) == 1
    assert "refusing to write over the input" in capsys.readouterr().err
    assert main(["filter", str(source), str(tmp_path / "out.csv")]) == 1
    assert ".jsonl" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_cli_filter_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["filter", str(tmp_path / "nope.jsonl"), str(tmp_path / "o.jsonl")]) == 2
    error = capsys.readouterr().err
    assert "nope.jsonl" in error
    assert "Traceback" not in error
