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

/* 3. sphinx-copybutton has no Turkish: its button said "Copy" / "Copied!" on the Turkish site.
 *    Its strings and the icons' <title>s live in top-level bindings of copybutton.js (loaded
 *    before this file), read again at every click. When to draw the buttons is copybutton.js's
 *    choice: at DOMContentLoaded if it runs while the page is parsed, at once if it runs after
 *    (deferred, as talimat_sphinx.render_blocking loads it). So the bindings are set for the
 *    buttons still to come, and buttons already drawn get the Turkish label and icon. */
(function () {
  if (typeof messages === "undefined" || typeof locale === "undefined") return;
  /* global messages, locale, iconCopy, iconCheck */
  const english = messages.en;
  messages.tr = {
    copy: "Kopyala",
    copy_to_clipboard: "Panoya kopyala",
    copy_success: "Kopyalandı!",
    copy_failure: "Kopyalanamadı",
  };
  if (document.documentElement.lang !== "tr") return;
  locale = "tr";
  iconCopy = iconCopy.replace(english.copy_to_clipboard, messages.tr.copy_to_clipboard);
  iconCheck = iconCheck.replace(english.copy_success, messages.tr.copy_success);
  document.querySelectorAll("button.copybtn").forEach((button) => {
    button.setAttribute("data-tooltip", messages.tr.copy);
    button.innerHTML = iconCopy;
  });
})();
