"""Turkish search in a real browser: every common form of each glossary term, and İ/I queries.

Recall is measured on our site and on a stock build of the same Turkish site (Sphinx's own
Turkish search, ``-D talimat_turkish_search=0``) and written to test-artifacts/search-recall.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator

import pytest

from browser_support import ARTIFACTS, ROOT, serve

FORMS = tomllib.loads((ROOT / "locales" / "tr" / "search-forms.toml").read_text(encoding="utf-8"))
STOCK = ROOT / "_build" / "tr" / "stock-html"

# Runs a query through the search page's own code path (our query-side wrapper included) and
# returns the documents Sphinx's search found, without waiting for results to be drawn.
RUN_QUERY = """(query) => {
  let found = [];
  const search = Search._performSearch;
  Search._performSearch = (...args) => {
    const results = search(...args);
    found = [...results];  // copy: Sphinx pops results off this array as it draws them
    return results;
  };
  try { Search.performSearch(query); } finally { Search._performSearch = search; }
  return [...new Set(found.map((result) => result[0]))].sort();
}"""


@pytest.fixture(scope="session")
def stock_url() -> Iterator[str]:
    """The Turkish site built with Sphinx's stock Turkish search (notebooks come from cache)."""
    subprocess.run(
        [
            sys.executable, "-m", "sphinx", "-b", "html", "-q",
            "-D", "language=tr", "-D", "talimat_turkish_search=0",
            "-d", str(ROOT / "_build" / "tr" / "stock-doctrees"), str(ROOT), str(STOCK),
        ],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    with serve(STOCK) as url:
        yield url


def open_search(context: object, base: str) -> object:
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{base}/search.html")
    page.wait_for_function("() => typeof Search !== 'undefined' && Search.hasIndex()")
    return page


def run(page: object, query: str) -> list[str]:
    return page.evaluate(RUN_QUERY, query)  # type: ignore[attr-defined]


def recall(page: object) -> tuple[float, dict[str, list[str]]]:
    """Share of the bare form's pages that each other form also finds, over all terms."""
    found = expected = 0
    misses: dict[str, list[str]] = {}
    for term, forms in FORMS.items():
        bare = set(run(page, term))
        for form in forms[1:]:
            hits = set(run(page, form))
            found += len(bare & hits)
            expected += len(bare)
            if bare - hits:
                misses.setdefault(term, []).append(form)
    return found / expected, misses


def test_every_glossary_term_is_found(watched: tuple[object, object], site_url: str) -> None:
    context, _ = watched
    page = open_search(context, f"{site_url}/tr")
    empty = [term for term in FORMS if not run(page, term)]
    assert not empty, f"glossary terms no Turkish page is found for: {empty}"


def test_every_form_finds_the_bare_forms_pages(
    watched: tuple[object, object], site_url: str, stock_url: str
) -> None:
    context, _ = watched
    ours, our_misses = recall(open_search(context, f"{site_url}/tr"))
    stock, stock_misses = recall(open_search(context, stock_url))
    ARTIFACTS.mkdir(exist_ok=True)
    report = {
        "terms": len(FORMS),
        "queries": sum(len(forms) - 1 for forms in FORMS.values()),
        "recall_stock": stock,
        "recall_ours": ours,
        "stock_misses": stock_misses,
        "our_misses": our_misses,
    }
    (ARTIFACTS / "search-recall.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"\nTurkish search recall: stock {stock:.1%}, ours {ours:.1%}")
    assert ours == 1.0, our_misses


def test_capital_i_and_dotted_capital_i_find_the_same_pages(
    watched: tuple[object, object], site_url: str
) -> None:
    context, _ = watched
    page = open_search(context, f"{site_url}/tr")
    differing = {}
    for term in FORMS:
        lower = run(page, term)
        for query in (page.evaluate("(t) => t.toLocaleUpperCase('tr')", term),  # type: ignore[attr-defined]
                      term[:1].upper().replace("I", "İ") + term[1:]):  # fmt: skip
            if run(page, query) != lower:
                differing[query] = lower
    assert not differing, differing


def test_stock_search_misses_what_ours_finds(
    watched: tuple[object, object], site_url: str, stock_url: str
) -> None:
    """The reason the Turkish search exists: these queries fail with Sphinx's own."""
    context, _ = watched
    ours, stock = open_search(context, f"{site_url}/tr"), open_search(context, stock_url)
    for query in ("DAMITMA", "İNCE AYAR", "veri kümelerinin"):
        assert run(ours, query), query
    assert not all(run(stock, query) for query in ("DAMITMA", "İNCE AYAR"))


def test_highlighting_marks_the_word_on_the_target_page(
    watched: tuple[object, object], site_url: str
) -> None:
    context, _ = watched
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{site_url}/tr/search.html?q=DAMITMA")
    first = page.locator("#search-results ul.search li a").first
    first.wait_for()
    first.click()
    page.wait_for_load_state("load")
    marked = page.locator("span.highlighted")
    marked.first.wait_for()
    words = {
        page.evaluate("(t) => t.toLocaleLowerCase('tr')", text) for text in marked.all_inner_texts()
    }
    assert words == {"damıtma"}
