"""Accessibility and layout in a real browser.

axe-core (the build packaged by axe-playwright-python) on every public page type, in
the light and the dark colour scheme: no serious or critical violation. Phone and
desktop screenshots of the main pages with no horizontal scrolling and controls big
enough to tap. And the keyboard: the skip link first, a visible focus outline on
every stop, a label on every form control, errors tied to their fields.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.site_content import build_site
from tests.factories import PreviewLinkFactory

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKING = {"serious", "critical"}
PHONE, DESKTOP = 375, 1280
MIN_TAP_HEIGHT = 24  # WCAG 2.2 target size (minimum), in CSS pixels


@pytest.fixture
def site(roles):
    return build_site()


def public_pages(site):
    """(name, path, expected status) of every kind of public page."""
    article = site.articles["Town library extends opening hours for the winter"]
    joke = site.jokes[2]  # one with a title, tags and votes
    year, month = article.publish_at.year, article.publish_at.month
    preview = PreviewLinkFactory(article__title="A draft shared for review")
    return [
        ("home", "/", 200),
        ("all-headlines", "/bulletin/", 200),
        ("section", site.sections["Culture"].get_absolute_url(), 200),
        ("article", article.get_absolute_url(), 200),
        ("article-chinese", site.chinese_article.get_absolute_url(), 200),
        ("archive", "/bulletin/archive/", 200),
        ("archive-year", f"/bulletin/archive/{year}/", 200),
        ("archive-month", f"/bulletin/archive/{year}/{month}/", 200),
        ("preview-link", preview.get_absolute_url(), 200),
        ("jokes", "/jokes/", 200),
        ("top-jokes", "/jokes/top/?period=all", 200),
        ("category", site.categories["Science"].get_absolute_url(), 200),
        ("joke", joke.get_absolute_url(), 200),
        ("report-joke", f"/jokes/{joke.pk}/report/", 200),
        ("tag", "/tags/community/", 200),
        ("tag-jokes", f"/tags/{joke.tags.first().slug}/jokes/", 200),
        ("search", "/search/?q=town", 200),
        ("search-empty", "/search/?q=xylophone", 200),
        ("submit-joke", "/submit/joke/", 200),
        ("submit-article", "/submit/article/", 200),
        ("submission-status", f"/submit/status/{site.pending_joke.status_token}/", 200),
        ("not-found", "/bulletin/no-such-section/", 404),
        ("api-docs", "/api/docs", 200),
    ]


def describe(violations):
    """Every violation with its nodes, for the assertion message."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.append(f"      {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)


def check(axe, page, blocking, others, where):
    """axe on the page as it is in the light colour scheme, then its colours again in the
    dark one; findings kept by page, blocking ones apart."""
    page.evaluate(axe.axe_script)  # once per page: Axe.run() would inject it each time
    for scheme, options in [
        ("light", {"resultTypes": ["violations"]}),
        ("dark", {"runOnly": ["color-contrast"], "resultTypes": ["violations"]}),
    ]:
        page.emulate_media(color_scheme=scheme)
        results = page.evaluate("(options) => axe.run(document, options)", options)
        for violation in results["violations"]:
            found = blocking if violation["impact"] in BLOCKING else others
            found.setdefault(f"[{scheme}] {where}", []).append(violation)
    page.emulate_media(color_scheme="light")


def test_no_serious_or_critical_axe_violation_on_any_public_page(
    live_server, browser, site, screenshot
):
    axe = Axe()
    page = browser.new_context().new_page()
    blocking, others = {}, {}
    for name, path, status in public_pages(site):
        response = page.goto(live_server.url + path)
        assert response.status == status, path
        if name == "api-docs":
            page.wait_for_selector(".swagger-ui .opblock")
        check(axe, page, blocking, others, f"{name} {path}")
        if name in ("home", "joke", "submission-status"):  # how dark mode looks
            page.emulate_media(color_scheme="dark")
            screenshot(page, f"{name}-dark")
            page.emulate_media(color_scheme="light")
    # A form sent with mistakes: its errors, in both schemes.
    page.goto(live_server.url + "/submit/article/")
    page.get_by_label("Headline").fill("Short")
    page.get_by_role("button", name="Send the article").click()
    page.wait_for_selector(".field-errors")
    check(axe, page, blocking, others, "submit-article with errors")
    screenshot(page, "form-errors")
    # Moderate and minor findings are reported (pytest -s shows them), not failed.
    for where, violations in others.items():
        print(f"\n{where}\n{describe(violations)}")
    assert not blocking, "\n".join(
        f"\n{where}\n{describe(violations)}" for where, violations in blocking.items()
    )


# Layout


def layout_pages(site):
    article = site.articles["Comedy night returns to the old cinema"]
    return [
        ("home", "/"),
        ("headlines", "/bulletin/"),
        ("jokes", "/jokes/"),
        ("article", article.get_absolute_url()),
        ("article-chinese", site.chinese_article.get_absolute_url()),
        ("joke", site.jokes[13].get_absolute_url()),
        ("search", "/search/?q=town"),
        ("submit-joke", "/submit/joke/"),
        ("submit-joke-errors", None),
    ]


SMALL_CONTROLS = """(least) => {
  const small = [];
  for (const el of document.querySelectorAll(
      "form button, form a[href], form input[type=submit], form select, .pagination a, " +
      ".site-nav a, .subnav a, .breadcrumbs a, .joke-footer a, .tag-list a")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || el.closest("[aria-hidden=true]")) continue;
    if (box.height < least) small.push(el.outerHTML.slice(0, 120) + " " + box.height + "px");
  }
  return small;
}"""

WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_pages_fit_the_screen_with_controls_big_enough_to_tap(
    live_server, browser, site, width, screenshot
):
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    for name, path in layout_pages(site):
        if path is None:  # the joke form sent empty: its errors
            page.goto(live_server.url + "/submit/joke/")
            page.get_by_role("button", name="Send the joke").click()
            page.wait_for_selector(".field-errors")
        else:
            page.goto(live_server.url + path)
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, (name, scroll_width, page.evaluate(WIDEST))
        assert page.evaluate(SMALL_CONTROLS, MIN_TAP_HEIGHT) == [], name
        # Readable text: nothing in the page's main text smaller than 14px.
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll("main p, main li, main a")]
                 .map((el) => parseFloat(getComputedStyle(el).fontSize)))"""
        )
        assert smallest >= 14, (name, smallest)
        screenshot(page, name)
    if width == DESKTOP:  # an article on paper: the text, without the site's menus
        page.goto(live_server.url + site.chinese_article.get_absolute_url())
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible()
        assert not page.locator(".site-footer").is_visible()
        assert page.locator(".article-body").is_visible()
        screenshot(page, "article-print")


# Keyboard

# The focused element: who it is, its outline, and its outline once unfocused.
FOCUSED = """() => {
  const el = document.activeElement;
  if (el === document.body) return null;
  const focused = getComputedStyle(el);
  const outline = [focused.outlineStyle, parseFloat(focused.outlineWidth), focused.outlineColor];
  el.blur();
  const plain = getComputedStyle(el);
  const unfocused = [plain.outlineStyle, plain.outlineColor];
  el.focus({focusVisible: true});
  const key = el.outerHTML.slice(0, 150) + [...document.querySelectorAll("*")].indexOf(el);
  return {key, outline, unfocused};
}"""


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(
    live_server, browser, site, screenshot
):
    page = browser.new_context().new_page()
    for path in ["/", "/jokes/", site.chinese_article.get_absolute_url()]:
        page.goto(live_server.url + path)
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.className, document.activeElement.href]")
        assert focused[0] == "skip-link", path
        # Visible once focused (it waits off screen until then).
        box = page.locator(".skip-link").bounding_box()
        assert box["y"] >= 0 and box["height"] > 0, path
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content", path
        # The next Tab goes on from main, not back to the header.
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('main')"), path
    screenshot(page, "after-skip")


def test_a_visitor_votes_and_reports_with_the_keyboard_alone(
    live_server, browser, site, screenshot
):
    joke = site.jokes[13]
    page = browser.new_context().new_page()
    page.goto(live_server.url + joke.get_absolute_url())
    score = page.locator("main .vote .score")
    before = int(score.inner_text())

    def tab_to(selector):
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"no Tab stop matches {selector}")

    tab_to('main .vote button[data-direction="up"]')
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(b) => +document.querySelector('main .vote .score').textContent > b", arg=before
    )
    assert (
        page.locator('main .vote button[data-direction="up"]').get_attribute("aria-pressed")
        == "true"
    )
    # The report form: reached, filled and sent from the keyboard.
    tab_to('main a[href$="/report/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to("input[type=radio]")
    page.keyboard.press("Space")
    tab_to("form button[type=submit], form input[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text(".messages") == "Thank you: the moderators will look at this joke."
    assert joke.reports.count() == 1
    screenshot(page, "reported")


def test_dark_mode_follows_the_system_setting(live_server, browser, site, screenshot):
    colours = {}
    for scheme in ("light", "dark"):
        page = browser.new_context(color_scheme=scheme).new_page()
        page.goto(live_server.url + site.jokes[13].get_absolute_url())
        colours[scheme] = page.evaluate(
            """() => [getComputedStyle(document.body).backgroundColor,
                      getComputedStyle(document.body).color,
                      getComputedStyle(document.documentElement).colorScheme]"""
        )
        screenshot(page, scheme)
    (light_bg, light_fg, schemes), (dark_bg, dark_fg, _) = colours["light"], colours["dark"]
    assert light_bg != dark_bg and light_fg != dark_fg
    # The browser's own controls (radio buttons, selects) follow the scheme too.
    assert schemes == "light dark"

    def brightness(rgb):
        return sum(int(n) for n in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])

    assert brightness(dark_bg) < brightness(light_bg) and brightness(dark_fg) > brightness(dark_bg)


def test_every_focus_stop_shows_a_visible_outline(live_server, browser, site, screenshot):
    page = browser.new_context().new_page()
    for path in ["/", site.jokes[13].get_absolute_url(), "/submit/joke/", "/search/?q=town"]:
        page.goto(live_server.url + path)
        seen = set()
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None or focused["key"] in seen:
                break  # round the page once
            key, (style, width, color) = focused["key"], focused["outline"]
            seen.add(key)
            assert style != "none" and width >= 2, (path, key, style, width)
            # The outline is the focus's own: the same element unfocused has none.
            assert focused["unfocused"] != [style, color], (path, key)
            if 'data-direction="up"' in key and "shot" not in seen:
                seen.add("shot")
                screenshot(page, "vote-button-focused")
        assert len(seen) > 3, path
    screenshot(page, "last")


def test_every_form_control_has_a_label_and_errors_are_tied_to_fields(
    live_server, browser, site, screenshot
):
    page = browser.new_context().new_page()
    unlabelled = """() => [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => el.type !== "hidden")
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-labelledby")
                      && !el.getAttribute("aria-label"))
      .map((el) => el.outerHTML.slice(0, 120))"""
    for path in [
        "/",
        "/submit/joke/",
        "/submit/article/",
        f"/jokes/{site.jokes[0].pk}/report/",
        "/search/?q=owls",
    ]:
        page.goto(live_server.url + path)
        assert page.evaluate(unlabelled) == [], path

    for path, button in [
        ("/submit/joke/", "Send the joke"),
        ("/submit/article/", "Send the article"),
        (f"/jokes/{site.jokes[0].pk}/report/", "Send the report"),
    ]:
        page.goto(live_server.url + path)
        page.get_by_role("button", name=button).click()
        page.wait_for_selector(".field-errors")
        problems = page.evaluate(
            """() => [...document.querySelectorAll(".field-errors")].flatMap((errors) => {
                 const field = errors.closest(".field");
                 const control = field.querySelector("fieldset, input, select, textarea");
                 const ids = (control.getAttribute("aria-describedby") || "").split(/\\s+/);
                 const problems = [];
                 if (!ids.includes(errors.id)) problems.push(control.outerHTML.slice(0, 160));
                 if (control.tagName !== "FIELDSET" &&
                     control.getAttribute("aria-invalid") !== "true")
                   problems.push("not aria-invalid: " + control.name);
                 return problems;
               })"""
        )
        assert problems == [], (path, problems)
        # Every description a control points at is there (help texts, errors).
        dangling = page.evaluate(
            """() => [...document.querySelectorAll("[aria-describedby]")].flatMap((el) =>
                 el.getAttribute("aria-describedby").split(/\\s+/)
                   .filter((id) => !document.getElementById(id)))"""
        )
        assert dangling == [], (path, dangling)
        # One announcement for the whole form, above it.
        assert "Please check what is marked below." in page.get_by_role("alert").inner_text()
    screenshot(page, "report-errors")
