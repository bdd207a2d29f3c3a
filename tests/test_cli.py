"""Tests for the ``talimat`` command, run in-process through ``main([...])``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from talimat.cli import main
from talimat.language import ENV_VAR


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
        encoding="utf-8",
    )
    return path


def pair(prompt: str, response: str) -> dict:
    return {
        "messages": [
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": response},
        ]
    }


@pytest.fixture
def messages_file(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "chat.jsonl",
        [
            pair("Türkiye'nin başkenti neresidir?", "Türkiye'nin başkenti Ankara'dır."),
            pair("What is the capital of France?", "The capital of France is Paris."),
            pair("Türkiye'nin başkenti neresidir?", "Türkiye'nin başkenti Ankara'dır."),
        ],
    )


@pytest.fixture
def alpaca_file(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "alpaca.jsonl",
        [
            {"instruction": "Cümleyi çevir.", "input": "Good morning", "output": "Günaydın"},
            {"instruction": "Bir renk söyle.", "input": "", "output": "Turkuaz."},
        ],
    )


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"instruction": "Bir renk söyle.", "input": "", "output": "Mavi."},
            {"instruction": "Bir sayı söyle.", "input": ""},
        ],
    )


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- help


def test_help_is_localized(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "usage: talimat" in out
    assert "profile" in out
    code, out, _ = run(capsys, "--lang", "tr", "--help")
    assert code == 0
    assert "kullanım: talimat" in out
    assert "komutlar" in out
    assert "bu yardımı gösterip çık" in out


def test_subcommand_help_follows_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "tr")
    code, out, _ = run(capsys, "mix", "--help")
    assert code == 0
    assert "kullanım: talimat mix" in out
    assert "karışımdaki kayıt sayısı" in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--lang", "tr", "convert", "a.jsonl", "b.jsonl")
    assert code == 2
    assert "talimat convert: hata:" in err
    assert "--to" in err


# --------------------------------------------------------------------------- catalog, size


def test_catalog_filters_and_formats_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "--purpose", "general", "--size-band", "10k-100k")
    assert code == 0
    assert "tatsu-lab/alpaca" in out
    assert "52,002" in out
    assert "Datasets listed:" in out
    code, out, _ = run(capsys, "--lang", "tr", "catalog", "--purpose", "general")
    assert code == 0
    assert "52.002" in out
    assert "genel amaçlı" in out


def test_catalog_commercial_lists_only_allowed_and_says_why_others_are_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "catalog", "--commercial", "--language", "tr")
    assert code == 0
    listed, _, excluded = out.partition("Excluded for commercial use:")
    assert "OpenAssistant/oasst1" in listed
    assert "TFLai/Turkish-Alpaca" not in listed
    assert "merve/turkish_instructions" not in listed
    assert "TFLai/Turkish-Alpaca: derived from non-commercial data" in excluded
    assert "merve/turkish_instructions: how the data was made is not stated" in excluded
    code, out, _ = run(capsys, "--lang", "tr", "catalog", "--commercial", "--language", "tr")
    assert code == 0
    assert "Ticari kullanım için elenen" in out
    assert "TFLai/Turkish-Alpaca: ticari kullanıma kapalı bir veriden türetilmiş" in out


def test_catalog_commercial_with_no_allowed_dataset_still_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "catalog", "--commercial", "--purpose", "domain")
    assert code == 0
    assert "No dataset" in out
    assert "umarigan/turkiye_finance_qa: the card states no licence" in out
    assert "medalpaca/medical_meadow_medical_flashcards: the licence (cc)" in out


def test_catalog_without_matches(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "--license", "no-such-licence")
    assert code == 0
    assert "No dataset" in out


def test_size_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "size", "--purpose", "task", "--params", "7")
    assert code == 0
    assert "100,000" in out
    code, out, _ = run(capsys, "size", "--purpose", "task", "--params", "7", "--lang", "tr")
    assert code == 0
    assert "100.000" in out
    assert "Gerekçe" in out


def test_size_rejects_bad_params(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "size", "--purpose", "general", "--params", "-3")
    assert code == 1
    assert out == ""
    assert err.startswith("talimat: error:")
    assert "model_params_b" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- validate


def test_validate_good_file(capsys: pytest.CaptureFixture[str], messages_file: Path) -> None:
    code, out, _ = run(capsys, "validate", str(messages_file))
    assert code == 0
    assert "all 3 records are valid" in out


def test_validate_names_file_record_and_field(
    capsys: pytest.CaptureFixture[str], bad_file: Path
) -> None:
    code, out, _ = run(capsys, "validate", str(bad_file))
    assert code == 1
    assert "1 of 2 records are valid" in out
    assert f"{bad_file}: record 2: field 'output': missing" in out


def test_validate_in_turkish(capsys: pytest.CaptureFixture[str], bad_file: Path) -> None:
    code, out, _ = run(capsys, "--lang", "tr", "validate", str(bad_file))
    assert code == 1
    assert "2 kayıttan 1 tanesi geçerli" in out
    assert "2. kayıt: 'output' alanı" in out


def test_validate_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    code, _, err = run(capsys, "validate", str(missing))
    assert code == 2  # input unusable
    assert err.strip() == f"talimat: error: {missing}: no such file"


# --------------------------------------------------------------------------- convert


def test_convert_alpaca_to_sharegpt(
    capsys: pytest.CaptureFixture[str], alpaca_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.sharegpt.jsonl"
    code, out, _ = run(capsys, "convert", str(alpaca_file), str(target), "--to", "sharegpt")
    assert code == 0
    assert "Converted 2 of 2 records" in out
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines[1]["conversations"][1] == {"from": "gpt", "value": "Turkuaz."}


def test_convert_stops_on_bad_record(
    capsys: pytest.CaptureFixture[str], bad_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    code, out, err = run(capsys, "convert", str(bad_file), str(target), "--to", "messages")
    assert code == 1
    assert out == ""
    assert err.strip() == f"talimat: error: {bad_file}: record 2: field 'output': missing"
    assert not target.exists()


def test_convert_lenient_skips_and_lists(
    capsys: pytest.CaptureFixture[str], bad_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    code, out, _ = run(
        capsys,
        "--lang",
        "tr",
        "convert",
        str(bad_file),
        str(target),
        "--to",
        "messages",
        "--lenient",
    )
    assert code == 0
    assert "2 kayıttan 1 tanesi" in out
    assert "Atlanan kayıt sayısı: 1" in out
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1


# --------------------------------------------------------------------------- profile


def test_profile_prints_summary_and_tables(
    capsys: pytest.CaptureFixture[str], messages_file: Path
) -> None:
    code, out, _ = run(capsys, "profile", str(messages_file))
    assert code == 0
    assert "Records: 3" in out
    assert "Exact repeats of an earlier record: 1 (33%)" in out
    assert "Duplicates" in out
    assert "3→1" in out


def test_profile_in_turkish(capsys: pytest.CaptureFixture[str], messages_file: Path) -> None:
    code, out, _ = run(capsys, "--lang", "tr", "profile", str(messages_file))
    assert code == 0
    assert "3 kayıt var" in out
    assert "Tekrarlar" in out
    assert "Çok turlu sohbet" in out
    assert "Türkçe" in out


def test_profile_reads_alpaca(capsys: pytest.CaptureFixture[str], alpaca_file: Path) -> None:
    code, out, _ = run(capsys, "profile", str(alpaca_file), "--language-sample", "0")
    assert code == 0
    assert "Records: 2" in out
    assert "skipped" in out


def test_profile_bad_record(capsys: pytest.CaptureFixture[str], bad_file: Path) -> None:
    code, _, err = run(capsys, "profile", str(bad_file))
    assert code == 1
    assert f"{bad_file}: record 2: field 'output'" in err


@pytest.mark.parametrize(
    ("lang", "said", "kinds"),
    [
        ("en", "2 of 3 records have problems that validation reports", "Problems by kind:"),
        ("tr", "3 kaydın 2 tanesinde doğrulamanın bildirdiği sorunlar var", "Türlerine göre"),
    ],
)
def test_profile_says_what_validation_finds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str, said: str, kinds: str
) -> None:
    """A profile counts records validate refuses; it must say so, not profile them silently."""
    unanswered = {"messages": [{"role": "user", "content": "hello"}]}
    empty = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": ""}]}
    source = write_jsonl(tmp_path / "mixed.jsonl", [pair("q", "a"), unanswered, empty])
    code, out, _ = run(capsys, "--lang", lang, "profile", str(source))
    assert code == 0
    assert said in out
    assert kinds in out
    assert "no_final_assistant: 1" in out
    assert "empty: 1" in out
    assert f"talimat validate {source}" in out


def test_profile_of_a_clean_file_reports_no_problems(
    capsys: pytest.CaptureFixture[str], messages_file: Path
) -> None:
    _, out, _ = run(capsys, "profile", str(messages_file))
    assert "validation reports" not in out


# --------------------------------------------------------------------------- mix


@pytest.fixture
def mix_sources(tmp_path: Path) -> tuple[Path, Path]:
    domain = write_jsonl(
        tmp_path / "domain.jsonl", [pair(f"soru {i}", f"cevap {i}") for i in range(4)]
    )
    general = write_jsonl(
        tmp_path / "general.jsonl", [pair(f"question {i}", f"answer {i}") for i in range(50)]
    )
    return domain, general


def mix_args(sources: dict[str, str], total: int, out: Path, *options: str) -> list[str]:
    """``talimat mix`` with one ``--source NAME=SPEC`` per entry, the total and the output."""
    args = ["mix"]
    for name, spec in sources.items():
        args += ["--source", f"{name}={spec}"]
    return [*args, "--total", str(total), *options, "--out", str(out)]


def test_mix_writes_the_mixture(
    capsys: pytest.CaptureFixture[str], mix_sources: tuple[Path, Path], tmp_path: Path
) -> None:
    domain, general = mix_sources
    out_file = tmp_path / "mix.jsonl"
    sources = {"domain": f"{domain}:0.3", "general": f"{general}:0.7"}
    args = mix_args(sources, 20, out_file, "--seed", "3")
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert "Wrote 20 records" in out
    assert "up-sampled" in out
    records = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert Counter(record["source"] for record in records) == {"domain": 6, "general": 14}
    first = out_file.read_text(encoding="utf-8")
    assert run(capsys, *args)[0] == 0
    assert out_file.read_text(encoding="utf-8") == first  # same seed, same file


def test_mix_in_turkish(
    capsys: pytest.CaptureFixture[str], mix_sources: tuple[Path, Path], tmp_path: Path
) -> None:
    domain, general = mix_sources
    sources = {"alan": f"{domain}:0.5", "genel": f"{general}:0.5"}
    code, out, _ = run(capsys, "--lang", "tr", *mix_args(sources, 10, tmp_path / "k.jsonl"))
    assert code == 0
    assert "Hedef pay" in out
    assert "%50,0" in out
    assert "10 kayıt" in out


def test_mix_bad_shares_name_the_field(
    capsys: pytest.CaptureFixture[str], mix_sources: tuple[Path, Path], tmp_path: Path
) -> None:
    domain, general = mix_sources
    sources = {"domain": f"{domain}:0.5", "general": f"{general}:0.6"}
    code, _, err = run(capsys, *mix_args(sources, 10, tmp_path / "mix.jsonl"))
    assert code == 1
    assert "field 'share'" in err
    assert "1.1" in err


def test_mix_refuses_upsampling_when_asked(
    capsys: pytest.CaptureFixture[str], mix_sources: tuple[Path, Path], tmp_path: Path
) -> None:
    domain, general = mix_sources
    sources = {"domain": f"{domain}:0.5", "general": f"{general}:0.5"}
    code, _, err = run(capsys, *mix_args(sources, 20, tmp_path / "m.jsonl", "--no-upsampling"))
    assert code == 1
    assert "source 'domain', field 'records'" in err


def test_mix_bad_source_spec(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["mix", "--source", "domain.jsonl", "--total", "5", "--out", str(tmp_path / "m.jsonl")]
    code, _, err = run(capsys, *args)
    assert code == 2
    assert "NAME=PATH:SHARE" in err


def test_mix_bad_record_names_file(
    capsys: pytest.CaptureFixture[str], bad_file: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, *mix_args({"x": f"{bad_file}:1"}, 5, tmp_path / "m.jsonl"))
    assert code == 1
    assert f"{bad_file}: record 2: field 'output'" in err


# --------------------------------------------------------------------------- module entry point


def test_python_dash_m_runs(messages_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "talimat", "--lang", "tr", "validate", str(messages_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "3 kaydın tümü geçerli" in done.stdout
    assert done.stderr == ""  # no progress bar when stderr is not a terminal


# --------------------------------------------------------------------------- layouts and tasks


def test_validate_json_report_and_exit_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from importlib import resources

    dpo = resources.files("talimat") / "data" / "public" / "llamafactory" / "dpo_en_demo.json"
    code, out, _ = run(capsys, "validate", str(dpo), "--json")
    report = json.loads(out)
    assert code == 0
    assert {k: report[k] for k in ("format", "task", "records", "valid", "counts")} == {
        "format": "sharegpt",
        "task": "preference",
        "records": 300,
        "valid": 300,
        "counts": {},
    }
    code, out, _ = run(capsys, "validate", str(dpo), "--task", "sft", "--json")
    report = json.loads(out)
    assert (code, report["valid"], report["counts"]) == (1, 0, {"task_mismatch": 300})
    assert set(report["problems"][0]) == {"record", "field", "code", "message"}
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "validate", str(empty))
    assert (code, err.strip()) == (2, f"talimat: error: {empty}: no records")


def test_validate_and_convert_with_a_dataset_info_mapping(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from importlib import resources

    kto = resources.files("talimat") / "data" / "public" / "llamafactory" / "kto_en_demo.json"
    info = tmp_path / "dataset_info.json"
    entry = {  # the entry LLaMA-Factory's data/dataset_info.json gives this file
        "file_name": "kto_en_demo.json",
        "formatting": "sharegpt",
        "columns": {"messages": "messages", "kto_tag": "label"},
        "tags": {
            "role_tag": "role",
            "content_tag": "content",
            "user_tag": "user",
            "assistant_tag": "assistant",
        },
    }
    info.write_text(json.dumps({"kto_en_demo": entry}), encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(kto), "--mapping", f"{info}:kto_en_demo")
    assert code == 0
    assert "all 300 records are valid" in out
    assert "task: unpaired" in out
    target = tmp_path / "kto.trl.jsonl"
    code, out, _ = run(
        capsys, "convert", str(kto), str(target), "--to", "trl", "--mapping", f"{info}:kto_en_demo"
    )
    assert code == 0
    first = json.loads(target.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"prompt", "completion", "label"}
    code, _, err = run(capsys, "validate", str(kto), "--mapping", f"{info}:nope")
    assert code == 2
    assert "no dataset entry 'nope'" in err


def test_columns_by_hand(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "qa.jsonl"
    source.write_text(json.dumps({"question": "Gök ne renk?", "answer": "Mavi."}) + "\n", "utf-8")
    code, out, _ = run(capsys, "validate", str(source))
    assert code == 2
    code, out, _ = run(
        capsys, "validate", str(source), "--columns", "prompt=question,response=answer"
    )
    assert (code, "all 1 records are valid" in out) == (0, True)
    code, _, err = run(capsys, "validate", str(source), "--columns", "prompt")
    assert code == 1
    assert "NAME=VALUE" in err
