// Progressive enhancement: warn when Caps Lock is on while typing a password.
(function () {
  "use strict";
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
