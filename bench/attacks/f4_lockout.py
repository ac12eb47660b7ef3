"""Finding 4: can anyone lock a person out? Wrong passwords, made-up reset requests and wrong
codes from an attacker, then the owner from the browser they signed in with before."""

from attacks._common import PASSWORD, Target
from attacks._signin import post, sign_in, trusted_browser

FINDINGS = (4,)
TITLE = "Anyone can lock a person out"
VICTIM = "lockout.victime@chu-poitiers.fr"


def run(target: Target) -> dict:
    from recovery import actions
    from recovery.models import ResetCode

    account = target.account(VICTIM, mobile="+33612340001", mobile_verified_at=None)
    owner = trusted_browser(target, VICTIM, "203.0.113.40")
    printed = actions.issue(None, account, ResetCode.PRINTED, "", origin=ResetCode.SUPPORT, site=target.base_url)[1]

    # The attack of the review, from rotating addresses: 5 wrong passwords, 5 made-up requests,
    # then 40 wrong codes (past every per-code and per-account budget).
    for i in range(5):
        sign_in(target, VICTIM, f"guess-{i}", f"198.51.100.{i + 1}")
        post(
            target,
            "/password/reset/",
            {"identifier": VICTIM, "channel": "email", "contact": "x@example.org"},
            f"198.51.100.{i + 1}",
        )
    for i in range(40):
        post(target, "/password/reset/code/", {"identifier": VICTIM, "code": "2222-2222"}, f"198.51.100.{i + 10}")

    untrusted = sign_in(target, VICTIM, PASSWORD, "203.0.113.41", who=target.browser())
    owner_signin = owner.post("/login/", {"identifier": VICTIM, "password": PASSWORD}).status_code
    owner.post("/logout/", {})
    reset_page = owner.post(
        "/password/reset/", {"identifier": VICTIM, "channel": "email", "contact": "lockout.victime@example.org"}
    ).status_code
    code_page = target.browser("203.0.113.42").post("/password/reset/code/", {"identifier": VICTIM, "code": printed})
    return {
        "figures": {
            "attacker's requests": 5 + 5 + 40,
            "owner's right password from a new browser": f"{untrusted} (429 = paused 1 minute: expected)",
            "owner's right password from their usual browser": owner_signin,
            "owner's reset request from their usual browser": reset_page,
            "code printed by support, after 40 wrong codes": code_page.status_code,
        },
        "checks": {
            "0 lockouts of a person with a trusted device (sign-in)": owner_signin == 302,
            "0 lockouts of a person with a trusted device (reset request)": reset_page == 200,
            "wrong codes typed by someone else never kill a printed code": code_page.status_code == 302,
        },
    }
