/* Search results a reader can use (see talimat_sphinx/search_ranking.py for why).
 * Loaded deferred on the search page only: after searchtools.js, before Search.init runs.
 * 1. Snippets from the article: Sphinx takes them from the page's [role="main"], which in this
 *    theme also holds the article header (switcher, download and colour-mode menus) and the
 *    print-only table of contents, so results read "…pdf Sistem ayarları Açık Koyu…".
 * 2. Chapters and notebooks before the API reference: API entries score as objects (name
 *    matches outrank a chapter's text), so "datasets" listed talimat.catalog first. The
 *    reference stays in the results, below the pages that teach. */
"use strict";
(function () {
  const CHROME = [
    ".headerlink", "script", "style", ".header-article", ".bd-header-article", "nav",
    ".prev-next-area", ".bd-sidebar-secondary", "#jb-print-docs-body", ".onlyprint",
    ".d-print-none", "button", ".copybtn",
  ].join(", ");
  const REFERENCE_PAGES = new Set(["docs/api", "genindex", "py-modindex"]);
  const REFERENCE_PENALTY = 30;

  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(CHROME).forEach((element) => element.remove());
    const article = page.querySelector("article.bd-article") || page.querySelector('[role="main"]');
    if (!article) return "";
    if (anchor) {
      let part = null;
      try { part = article.querySelector(anchor); } catch (e) { /* an id CSS cannot select */ }
      if (part) return part.textContent;
    }
    return article.textContent;
  };

  const score = typeof Scorer.score === "function" ? Scorer.score : (result) => result[4];
  Scorer.score = (result) => {
    const docname = result[0];
    return REFERENCE_PAGES.has(docname) ? score(result) - REFERENCE_PENALTY : score(result);
  };
})();
