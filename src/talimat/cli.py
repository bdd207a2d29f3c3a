"""The ``talimat`` command: the catalog, sample counts, validation, conversion, profiles, mixes.

Every subcommand prints in the reader's language (``--lang tr|en``, else ``$TALIMAT_LANG``,
else English), exits 0 on success and, on bad input, non-zero with one line that names the
file, record and field instead of a traceback::

    talimat --lang tr size --purpose domain --params 7 --coverage poor --breadth broad
    talimat validate data.jsonl
    talimat convert data.jsonl data.sharegpt.jsonl --to sharegpt
    talimat profile data.jsonl
    talimat mix --source domain=tibbi.jsonl:0.3 --source genel=alpaca.jsonl:0.7 \\
        --total 10000 --seed 1 --out karisim.jsonl
    talimat tokens data.jsonl --tokenizer tekken --max-length 4096 --json
    talimat filter data.jsonl kept.jsonl --languages tr,en
    talimat dedup data.jsonl unique.jsonl --near --threshold 0.8 --json
    talimat contamination data.jsonl --against question.jsonl --ngram 13 --json
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from .catalog import PURPOSES, SIZE_BANDS
from .errors import TalimatError
from .formats import FORMATS, TASKS
from .language import (
    ENV_VAR,
    LANGUAGES,
    UnsupportedLanguageError,
    format_number,
    format_share,
    messages,
    resolve_language,
)
from .sizing import BREADTHS, COVERAGES
from .tokens import TOKENIZERS

if TYPE_CHECKING:
    import pandas as pd

    from .formats import Problem
    from .profile import DatasetProfile

__all__ = ["build_parser", "main"]

_ = messages("cli")

T = TypeVar("T")

# The choices come from the library, so the command line offers exactly what the API accepts.
SIZE_BAND_CODES = tuple(band.code for band in SIZE_BANDS)
TOKENIZER_NAMES = tuple(TOKENIZERS)
FORMAT_NAMES = FORMATS
TASK_NAMES = TASKS
CATALOG_COLUMNS = ("name", "hub_id", "samples", "size_band", "languages", "license", "purpose")
PROBLEMS_SHOWN = 20
CELL_WIDTH = 30
SHARE_COLUMNS = frozenset({"share", "low", "high", "target_share", "actual_share"})


class CommandError(TalimatError):
    """Bad input found by the command itself; the message is already localized."""


# --------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse with a localized error prefix (argparse's own messages stay English)."""

    language: str = "en"

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, _("error_line", self.language, prog=self.prog, message=message) + "\n")


def _formatter(language: str) -> type[argparse.HelpFormatter]:
    class Formatter(argparse.RawDescriptionHelpFormatter):
        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any = None) -> None:
            if prefix is None:
                prefix = _("usage", language) + " "
            super().add_usage(usage, actions, groups, prefix)

    return Formatter


def _prepare(parser: _Parser, language: str) -> _Parser:
    """Localize a parser's section titles and add ``-h`` and ``--lang`` to it."""
    parser.language = language
    parser._positionals.title = _("section_positionals", language)
    parser._optionals.title = _("section_options", language)
    parser.add_argument("-h", "--help", action="help", help=_("help_help", language))
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=_("help_lang", language, env=ENV_VAR),
    )
    return parser


def _source_spec(language: str) -> Callable[[str], tuple[str, Path, float]]:
    def parse(text: str) -> tuple[str, Path, float]:
        name, equals, rest = text.partition("=")
        path, colon, share = rest.rpartition(":")
        try:
            value = float(share)
        except ValueError:
            value = math.nan
        if not (equals and colon and name and path) or not math.isfinite(value):
            raise argparse.ArgumentTypeError(_("bad_source_spec", language, spec=text))
        return name, Path(path), value

    return parse


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, with help text in ``lang``."""
    language = resolve_language(lang)

    def text(key: str, **fields: object) -> str:
        return _(key, language, **fields)

    parser = _prepare(
        _Parser(
            prog="talimat",
            description=text("description"),
            formatter_class=_formatter(language),
            add_help=False,
        ),
        language,
    )
    commands = parser.add_subparsers(
        dest="command",
        metavar="COMMAND",
        title=text("section_commands"),
        required=True,
        parser_class=_Parser,
    )

    def command(name: str, handler: Callable[[argparse.Namespace, str], int]) -> _Parser:
        return _add_command(commands, name, handler, text, language)

    catalog = command("catalog", _run_catalog)
    catalog.add_argument("--purpose", choices=PURPOSES, help=text("help_purpose_filter"))
    catalog.add_argument("--language", metavar="CODE", help=text("help_language_filter"))
    catalog.add_argument("--license", metavar="ID", help=text("help_license_filter"))
    catalog.add_argument("--size-band", choices=SIZE_BAND_CODES, help=text("help_size_band"))
    catalog.add_argument("--commercial", action="store_true", help=text("help_commercial"))

    size = command("size", _run_size)
    size.add_argument("--purpose", choices=PURPOSES, required=True, help=text("help_purpose"))
    size.add_argument(
        "--params", type=float, required=True, metavar="BILLIONS", help=text("help_params")
    )
    size.add_argument("--coverage", choices=COVERAGES, help=text("help_coverage"))
    size.add_argument("--breadth", choices=BREADTHS, help=text("help_breadth"))
    size.add_argument("--tokens-file", type=Path, metavar="FILE", help=text("help_tokens_file"))
    size.add_argument("--tokenizer", choices=TOKENIZER_NAMES, help=text("help_size_tokenizer"))
    size.add_argument("--records", type=int, metavar="N", help=text("help_records"))

    validate = command("validate", _run_validate)
    validate.add_argument("file", metavar="FILE", type=Path, help=text("help_file"))
    validate.add_argument("--format", choices=FORMAT_NAMES, help=text("help_format"))
    validate.add_argument("--task", choices=TASK_NAMES, help=text("help_task"))
    validate.add_argument("--json", action="store_true", help=text("help_json"))
    _mapping_options(validate, text)

    convert = command("convert", _run_convert)
    convert.add_argument("source", metavar="SRC", type=Path, help=text("help_source_file"))
    convert.add_argument("target", metavar="DST", type=Path, help=text("help_target_file"))
    convert.add_argument("--to", choices=FORMAT_NAMES, required=True, help=text("help_to"))
    convert.add_argument(
        "--from", dest="source_format", choices=FORMAT_NAMES, help=text("help_from")
    )
    convert.add_argument("--lenient", action="store_true", help=text("help_lenient"))
    _mapping_options(convert, text)

    profile = command("profile", _run_profile)
    profile.add_argument("file", metavar="FILE", type=Path, help=text("help_file"))
    profile.add_argument("--format", choices=FORMAT_NAMES, help=text("help_format"))
    profile.add_argument(
        "--language-sample", type=int, default=2000, metavar="N", help=text("help_language_sample")
    )
    profile.add_argument("--seed", type=int, default=0, help=text("help_seed"))
    profile.add_argument("--workers", type=int, metavar="N", help=text("help_workers"))

    mix = command("mix", _run_mix)
    mix.add_argument(
        "--source",
        action="append",
        required=True,
        type=_source_spec(language),
        metavar="NAME=PATH:SHARE",
        help=text("help_mix_source"),
    )
    mix.add_argument("--total", type=int, required=True, metavar="N", help=text("help_total"))
    mix.add_argument("--seed", type=int, default=0, help=text("help_seed"))
    mix.add_argument("--out", type=Path, required=True, metavar="FILE", help=text("help_out"))
    mix.add_argument("--no-upsampling", action="store_true", help=text("help_no_upsampling"))

    _add_tokens_command(command, text)
    _add_curation_commands(commands, language)
    return parser


def _mapping_options(parser: argparse.ArgumentParser, text: Callable[..., str]) -> None:
    """--mapping dataset_info.json:NAME, or --columns/--tags by hand (validate, convert)."""
    parser.add_argument("--mapping", metavar="FILE:NAME", help=text("help_mapping"))
    parser.add_argument("--columns", metavar="ROLE=COLUMN,...", help=text("help_columns"))
    parser.add_argument("--tags", metavar="TAG=NAME,...", help=text("help_tags"))


# --------------------------------------------------------------------------- helpers


def _progress(items: Iterable[T], label: str) -> Iterator[T]:
    """A progress bar on stderr for long work; silent when stderr is not a terminal."""
    from tqdm import tqdm

    yield from tqdm(
        items,
        desc=label,
        unit=" rec",
        unit_scale=True,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
    )


def _render(raw: pd.DataFrame, language: str, localized: pd.DataFrame | None = None) -> str:
    """A table as text: numbers written the language's way, shares as percentages.

    ``raw`` has the English column names that say which columns are shares; ``localized``
    (same shape) gives the headers and text cells in the reader's language.
    """
    import pandas as pd

    shown = raw if localized is None else localized
    columns = {}
    for index, name in enumerate(raw.columns):
        values = raw[name]
        if name in SHARE_COLUMNS:
            cells = ["–" if v != v else format_share(v, language, 1) for v in values]
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            cells = [_number(v, language) for v in values]
        else:
            cells = [str(v) for v in shown.iloc[:, index]]
        columns[str(shown.columns[index])] = cells
    return pd.DataFrame(columns).to_string(index=False)


def _shorten(text: str, width: int = CELL_WIDTH) -> str:
    """A cell cut to ``width`` characters so that a table stays readable in a terminal."""
    return text if len(text) <= width else text[: width - 1].rstrip(", ") + "…"


def _number(value: float, language: str) -> str:
    if value != value:  # NaN
        return "–"
    if float(value).is_integer():
        return format_number(int(value), language)
    return format_number(value, language, 1)


@contextmanager
def _active_language(language: str) -> Iterator[None]:
    """Make ``language`` the default of every module while a command runs."""
    before = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = language
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = before


def _language_in(argv: Sequence[str]) -> str:
    """The language asked for with ``--lang``, else ``$TALIMAT_LANG``, else English."""
    for index, arg in enumerate(argv):
        value = None
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGUAGES:
            return value
    try:
        return resolve_language(None)
    except UnsupportedLanguageError:
        return "en"


# --------------------------------------------------------------------------- commands


def _run_catalog(options: argparse.Namespace, language: str) -> int:
    from .catalog import commercial_exclusions, filter_catalog

    criteria = {
        "purpose": options.purpose,
        "language": options.language,
        "license": options.license,
        "size_band": options.size_band,
    }
    frame = filter_catalog(
        **criteria, commercial=True if options.commercial else None, lang=language
    )
    excluded = commercial_exclusions(**criteria, lang=language) if options.commercial else ()
    if frame.empty:
        print(_("catalog_none", language))
        _print_exclusions(excluded, language)
        return 0
    catalog_text = messages("catalog")
    columns = [catalog_text(f"col_{name}", language) for name in CATALOG_COLUMNS]
    shown = frame[columns].copy()
    samples = catalog_text("col_samples", language)
    shown[samples] = [format_number(value, language) for value in frame[samples]]
    languages = catalog_text("col_languages", language)
    shown[languages] = [_shorten(str(value)) for value in frame[languages]]
    print(shown.to_string(index=False))
    print()
    print(_("catalog_count", language, count=format_number(len(frame), language)))
    _print_exclusions(excluded, language)
    return 0


def _print_exclusions(excluded: Sequence[Any], language: str) -> None:
    """Name each dataset that ``--commercial`` left out, with the reason (licence, provenance)."""
    if not excluded:
        return
    print()
    print(_("catalog_excluded", language, count=format_number(len(excluded), language)))
    for use in excluded:
        print(f"  {use.hub_id}: {'; '.join(use.reasons)}")


def _run_size(options: argparse.Namespace, language: str) -> int:
    from .sizing import recommend_sample_count

    budget: dict[str, Any] = {}
    if options.tokens_file or options.tokenizer or options.records is not None:
        budget = _token_budget_options(options, language)
    advice = recommend_sample_count(
        options.purpose,
        options.params,
        options.coverage,
        domain_breadth=options.breadth,
        lang=language,
        **budget,
    )
    print(advice.summary(language))
    return 0


def _print_problems(problems: list[Problem], language: str) -> None:
    """The first PROBLEMS_SHOWN problems, one a line, then how many more there are."""
    for problem in problems[:PROBLEMS_SHOWN]:
        print(f"  {problem.describe(language)}")
    if len(problems) > PROBLEMS_SHOWN:
        hidden = format_number(len(problems) - PROBLEMS_SHOWN, language)
        print(_("more_problems", language, count=hidden))


def _column_mapping(options: argparse.Namespace, language: str) -> Any:
    """The ColumnMapping that --mapping or --columns/--tags describe, or None."""
    from .formats import ColumnMapping, parse_pairs

    if options.mapping:
        path, colon, name = options.mapping.rpartition(":")
        if not (colon and path and name):
            raise CommandError(_("bad_mapping_spec", language, spec=options.mapping))
        return ColumnMapping.from_dataset_info(path, name)
    if not (options.columns or options.tags):
        return None
    columns = parse_pairs(options.columns or "", "--columns")
    tags = parse_pairs(options.tags or "", "--tags")
    given = getattr(options, "format", None) or getattr(options, "source_format", None)
    formatting = given if given in ("alpaca", "sharegpt") else None
    if formatting is None:
        formatting = "sharegpt" if tags or "messages" in columns else "alpaca"
    return ColumnMapping(formatting=formatting, columns=columns, tags=tags)


def _check_input(path: Path) -> None:
    """Missing or unreadable input is unusable (exit 2), before any work starts."""
    from .formats import InputError
    from .formats.problems import text

    if not path.exists():
        raise InputError(text("file_not_found", None, file=str(path)))
    if path.is_dir():
        raise InputError(text("is_a_directory", None, file=str(path)))


def _run_validate(options: argparse.Namespace, language: str) -> int:
    import json

    from .formats import InputError, validate_file
    from .formats.problems import text

    _check_input(options.file)
    mapping = _column_mapping(options, language)
    label = _("progress_validate", language)
    report = validate_file(
        options.file,
        None if mapping else options.format,
        task=options.task,
        mapping=mapping,
        progress=lambda records: _progress(records, label),
    )
    if report.total == 0:
        raise InputError(text("no_records", language, file=str(options.file)))
    if report.valid == 0 and set(report.counts) <= {"unknown_format", "not_object"}:
        raise InputError(text("not_a_dataset", language, file=str(options.file)))
    if options.json:
        print(json.dumps(report.to_dict(language), ensure_ascii=False, indent=1))
        return 0 if report.ok else 1
    problems = report.problems
    fields = {
        "file": options.file,
        "total": format_number(report.total, language),
        "valid": format_number(report.valid, language),
        "problems": format_number(len(problems), language),
    }
    if not problems:
        print(_("validate_ok", language, **fields))
        print(_("validate_task", language, format=report.format, task=report.task))
        return 0
    print(_("validate_problems", language, **fields))
    if report.format is not None:
        print(_("validate_task", language, format=report.format, task=report.task))
    print(_("validate_counts", language))
    for code, count in report.counts.items():
        print(f"  {code}: {format_number(count, language)}")
    _print_problems(problems, language)
    return 1


def _run_convert(options: argparse.Namespace, language: str) -> int:
    from .formats import convert_file

    _check_input(options.source)
    mapping = _column_mapping(options, language)
    label = _("progress_convert", language)
    report = convert_file(
        options.source,
        options.target,
        options.to,
        source_format=None if mapping else options.source_format,
        strict=not options.lenient,
        mapping=mapping,
        progress=lambda records: _progress(records, label),
    )
    print(
        _(
            "convert_done",
            language,
            converted=format_number(report.converted, language),
            total=format_number(report.total, language),
            source=options.source,
            source_format=report.source_format or "?",
            target=report.target,
            target_format=report.target_format,
        )
    )
    if report.kept_keys:
        keys = ", ".join(sorted(report.kept_keys))
        print(_("convert_kept", language, target_format=report.target_format, keys=keys))
    skipped = [*report.problems, *report.lossy]
    if skipped:
        print(_("convert_skipped", language, count=format_number(len(skipped), language)))
        _print_problems(skipped, language)
    if not report.written:
        print(_("convert_nothing", language, target=report.target))
        return 1
    return 0


def _run_profile(options: argparse.Namespace, language: str) -> int:
    from .profile import profile_file
    from .profile_workers import workers_for

    if options.language_sample < 0:
        raise CommandError(_("bad_language_sample", language, value=options.language_sample))
    if options.workers is not None and options.workers < 1:
        raise CommandError(_("bad_workers", language, value=options.workers))
    # A progress bar counts the records of a pass in this process: none with workers.
    workers = workers_for(options.file, options.format, options.workers, progress=False)
    result = profile_file(
        options.file,
        options.format,
        lang=language,
        language_sample=options.language_sample,
        seed=options.seed,
        progress=(
            (lambda items: _progress(items, _("progress_profile", language)))
            if workers == 1
            else None
        ),
        workers=workers,
    )
    print(_("profile_title", language, file=options.file))
    print(result.summary(language))
    _print_profile_problems(result, options.file, language)
    raw = {
        "counts": result.counts,
        "turns": result.turns_per_record,
        "lengths": result.lengths,
        "duplicates": result.duplicates,
        "languages": result.languages,
    }
    for name, localized in result.tables(language).items():
        print()
        print(_(f"table_{name}", language))
        print(_render(raw[name], language, localized))
    return 0


def _print_profile_problems(result: DatasetProfile, file: Path, language: str) -> None:
    """What validation finds in the profiled records, counted by kind, so none goes unsaid."""
    problems = result.problems
    if not problems:
        return
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.code] = counts.get(problem.code, 0) + 1
    fields = {
        "file": file,
        "records": format_number(len({problem.record for problem in problems}), language),
        "total": format_number(result.records, language),
        "problems": format_number(len(problems), language),
    }
    print()
    print(_("profile_problems", language, **fields))
    print(_("validate_counts", language))
    for code, count in counts.items():
        print(f"  {code}: {format_number(count, language)}")


def _run_mix(options: argparse.Namespace, language: str) -> int:
    from .formats import iter_records
    from .mix import Source, build_mixture

    sources = []
    for name, path, share in options.source:
        label = _("progress_read", language, name=name)
        records = list(_progress(iter_records(path), label))
        sources.append(Source(name, records, share))
    mixture = build_mixture(
        sources,
        options.total,
        seed=options.seed,
        allow_upsampling=not options.no_upsampling,
        lang=language,
    )
    mixture.to_jsonl(options.out)
    print(mixture.summary(language))
    print()
    print(_render(mixture.report, language, mixture.report_table(language)))
    print()
    print(
        _(
            "mix_written",
            language,
            count=format_number(len(mixture.records), language),
            file=options.out,
        )
    )
    return 0


# --------------------------------------------------------------------------- tokens


def _add_tokens_command(
    command: Callable[[str, Callable[[argparse.Namespace, str], int]], _Parser],
    text: Callable[..., str],
) -> None:
    """``talimat tokens FILE``: exact token counts with a Mistral tokenizer."""
    tokens = command("tokens", _run_tokens)
    tokens.add_argument("file", metavar="FILE", type=Path, help=text("help_file"))
    tokens.add_argument("--format", choices=FORMAT_NAMES, help=text("help_format"))
    tokens.add_argument(
        "--tokenizer", choices=TOKENIZER_NAMES, default="mistral-v3", help=text("help_tokenizer")
    )
    tokens.add_argument(
        "--max-length", type=int, metavar="N", action="append", help=text("help_max_length")
    )
    tokens.add_argument("--json", action="store_true", help=text("help_json"))


def _token_budget_options(options: argparse.Namespace, language: str) -> dict[str, Any]:
    """``size`` in tokens: the median trained tokens per record of --tokens-file (default:
    the real Alpaca sample the package ships, English) with --tokenizer (default mistral-v3)."""
    from .samples import public_path
    from .tokens import count_file

    tokenizer = options.tokenizer or "mistral-v3"
    path = options.tokens_file or public_path("llamafactory/alpaca_en_demo.json")
    label = _("progress_tokens", language)
    counted = count_file(path, tokenizer, progress=lambda records: _progress(records, label))
    if not counted.records:
        raise CommandError(_("tokens_file_empty", language, file=path))
    source = str(options.tokens_file) if options.tokens_file else _("alpaca_sample", language)
    return {
        "tokens_per_record": counted.median_trained_tokens,
        "available_records": options.records,
        "tokenizer": tokenizer,
        "tokens_source": source,
    }


def _run_tokens(options: argparse.Namespace, language: str) -> int:
    import json

    from .tokens import MAX_LENGTHS, count_file

    result = count_file(
        options.file,
        options.tokenizer,
        fmt=options.format,
        max_lengths=options.max_length or MAX_LENGTHS,
        progress=lambda records: _progress(records, _("progress_tokens", language)),
    )
    if options.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(result.summary(language))
    print()
    table = result.role_table(language)
    print(_render(table.set_axis(["role", "tokens", "share"], axis=1), language, table))
    return 0


# --------------------------------------------------------------------------- curation

_curation = messages("cli_curation")


def _add_command(
    commands: Any,
    name: str,
    handler: Callable[[argparse.Namespace, str], int],
    text: Callable[..., str],
    language: str,
) -> _Parser:
    """One subcommand: its help and description are ``help_<name>`` and ``description_<name>``."""
    sub = commands.add_parser(
        name,
        help=text(f"help_{name}"),
        description=text(f"description_{name}"),
        formatter_class=_formatter(language),
        add_help=False,
    )
    sub.set_defaults(handler=handler)
    return _prepare(sub, language)


def _add_curation_commands(commands: Any, language: str) -> None:
    """``filter``, ``dedup`` and ``contamination``, with their strings in cli_curation.toml."""

    def text(key: str, **fields: object) -> str:
        return _curation(key, language, **fields)

    def command(name: str, handler: Callable[[argparse.Namespace, str], int]) -> _Parser:
        return _add_command(commands, name, handler, text, language)

    def inputs(sub: _Parser) -> None:
        sub.add_argument("source", metavar="IN", type=Path, help=_("help_file", language))
        sub.add_argument("target", metavar="OUT", type=Path, help=text("help_target"))
        sub.add_argument("--format", choices=FORMAT_NAMES, help=_("help_format", language))
        sub.add_argument("--lenient", action="store_true", help=text("help_lenient"))
        sub.add_argument("--json", action="store_true", help=text("help_json"))

    from .filters import RULES

    screen = command("filter", _run_filter)
    inputs(screen)
    screen.add_argument(
        "--rule", action="append", choices=RULES, metavar="RULE", help=text("help_rule")
    )
    screen.add_argument("--languages", metavar="CODES", help=text("help_languages"))
    screen.add_argument("--min-chars", type=int, default=2, metavar="N", help=text("help_min"))
    screen.add_argument("--max-chars", type=int, default=10_000, metavar="N", help=text("help_max"))

    dedup = command("dedup", _run_dedup)
    inputs(dedup)
    dedup.add_argument("--near", action="store_true", help=text("help_near"))
    dedup.add_argument(
        "--threshold", type=float, default=0.8, metavar="T", help=text("help_threshold")
    )

    check = command("contamination", _run_contamination)
    check.add_argument("train", metavar="TRAIN", type=Path, help=text("help_train"))
    check.add_argument(
        "--against", type=Path, required=True, metavar="BENCH", help=text("help_against")
    )
    check.add_argument("--ngram", type=int, default=13, metavar="N", help=text("help_ngram"))
    check.add_argument("--format", choices=FORMAT_NAMES, help=_("help_format", language))
    check.add_argument("--json", action="store_true", help=text("help_json"))


def _print_json(report: dict[str, Any]) -> None:
    import json

    print(json.dumps(report, ensure_ascii=False))


def _write_kept(options: argparse.Namespace, keep: Callable[[Any], Iterator[Any]]) -> Any:
    """Stream IN through ``keep`` into OUT, atomically, in IN's own format; return the reader."""
    from .streams import atomic_jsonl, check_target, numbered_records

    check_target(options.target, options.source)  # before reading a single record
    reader = numbered_records(options.source, options.format, strict=not options.lenient)
    atomic_jsonl(
        options.target,
        (reader.original(record) for _number, record in keep(reader)),
        options.source,
    )
    return reader


def _print_skipped(reader: Any, language: str, *, stderr: bool = False) -> None:
    """The bad records --lenient skipped; on stderr beside a --json report on stdout."""
    if not reader.problems:
        return
    count = format_number(len({p.record for p in reader.problems}), language)
    if stderr:
        print(_curation("skipped_bad", language, count=count), file=sys.stderr)
        for problem in reader.problems:
            print(f"  {problem.describe(language)}", file=sys.stderr)
        return
    print(_curation("skipped_bad", language, count=count))
    _print_problems(reader.problems, language)


def _run_filter(options: argparse.Namespace, language: str) -> int:
    from .filters import FilterConfig, FilterReport, filter_records

    codes = tuple(c.strip() for c in (options.languages or "").split(",") if c.strip())
    config = FilterConfig(min_chars=options.min_chars, max_chars=options.max_chars, languages=codes)
    report = FilterReport()
    label = _curation("progress_filter", language)
    reader = _write_kept(
        options,
        lambda records: filter_records(
            _progress(records, label), report, rules=options.rule, config=config
        ),
    )
    if options.json:
        _print_json(report.to_json(language))
        _print_skipped(reader, language, stderr=True)
        return 0
    print(report.summary(language))
    for flag in report.flags[:PROBLEMS_SHOWN]:
        print(f"  {flag.describe(language)}")
    if len(report.flags) > PROBLEMS_SHOWN:
        hidden = format_number(len(report.flags) - PROBLEMS_SHOWN, language)
        print(_("more_problems", language, count=hidden))
    _print_skipped(reader, language)
    print(_curation("written", language, file=options.target))
    return 0


def _run_dedup(options: argparse.Namespace, language: str) -> int:
    from .dedup import DedupResult, deduplicate_records

    result = DedupResult()
    label = _curation("progress_dedup", language)
    reader = _write_kept(
        options,
        lambda records: deduplicate_records(
            _progress(records, label),
            result,
            near=options.near,
            threshold=options.threshold,
            folder=Path(options.target).parent,  # its temporary index, beside the output
        ),
    )
    if options.json:
        _print_json(result.to_json())
        _print_skipped(reader, language, stderr=True)
        return 0
    print(result.summary(language))
    for item in result.removed[:PROBLEMS_SHOWN]:
        print(
            "  "
            + _curation(
                "removed_line",
                language,
                record=item.record,
                first=item.duplicate_of,
                similarity=format_number(round(item.similarity, 2), language),
                kind=messages("dedup")(f"kind_{item.kind}", language),
            )
        )
    if len(result.removed) > PROBLEMS_SHOWN:
        hidden = format_number(len(result.removed) - PROBLEMS_SHOWN, language)
        print(_("more_problems", language, count=hidden))
    _print_skipped(reader, language)
    print(_curation("written", language, file=options.target))
    return 0


def _run_contamination(options: argparse.Namespace, language: str) -> int:
    from .contamination import BenchmarkIndex, find_contamination, read_benchmark
    from .streams import numbered_records

    index = BenchmarkIndex(read_benchmark(options.against), options.ngram)
    label = _curation("progress_contamination", language)
    records = numbered_records(options.train, options.format)
    report = find_contamination(_progress(records, label), index)
    if options.json:
        _print_json(report.to_json())
        return 1 if report.contaminated else 0
    print(report.summary(language))
    for overlap in report.contaminated[:PROBLEMS_SHOWN]:
        print(
            "  "
            + _curation(
                "overlap_line",
                language,
                record=overlap.record,
                item=overlap.benchmark_item,
                count=format_number(len(overlap.ngrams), language),
                ngram=overlap.ngrams[0],
            )
        )
    if len(report.contaminated) > PROBLEMS_SHOWN:
        hidden = format_number(len(report.contaminated) - PROBLEMS_SHOWN, language)
        print(_("more_problems", language, count=hidden))
    return 1 if report.contaminated else 0


# --------------------------------------------------------------------------- main


def _fail(message: str, language: str) -> int:
    print(_("error_line", language, prog="talimat", message=message), file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``talimat`` command; return its exit status (0 means success)."""
    from .formats import InputError

    args = list(sys.argv[1:] if argv is None else argv)
    language = _language_in(args)
    parser = build_parser(language)
    try:
        options = parser.parse_args(args)
    except SystemExit as stop:  # --help, or a usage error argparse already reported
        return stop.code if isinstance(stop.code, int) else 2
    language = getattr(options, "lang", language)
    with _active_language(language):
        try:
            return int(options.handler(options, language))
        except InputError as error:  # missing, unreadable, empty, not a dataset
            print(_("error_line", language, prog="talimat", message=str(error)), file=sys.stderr)
            return 2
        except TalimatError as error:  # every refusal of the library, already localized
            return _fail(str(error), language)
        except BrokenPipeError:  # the reader stopped early, as `talimat catalog | head` does
            _silence_stdout()
            return 1
        except ModuleNotFoundError as error:  # an optional extra is not installed
            return _fail(_curation("missing_extra", language, module=error.name), language)
        except FileNotFoundError as error:
            return _fail(_("file_not_found", language, file=error.filename), language)
        except IsADirectoryError as error:
            return _fail(_("is_a_directory", language, file=error.filename), language)
        except OSError as error:
            return _fail(f"{error.filename or ''}: {error.strerror or error}", language)
        except ValueError as error:  # a bad option value the library rejected
            return _fail(str(error), language)
        except KeyboardInterrupt:
            return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's exit flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
