// Buttons that need a second thought carry data-confirm="question"; no inline scripts (CSP).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A code-format field (data-code-example="<url>", data-kind) shows the next code while it is typed:
// the server reads the format (one parser, in Python) and answers the sentence for the <output>.
(function () {
  var timers = {};
  function regexOf(kind) {
    var field = document.getElementById("regex_" + kind);
    return field ? field.value : "";
  }
  function refresh(kind) {
    var field = document.querySelector("[data-code-example][data-kind='" + kind + "']");
    var output = document.getElementById("example-" + kind);
    if (!field || !output) return;
    var url = field.dataset.codeExample + "?" + new URLSearchParams({kind: kind, format: field.value, regex: regexOf(kind)});
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        output.textContent = body.error || body.text || "";
        output.classList.toggle("text-danger", Boolean(body.error));
      })
      .catch(function () {});
  }
  document.addEventListener("input", function (event) {
    var kind = event.target.dataset && event.target.dataset.kind;
    if (!kind && event.target.id && event.target.id.indexOf("regex_") === 0) kind = event.target.id.slice(6);
    if (!kind || !document.getElementById("example-" + kind)) return;
    clearTimeout(timers[kind]);
    timers[kind] = setTimeout(function () { refresh(kind); }, 250);
  });
})();

// A select with data-shows-group="<name>" shows, of the elements with data-group-of="<name>", the
// one whose data-group is the value chosen, and hides the others (receiving a dossier: the papers
// of the procedure chosen). Without script, the server's choice stands.
(function () {
  function sync(select) {
    var name = select.getAttribute("data-shows-group");
    document.querySelectorAll('[data-group-of="' + name + '"]').forEach(function (element) {
      element.hidden = element.getAttribute("data-group") !== (select.value || "0");
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-shows-group]")) { sync(event.target); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-shows-group]").forEach(sync);
  });
})();

// Work running in the background (qms.core.background: a dossier import, an evidence pack), shown by
// an element with data-progress-url="<url>": its counts (data-count="<key>") and its <progress> bar
// follow the server's record every second; when it ends the page is read again to show the result.
(function () {
  var section = document.querySelector("[data-progress-url]");
  if (!section) return;
  var url = section.getAttribute("data-progress-url");
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.finished) { window.location.reload(); return; }
        Object.keys(state).forEach(function (key) {
          var cell = section.querySelector('[data-count="' + key + '"]');
          if (cell) cell.textContent = state[key];
        });
        var bar = section.querySelector("progress");
        if (bar && state.progress !== null) { bar.value = Math.round(state.progress * 100); }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
