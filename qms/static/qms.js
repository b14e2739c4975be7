// Buttons that need a second thought carry data-confirm="question"; no inline scripts (CSP).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
