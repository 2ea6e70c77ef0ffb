// Check-in at the door: filter the members as one types (the search form still works without this script),
// and refresh the counts and quorum every 20 seconds (another desk may be checking members in).
(function () {
  var input = document.querySelector("[data-checkin-filter]");
  var rows = document.querySelectorAll(".checkin-row");
  var none = document.querySelector(".checkin-none");
  function fold(text) {
    text = (text || "").toLowerCase();
    return text.normalize ? text.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : text;
  }
  if (input && rows.length) {
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var match = !wanted || fold(row.getAttribute("data-search")).indexOf(wanted) !== -1;
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      if (none) { none.hidden = shown !== 0; }
    });
  }
  var summary = document.getElementById("checkin-summary");
  if (!summary || !window.fetch || !window.DOMParser) { return; }
  function refresh() {
    fetch(window.location.pathname + window.location.search, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("checkin-summary");
          if (fresh) { summary.innerHTML = fresh.innerHTML; }
        }
        window.setTimeout(refresh, 20000);
      })
      .catch(function () { window.setTimeout(refresh, 60000); });
  }
  window.setTimeout(refresh, 20000);
})();
