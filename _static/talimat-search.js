/* Search results a reader can use (see talimat_sphinx/search_ranking.py for why).
 * Loaded deferred on the search page only: after searchtools.js, before Search.init runs.
 * 1. Snippets from the article: Sphinx takes them from the page's [role="main"], which in this
 *    theme also holds the article header (switcher, download and colour-mode menus) and the
 *    print-only table of contents, so results read "…pdf Sistem ayarları Açık Koyu…".
 * 2. Ranking. Sphinx scores a page's text match 15 whether the word is in the page's title or
 *    in any one heading, and 5 otherwise; equal scores are ordered by title, alphabetically. With
 *    a dozen pages matching most queries, the order was the alphabet: "Beyond SFT pairs…"
 *    (chapter 7, one heading "Growing a small dataset") came first for "datasets". A page's
 *    text match now also counts where the words stand: in the page title (+PAGE_TITLE each) and
 *    in how many of its headings (+HEADING each, at most MAX_HEADINGS). A notebook never ranks
 *    above the chapter it practises (same file name under docs/), and equal scores keep the
 *    book's reading order (window.TALIMAT_READING_ORDER, written by the build).
 * 3. The API reference after the pages that teach: API entries score as objects (name matches
 *    outrank a chapter's text). It stays in the results, below them. */
"use strict";
(function () {
  const CHROME = [
    ".headerlink", "script", "style", ".header-article", ".bd-header-article", "nav",
    ".prev-next-area", ".bd-sidebar-secondary", "#jb-print-docs-body", ".onlyprint",
    ".d-print-none", "button", ".copybtn",
  ].join(", ");
  const REFERENCE_PAGES = new Set(["docs/api", "genindex", "py-modindex"]);
  const REFERENCE_PENALTY = 30;
  const PAGE_TITLE = 10; // a query word in the page's own title
  const HEADING = 2; // ... in one of its headings (Sphinx already gave 15 for the first)
  const MAX_HEADINGS = 5;
  const order = new Map((window.TALIMAT_READING_ORDER || []).map((name, i) => [name, i]));

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

  // Each page's title and headings as sets of stems, the way the index stems words.
  let headings = null;
  const stemsOf = (text) => {
    const stemmer = new Stemmer();
    return new Set(splitQuery(text).map((word) => stemmer.stemWord(word.toLowerCase())));
  };
  const pageHeadings = () => {
    if (headings !== null) return headings;
    const index = Search._index;
    headings = index.docnames.map((_, file) => ({ title: stemsOf(index.titles[file]), parts: [] }));
    for (const [title, found] of Object.entries(index.alltitles)) {
      const stems = stemsOf(title);
      for (const [file, id] of found) if (id !== null) headings[file].parts.push(stems);
    }
    return headings;
  };

  const prominence = (file, terms) => {
    const { title, parts } = pageHeadings()[file];
    let inTitle = 0;
    let inHeadings = 0;
    for (const term of terms) {
      if (title.has(term)) inTitle += 1;
      inHeadings += parts.filter((stems) => stems.has(term)).length;
    }
    return PAGE_TITLE * inTitle + HEADING * Math.min(inHeadings, MAX_HEADINGS);
  };

  const companion = (docname) =>
    docname.startsWith("notebooks/") ? "docs/" + docname.slice("notebooks/".length) : null;
  // Below any real score difference (scores are whole numbers): earlier in the book, higher.
  const readingBonus = (docname) =>
    order.has(docname) ? 0.5 * (1 - order.get(docname) / order.size) : 0;

  // Every full-text result passes here (Search.query -> _performSearch -> performTermsSearch).
  const performTermsSearch = Search.performTermsSearch;
  Search.performTermsSearch = (searchTerms, excludedTerms) => {
    const results = performTermsSearch(searchTerms, excludedTerms);
    const fileOf = new Map(Search._index.docnames.map((name, file) => [name, file]));
    for (const result of results) result[4] += prominence(fileOf.get(result[0]), searchTerms);
    const chapterScore = new Map(results.map((result) => [result[0], result[4]]));
    for (const result of results) {
      const chapter = companion(result[0]);
      if (chapterScore.has(chapter)) result[4] = Math.min(result[4], chapterScore.get(chapter));
    }
    return results;
  };

  // Then Sphinx's hook, for every kind of result (titles, index entries, API objects, text).
  Scorer.score = (result) => {
    const docname = result[0];
    const penalty = REFERENCE_PAGES.has(docname) ? REFERENCE_PENALTY : 0;
    return result[4] - penalty + readingBonus(docname);
  };
})();
