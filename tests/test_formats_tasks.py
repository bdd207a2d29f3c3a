"""Validation for the training task: each problem kind, its code, field and count."""

from __future__ import annotations

from typing import Any

import pytest

from talimat.formats import check_record, validate_records

U = {"role": "user", "content": "Soru?"}
A = {"role": "assistant", "content": "Yanıt."}
CALL = {
    "role": "assistant",
    "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {}}}],
}
TOOL = {"role": "tool", "content": "{}"}


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALIMAT_LANG", raising=False)


# record, task (None: the layout's), expected (field, code) pairs
CASES: list[tuple[dict[str, Any], str | None, list[tuple[str, str]]]] = [
    ({"messages": [U, A]}, None, []),
    ({"messages": [U, CALL, TOOL, A]}, None, []),
    ({"messages": [U]}, "sft", [("messages[0]", "no_final_assistant")]),
    (
        {"conversations": [{"from": "human", "value": "a"}]},
        None,
        [("messages[0]", "no_final_assistant")],
    ),
    ({"messages": [A, U, A]}, None, [("messages[0].role", "order_first_user")]),
    ({"messages": [U, U, A]}, None, [("messages[1].role", "order_repeated")]),
    ({"messages": [U, A, A]}, None, [("messages[2].role", "order_repeated")]),
    ({"messages": [U, TOOL, A]}, None, [("messages[1].role", "order_tool_without_call")]),
    (
        {"messages": [U, {"role": "system", "content": "x"}, A]},
        None,
        [("messages[1].role", "order_system_later")],
    ),
    (
        {"messages": [U, {"role": "assistant", "content": [{"type": "text", "text": " "}]}]},
        None,
        [("messages[1].content", "empty_assistant")],
    ),
    (
        {"instruction": "a", "input": "", "chosen": "x", "rejected": "x"},
        None,
        [("rejected", "same_answers")],
    ),
    ({"instruction": "a", "chosen": "", "rejected": "y"}, None, [("chosen", "empty_answer")]),
    (
        {"chosen": [A], "rejected": [{"role": "assistant", "content": "b"}]},
        None,
        [("prompt", "no_shared_prompt")],
    ),
    ({"messages": [U, A], "label": "yes"}, None, [("label", "label_not_boolean")]),
    ({"messages": [U], "label": True}, None, [("completion", "no_completion")]),
    ({"messages": [U, A]}, "preference", [("<record>", "task_mismatch")]),
    ({"prompt": "a", "chosen": "b", "rejected": "c"}, "sft", [("<record>", "task_mismatch")]),
    ({"text": "Bir belge."}, None, []),
    ({"prompt": [U]}, None, []),
    ({"prompt": [U], "completion": [A]}, "prompt", [("messages[1]", "prompt_has_answer")]),
    (
        {
            "instruction": "<image>Ne görüyorsun?",
            "output": "Bir kedi.",
            "images": ["a.png", "b.png"],
        },
        None,
        [("images", "image_mismatch")],
    ),
    ({"instruction": "<image>Ne?", "output": "Kedi.", "images": ["a.png"]}, None, []),
]


@pytest.mark.parametrize(("record", "task", "expected"), CASES)
def test_each_problem_kind_names_field_and_code(
    record: dict[str, Any], task: str | None, expected: list[tuple[str, str]]
) -> None:
    problems = check_record(record, task=task)  # type: ignore[arg-type]
    assert [(p.field, p.code) for p in problems] == expected
    for problem in problems:
        assert problem.message
        assert problem.localized("tr") != problem.localized("en")


def test_report_counts_problems_per_kind() -> None:
    records = [
        {"messages": [U, A]},
        {"messages": [U]},
        {"messages": [U]},
        {"messages": [U, U, A]},
        {"messages": [U, {"role": "bot", "content": "x"}]},
    ]
    report = validate_records(records)
    assert (report.total, report.valid) == (5, 1)
    assert report.counts == {"no_final_assistant": 2, "order_repeated": 1, "unknown_role": 1}
    as_json = report.to_dict()
    assert set(as_json) >= {"file", "format", "task", "records", "valid", "problems", "counts"}
    assert as_json["problems"][0] == {
        "record": 2,
        "field": "messages[0]",
        "code": "no_final_assistant",
        "message": "supervised fine-tuning needs the conversation to end with an assistant turn",
    }


def test_a_task_is_checked_on_every_record() -> None:
    records = [{"messages": [U, A], "label": True}, {"messages": [U, A], "label": False}]
    assert validate_records(records).task == "unpaired"
    assert validate_records(records, task="sft").ok  # a KTO record is also a conversation
    report = validate_records(records, task="preference")
    assert report.counts == {"task_mismatch": 2}
