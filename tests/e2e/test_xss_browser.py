"""The worst XSS payloads in a real browser: what the public and the staff see.

Pages holding the payloads of tests/security/payloads.py (WORST) are opened in
chromium with every hook a payload could call replaced before any script of the page
runs, in the page and in every frame: alert, confirm, prompt, print, and the global
`__xss` (read, called or set). Each hook also writes to the console, which Playwright
hears from every frame. Nothing may fire, no dialog may open, the page must not
navigate away, and the DOM as the browser built it (after its own HTML5 parsing, where
mutation tricks would show) must hold no handler, foreign script or dangerous address.
"""

import re
import time
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from richtext.sanitize import sanitize_html
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    JokeFactory,
    SectionFactory,
    UserFactory,
)
from tests.security.payloads import WORST

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-for-tests-1"

HOOKS = """
(() => {
  const calls = [];
  const fire = (kind, args) => {
    calls.push(kind);
    try { console.log("XSS-HOOK " + kind + " " + String(args && args[0])); } catch (e) {}
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    Object.defineProperty(window, name, {
      value: (...args) => fire(name, args), writable: false, configurable: false,
    });
  }
  Object.defineProperty(window, "__xss", {
    get() { fire("__xss read", []); return (...args) => fire("__xss()", args); },
    set(value) { fire("__xss=", [value]); },
    configurable: false,
  });
  Object.defineProperty(window, "__xssCalls", { value: calls, configurable: false });
  document.addEventListener("securitypolicyviolation", (event) => {
    try {
      console.log("CSP-VIOLATION " + event.violatedDirective + " " + event.blockedURI +
                  " " + event.sample);
    } catch (e) {}
  });
})();
"""

# The DOM as built: what a browser would run, after its own parsing.
DOM_AUDIT = """
(admin) => {
  const problems = [];
  const danger = /^(javascript|vbscript|data|livescript):/i;
  const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "data",
                         "poster", "background", "codebase", "srcset", "to", "values"];
  const ownScripts = admin
    ? [/^\\/static\\/admin\\/js\\//, /^\\/static\\/ckeditor\\//, /^\\/admin\\/jsi18n\\//]
    : [/^\\/static\\/js\\/vote\\.js$/];
  const describe = (el) => el.outerHTML.slice(0, 160);
  // CKEditor 4 draws its own toolbar and dialogs with inline handlers and
  // javascript:void() links: its code, not content (the content is in its frame).
  const editorChrome = ".cke, .cke_dialog, .cke_panel, .cke_dialog_background_cover";
  for (const el of document.querySelectorAll("*")) {
    if (admin && el.closest(editorChrome)) continue;
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) problems.push("handler " + name + ": " + describe(el));
      if (name === "srcdoc") problems.push("srcdoc: " + describe(el));
      if (urlAttributes.includes(name)) {
        const value = attr.value.replace(/[\\t\\n\\r]/g, "").replace(/^[\\x00-\\x20]+/, "");
        if (danger.test(value)) problems.push("address " + name + ": " + describe(el));
      }
    }
    const tag = el.tagName.toLowerCase();
    const editorFrame = admin && tag === "iframe" && el.classList.contains("cke_wysiwyg_frame");
    if (["iframe", "frame", "object", "embed", "base", "portal", "applet"].includes(tag)
        && !editorFrame) {
      problems.push("element " + describe(el));
    }
    if (tag === "meta" && el.hasAttribute("http-equiv")) problems.push(describe(el));
  }
  for (const script of document.querySelectorAll("script")) {
    const src = script.getAttribute("src");
    if (src !== null) {
      const path = new URL(script.src, location.href);
      if (path.origin !== location.origin || !ownScripts.some((re) => re.test(path.pathname))) {
        problems.push("script " + describe(script));
      }
    } else if (!["application/ld+json", "application/json"].includes(script.type)) {
      problems.push("inline script " + describe(script));
    }
  }
  return problems;
}
"""

EDITOR_READY = """
() => window.CKEDITOR && Object.keys(CKEDITOR.instances).length > 0
      && Object.values(CKEDITOR.instances).every((editor) => editor.status === "ready")
"""

# The editor's editing frame holds the article body as CKEditor loaded it.
FRAME_AUDIT = """
() => {
  const problems = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith("on")) problems.push(el.outerHTML.slice(0, 160));
      if (/^\\s*(javascript|vbscript|data):/i.test(attr.value.replace(/[\\t\\n\\r]/g, "")) &&
          ["href", "src", "action", "formaction"].includes(attr.name.toLowerCase())) {
        problems.push(el.outerHTML.slice(0, 160));
      }
    }
  }
  for (const script of document.querySelectorAll("body script")) {
    problems.push("script in the edited body: " + script.outerHTML.slice(0, 160));
  }
  return problems;
}
"""


@pytest.fixture
def content(roles):
    """Published content made of the worst payloads, and the staff who read it."""
    section = SectionFactory(name="Worst news")
    category = CategoryFactory(name="Worst jokes")
    everything = "".join(WORST)
    tags = [f"{index} {payload}"[:100] for index, payload in enumerate(WORST[:12])]
    articles = [
        ArticleFactory(
            section=section,
            title=payload,
            summary=payload,
            body=payload,
            publish_at=timezone.now() - timezone.timedelta(hours=index + 2),
        )
        for index, payload in enumerate(WORST)
    ]
    # All of them in one body: each sanitised on its own first, as each would be stored
    # (raw, an early unclosed <svg> would swallow the rest).
    articles.append(
        ArticleFactory(
            section=section,
            title=WORST[0],
            summary=everything[:2000],
            body="<p>All the worst, one after another:</p>"
            + "".join(sanitize_html(payload) for payload in WORST),
            tags=tags,
        )
    )
    jokes = [
        JokeFactory(
            category=category,
            title=payload,
            text=f"{payload}\n{index}",
            submitter_name=payload[:100],
        )
        for index, payload in enumerate(WORST)
    ]
    jokes.append(
        JokeFactory(
            category=category,
            title=WORST[1],
            text="\n".join(WORST),
            tags=tags,
            submitter_name=WORST[2],
        )
    )
    # What visitors sent and a moderator reads before anyone else.
    for index, payload in enumerate(WORST):
        JokeFactory(
            category=category,
            pending=True,
            title=payload,
            submitter_name=payload[:100],
            text=f"Sent in, number {index}: {payload}",
        )
    editor = UserFactory(username="worst-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    moderator = UserFactory(username="worst-moderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return {"articles": articles, "jokes": jokes, "editor": editor, "moderator": moderator}


class Watch:
    """One browser page with the hooks in place, and what it heard."""

    def __init__(self, browser, base_url):
        self.context = browser.new_context()
        self.context.add_init_script(HOOKS)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.fired, self.dialogs, self.csp = [], [], []
        self.editor_frames = 0
        self.page.on("console", self._console)
        self.page.on("dialog", self._dialog)

    def _console(self, message):
        text = message.text
        if text.startswith("XSS-HOOK"):
            self.fired.append(text)
        elif text.startswith("CSP-VIOLATION"):
            self.csp.append(text)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def visit(self, path, *, admin=False, problems):
        response = self.page.goto(self.base_url + path, wait_until="load")
        if response is None or response.status >= 500:
            problems.append(f"{path}: status {response and response.status}")
        self.inspect(path, admin=admin, problems=problems)

    def inspect(self, where, *, admin=False, problems):
        """What ran, and what the page holds that could run, once it has settled."""
        # Handlers that run later (toggle, animations, timers) get their moment.
        self.page.wait_for_timeout(400)
        if not self.page.url.startswith(self.base_url):
            problems.append(f"{where}: navigated away to {self.page.url}")
            return
        calls = self.page.evaluate("window.__xssCalls.slice()")
        problems += [f"{where}: hook fired: {call}" for call in calls]
        problems += [f"{where}: DOM: {problem}" for problem in self.page.evaluate(DOM_AUDIT, admin)]
        if admin and self.page.locator("textarea[data-type=ckeditortype]").count():
            # CKEditor's editing area: the body as the editor loaded it into its frame.
            # Polled with evaluate(): wait_for_function() needs an eval the policy forbids.
            deadline = time.monotonic() + 15
            while not self.page.evaluate(f"({EDITOR_READY})()"):
                assert time.monotonic() < deadline, f"{where}: the editor did not start"
                self.page.wait_for_timeout(100)
            self.page.wait_for_timeout(400)
            body = self.page.frame_locator("iframe.cke_wysiwyg_frame").locator("body")
            stored = self.page.locator("textarea[data-type=ckeditortype]").first.input_value()
            if stored.strip() and not body.inner_html().strip():
                problems.append(f"{where}: the editor shows nothing of {stored[:80]!r}")
            found = body.evaluate(f"(body) => ({FRAME_AUDIT})()")
            problems += [f"{where}: editor frame: {problem}" for problem in found]
            self.editor_frames += 1

    def finish(self, problems):
        problems += [f"hook fired (console): {text}" for text in self.fired]
        problems += [f"dialog opened: {text}" for text in self.dialogs]
        self.context.close()


def test_the_worst_payloads_run_nowhere_in_a_browser(live_server, browser, content, screenshot):
    articles, jokes = content["articles"], content["jokes"]
    search_terms = [WORST[0], '"><script>alert(1)</script>', "' onmouseover='alert(1)", "alert"]
    problems = []

    visitor = Watch(browser, live_server.url)
    public = [
        "/",
        "/bulletin/",
        "/bulletin/?page=2",
        articles[-1].get_absolute_url(),  # every payload in its body
        *[article.get_absolute_url() for article in articles[:4]],
        articles[0].section.get_absolute_url(),
        "/jokes/",
        "/jokes/?page=2",
        jokes[-1].get_absolute_url(),
        *[joke.get_absolute_url() for joke in jokes[:4]],
        "/tags/" + articles[-1].tags.first().slug + "/",
        *["/search/?" + urlencode_q(term) for term in search_terms],
        "/jokes/top/?" + urlencode_q(WORST[20], "period") + "&" + urlencode_q(WORST[21], "next"),
    ]
    for path in public:
        visitor.visit(path, problems=problems)
    visitor.finish(problems)

    # Staff, logged in through the admin's own form, read the same content there.
    staff = Watch(browser, live_server.url)
    log_in(staff.page, live_server.url, content["editor"])
    admin_pages = [
        "/admin/bulletin/article/",
        f"/admin/bulletin/article/{articles[-1].pk}/change/",
        f"/admin/bulletin/article/{articles[0].pk}/change/",
        "/admin/jokes/joke/",
        f"/admin/jokes/joke/{jokes[-1].pk}/change/",
        "/admin/taggit/tag/",
        "/admin/jokes/joke/?" + urlencode_q(WORST[0]),
    ]
    for path in admin_pages:
        staff.visit(path, admin=True, problems=problems)
    # The editor really loaded the bodies into its editing frame, and was audited there.
    assert staff.editor_frames == 2
    staff.finish(problems)

    # A moderator opens the queue, and the page that asks before approving.
    moderator = Watch(browser, live_server.url)
    log_in(moderator.page, live_server.url, content["moderator"])
    moderator.visit("/admin/moderation/", admin=True, problems=problems)
    row = moderator.page.locator("tr", has_text="Sent in, number 0")
    with moderator.page.expect_navigation():
        row.get_by_role("button", name="Approve…").click()
    assert "Sent in, number 0" in moderator.page.content()
    moderator.inspect("the approve page", admin=True, problems=problems)
    screenshot(moderator.page, "approve-page")
    moderator.finish(problems)

    assert not problems, "\n".join(problems)
    # CSP reports are not failures by themselves (the payloads above never reached the
    # DOM as markup), but none may name a payload's code.
    reports = staff.csp + visitor.csp + moderator.csp
    assert not [text for text in reports if "alert" in text or "__xss" in text]


def log_in(page, base_url, user):
    """Through the admin's own log-in form, as staff do."""
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def urlencode_q(value, name="q"):
    return urlencode({name: value})


def test_the_hooks_do_notice_a_payload_that_runs(browser, live_server, screenshot):
    """The control: on a page of the site's origin where payloads do run (served raw
    by the browser's own routing), the hooks, the console and the DOM audit see them."""
    watch = Watch(browser, live_server.url)
    raw = f"<!doctype html><title>raw</title><div>{WORST[3]}{WORST[1]}{WORST[5]}</div>"
    watch.page.route(
        f"{live_server.url}/raw/",
        lambda route: route.fulfill(body=raw, content_type="text/html"),
    )
    problems = []
    watch.visit("/raw/", problems=problems)
    screenshot(watch.page, "raw")
    watch.finish(problems)
    assert any("hook fired: alert" in p for p in problems), problems
    assert any("hook fired: __xss=" in p for p in problems), problems
    assert any("inline script" in p for p in problems), problems
    assert any("handler onerror" in p for p in problems), problems
    assert any("handler onload" in p for p in problems), problems
    assert any("(console)" in p for p in problems), problems
