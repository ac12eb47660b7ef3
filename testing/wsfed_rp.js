// A WS-Federation relying party nobody here wrote: passport-wsfed-saml2 (npm), the strategy
// Auth0 ships for AD FS. Reads {wresult, wctx, realm, thumbprint, recipient} as JSON on stdin,
// runs the strategy on a POST carrying that token, prints {ok, profile} or {ok: false, error}.
const { Strategy } = require("passport-wsfed-saml2");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const given = JSON.parse(input);
  const done = (result) => process.stdout.write(JSON.stringify(result));
  const strategy = new Strategy(
    {
      realm: given.realm,
      identityProviderUrl: given.issuer,
      thumbprint: given.thumbprint,
      recipientUrl: given.recipient,
    },
    (profile, verified) => verified(null, profile),
  );
  strategy.success = (profile) => done({ ok: true, profile });
  strategy.fail = (info) => done({ ok: false, error: String((info && info.message) || info) });
  strategy.error = (error) => done({ ok: false, error: String((error && error.message) || error) });
  strategy.redirect = (url) => done({ ok: false, error: "redirect " + url });
  const req = {
    method: "POST",
    body: { wa: "wsignin1.0", wresult: given.wresult, wctx: given.wctx },
    query: {},
    headers: { host: "webmail.chu-poitiers.fr" },
    url: "/owa/",
    protocol: "https",
  };
  strategy.authenticate(req, {});
});
