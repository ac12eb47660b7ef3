// Passkeys (WebAuthn): adding one on « Sécurité du compte », using one as the second factor
// at sign-in. Progressive enhancement: the page works without this script (codes), and the
// passkey button only shows where the browser can use it. Texts and URLs come from the
// page's data-* attributes, in the page's language.
(function () {
  "use strict";
  const box = document.querySelector("[data-passkey]");
  if (!box) return;
  const data = box.dataset;
  const enrol = data.passkey === "enrol";
  const ready = box.querySelector(".passkey-ready");
  const button = ready.querySelector("button");
  const fallback = box.querySelector(".passkey-fallback");
  const status = box.querySelector("[role=status]");

  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
    fallback.textContent = data.unsupported;
    return;
  }
  fallback.hidden = true;
  ready.hidden = false;

  // base64url (what the server sends and expects) <-> bytes (what WebAuthn takes and gives).
  function bytes(text) {
    const raw = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }
  function text(buffer) {
    const view = new Uint8Array(buffer);
    let raw = "";
    for (let i = 0; i < view.length; i++) raw += String.fromCharCode(view[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: bytes(c.id) });
    });
  }

  function creationOptions(o) {
    return Object.assign({}, o, {
      challenge: bytes(o.challenge),
      user: Object.assign({}, o.user, { id: bytes(o.user.id) }),
      excludeCredentials: descriptors(o.excludeCredentials),
    });
  }
  function requestOptions(o) {
    return Object.assign({}, o, { challenge: bytes(o.challenge), allowCredentials: descriptors(o.allowCredentials) });
  }
  function credentialJSON(credential) {
    const r = credential.response;
    const response = { clientDataJSON: text(r.clientDataJSON) };
    if (enrol) {
      response.attestationObject = text(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = text(r.authenticatorData);
      response.signature = text(r.signature);
      response.userHandle = r.userHandle ? text(r.userHandle) : null;
    }
    return {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null,
    };
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": data.csrf,
        // The API's URLs carry no language prefix: answer in the page's language.
        "Accept-Language": document.documentElement.lang,
      },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
    });
  }

  function say(message) {
    status.textContent = message;
  }

  // Says why the server said no; true when the page is left instead (start again).
  function refused(answer) {
    const code = answer.code;
    if (code === "signin_expired" || code === "password_not_fresh") {
      window.location.assign(data.restart);
      return true;
    }
    say((code === "paused" && data.paused) || (code === "user_not_verified" && data.unverified) || data.failed);
    return false;
  }

  async function run() {
    let leaving = false;
    button.disabled = true;
    say(data.busy);
    try {
      const begun = await post(data.begin);
      if (!begun.ok) {
        leaving = refused(begun.answer);
        return;
      }
      const credential = enrol
        ? await navigator.credentials.create({ publicKey: creationOptions(begun.answer) })
        : await navigator.credentials.get({ publicKey: requestOptions(begun.answer) });
      const done = await post(data.complete, credentialJSON(credential));
      if (!done.ok) {
        leaving = refused(done.answer);
        return;
      }
      leaving = true;
      say(data.success);
      window.location.assign(data.done || done.answer.redirect_url);
    } catch (error) {
      if (error.name === "NotAllowedError" || error.name === "AbortError") say(data.cancelled);
      else if (error.name === "InvalidStateError" && data.exists) say(data.exists);
      else say(data.failed);
    } finally {
      if (!leaving) {
        button.disabled = false;
        button.focus(); // disabling the button took the focus away
      }
    }
  }

  button.addEventListener("click", run);
})();
