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

from .language import (
    ENV_VAR,
    LANGUAGES,
    UnsupportedLanguageError,
    format_number,
    format_share,
    messages,
    resolve_language,
)

if TYPE_CHECKING:
    import pandas as pd

    from .formats import Problem

__all__ = ["build_parser", "main"]

_ = messages("cli")

T = TypeVar("T")

PURPOSES = ("general", "task", "domain")
COVERAGES = ("well", "partial", "poor")
BREADTHS = ("narrow", "broad")
FORMAT_NAMES = ("alpaca", "sharegpt", "messages", "trl", "openai-dpo")  # talimat.formats.FORMATS
TASK_NAMES = ("sft", "preference", "unpaired", "lm", "prompt")  # talimat.formats.TASKS
SIZE_BAND_CODES = ("<1k", "1k-10k", "10k-100k", "100k-1M", ">=1M")
CATALOG_COLUMNS = ("name", "hub_id", "samples", "size_band", "languages", "license", "purpose")
PROBLEMS_SHOWN = 20
CELL_WIDTH = 30
SHARE_COLUMNS = frozenset({"share", "low", "high", "target_share", "actual_share"})


class CommandError(Exception):
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
        sub = commands.add_parser(
            name,
            help=text(f"help_{name}"),
            description=text(f"description_{name}"),
            formatter_class=_formatter(language),
            add_help=False,
        )
        sub.set_defaults(handler=handler)
        return _prepare(sub, language)

    catalog = command("catalog", _run_catalog)
    catalog.add_argument("--purpose", choices=PURPOSES, help=text("help_purpose_filter"))
    catalog.add_argument("--language", metavar="CODE", help=text("help_language_filter"))
    catalog.add_argument("--license", metavar="ID", help=text("help_license_filter"))
    catalog.add_argument("--size-band", choices=SIZE_BAND_CODES, help=text("help_size_band"))

    size = command("size", _run_size)
    size.add_argument("--purpose", choices=PURPOSES, required=True, help=text("help_purpose"))
    size.add_argument(
        "--params", type=float, required=True, metavar="BILLIONS", help=text("help_params")
    )
    size.add_argument("--coverage", choices=COVERAGES, help=text("help_coverage"))
    size.add_argument("--breadth", choices=BREADTHS, help=text("help_breadth"))

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
    from .catalog import filter_catalog

    frame = filter_catalog(
        purpose=options.purpose,
        language=options.language,
        license=options.license,
        size_band=options.size_band,
        lang=language,
    )
    if frame.empty:
        print(_("catalog_none", language))
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
    return 0


def _run_size(options: argparse.Namespace, language: str) -> int:
    from .sizing import recommend_sample_count

    advice = recommend_sample_count(
        options.purpose,
        options.params,
        options.coverage,
        domain_breadth=options.breadth,
        lang=language,
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

    if options.language_sample < 0:
        raise CommandError(_("bad_language_sample", language, value=options.language_sample))
    result = profile_file(
        options.file,
        options.format,
        lang=language,
        language_sample=options.language_sample,
        seed=options.seed,
        progress=lambda items: _progress(items, _("progress_profile", language)),
    )
    print(_("profile_title", language, file=options.file))
    print(result.summary(language))
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


# --------------------------------------------------------------------------- main


def _fail(message: str, language: str) -> int:
    print(_("error_line", language, prog="talimat", message=message), file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``talimat`` command; return its exit status (0 means success)."""
    from .formats import FormatError, InputError
    from .mix import MixtureError
    from .profile import ProfileError

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
        except (CommandError, FormatError, MixtureError, ProfileError) as error:
            return _fail(str(error), language)
        except BrokenPipeError:  # the reader stopped early, as `talimat catalog | head` does
            _silence_stdout()
            return 1
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
