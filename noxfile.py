"""Developer tasks. `nox -s docs` builds the bilingual site; `nox -s tests` checks everything.

Arguments after ``--`` pass through, e.g. ``nox -s docs -- --serve tr`` or
``nox -s tests -- -k catalog``. Sessions use the Python that runs nox (3.11 or newer).
"""

from __future__ import annotations

import os
import shutil

import nox

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv|virtualenv"  # uv when installed: much faster installs
# uv skips byte-compiling what it installs (pip does not). Where PYTHONDONTWRITEBYTECODE is set,
# as on our CI machines, every Sphinx run and notebook kernel then recompiles its imports from
# source: about 3 s per process. Compile once at install time instead.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.sessions = ["docs", "tests"]


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site in English and Turkish into _build/html (and open it at a terminal)."""
    session.install("-e", ".[docs]")
    session.run("python", "tools/build.py", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Unit, catalog, built-site and browser tests (rebuilds the site first; cached, so quick)."""
    session.install("-e", ".[docs,test,hub]")
    if shutil.which("npm"):  # axe-core for the accessibility scan (pinned in package-lock.json)
        npm_ci = ["npm", "ci", "--prefix", "tests/browser", "--no-audit", "--no-fund"]
        session.run(*npm_ci, external=True)
    session.run("python", "tools/build.py", "--no-open")
    session.run("pytest", *session.posargs)


@nox.session
def i18n(session: nox.Session) -> None:
    """Extract messages, merge them into the Turkish catalogs, and check they are complete."""
    session.install("-e", ".[docs]")
    steps = session.posargs or ["extract", "update", "check"]
    session.run("python", "tools/i18n.py", *steps)


@nox.session
def lint(session: nox.Session) -> None:
    """The pre-commit hooks (ruff lint and format, codespell) on every file."""
    session.install("pre-commit")
    session.run("pre-commit", "run", "--all-files", "--show-diff-on-failure", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Build and package benchmarks: medians and ratios against targets (not part of `tests`)."""
    session.install("-e", ".[docs,test]")
    session.run("python", "benchmarks/bench_build.py", *session.posargs)
    session.run("python", "benchmarks/bench_package.py")
    session.run("python", "tools/build.py", "--no-open")
    session.run("python", "benchmarks/page_weight.py")
    if shutil.which("npm"):  # Lighthouse, pinned in benchmarks/lighthouse/package-lock.json
        npm_ci = ["npm", "ci", "--prefix", "benchmarks/lighthouse", "--no-audit", "--no-fund"]
        session.run(*npm_ci, external=True)
        session.run("python", "benchmarks/lighthouse.py")
