"""Tests for talimat.tokens: exact counts checked against mistral-common on real records."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("mistral_common")

from mistral_common.protocol.instruct.messages import AssistantMessage, UserMessage
from mistral_common.protocol.instruct.request import ChatCompletionRequest
from mistral_common.protocol.instruct.validator import ValidationMode
from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

from talimat import tokens
from talimat.cli import main
from talimat.formats import read_records
from talimat.language import ENV_VAR
from talimat.samples import BOOKSHOP_SUPPORT, sample_path

PUBLIC = Path(str(resources.files("talimat").joinpath("data", "public")))
ALPACA = PUBLIC / "llamafactory" / "alpaca_en_demo.json"
GLAIVE = PUBLIC / "llamafactory" / "glaive_toolcall_en_demo.json"
IDENTITY = PUBLIC / "llamafactory" / "identity.json"


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def records(path: Path, count: int | None = None) -> list[dict[str, Any]]:
    return read_records(path, strict=False).records[:count]


def with_tool_calls(count: int) -> list[dict[str, Any]]:
    found = [
        record
        for record in records(GLAIVE)
        if any(turn.get("tool_calls") for turn in record["messages"])
    ]
    return found[:count]


def turkish_with_system(count: int) -> list[dict[str, Any]]:
    """Valid bookshop records (project-written) whose system prompt is in Turkish."""
    found = [
        record
        for record in records(sample_path(BOOKSHOP_SUPPORT))
        if record["messages"][0]["role"] == "system"
        and "asistanısın" in record["messages"][0]["content"]
    ]
    return found[:count]


REAL_CASES = [
    ("alpaca", lambda: records(ALPACA, 40)),
    ("identity", lambda: records(IDENTITY, 20)),
    ("tool calls", lambda: with_tool_calls(25)),
    ("Turkish with a system prompt", lambda: turkish_with_system(15)),
]


@pytest.mark.parametrize("tokenizer", list(tokens.TOKENIZERS))
@pytest.mark.parametrize(("case", "load"), REAL_CASES, ids=[case for case, _ in REAL_CASES])
def test_counts_equal_mistral_common(tokenizer: str, case: str, load: Any) -> None:
    """The per-role split concatenates to exactly what encode_chat_completion returns."""
    sample = load()
    assert sample, case
    if tokenizer == "mistral-v1" and case == "tool calls":
        with pytest.raises(tokens.TokensError, match="mistral-v1"):
            tokens.count_record(sample[0], tokenizer)
        return
    loaded = tokens._load(tokenizer)
    for record in sample:
        reference = tokens.encode_record(record, tokenizer)
        assert tokens._encode(record, loaded).tokens == reference
        counted = tokens.count_record(record, tokenizer)
        assert counted.tokens == len(reference)
        assert sum(counted.by_role.values()) == counted.tokens
        assert counted.trained_tokens == counted.by_role["assistant"] > 0
        assert counted.context_tokens == counted.tokens - counted.trained_tokens


def test_encode_record_is_mistral_commons_own_rendering() -> None:
    """Our request for an Alpaca record is the one a reader would build by hand."""
    record = records(ALPACA, 1)[0]
    user, assistant = (turn["content"] for turn in record["messages"])
    by_hand = MistralTokenizer.from_file(
        MistralTokenizer.v3().instruct_tokenizer.tokenizer.file_path,
        mode=ValidationMode.finetuning,
    ).encode_chat_completion(
        ChatCompletionRequest(
            messages=[UserMessage(content=user), AssistantMessage(content=assistant)]
        )
    )
    assert tokens.encode_record(record, "mistral-v3") == by_hand.tokens
    text = tokens.render_record(record, "mistral-v3")
    assert text.startswith("<s>[INST]")
    assert text.endswith("</s>")


def test_tool_calls_are_rendered_with_their_definitions() -> None:
    record = with_tool_calls(1)[0]
    counted = tokens.count_record(record, "tekken")
    assert counted.by_role["available_tools"] > 0
    assert counted.by_role["tool"] > 0
    text = tokens.render_record(record, "tekken")
    assert "[AVAILABLE_TOOLS]" in text
    assert "[TOOL_CALLS]" in text
    assert "[TOOL_RESULTS]" in text


@pytest.mark.parametrize("tokenizer", list(tokens.TOKENIZERS))
def test_system_share_is_what_the_system_prompt_adds(tokenizer: str) -> None:
    record = turkish_with_system(1)[0]
    bare = {"messages": record["messages"][1:]}
    with_system = tokens.count_record(record, tokenizer)
    without = tokens.count_record(bare, tokenizer)
    assert with_system.by_role["system"] == with_system.tokens - without.tokens > 0
    assert with_system.trained_tokens == without.trained_tokens


def test_turkish_costs_more_tokens_than_english() -> None:
    english = tokens.count_text("The library opens at nine on weekdays.", "mistral-v3")
    turkish = tokens.count_text("Kütüphane hafta içi dokuzda açılıyor.", "mistral-v3")
    assert turkish > english


def test_template_tokens_add_up() -> None:
    record = records(ALPACA, 1)[0]
    measured = tokens.template_tokens(record, "mistral-v3")
    content = sum(tokens.count_text(turn["content"]) for turn in record["messages"])
    assert measured.content_tokens == content
    assert measured.template_tokens == measured.rendered_tokens - content > 0
    assert 0 < measured.template_share < 1


def test_file_counts_are_sums_of_record_counts() -> None:
    sample = records(IDENTITY)
    result = tokens.count_file(IDENTITY, "mistral-v3", max_lengths=(64, 128))
    assert result.records == len(sample) == 91
    assert result.tokens == sum(len(tokens.encode_record(r, "mistral-v3")) for r in sample)
    lengths = list(result.lengths)
    for length in (64, 128):
        assert result.truncated[length] == sum(size > length for size in lengths)
        floor = math.ceil(sum(min(size, length) for size in lengths) / length)
        assert floor <= result.packed[length] <= len(lengths)
    assert result.median_tokens == sorted(lengths)[len(lengths) // 2]


def test_refused_record_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    record = with_tool_calls(1)[0]
    plain = records(ALPACA, 1)[0]
    path.write_text(json.dumps(plain) + "\n\n" + json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(tokens.TokensError) as caught:
        tokens.count_file(path, "mistral-v1")
    message = str(caught.value)
    assert message.startswith(f"{path}: record 3: field messages:")
    assert "\n" not in message


def test_bad_tool_call_is_refused_by_field() -> None:
    record = {
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "tool_calls": [{"type": "function", "function": {}}]},
        ]
    }
    with pytest.raises(tokens.TokensError, match=r"field messages\[1\]\.tool_calls\[0\]"):
        tokens.count_record(record, "mistral-v3")


def test_unknown_tokenizer() -> None:
    with pytest.raises(tokens.TokensError, match="unknown tokenizer 'gpt-4o'"):
        tokens.count_text("hello", "gpt-4o")


def test_cli_json_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["tokens", str(GLAIVE), "--tokenizer", "tekken", "--max-length", "4096", "--json"])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert {"records", "tokens", "trained_tokens", "by_role", "truncated"} <= set(report)
    sample = records(GLAIVE)
    assert report["records"] == len(sample) == 300
    assert report["tokens"] == sum(len(tokens.encode_record(r, "tekken")) for r in sample)
    assert sum(report["by_role"].values()) == report["tokens"]
    assert set(report["truncated"]) == {"4096"}


def test_cli_text_in_turkish(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "tr", "tokens", str(IDENTITY)]) == 0
    out = capsys.readouterr().out
    assert "91 kayıt" in out
    assert "asistan (öğrenilen)" in out


def test_cli_refusal_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tokens", str(GLAIVE), "--tokenizer", "mistral-v1"]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert "record 1" in captured.err
    assert "Traceback" not in captured.err


def test_cli_bad_max_length(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tokens", str(IDENTITY), "--max-length", "0"]) == 1
    assert "maximum sequence length" in capsys.readouterr().err


def test_import_stays_light() -> None:
    code = "import sys, talimat.tokens; print('mistral_common' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- token tax


def test_is_prose() -> None:
    assert tokens.is_prose("Every chapter is written in English and Turkish.")
    assert not tokens.is_prose("`talimat.tokens.count_file`")
    assert not tokens.is_prose("{ref}`sample-counts`")
    assert not tokens.is_prose("12, 34")
    assert not tokens.is_prose("© %(copyright)s %(year)s")


def test_catalog_pairs_and_tax(tmp_path: Path) -> None:
    catalog = tmp_path / "tr" / "LC_MESSAGES" / "docs"
    catalog.mkdir(parents=True)
    (catalog / "page.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "The library opens at nine on weekdays."\n'
        'msgstr "Kütüphane hafta içi dokuzda açılıyor."\n\n'
        'msgid "Fine-tuning adapts a model."\n'
        'msgstr "İnce ayar (fine-tuning) bir modeli uyarlar."\n\n'
        'msgid "`code_only()`"\nmsgstr "`code_only()`"\n\n'
        'msgid "Not translated yet, so it is skipped."\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "A fuzzy message is skipped too."\nmsgstr "Bulanık mesaj atlanır."\n',
        encoding="utf-8",
    )
    pairs = tokens.catalog_pairs(tmp_path)
    assert [(pair.catalog, pair.english) for pair in pairs] == [
        ("tr/LC_MESSAGES/docs/page.po", "The library opens at nine on weekdays."),
        ("tr/LC_MESSAGES/docs/page.po", "Fine-tuning adapts a model."),
    ]
    assert pairs[1].turkish == "İnce ayar bir modeli uyarlar."
    pairs = pairs[:1]
    tax = tokens.token_tax(pairs, "mistral-v3")
    english = tokens.count_text(pairs[0].english)
    turkish = tokens.count_text(pairs[0].turkish)
    assert tax.english_tokens == (english,)
    assert tax.turkish_tokens == (turkish,)
    assert tax.ratio_median == pytest.approx(turkish / english)


def test_token_tax_plan_on_real_records() -> None:
    tax = tokens.TokenTax("mistral-v3", (10, 20, 30), (20, 40, 60))
    assert tax.ratio_median == pytest.approx(2.0)
    sample = records(ALPACA, 20)
    plan = tokens.token_tax_plan(tax, sample, count=1000, context_length=4096)
    measured = [tokens.template_tokens(record, "mistral-v3") for record in sample]
    english = sum(m.rendered_tokens for m in measured) / len(measured)
    turkish = sum(m.template_tokens + 2 * m.content_tokens for m in measured) / len(measured)
    assert plan.english_tokens == round(1000 * english)
    assert plan.turkish_tokens == round(1000 * turkish)
    assert 0 < plan.extra_tokens < plan.english_tokens  # templates do not double
    assert plan.turkish_turns < plan.english_turns
    assert plan.fewer_turns == plan.english_turns - plan.turkish_turns


def test_find_catalogs(tmp_path: Path) -> None:
    folder = tmp_path / "locales" / "tr" / "LC_MESSAGES"
    (folder / "docs").mkdir(parents=True)
    assert tokens.find_catalogs(folder / "docs") == folder
    with pytest.raises(tokens.TokensError):
        tokens.find_catalogs(tmp_path.parent)


def test_no_catalogs(tmp_path: Path) -> None:
    with pytest.raises(tokens.TokensError, match=r"no \.po catalogs"):
        tokens.catalog_pairs(tmp_path)


def test_cli_size_in_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    expected = tokens.count_file(IDENTITY, "tekken").median_trained_tokens
    argv = ["size", "--purpose", "task", "--params", "7"]
    assert main([*argv, "--tokens-file", str(IDENTITY), "--tokenizer", "tekken"]) == 0
    out = capsys.readouterr().out
    assert f"({expected:.1f} trained tokens per record" in out
    assert "tokenizer tekken" in out
    assert main([*argv, "--records", "1000"]) == 0
    out = capsys.readouterr().out
    assert "the Alpaca sample shipped with talimat" in out
    assert "With your 1,000 records" in out


# --------------------------------------------------------------------------- properties

TEXT = st.text(
    alphabet=st.sampled_from(list("abcçdefgğhıijklmnoöprsştuüvyzİIÇĞÖŞÜ .,?!\n0123456789")),
    min_size=1,
    max_size=60,
).filter(lambda text: text.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    system=st.one_of(st.none(), TEXT),
    exchanges=st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=3),
    tokenizer=st.sampled_from(list(tokens.TOKENIZERS)),
)
def test_split_encoding_is_mistral_commons_for_any_conversation(
    system: str | None, exchanges: list[tuple[str, str]], tokenizer: str
) -> None:
    turns = [] if system is None else [{"role": "system", "content": system}]
    for user, assistant in exchanges:
        turns += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    record = {"messages": turns}
    encoded = tokens._encode(record, tokens._load(tokenizer))
    assert encoded.tokens == tokens.encode_record(record, tokenizer)
    assert sum(encoded.by_role.values()) == len(encoded.tokens)


def test_tax_tables_have_a_row_per_tokenizer_headed_in_the_readers_language() -> None:
    tax = tokens.TokenTax("mistral-v3", (10, 20, 30), (20, 40, 66))
    frame = tokens.token_tax_table([tax], "tr")
    assert list(frame.columns[:3]) == ["Belirteçleyici", "Mesaj", "Medyan belirteç, İngilizce"]
    assert frame.iloc[0].tolist() == [
        "mistral-v3",
        3,
        20,
        40,
        tax.ratio_q1,
        2.0,
        tax.ratio_q3,
        pytest.approx(126 / 60),
    ]
    plan = tokens.TokenTaxPlan("tekken", 1000, 2.0, 100.0, 180.0, 90.0, 170.0, 4096)
    frame = tokens.token_tax_plan_table([plan, plan])
    assert list(frame.columns) == [
        "Tokenizer",
        "Tokens, English",
        "Tokens, Turkish",
        "Extra tokens in Turkish",
        "Exchanges per window, English",
        "Exchanges per window, Turkish",
        "Fewer exchanges in Turkish",
    ]
    assert frame.iloc[1].tolist() == ["tekken", 100_000, 180_000, 80_000, 45, 24, 21]
    assert tokens.token_tax_table([]).columns[0] == "Tokenizer"


@pytest.mark.parametrize("name", tokens.TOKENIZERS)
@pytest.mark.parametrize("where", ["user", "assistant"])
def test_a_lone_surrogate_in_memory_is_a_named_refusal(name: str, where: str) -> None:
    """A str from memory can hold a lone surrogate (a JSON file cannot): SentencePiece raised a
    bare RuntimeError on it and Tekken counted it; every path now names the field."""
    turns = {"user": "Bir soru", "assistant": "Bir yanıt"}
    turns[where] = turns[where] + "\ud800"
    index = 0 if where == "user" else 1
    record = {"messages": [{"role": role, "content": text} for role, text in turns.items()]}
    calls = [
        lambda: tokens.count_record(record, name),
        lambda: tokens.encode_record(record, name),
        lambda: tokens.count_records([record], name),
    ]
    for call in calls:
        with pytest.raises(tokens.TokensError, match=rf"messages\[{index}\]\.content.*surrogate"):
            call()
