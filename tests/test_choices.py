"""talimat.choices: a fixed-choice argument refused with the choices, in the reader's language."""

from __future__ import annotations

import pytest

from talimat.choices import InvalidChoiceError, check_choice


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "purpose must be one of 'general', 'task'; got 'tasks'"),
        ("tr", "purpose şunlardan biri olmalı: 'general', 'task'; verilen değer: 'tasks'"),
    ],
)
def test_a_bad_choice_is_named_in_the_readers_language(lang: str, expected: str) -> None:
    with pytest.raises(InvalidChoiceError) as raised:
        check_choice("purpose", "tasks", ("general", "task"), lang=lang)
    assert str(raised.value) == expected
    assert isinstance(raised.value, ValueError)  # code written for the old errors still works


def test_none_is_a_choice_only_when_optional() -> None:
    check_choice("coverage", None, ("well",))
    with pytest.raises(InvalidChoiceError):
        check_choice("purpose", None, ("general",), optional=False)
