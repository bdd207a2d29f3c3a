"""The theme's CSS without the rules no page of the site can use, dropped at assembly.

pydata-sphinx-theme, sphinx-design and myst-nb ship stylesheets for every component they offer
(368 KiB for pydata-sphinx-theme alone, 64 KiB gzipped); Lighthouse measured ~92% of it unused on
every page, and the stylesheets block the first paint on a phone. After the languages are
assembled, every stylesheet under the site's ``_static`` folders is pruned against the words of
the whole site (both languages' pages and every script): a selector stays when each class, id,
element and attribute name it requires occurs somewhere in those words, so classes that scripts
add at run time (``show``, ``active``, ``dark``) and pages of either language keep their rules.
The test is the one PurgeCSS makes (token presence, not selector matching), deliberately
conservative: a false "used" costs bytes, a false "unused" would break a page. Hand-written
rather than PurgeCSS because the docs build needs no Node.js; tinycss2 does the CSS parsing.

Both languages are pruned with the same words, so their stylesheets stay byte-identical and
:mod:`talimat_sphinx.shared_static` still shares them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tinycss2
from tinycss2.ast import AtRule, Node, QualifiedRule

__all__ = ["CssPruning", "prune_css", "prune_site_css", "required_names", "site_words"]

# At-rules whose block holds rules (pruned inside); every other at-rule (@font-face, @keyframes,
# @property, @page, @import, @charset) is kept as it is.
_GROUPING = {"media", "supports", "layer", "container", "document"}
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_PARENTHESES = re.compile(r"\([^()]*\)")
_ATTRIBUTE = re.compile(r"\[\s*([\w-]+)[^\]]*\]")
_STRING = re.compile(r"\"[^\"]*\"|'[^']*'")
_CLASS_OR_ID = re.compile(r"[.#]([\w-]+)")
_ELEMENT = re.compile(r"(?:^|[\s>+~,(])([a-zA-Z][\w-]*)")


@dataclass(frozen=True)
class CssPruning:
    """What pruning did to the site's stylesheets (bytes before and after, uncompressed)."""

    files: int
    before: int
    after: int


def site_words(texts: Iterable[str]) -> set[str]:
    """Every identifier-like word of the pages and scripts: class, id, element, attribute names."""
    words: set[str] = set()
    for text in texts:
        words.update(_WORD.findall(text))
    return words | {word.lower() for word in words}  # element names are matched in lower case


def required_names(selector: str) -> set[str] | None:
    """The names a compound selector needs present in the site, or None to keep it regardless.

    Arguments of functional pseudo-classes (``:not(.a)``, ``:is(...)``, ``:nth-child(2n)``) are
    not required: ``:not(.a)`` matches precisely where ``a`` is absent. Pseudo-classes and
    pseudo-elements themselves need nothing. A selector with CSS escapes is kept: its names are
    not plain words.
    """
    if "\\" in selector:
        return None
    text = _STRING.sub("", selector)
    while _PARENTHESES.search(text):
        text = _PARENTHESES.sub("", text)
    names = set(_ATTRIBUTE.findall(text))
    text = _ATTRIBUTE.sub(" ", text)
    text = re.sub(r"::?[\w-]+", " ", text)  # :hover, ::before, :root
    names |= set(_CLASS_OR_ID.findall(text))
    text = _CLASS_OR_ID.sub(" ", text)
    names |= {name.lower() for name in _ELEMENT.findall(text)}
    return names


def _split_selectors(prelude: list[Node]) -> list[str]:
    """A rule's selector list, split at its top-level commas."""
    selectors: list[str] = []
    current: list[Node] = []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(tinycss2.serialize(current).strip())
            current = []
        else:
            current.append(token)
    selectors.append(tinycss2.serialize(current).strip())
    return [selector for selector in selectors if selector]


def _used(selector: str, words: set[str]) -> bool:
    names = required_names(selector)
    return names is None or names <= words


def _prune_rules(rules: list[Node], words: set[str]) -> list[str]:
    kept: list[str] = []
    for rule in rules:
        if isinstance(rule, QualifiedRule):
            selectors = _split_selectors(rule.prelude)
            used = [selector for selector in selectors if _used(selector, words)]
            if used:
                kept.append(",".join(used) + "{" + tinycss2.serialize(rule.content) + "}")
        elif isinstance(rule, AtRule) and rule.lower_at_keyword in _GROUPING and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            body = _prune_rules(inner, words)
            if body:
                prelude = tinycss2.serialize(rule.prelude).strip()
                kept.append(f"@{rule.at_keyword} {prelude}{{{''.join(body)}}}")
        elif rule.type != "error":
            kept.append(rule.serialize())
        else:  # a rule tinycss2 cannot read: no way to tell whether it is used, so keep it
            kept.append(tinycss2.serialize([rule]))
    return kept


def prune_css(css: str, words: set[str]) -> str:
    """``css`` without the selectors that need a name absent from ``words`` (comments dropped)."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "\n".join(_prune_rules(rules, words)) + "\n"


def prune_site_css(site: Path) -> CssPruning:
    """Prune every stylesheet under ``site``'s ``_static`` folders against the whole site."""
    texts = [
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(site.rglob("*"))
        if path.suffix in {".html", ".js"} and path.is_file() and path.name != "searchindex.js"
    ]  # the search index is the pages' text as data, not markup or a script that adds classes
    words = site_words(texts)
    files = before = after = 0
    for stylesheet in sorted(site.glob("**/_static/**/*.css")):
        css = stylesheet.read_text(encoding="utf-8")
        pruned = prune_css(css, words)
        files += 1
        before += len(css.encode())
        after += len(pruned.encode())
        stylesheet.write_text(pruned, encoding="utf-8")
    return CssPruning(files, before, after)
