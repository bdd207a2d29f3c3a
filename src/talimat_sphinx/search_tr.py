"""Turkish search that folds case the Turkish way and finds every common form of a term.

Why Sphinx's stock Turkish search is not enough:

* Case. ``SearchTurkish.stem`` lowercases with ``str.lower`` and ``searchtools.js`` with
  ``toLowerCase``: ``İnce`` becomes ``i̇nce`` (i + U+0307) and ``DAMITMA`` becomes ``damitma``,
  so capitalised words land in the index, and typed queries reach it, under the wrong key.
* Stems. Snowball's Turkish stemmer splits some words' forms over two stems (``veri`` -> ``ver``
  but ``verileri`` -> ``veri``; ``kümesi`` -> ``kümes`` but ``kümeleri`` -> ``küme``), so a search
  for one form misses pages that only use another.

The fix keeps Sphinx's search page and index format. The index side is a ``SearchTurkish``
subclass: Turkish lowercasing, then Snowball, then a small stem table built from
``locales/tr/search-forms.toml`` (the glossary terms' forms) that sends every form's stem to the
bare form's stem. The query side (``_static/talimat-search-tr.js``, Turkish search page only)
lowercases the query with ``toLocaleLowerCase("tr")`` before Sphinx parses it and wraps Sphinx's
stemmer with the same table; ``_static/talimat-highlight-tr.js`` highlights matches Turkish-aware.
``-D talimat_turkish_search=0`` builds the stock behaviour, for measuring the difference.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import snowballstemmer
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.search.tr import SearchTurkish

from talimat.language import turkish_lower
from talimat_sphinx.turkish_stems import fold_mutation

#: The forms table, relative to the project's source folder.
FORMS_FILE = Path("locales") / "tr" / "search-forms.toml"


def load_forms(path: Path) -> dict[str, list[str]]:
    """The forms table: Turkish glossary term -> its common forms (bare form first)."""
    if not path.is_file():
        raise ConfigError(
            f"{path}: the Turkish search needs this table of the glossary terms' forms "
            "(or build with -D talimat_turkish_search=0)"
        )
    with path.open("rb") as handle:
        forms = tomllib.load(handle)
    for term, variants in forms.items():
        if not variants or variants[0] != term:
            raise ConfigError(f"{path}: {term!r}: the first form must be the term itself")
        width = len(term.split())
        for variant in variants:
            if len(variant.split()) != width:
                raise ConfigError(
                    f"{path}: {term!r}: form {variant!r} has {len(variant.split())} words, "
                    f"the term has {width}"
                )
    return forms


def snowball(word: str) -> str:
    """Snowball's Turkish stem of a word lowercased the Turkish way, consonant mutation folded."""
    return fold_mutation(_stemmer().stemWord(turkish_lower(word)))


@cache
def _stemmer() -> Any:
    return snowballstemmer.stemmer("turkish")


def stem_table(forms: dict[str, list[str]], source: str = FORMS_FILE.name) -> dict[str, str]:
    """Map each form's word stems to the stems of the bare form's words.

    Words are aligned by position (``talimat veri kümelerinde`` -> ``talimat veri kümesi``).
    A stem claimed by two different bare stems is an error: it would merge unrelated terms.
    """
    table: dict[str, str] = {}
    bare_stems = {snowball(word) for term in forms for word in term.split()}
    for term, variants in forms.items():
        bare = [snowball(word) for word in term.split()]
        for variant in variants:
            for canonical, word in zip(bare, variant.split(), strict=True):
                stem = snowball(word)
                if stem == canonical:
                    continue
                claimed = table.get(stem, stem if stem in bare_stems else canonical)
                if claimed != canonical:
                    raise ConfigError(
                        f"{source}: {word!r} (in {term!r}) stems to {stem!r}, "
                        f"which already stands for {claimed!r}, not {canonical!r}"
                    )
                table[stem] = canonical
    return table


class TurkishSearch(SearchTurkish):
    """Sphinx's Turkish search language with Turkish case folding and the glossary's stems."""

    table: ClassVar[dict[str, str]] = {}

    def stem(self, word: str) -> str:
        stem = fold_mutation(self.stemmer.stemWord(turkish_lower(word)))
        return self.table.get(stem, stem)


def register(app: Sphinx, config: Config) -> None:
    """On the Turkish build, replace Sphinx's Turkish search with ours (unless told not to)."""
    if config.language != "tr":
        return
    # After translations.js (priority 500): repairs Sphinx's Turkish plural strings in JS.
    # Not a search feature: the stock build for measurements gets it too.
    app.add_js_file("talimat-translations-tr.js", priority=600)
    if not config.talimat_turkish_search:
        return
    forms_file = Path(app.srcdir) / FORMS_FILE
    TurkishSearch.table = stem_table(load_forms(forms_file), forms_file.name)
    # Sphinx re-indexes only pages it rewrites; a changed table must reach every page.
    digest = hashlib.sha256(forms_file.read_bytes() + Path(__file__).read_bytes()).hexdigest()
    config.talimat_search_digest = digest[:16]
    app.add_search_language(TurkishSearch)
    # Before sphinx_highlight.js (priority 200), so its listener runs first.
    app.add_js_file("talimat-highlight-tr.js", priority=150)


def add_query_side(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The Turkish search page gets the query-side folding and the same stem table."""
    if pagename != "search" or app.config.language != "tr":
        return
    if not app.config.talimat_turkish_search:
        return
    table = json.dumps(TurkishSearch.table, ensure_ascii=False, sort_keys=True)
    app.add_js_file(None, body=f"window.TALIMAT_STEM_TABLE = {table};", priority=900)
    # Deferred: runs after searchtools.js and language_data.js, before Search.init.
    app.add_js_file("talimat-search-tr.js", loading_method="defer", priority=900)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("talimat_turkish_search", True, "html", types=(bool, int))
    app.add_config_value("talimat_search_digest", "", "html", types=(str,))
    app.connect("config-inited", register)
    app.connect("html-page-context", add_query_side)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
