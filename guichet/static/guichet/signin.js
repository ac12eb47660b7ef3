// Progressive enhancement of the sign-in page (it works without this script):
// - the identifier's hint follows the domain being typed (the format of that institution);
// - a warning when Caps Lock is on while typing a password.
(function () {
  "use strict";
  var hint = document.getElementById("identifier-hint");
  var identifier = document.getElementById("id_identifier");
  if (hint && identifier && hint.dataset.hints && !identifier.readOnly) {
    var hints = JSON.parse(hint.dataset.hints);
    var initial = hint.textContent;
    identifier.addEventListener("input", function () {
      var at = identifier.value.lastIndexOf("@");
      var domain = at >= 0 ? identifier.value.slice(at + 1).trim().toLowerCase() : "";
      var text = hints[domain];
      hint.textContent = text || initial;
    });
  }
  var field = document.getElementById("id_password");
  var live = document.getElementById("capslock");
  if (!field || !live) return;
  function check(event) {
    if (!event.getModifierState) return;
    live.textContent = event.getModifierState("CapsLock") ? live.dataset.message : "";
  }
  field.addEventListener("keydown", check);
  field.addEventListener("keyup", check);
})();
