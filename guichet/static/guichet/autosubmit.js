// SAML HTTP-POST binding: send the form at once. Without JavaScript, « Continuer » does it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  // Coming back with the browser's Back button must not post the same message again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) form.submit();
  });
})();
