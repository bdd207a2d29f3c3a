/* Turkish-aware highlighting of search words on the Turkish site.
 * Sphinx's sphinx_highlight.js compares text.toLowerCase() with the words, which misses
 * "IŞIK" for "ışık" and shifts positions after "İ". This runs first (it loads before
 * sphinx_highlight.js) and marks the words the Turkish way; Sphinx's pass then skips them.
 * Both are deferred (talimat_sphinx.render_blocking), and Sphinx's pass runs as soon as its file
 * does when the page is parsed, reading and clearing the stored words: so this pass runs as
 * soon as this file does too, not at DOMContentLoaded, which comes after both. */
"use strict";
(function () {
  const lower = (text) => text.toLocaleLowerCase("tr");

  const highlight = (node, word) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const parent = node.parentNode;
      if (!parent || parent.classList.contains("highlighted")) return;
      if (parent.closest("svg, .nohighlight, button, select, textarea")) return;
      const text = node.nodeValue;
      const position = lower(text).indexOf(word);  // same length: Turkish lowercasing keeps it
      if (position < 0) return;
      const span = document.createElement("span");
      span.className = "highlighted";
      span.textContent = text.substr(position, word.length);
      const rest = document.createTextNode(text.substr(position + word.length));
      parent.insertBefore(rest, node.nextSibling);
      parent.insertBefore(span, rest);
      node.nodeValue = text.substr(0, position);
      highlight(rest, word);
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      Array.from(node.childNodes).forEach((child) => highlight(child, word));
    }
  };

  const highlightStoredWords = () => {
    let stored = "";
    try { stored = localStorage.getItem("sphinx_highlight_terms") || ""; } catch (e) { /* private mode */ }
    const words = lower(stored || new URL(window.location).searchParams.get("highlight") || "")
      .split(/\s+/)
      .filter((word) => word);
    if (!words.length) return;
    const body = document.querySelector("div.body") || document.body;
    words.forEach((word) => highlight(body, word));
  };
  if (document.readyState !== "loading") highlightStoredWords();
  else document.addEventListener("DOMContentLoaded", highlightStoredWords);
})();
