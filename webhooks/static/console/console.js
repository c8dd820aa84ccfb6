// Small helpers for console forms.
(function () {
  "use strict";
  // Call-back forms send the browser's UTC offset at the chosen time (daylight saving aware).
  document.querySelectorAll("form[data-tz-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var chosen = form.elements.when.value ? new Date(form.elements.when.value) : new Date();
      form.elements.tz_offset.value = String(chosen.getTimezoneOffset());
    });
  });
})();
