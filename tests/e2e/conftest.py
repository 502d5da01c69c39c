"""Browser tests: Playwright for Python driving Debian's Chromium.

Chromium comes from Debian's package (`apt-get install chromium`), never from
Playwright's own download. Under CI=true a missing browser fails the run;
elsewhere these tests skip with a clear message.
"""

import functools
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CLOSED_NETWORK_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("ARTIFACTS", Path(__file__).resolve().parents[2] / ".ci" / "artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"

try:
    from playwright.sync_api import expect  # noqa: F401 — the tests import it from here
except ImportError:  # the browser fixture skips (or fails under CI=true) with the reason
    expect = None

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make around it are plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _browser_missing_reason():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " — CI=true requires the browser tests to run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CLOSED_NETWORK_FLAGS)
        yield browser
        browser.close()


def _context(browser, viewport, **kwargs):
    return browser.new_context(viewport=viewport, locale=kwargs.pop("locale", "en-US"), **kwargs)


@pytest.fixture
def phone(browser):
    context = _context(browser, PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = _context(browser, DESKTOP)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_page(browser):
    """Open extra pages (one per user) with their own cookies."""
    contexts = []

    def _new(viewport=DESKTOP, **kwargs):
        context = _context(browser, viewport, **kwargs)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


def sign_in(page, base_url, username, password="demo1234"):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username) if page.get_by_label("Username").count() else page.fill(
        "#id_username", username
    )
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@functools.cache
def _axe_source():
    return AXE_JS.read_text()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page; return violations of the given impact."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    # Rules whose worst finding is below the impacts asked for are skipped: a
    # third faster on long pages, and they could not fail the check anyway.
    result = page.evaluate(
        """async (impacts) => {
          const skip = axe._audit.rules.filter(r => r.impact && !impacts.includes(r.impact)).map(r => r.id);
          const rules = Object.fromEntries(skip.map(id => [id, {enabled: false}]));
          return await axe.run(document, {resultTypes: ['violations'], rules});
        }""",
        list(impacts),
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def duplicate_ids(page):
    """Ids used more than once: a label or aria reference to one of them points at the wrong element."""
    return page.evaluate(
        """() => { const seen = {}; document.querySelectorAll('[id]').forEach(el => { seen[el.id] = (seen[el.id] || 0) + 1; });
                  return Object.keys(seen).filter(id => seen[id] > 1); }"""
    )


def badges_without_text(page):
    """Badges that say nothing in words: their colour would be the only message."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.badge'))
          .filter(b => !b.textContent.trim()).map(b => b.outerHTML.slice(0, 80))"""
    )


def charts_without_tables(page):
    """Drawn charts (SVGs wider than an icon) with no table of the same numbers beside them."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('svg'))
          .filter(svg => svg.getBoundingClientRect().width > 100)
          .filter(svg => ![svg.closest('figure'), svg.closest('section')].some(home => home && home.querySelector('table')))
          .map(svg => (svg.getAttribute('aria-label') || svg.outerHTML).slice(0, 80))"""
    )


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page scrolls horizontally by {overflow}px at {page.url}"


def small_touch_targets(page, minimum=44):
    """Visible controls smaller than minimum×minimum px (inline text links excepted).

    Buttons, button-styled links, nav and pagination links, form fields and the
    summaries that open folded sections. A checkbox or radio button counts
    together with its label, since tapping the label ticks the box.
    """
    return page.evaluate(
        """(min) => {
          const box = (el) => {
            const r = el.getBoundingClientRect();
            let [l, t, rt, b] = [r.left, r.top, r.right, r.bottom];
            if (el.matches('input[type=checkbox], input[type=radio]')) {
              for (const label of el.labels || []) {
                const q = label.getBoundingClientRect();
                l = Math.min(l, q.left); t = Math.min(t, q.top); rt = Math.max(rt, q.right); b = Math.max(b, q.bottom);
              }
            }
            return {w: Math.round(rt - l), h: Math.round(b - t)};
          };
          return Array.from(document.querySelectorAll(
              'button, a.btn, input:not([type=hidden]), select, textarea, .nav-link, .page-link, summary'))
            .filter(el => el.offsetParent !== null || el.tagName === 'SUMMARY')
            .filter(el => el.getClientRects().length > 0)
            .map(el => ({tag: el.tagName, text: (el.innerText || el.name || el.id || '').trim().slice(0, 40), ...box(el)}))
            .filter(r => r.w > 0 && (r.h < min || r.w < min));
        }""",
        minimum,
    )
