"""Tests for talimat.templates: exact renderings, refusals, overhead figures, tables."""

from __future__ import annotations

import math

import pytest

from talimat.templates import (
    TEMPLATES,
    ChatTemplateError,
    approx_token_count,
    chat_template,
    compare_templates,
    render,
    template_overhead,
)

SYSTEM = "Sen yardımsever bir asistansın."
CONVERSATION = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": "Merhaba, nasılsın?"},
    {"role": "assistant", "content": "İyiyim, teşekkürler!"},
    {"role": "user", "content": "Ağaç kaç yaşında?"},
    {"role": "assistant", "content": "Yaklaşık yüz yaşında."},
]
PROMPT = CONVERSATION[:4]  # ends on the user's second question

CHATML = (
    "<|im_start|>system\nSen yardımsever bir asistansın.<|im_end|>\n"
    "<|im_start|>user\nMerhaba, nasılsın?<|im_end|>\n"
    "<|im_start|>assistant\nİyiyim, teşekkürler!<|im_end|>\n"
    "<|im_start|>user\nAğaç kaç yaşında?<|im_end|>\n"
)
LLAMA3 = (
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
    "Sen yardımsever bir asistansın.<|eot_id|>"
    "<|start_header_id|>user<|end_header_id|>\n\nMerhaba, nasılsın?<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\nİyiyim, teşekkürler!<|eot_id|>"
    "<|start_header_id|>user<|end_header_id|>\n\nAğaç kaç yaşında?<|eot_id|>"
)
MISTRAL = (
    "<s> [INST] Sen yardımsever bir asistansın.\n\nMerhaba, nasılsın? [/INST]"
    " İyiyim, teşekkürler!</s> [INST] Ağaç kaç yaşında? [/INST]"
)
ALPACA = (
    "Sen yardımsever bir asistansın.\n\n"
    "### Instruction:\nMerhaba, nasılsın?\n\n### Response:İyiyim, teşekkürler!</s>\n\n"
    "### Instruction:\nAğaç kaç yaşında?\n\n### Response:"
)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALIMAT_LANG", raising=False)


def test_shipped_templates() -> None:
    assert TEMPLATES == ("chatml", "qwen2", "llama3", "mistral", "gemma", "alpaca")
    for name in TEMPLATES:
        assert "tokenizer_config.json" in chat_template(name).source or name == "alpaca"


@pytest.mark.parametrize(
    ("template", "prompt", "reply"),
    [
        ("chatml", CHATML, "<|im_start|>assistant\nYaklaşık yüz yaşında.<|im_end|>\n"),
        ("qwen2", CHATML, "<|im_start|>assistant\nYaklaşık yüz yaşında.<|im_end|>\n"),
        (
            "llama3",
            LLAMA3,
            "<|start_header_id|>assistant<|end_header_id|>\n\nYaklaşık yüz yaşında.<|eot_id|>",
        ),
        ("mistral", MISTRAL, " Yaklaşık yüz yaşında.</s>"),
        ("alpaca", ALPACA, "Yaklaşık yüz yaşında.</s>"),
    ],
)
def test_two_turn_conversation_with_system_prompt(template: str, prompt: str, reply: str) -> None:
    assert render(CONVERSATION, template) == prompt + reply


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("chatml", CHATML + "<|im_start|>assistant\n"),
        ("qwen2", CHATML + "<|im_start|>assistant\n"),
        ("llama3", LLAMA3 + "<|start_header_id|>assistant<|end_header_id|>\n\n"),
        ("mistral", MISTRAL),  # no generation prompt: "[/INST]" already is one
        ("alpaca", ALPACA),  # the prompt already ends with "### Response:"
    ],
)
def test_generation_prompt(template: str, expected: str) -> None:
    assert render(PROMPT, template, add_generation_prompt=True) == expected


def test_gemma_renders_without_system_and_refuses_one() -> None:
    assert render(CONVERSATION[1:3], "gemma", add_generation_prompt=True) == (
        "<bos><start_of_turn>user\nMerhaba, nasılsın?<end_of_turn>\n"
        "<start_of_turn>model\nİyiyim, teşekkürler!<end_of_turn>\n"
        "<start_of_turn>model\n"
    )
    with pytest.raises(ChatTemplateError, match="System role not supported") as caught:
        render(CONVERSATION, "gemma")
    assert caught.value.template == "gemma"


def test_qwen2_adds_its_default_system_prompt() -> None:
    assert render(CONVERSATION[1:3], "qwen2").startswith(
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
    )
    assert render(CONVERSATION[1:3], "chatml").startswith("<|im_start|>user\n")


def test_alpaca_prompt_uses_stanford_wording_and_input_section() -> None:
    with_input = {"instruction": "Çevir.", "input": "Ağaç", "output": "Tree"}
    assert render(with_input, "alpaca") == (
        "Below is an instruction that describes a task, paired with an input that provides "
        "further context. Write a response that appropriately completes the request.\n\n"
        "### Instruction:\nÇevir.\n\n### Input:\nAğaç\n\n### Response:Tree</s>"
    )
    without_input = {"instruction": "Selam ver.", "input": "", "output": "Selam!"}
    assert render(without_input, "alpaca") == (
        "Below is an instruction that describes a task. Write a response that appropriately "
        "completes the request.\n\n### Instruction:\nSelam ver.\n\n### Response:Selam!</s>"
    )


def test_records_in_any_format_render_alike() -> None:
    sharegpt = {
        "system": SYSTEM,
        "conversations": [
            {"from": "human", "value": "Merhaba, nasılsın?"},
            {"from": "gpt", "value": "İyiyim, teşekkürler!"},
        ],
    }
    alpaca = {
        "instruction": "Merhaba, nasılsın?",
        "input": "",
        "output": "İyiyim, teşekkürler!",
        "system": SYSTEM,
    }
    messages = {"messages": CONVERSATION[:3]}
    assert render(sharegpt, "llama3") == render(alpaca, "llama3") == render(messages, "llama3")


def test_mistral_refuses_roles_out_of_order() -> None:
    with pytest.raises(ChatTemplateError, match="conversation roles must alternate"):
        render([{"role": "assistant", "content": "Merhaba"}], "mistral")


def test_unknown_template_and_bad_input() -> None:
    with pytest.raises(ChatTemplateError, match="unknown chat template 'vicuna'"):
        render(CONVERSATION, "vicuna")
    with pytest.raises(ChatTemplateError, match="a record or a list of messages"):
        render("Merhaba", "chatml")  # type: ignore[arg-type]


def test_sandbox_blocks_unsafe_attribute_access() -> None:
    from jinja2.exceptions import SecurityError

    from talimat.templates import _environment

    with pytest.raises(SecurityError):
        _environment().from_string("{{ messages.__class__.__mro__ }}").render(messages=[])


def test_approx_token_count() -> None:
    assert approx_token_count("Ağaç kaç yaşında?") == 4
    assert approx_token_count("<|im_start|>user", ["<|im_start|>"]) == 2
    assert approx_token_count("<|im_start|>user") == 6


def test_template_overhead_figures() -> None:
    measured = template_overhead(CONVERSATION, "chatml")
    content = sum(len(turn["content"]) for turn in CONVERSATION)
    assert measured.content_chars == content == 107
    assert measured.rendered_chars == len(render(CONVERSATION, "chatml")) == 259
    assert measured.overhead_chars == 152
    assert measured.overhead_share == pytest.approx(152 / 259)
    # Tokens: exact mistral-v3 counts, each ChatML special token counted as one.
    from talimat.tokens import count_text

    content = sum(count_text(turn["content"], "mistral-v3") for turn in CONVERSATION)
    assert measured.tokenizer == "mistral-v3"
    assert measured.content_tokens == content
    rendered = render(CONVERSATION, "chatml")
    specials = rendered.count("<|im_start|>") + rendered.count("<|im_end|>")
    pieces = rendered.replace("<|im_end|>", "<|im_start|>").split("<|im_start|>")
    text_tokens = sum(count_text(piece, "mistral-v3") for piece in pieces if piece)
    assert measured.rendered_tokens == specials + text_tokens
    assert measured.overhead_tokens == measured.rendered_tokens - content > 0


def test_token_count_names_its_tokenizer() -> None:
    from talimat.templates import token_count

    assert token_count("<|im_start|>user", ["<|im_start|>"], "tekken") == 2
    assert token_count("", ["<s>"]) == 0
    turkish = "Kütüphane hafta içi dokuzda açılıyor."
    assert token_count(turkish, (), "mistral-v3") > token_count(turkish, (), "tekken")


def test_llama3_costs_more_than_mistral() -> None:
    llama3 = template_overhead(CONVERSATION, "llama3")
    mistral = template_overhead(CONVERSATION, "mistral")
    assert (llama3.overhead_chars, mistral.overhead_chars) == (289, 47)
    assert llama3.overhead_tokens > mistral.overhead_tokens


def test_compare_templates_headers_follow_the_language() -> None:
    english = compare_templates(CONVERSATION, lang="en")
    turkish = compare_templates(CONVERSATION, lang="tr")
    assert list(english.columns) == [
        "Template",
        "Content characters",
        "Characters with template",
        "Overhead characters",
        "Overhead share",
        "Content tokens (mistral-v3)",
        "Tokens with template (mistral-v3)",
        "Overhead tokens (mistral-v3)",
        "Note",
    ]
    assert list(turkish.columns) == [
        "Şablon",
        "İçerik karakteri",
        "Şablonla karakter",
        "Ek yük karakteri",
        "Ek yük payı",
        "İçerik belirteci (mistral-v3)",
        "Şablonla belirteç (mistral-v3)",
        "Ek yük belirteci (mistral-v3)",
        "Not",
    ]
    assert turkish["Şablon"].tolist() == list(TEMPLATES)
    chatml = turkish.set_index("Şablon").loc["chatml"]
    assert (chatml["Şablonla karakter"], chatml["Ek yük karakteri"]) == (259, 152)


def test_compare_templates_keeps_refusing_templates_as_a_row() -> None:
    table = compare_templates(CONVERSATION, ["chatml", "gemma"], lang="tr").set_index("Şablon")
    gemma = table.loc["gemma"]
    assert gemma["Not"] == "gemma şablonu bu sohbeti işleyemiyor: System role not supported"
    assert gemma["İçerik karakteri"] == 107
    assert math.isnan(gemma["Ek yük payı"])
    assert table.loc["chatml", "Not"] == ""
