/* WolfPy docs search: runs in the page, from the prebuilt index (_assets/search-index.js).
   Loaded with a <script> tag, so it also works for pages opened from disk. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var index = null, waiting = [];

  function load(done) {
    if (index) { done(index); return; }
    waiting.push(done);
    if (waiting.length > 1) { return; }
    var s = document.createElement("script");
    s.src = root + "_assets/search-index.js";
    s.onload = function () {
      index = window.WOLFPY_DOCS_INDEX || [];
      var w = waiting; waiting = [];
      for (var i = 0; i < w.length; i++) { w[i](index); }
    };
    document.head.appendChild(s);
  }

  function terms(q) { return (q.slice(0, 200).toLowerCase().match(/[\p{L}\p{N}_]+/gu) || []).slice(0, 8); }

  function count(hay, t) { var n = 0, at = hay.indexOf(t); while (at >= 0 && n < 5) { n++; at = hay.indexOf(t, at + 1); } return n; }

  function snippet(text, ts) {
    var low = text.toLowerCase(), at = -1;
    for (var i = 0; i < ts.length; i++) { var p = low.indexOf(ts[i]); if (p >= 0 && (at < 0 || p < at)) { at = p; } }
    var start = Math.max(0, (at < 0 ? 0 : at) - 53);
    return (start ? "…" : "") + text.slice(start, start + 160) + (start + 160 < text.length ? "…" : "");
  }

  function search(idx, q) {
    var ts = terms(q), found = [];
    if (!ts.length) { return found; }
    for (var i = 0; i < idx.length; i++) {
      var e = idx[i], head = (e.t + " " + e.h).toLowerCase(), hay = head + " " + e.x.toLowerCase(), ok = true, score = 0;
      for (var j = 0; j < ts.length; j++) {
        if (hay.indexOf(ts[j]) < 0) { ok = false; break; }
        score += (head.indexOf(ts[j]) >= 0 ? 10 : 0) + count(hay, ts[j]);
      }
      if (ok) { found.push({ s: score, n: i, e: e, x: snippet(e.x, ts) }); }
    }
    found.sort(function (a, b) { return b.s - a.s || a.n - b.n; });
    return found.slice(0, 30);
  }

  function show(list, found) {
    list.textContent = "";
    for (var i = 0; i < found.length; i++) {
      var r = found[i], li = document.createElement("li"), a = document.createElement("a"), p = document.createElement("p");
      a.href = root + r.e.u;
      a.textContent = r.e.t + (r.e.h && r.e.h !== r.e.t ? " › " + r.e.h : "");
      p.textContent = r.x;
      li.appendChild(a); li.appendChild(p); list.appendChild(li);
    }
    if (!found.length) { var none = document.createElement("li"); none.textContent = "No results"; list.appendChild(none); }
  }

  var input = document.getElementById("docs-search"), box = document.getElementById("docs-search-results");
  if (input && box) {
    input.addEventListener("focus", function () { load(function () {}); });
    input.addEventListener("input", function () {
      var q = input.value;
      if (!terms(q).length) { box.hidden = true; return; }
      load(function (idx) { if (input.value === q) { show(box, search(idx, q)); box.hidden = false; } });
    });
    input.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { box.hidden = true; } });
  }

  var page = document.getElementById("search-page-results");
  if (page && page.getAttribute("data-static") === "1") {
    var q = new URLSearchParams(location.search).get("q") || "";
    var field = document.querySelector("main input[name=q]");
    if (field) { field.value = q; }
    if (terms(q).length) {
      load(function (idx) {
        var found = search(idx, q), head = document.createElement("p"), list = document.createElement("ol");
        head.textContent = found.length + (found.length === 1 ? " result" : " results") + " for " + q;
        list.className = "results";
        show(list, found);
        page.textContent = ""; page.appendChild(head); page.appendChild(list);
      });
    }
  }
})();
