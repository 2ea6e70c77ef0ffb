// Live turnout: refresh each count every 15 seconds (a count only, never who voted).
// A page may show several votes (the home page's desk): each [data-turnout-url] refreshes its own
// [data-turnout-count] (or, on a vote's page, #turnout-count).
(function () {
  if (!window.fetch) { return; }
  var holders = document.querySelectorAll("[data-turnout-url]");
  Array.prototype.forEach.call(holders, function (holder) {
    var count = holder.querySelector("[data-turnout-count]") || document.getElementById("turnout-count");
    if (!count) { return; }
    function refresh() {
      fetch(holder.getAttribute("data-turnout-url"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          count.textContent = data.turnout;
          if (data.status === "open") { window.setTimeout(refresh, 15000); }
        })
        .catch(function () { window.setTimeout(refresh, 60000); });
    }
    window.setTimeout(refresh, 15000);
  });
})();
