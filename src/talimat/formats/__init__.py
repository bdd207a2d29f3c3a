"""Instruction-dataset records in every layout a trainer reads: detect, validate, convert.

Layouts (``FORMATS``): ``alpaca`` and ``sharegpt`` as LLaMA-Factory reads them (with their
ranking and KTO forms), ``messages`` (OpenAI/TRL conversational: content parts, tool
calls, tools; and LLaMA-Factory v1's ``chosen_messages``/``rejected_messages`` pairs),
``trl`` (TRL's language modeling, prompt-only, prompt-completion, preference and unpaired
preference types, standard or conversational) and ``openai-dpo``. Every reader produces
one canonical record (see ``talimat.formats.fields``) and every writer consumes it, so any
layout converts to any other that can hold the record — exactly, or refused with the
reason.

The package is split by responsibility: ``problems`` (errors and localized
messages), ``io`` (the one reader of every file kind, atomic writers), one module per
layout family (``alpaca``, ``sharegpt``, ``messages``, ``trl``,
``openai_dpo``), ``detect``, ``mapping`` (LLaMA-Factory column mappings),
``tasks`` (what each training task needs), ``convert`` (files, in-memory data, single
records) and ``fast`` (plain messages records in JSONL, decoded by msgspec and checked in
bulk; every record it does not accept goes to the detailed checker). Bad input never
passes silently: with ``strict=True`` (the default) the first bad record raises
:class:`RecordError`; with ``strict=False`` every bad record becomes a :class:`Problem`
naming the file, the 1-based record number (the line number in JSONL), the field and a
code.
"""

from __future__ import annotations

from .alpaca import split_input
from .convert import (
    ConversionReport,
    ConversionResult,
    ExampleConverter,
    ExampleValidator,
    LoadResult,
    NumberedScan,
    ValidationReport,
    check_record,
    convert_file,
    convert_record,
    convert_records,
    detect_format,
    from_messages,
    gc_paused,
    iter_records,
    read_records,
    to_messages,
    validate_file,
    validate_records,
    write_records,
)
from .detect import FORMATS, FormatName
from .fields import KINDS, LAYOUT_KEY, Kind, kind_of
from .io import READ_SUFFIXES, WRITE_SUFFIXES, strip_nulls
from .mapping import ColumnMapping, parse_pairs
from .messages import ROLES
from .problems import (
    FormatError,
    InputError,
    LossyConversionError,
    Problem,
    RecordError,
)
from .sharegpt import ROLES as SHAREGPT_ROLES
from .tasks import TASKS, Task
from .trl import extract_prompt

# Older spelling, kept for code that imported the private helper.
_gc_paused = gc_paused
_split_input = split_input

__all__ = [
    "FORMATS",
    "KINDS",
    "LAYOUT_KEY",
    "READ_SUFFIXES",
    "ROLES",
    "SHAREGPT_ROLES",
    "TASKS",
    "WRITE_SUFFIXES",
    "ColumnMapping",
    "ConversionReport",
    "ConversionResult",
    "ExampleConverter",
    "ExampleValidator",
    "FormatError",
    "FormatName",
    "InputError",
    "Kind",
    "LoadResult",
    "LossyConversionError",
    "NumberedScan",
    "Problem",
    "RecordError",
    "Task",
    "ValidationReport",
    "check_record",
    "convert_file",
    "convert_record",
    "convert_records",
    "detect_format",
    "extract_prompt",
    "from_messages",
    "gc_paused",
    "iter_records",
    "kind_of",
    "parse_pairs",
    "read_records",
    "split_input",
    "strip_nulls",
    "to_messages",
    "validate_file",
    "validate_records",
    "write_records",
]
