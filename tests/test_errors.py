"""talimat.errors: one base for every refusal, with messages in the reader's language."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import talimat
from talimat.errors import TalimatError, data_file_problem


def package_error_types() -> list[type[BaseException]]:
    found = []
    for module_info in pkgutil.walk_packages(talimat.__path__, "talimat."):
        if module_info.name in {"talimat.__main__", "talimat.cli"}:  # the CLI prints errors
            continue
        module = importlib.import_module(module_info.name)
        # Inside a subpackage (talimat.formats.problems), public means what the subpackage
        # exports: its internal signals (Bad, Lossy) never leave it.
        package = importlib.import_module(module_info.name.rsplit(".", 1)[0])
        exported = set(getattr(package, "__all__", ())) if package is not talimat else None
        for _, value in inspect.getmembers(module, inspect.isclass):
            public = not value.__name__.startswith("_")  # private ones never leave the module
            if exported is not None:
                public = value.__name__ in exported
            if public and issubclass(value, BaseException) and value.__module__ == module.__name__:
                found.append(value)
    return found


def test_every_error_the_package_defines_is_a_talimat_error() -> None:
    errors = package_error_types()
    assert TalimatError in errors
    assert [error for error in errors if not issubclass(error, TalimatError)] == []


def test_data_file_messages_name_file_entry_and_field() -> None:
    message = data_file_problem("catalog.csv", "row 3 (line 4)", "samples", "not a number")
    assert message == "catalog.csv, row 3 (line 4), field 'samples': not a number"
