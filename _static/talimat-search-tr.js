/* Turkish query side of the search (see tools/talimat_search_tr.py for why).
 * Loaded deferred on the Turkish search page only: after searchtools.js and language_data.js,
 * before searchindex.js, whose Search.setIndex runs the query Search.init queued. */
"use strict";
(function () {
  const table = window.TALIMAT_STEM_TABLE || {};
  const SnowballStemmer = window.Stemmer;
  // The same steps as the index: Turkish lowercasing, Snowball, then the glossary's stem table.
  // talimat_sphinx.turkish_stems.fold_mutation: katalog, kataloğu, katalogda share one key.
  const fold = (stem) => {
    const folded = stem.replace(/([gd])[ıiuü]$/u, "$1");
    return folded.replace(/k$/u, "g").replace(/t$/u, "d");
  };
  window.Stemmer = function () {
    const snowball = new SnowballStemmer();
    this.stemWord = (word) => {
      const stem = fold(snowball.stemWord(word.toLocaleLowerCase("tr")));
      return Object.prototype.hasOwnProperty.call(table, stem) ? table[stem] : stem;
    };
  };
  // Sphinx lowercases queries with toLowerCase(), which turns "I" into "i" and "İ" into
  // "i" + U+0307; lowercasing the Turkish way first leaves it nothing to get wrong. Wrapped at
  // Search.query, which every search passes (the one from the URL too: Search.init may have
  // queued it before this file ran, and Search.setIndex runs it through Search.query).
  const query = Search.query;
  Search.query = (text) => query(text.toLocaleLowerCase("tr"));
})();
