// Small enhancements only: every page works without this file.
(function () {
  "use strict";
  // "Select all" for the change list's checkboxes.
  var all = document.getElementById("select-all");
  if (all) {
    all.hidden = false;
    all.addEventListener("change", function () {
      document.querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = all.checked; });
    });
  }
  // Foreign keys with many rows: suggestions from the lookup URL under the search box.
  document.querySelectorAll("input[data-lookup]").forEach(function (input) {
    var list = document.createElement("ul");
    list.className = "fk-suggest";
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var base = document.querySelector(".brand").getAttribute("href");
        fetch(base + "/" + input.dataset.lookup + "?q=" + encodeURIComponent(input.value),
              { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            data.results.forEach(function (item) {
              var li = document.createElement("li");
              var b = document.createElement("button");
              b.type = "button";
              b.textContent = item.label + " (" + item.id + ")";
              b.addEventListener("click", function () { input.value = item.id; list.hidden = true; input.focus(); });
              li.appendChild(b);
              list.appendChild(li);
            });
            list.hidden = data.results.length === 0;
          });
      }, 200);
    });
  });
})();
