// Progressive enhancement: how strong the new password is, while it is typed.
//
// <input type="password" id="id_password" …> inside a form with {% csrf_token %}, and
// <div data-strength-for="id_password" role="status" aria-live="polite"></div>.
// 300 ms after the last keystroke the password goes (POST, same origin, CSRF token) to the
// URL in data-strength-url (on this element or on the form; default /password/strength/,
// /en/… on English pages), which answers {"ok": bool, "score": 0-4, "problems": [text]}
// with the same rules the form applies (recovery/policy.py). Shown: a <meter> 0-4, its
// level in words and the problems as a list. Nothing else changes: without this script,
// or when the server cannot be reached, the form works as before and the server judges.
// No inline styles (CSP style-src 'self'): classes only, styled in site.css.
// Words come from the catalogue (Django's JavaScriptCatalog, gettext domain djangojs, loaded
// by the page before this script: {% url 'password-strength-words' %}); data-label,
// data-levels ("a|b|c|d|e", score 0 to 4) and data-accepted still override them. Without
// the catalogue the French source words are shown.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  };
  var lang = (document.documentElement.lang || "fr").slice(0, 2);
  var defaults = {
    label: gettext("Solidité du mot de passe"),
    levels: [gettext("très faible"), gettext("faible"), gettext("moyenne"), gettext("bonne"), gettext("excellente")],
    accepted: gettext("Ce mot de passe convient."),
  };

  function words(output) {
    var levels = output.dataset.levels ? output.dataset.levels.split("|") : defaults.levels;
    return {
      label: output.dataset.label || defaults.label,
      levels: levels.length === 5 ? levels : defaults.levels,
      accepted: output.dataset.accepted || defaults.accepted,
    };
  }

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function endpoint(output, form) {
    if (output.dataset.strengthUrl) return output.dataset.strengthUrl;
    if (form && form.dataset.strengthUrl) return form.dataset.strengthUrl;
    return lang === "en" ? "/en/password/strength/" : "/password/strength/";
  }

  function clear(output) {
    output.textContent = "";
    output.removeAttribute("data-score");
    output.dataset.shown = "";
  }

  function show(output, data, text) {
    var score = Math.max(0, Math.min(4, parseInt(data.score, 10) || 0));
    var problems = Array.isArray(data.problems) ? data.problems.map(String) : [];
    var ok = data.ok === true;
    // A live region re-reads whatever changes: only touch it when the verdict does.
    var key = JSON.stringify([ok, score, problems]);
    if (output.dataset.shown === key) return;
    output.dataset.shown = key;
    output.dataset.score = String(score);
    output.textContent = "";

    var summary = document.createElement("p");
    summary.className = "strength-summary";
    var meter = document.createElement("meter");
    meter.className = "strength-meter";
    meter.min = 0;
    meter.max = 4;
    meter.low = 2;
    meter.high = 3;
    meter.optimum = 4;
    meter.value = score;
    meter.setAttribute("aria-hidden", "true"); // the words below say the same
    meter.textContent = score + "/4";
    var level = document.createElement("span");
    level.className = "strength-level";
    // « Solidité du mot de passe : bonne » / "Password strength: good": the catalogue
    // knows where each language puts its colon.
    level.textContent = interpolate(gettext("%(label)s\u00a0: %(level)s"), { label: text.label, level: text.levels[score] }, true);
    summary.appendChild(meter);
    summary.appendChild(document.createTextNode(" "));
    summary.appendChild(level);
    output.appendChild(summary);

    if (problems.length) {
      var list = document.createElement("ul");
      list.className = "strength-problems";
      problems.forEach(function (problem) {
        var item = document.createElement("li");
        item.textContent = problem;
        list.appendChild(item);
      });
      output.appendChild(list);
    } else if (ok) {
      var fine = document.createElement("p");
      fine.className = "strength-ok";
      fine.textContent = text.accepted;
      output.appendChild(fine);
    }
  }

  function enhance(output) {
    var input = document.getElementById(output.dataset.strengthFor);
    if (!input || !window.fetch) return;
    var form = input.form;
    var token = csrfToken(form);
    if (!token) return; // the server would refuse it (403): leave the page as it is
    var url = endpoint(output, form);
    var text = words(output);
    var timer = null;
    var latest = 0;
    var pending = null;

    if (!output.hasAttribute("role")) output.setAttribute("role", "status");
    if (!output.hasAttribute("aria-live")) output.setAttribute("aria-live", "polite");
    if (output.id) {
      var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (described.indexOf(output.id) < 0) {
        described.push(output.id);
        input.setAttribute("aria-describedby", described.join(" "));
      }
    }

    function ask() {
      var ticket = ++latest;
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      var body = new URLSearchParams();
      body.append("password", input.value);
      body.append("csrfmiddlewaretoken", token);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json", "X-CSRFToken": token },
        signal: pending ? pending.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (ticket === latest && input.value) show(output, data, text);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          if (ticket === latest) clear(output);
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (!input.value) {
        latest++; // forget any answer still on its way
        if (pending) pending.abort();
        clear(output);
        return;
      }
      timer = setTimeout(ask, 300);
    });
    // Typed (or filled by a password manager) before this script ran: judge it now.
    if (input.value) ask();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-strength-for]"), enhance);
})();
