"""Developer tasks. `nox -s docs` builds the site in every language; `nox -s tests` checks it all.

Arguments after ``--`` pass through, e.g. ``nox -s docs -- --serve tr`` or
``nox -s unit -- tests/test_catalog.py``. Sessions use the Python that runs nox (3.11 or newer).

Every session installs from ``constraints.txt``, the pinned toolchain CI uses too (Babel among
it: another Babel rewrites every catalog's flags). ``nox -s lock`` renews it. Virtual
environments are reused: with the pins and uv, a session whose environment is current
installs nothing and starts in about a second.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv|virtualenv"  # uv when installed: much faster installs
nox.options.reuse_venv = "yes"  # safe: each session re-runs its (pinned, quick) install
# uv skips byte-compiling what it installs (pip does not). Where PYTHONDONTWRITEBYTECODE is set,
# as on our CI machines, every Sphinx run and notebook kernel then recompiles its imports from
# source: about 3 s per process. Compile once at install time instead.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.sessions = ["docs", "tests"]

PYPROJECT = Path(__file__).parent / "pyproject.toml"
CONSTRAINTS = Path(__file__).parent / "constraints.txt"
EXTRAS = "docs,test,hub"  # what constraints.txt pins: every extra a session installs


def install(session: nox.Session, extras: str) -> None:
    """The project (editable) with ``extras``, every version pinned by constraints.txt.

    Skipped when this environment was installed from the same pyproject.toml, constraints and
    extras: the install is editable, so code changes need none, and the check alone (building
    the editable wheel) costs seconds in every run of the inner loop.
    """
    digest = hashlib.sha256(extras.encode())
    for path in (PYPROJECT, CONSTRAINTS):
        digest.update(path.read_bytes())
    location = getattr(session.virtualenv, "location", None)
    stamp = Path(location) / ".talimat-install" if location else None
    if stamp is not None and stamp.is_file() and stamp.read_text() == digest.hexdigest():
        session.log("environment current (pyproject.toml and constraints.txt unchanged)")
        return
    session.install("-c", str(CONSTRAINTS), "-e", f".[{extras}]")
    if stamp is not None:
        stamp.write_text(digest.hexdigest())


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site in every language into _build/html (and open it at a terminal)."""
    install(session, "docs")
    session.run("python", "tools/build_site.py", *session.posargs)


@nox.session
def unit(session: nox.Session) -> None:
    """The fast loop: package and extension tests, no site build, no browser, nothing slow."""
    install(session, EXTRAS)
    session.run("pytest", "-m", "not site and not browser and not slow", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Unit, catalog, built-site and browser tests (rebuilds the site first; cached, so quick)."""
    install(session, EXTRAS)
    if shutil.which("npm"):  # axe-core for the accessibility scan (pinned in package-lock.json)
        npm_ci = ["npm", "ci", "--prefix", "tests/browser", "--no-audit", "--no-fund"]
        session.run(*npm_ci, external=True)
    session.run("python", "tools/build_site.py", "--no-open")
    session.run("pytest", *session.posargs)


@nox.session
def i18n(session: nox.Session) -> None:
    """Extract messages, merge them into the catalogs, and check they are complete."""
    install(session, "docs")
    steps = session.posargs or ["extract", "update", "check"]
    session.run("python", "tools/translations.py", *steps)


@nox.session
def lint(session: nox.Session) -> None:
    """The pre-commit hooks (ruff, codespell, mypy, sphinx-lint) on every file."""
    session.install("pre-commit")
    session.run("pre-commit", "run", "--all-files", "--show-diff-on-failure", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Build, package and token-count benchmarks: medians and ratios against targets."""
    install(session, EXTRAS)
    session.run("python", "benchmarks/bench_build.py", *session.posargs)
    session.run("python", "benchmarks/bench_package.py")
    session.run("python", "benchmarks/bench_tokens.py")  # talimat tokens vs batch encoding
    session.run("python", "benchmarks/bench_curation.py")  # near-dedup vs datasketch MinHash
    session.run("python", "tools/build_site.py", "--no-open")
    session.run("python", "benchmarks/page_weight.py")
    if shutil.which("npm"):  # Lighthouse, pinned in benchmarks/lighthouse/package-lock.json
        npm_ci = ["npm", "ci", "--prefix", "benchmarks/lighthouse", "--no-audit", "--no-fund"]
        session.run(*npm_ci, external=True)
        session.run("python", "benchmarks/lighthouse.py")


@nox.session(venv_backend="none")
def lock(session: nox.Session) -> None:
    """Renew constraints.txt: the newest versions that satisfy pyproject.toml, for Python 3.11."""
    session.run(
        "uv", "pip", "compile", "pyproject.toml", "--quiet", "--universal",
        "--python-version", "3.11", *(f"--extra={extra}" for extra in EXTRAS.split(",")),
        "--output-file", str(CONSTRAINTS), "--no-header",
        external=True,
    )  # fmt: skip
