"""Browser tests: Playwright for Python driving Debian's Chromium.

Chromium comes from Debian's package (`apt-get install chromium`), never from
Playwright's own download. Under CI=true a missing browser fails the run;
elsewhere these tests skip with a clear message.
"""

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


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page; return violations of the given impact."""
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page scrolls horizontally by {overflow}px at {page.url}"


def small_touch_targets(page, minimum=44):
    """Visible links, buttons and inputs smaller than minimum×minimum px (inline text links excepted)."""
    return page.evaluate(
        """(min) => Array.from(document.querySelectorAll('button, a.btn, input:not([type=hidden]), select, textarea, .nav-link'))
          .filter(el => el.offsetParent !== null)
          .map(el => { const r = el.getBoundingClientRect(); return {tag: el.tagName, text: (el.innerText || el.name || el.id || '').slice(0, 40), w: Math.round(r.width), h: Math.round(r.height)}; })
          .filter(r => r.w > 0 && (r.h < min || r.w < min) && !(r.tag === 'INPUT' && (r.w >= min)))""",
        minimum,
    )
