/* The language switcher keeps the reader's place and remembers the choice.
 * Both languages are built from one source, so sections, glossary terms and API entries have the
 * same ids on both sites: the switch carries the URL's anchor, or else the id of the section (or
 * term) at the top of the window, and stores the language for the site's chooser (index.html). */
"use strict";
(function () {
  const TARGETS = "article section[id], article dl.glossary > dt[id], article dt.sig[id]";
  const STORAGE_KEY = "talimat-language";  // read by the chooser, _templates/site/index.html

  // The id of the last section or term that starts above a reading line a quarter of the way
  // down the window (below the sticky header): the one whose heading the reader has just passed.
  function currentPlace() {
    if (window.scrollY < 40) return "";
    const header = document.querySelector(".bd-header-article, .header-article");
    const top = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
    const line = top + (window.innerHeight - top) / 4;
    let place = "";
    for (const element of document.querySelectorAll(TARGETS)) {
      if (element.getBoundingClientRect().top <= line) place = element.id;
    }
    return place;
  }

  function follow(link) {
    const target = new URL(link.href, window.location.href);
    const place = window.location.hash.slice(1) || currentPlace();
    target.hash = place ? "#" + encodeURIComponent(place) : "";
    link.href = target.href;
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("a.talimat-language-switch").forEach((link) => {
      // On every way of following it: click, middle click, keyboard (Enter fires click).
      ["click", "auxclick", "contextmenu"].forEach((name) =>
        link.addEventListener(name, () => {
          follow(link);
          try { localStorage.setItem(STORAGE_KEY, link.hreflang); } catch (e) { /* private mode */ }
        })
      );
    });
  });
})();
