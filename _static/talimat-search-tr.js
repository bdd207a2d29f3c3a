/* Turkish query side of the search (see tools/talimat_search_tr.py for why).
 * Loaded deferred on the Turkish search page only: after searchtools.js and language_data.js,
 * before Sphinx's Search.init runs the query from the URL. */
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
  // "i" + U+0307; lowercasing the Turkish way first leaves it nothing to get wrong.
  const performSearch = Search.performSearch;
  Search.performSearch = (query) => performSearch(query.toLocaleLowerCase("tr"));
})();
