// Progressive enhancement of the routing form: say where an address leads while it is
// typed. Without this script the form submits as a plain GET and the server answers.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "fr";
  document.querySelectorAll("form.route-form").forEach(function (form) {
    var input = form.querySelector("input[name=identifier]");
    var live = form.querySelector(".live");
    var timer = null;
    var latest = 0;
    function show(data) {
      live.textContent = "";
      if (data.status === "empty") return;
      live.appendChild(document.createTextNode(data.message + " "));
      if (data.guide) {
        var link = document.createElement("a");
        link.href = data.guide + "?identifier=" + encodeURIComponent(data.query);
        link.textContent = form.dataset.go + " " + data.name;
        live.appendChild(link);
      }
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var ticket = ++latest;
        var url = form.dataset.api + "?lang=" + lang + "&q=" + encodeURIComponent(input.value);
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) { if (ticket === latest) show(data); })
          .catch(function () { live.textContent = ""; });
      }, 250);
    });
  });
})();
