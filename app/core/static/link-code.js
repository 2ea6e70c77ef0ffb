// Single-use links carry their code after "#", a part of the address browsers never send to the
// server: put it in the form, drop it from the address bar and history, and send it by POST.
(function () {
  var form = document.querySelector("form[data-link-code]");
  var code = window.location.hash.replace(/^#/, "");
  if (!form || !code) { return; }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var field = form.querySelector("input[name=code]");
  if (!field) { return; }
  try { field.value = decodeURIComponent(code); } catch (e) { field.value = code; }
  HTMLFormElement.prototype.submit.call(form);  // form.submit is the button named "submit"
})();
