// Paste a screenshot (Ctrl+V) into the form: the pasted image becomes the file input's file,
// so the form still posts it the plain way. Without JavaScript the file input is enough.
(function () {
  "use strict";
  var zone = document.getElementById("screenshot-zone");
  if (!zone) { return; }
  var input = zone.querySelector("input[type=file]");
  var hint = zone.querySelector(".paste-hint");
  var status = zone.querySelector(".paste-status");
  if (!input || typeof DataTransfer === "undefined") { return; }
  hint.hidden = false;
  document.addEventListener("paste", function (event) {
    var items = (event.clipboardData && event.clipboardData.files) || [];
    for (var i = 0; i < items.length; i++) {
      var file = items[i];
      if (/^image\/(png|jpeg|webp)$/.test(file.type)) {
        var transfer = new DataTransfer();
        transfer.items.add(new File([file], "capture-collee." + file.type.split("/")[1], { type: file.type }));
        input.files = transfer.files;
        status.textContent = zone.dataset.pasted;
        event.preventDefault();
        return;
      }
    }
  });
})();
