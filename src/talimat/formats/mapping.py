"""Column and role names as LLaMA-Factory's ``dataset_info.json`` gives them.

An entry there names a dataset's layout (``formatting``: ``alpaca`` or ``sharegpt``),
whether it is a preference set (``ranking``), which column holds what (``columns``) and,
for ShareGPT, which keys and role names its turns use (``tags``), as described in
LLaMA-Factory's ``data/README.md``. :class:`ColumnMapping` renames a record's columns and
its turns' keys and roles to the standard ones before the layout's reader sees it, so a
file with ``role``/``content`` and ``user``/``assistant`` reads as ShareGPT.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .problems import Bad, FormatError, InputError, text

__all__ = ["ColumnMapping", "parse_pairs"]

# LLaMA-Factory's column roles → the key the layout reader expects, per formatting. The
# roles both formats name alike, in the order the readers list them.
_COMMON_COLUMNS = {
    "system": "system",
    "tools": "tools",
    "images": "images",
    "videos": "videos",
    "audios": "audios",
    "chosen": "chosen",
    "rejected": "rejected",
    "kto_tag": "kto_tag",
}
_ALPACA_COLUMNS = {
    "prompt": "instruction",
    "query": "input",
    "response": "output",
    "history": "history",
    **_COMMON_COLUMNS,
}
_SHAREGPT_COLUMNS = {"messages": "conversations", **_COMMON_COLUMNS}
_TAG_DEFAULTS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}
_ROLE_TAGS = {
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}


def parse_pairs(spec: str, what: str) -> dict[str, str]:
    """``"prompt=question,response=answer"`` → a dict; a clear error when malformed."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key, equals, value = item.partition("=")
        if not (equals and key.strip() and value.strip()):
            raise FormatError(text("bad_pairs", None, what=what, spec=spec))
        pairs[key.strip()] = value.strip()
    return pairs


@dataclass(frozen=True)
class ColumnMapping:
    """How a dataset names its columns and roles; ``formatting`` is alpaca or sharegpt."""

    formatting: str = "alpaca"
    ranking: bool = False
    columns: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.formatting not in ("alpaca", "sharegpt"):
            raise FormatError(text("bad_formatting", None, name=self.formatting))
        allowed = _ALPACA_COLUMNS if self.formatting == "alpaca" else _SHAREGPT_COLUMNS
        for key in self.columns:
            if key not in allowed:
                raise FormatError(
                    text("bad_column_role", None, key=key, allowed=", ".join(allowed))
                )
        for key in self.tags:
            if key not in _TAG_DEFAULTS:
                raise FormatError(text("bad_tag", None, key=key, allowed=", ".join(_TAG_DEFAULTS)))

    @classmethod
    def from_dataset_info(cls, path: str | os.PathLike[str], name: str) -> ColumnMapping:
        """The entry ``name`` of a LLaMA-Factory ``dataset_info.json``."""
        file = os.fspath(path)
        try:
            info = orjson.loads(Path(file).read_bytes())
        except FileNotFoundError:
            raise InputError(text("file_not_found", None, file=file)) from None
        except (OSError, orjson.JSONDecodeError) as exc:
            raise InputError(text("json_unreadable", None, file=file, error=exc)) from None
        entry = info.get(name) if isinstance(info, dict) else None
        if not isinstance(entry, dict):
            known = ", ".join(sorted(info)) if isinstance(info, dict) else ""
            raise InputError(text("no_dataset_entry", None, file=file, name=name, known=known))
        columns = entry.get("columns") or {}
        tags = entry.get("tags") or {}
        if not isinstance(columns, dict) or not isinstance(tags, dict):
            raise InputError(text("no_dataset_entry", None, file=file, name=name, known=name))
        return cls(
            formatting=str(entry.get("formatting", "alpaca")),
            ranking=bool(entry.get("ranking", False)),
            columns={str(k): str(v) for k, v in columns.items()},
            tags={str(k): str(v) for k, v in tags.items()},
        )

    def apply(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The record with standard column names, turn keys and role names."""
        standard = _ALPACA_COLUMNS if self.formatting == "alpaca" else _SHAREGPT_COLUMNS
        renames = {source: standard[role] for role, source in self.columns.items()}
        out: dict[str, Any] = {}
        for key, value in record.items():
            new = renames.get(key, key)
            if new in out:
                raise Bad(key, "reserved_key", key=new)
            out[new] = value
        if self.formatting == "sharegpt" and self.tags:
            tags = {**_TAG_DEFAULTS, **self.tags}
            roles = {tags[tag]: standard_role for tag, standard_role in _ROLE_TAGS.items()}
            for key in ("conversations", "chosen", "rejected"):
                value = out.get(key)
                if isinstance(value, list):
                    out[key] = [self._turn(turn, tags, roles) for turn in value]
                elif isinstance(value, Mapping):
                    out[key] = self._turn(value, tags, roles)
        return out

    @staticmethod
    def _turn(turn: Any, tags: Mapping[str, str], roles: Mapping[str, str]) -> Any:
        if not isinstance(turn, Mapping):
            return turn
        role_tag, content_tag = tags["role_tag"], tags["content_tag"]
        out: dict[str, Any] = {}
        for key, value in turn.items():
            if key == role_tag:
                out["from"] = roles.get(value, value) if isinstance(value, str) else value
            elif key == content_tag:
                out["value"] = value
            else:
                out[key] = value
        return out
