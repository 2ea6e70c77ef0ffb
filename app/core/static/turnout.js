// Live turnout: refresh the count every 15 seconds (a count only, never who voted).
(function () {
  var holder = document.querySelector("[data-turnout-url]");
  var count = document.getElementById("turnout-count");
  if (!holder || !count || !window.fetch) { return; }
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
})();
