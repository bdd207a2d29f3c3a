/* Fixes for Sphinx's Turkish interface strings in JavaScript (loaded after translations.js).
 * 1. Sphinx's Turkish catalog leaves the plural "Search finished, found N pages ..." empty, so the
 *    search status would be blank; it gets a Turkish text here.
 * 2. The plural expression "(n > 1)" returns true/false, which indexes no array entry: Sphinx's
 *    ngettext then returns undefined and searchtools.js throws after every search. Turning the
 *    answer into a number makes it an index. */
"use strict";
(function () {
  if (typeof Documentation === "undefined") return;
  const pluralIndex = Documentation.PLURAL_EXPR;
  Documentation.PLURAL_EXPR = (n) => Number(pluralIndex(n));
  Documentation.TRANSLATIONS["Search finished, found one page matching the search query."] = [
    "Arama tamamlandı: aramayla eşleşen bir sayfa bulundu.",
    "Arama tamamlandı: aramayla eşleşen ${resultCount} sayfa bulundu.",
  ];
})();
