// Quick picks fill in the period; without JavaScript they stay hidden and the dates
// (this quarter by default) are typed or picked as usual.
// A static file rather than an inline script, so the Content-Security-Policy can forbid
// inline scripts altogether.
(function () {
  "use strict";
  var picks = document.querySelector("[data-quick-picks]");
  if (!picks) { return; }
  var form = picks.closest("form");
  var start = form && form.querySelector("[name='period_start']");
  var end = form && form.querySelector("[name='period_end']");
  if (!start || !end) { return; }
  picks.hidden = false;
  picks.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-start]");
    if (!button) { return; }
    start.value = button.dataset.start;
    end.value = button.dataset.end;
  });
})();
