"""A real browser against the real server: Debian's chromium driven by Playwright (sync API),
talking to `exchange serve` in a subprocess (tests/support/live_server.py).

Fixtures: `live_server` (one server for the session; tests make their own unique e-mails),
`browser` (one headless chromium for the session), `page` (a fresh browser context per test, so
no cookies leak between tests), `phone_page` (390×844, touch) and `make_page` for other sizes.

Helpers for every page test: `screenshot(page, name)` into test-artifacts/screenshots/ and
`assert_accessible(page)`, which runs our own structural checks and then axe-core (WCAG 2.0/2.1
A and AA rules).

tests/support/axe.min.js is axe-core 4.14.1, unmodified, from `npm pack axe-core@4.14.1`
(MPL-2.0, © Deque Systems; source: https://github.com/dequelabs/axe-core). Its SRI hash is
checked below against the one Deque publishes in sri-history.json, so a changed file is noticed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from exchange.demo import loader as demo_loader
from exchange.paths import project_root
from tests.support.live_server import LiveServer, start_live_server

SUPPORT_DIR = Path(__file__).resolve().parents[1] / "support"
AXE_JS = SUPPORT_DIR / "axe.min.js"
AXE_SRI = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="  # axe-core 4.14.1 axe.min.js
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

SCREENSHOT_DIR = project_root() / "test-artifacts" / "screenshots"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

CHROMIUM_ARGS = [
    "--no-sandbox",  # the test container runs as root, where chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Fail fast: a page of ours answers in milliseconds, so 10 s means something is wrong.
DEFAULT_TIMEOUT_MS = 10_000


def chromium_executable() -> str:
    """Debian's chromium (or EXCHANGE_TEST_CHROMIUM). Missing is an error, never a skip: the
    product promises pages tested in a real browser."""
    configured = os.environ.get("EXCHANGE_TEST_CHROMIUM")
    found = configured or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        pytest.fail(
            "No chromium found for the browser tests (looked for EXCHANGE_TEST_CHROMIUM, "
            "`chromium`, `chromium-browser` on PATH). Run `bash scripts/test.sh`, which installs "
            "Debian's `chromium` package, or point EXCHANGE_TEST_CHROMIUM at a chromium binary.",
            pytrace=False,
        )
    return found


# -- the server and the browser --------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("live-server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class PageProblems:
    """What went wrong in the page behind the test's back: script errors, missing assets."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"script error: {exc}"))
        page.on("console", self._on_console)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def _on_response(self, response: Response) -> None:
        # Documents may answer 4xx on purpose (a form with errors is 422); what the page loads
        # with it (CSS, scripts, images, fonts) must not.
        if response.status >= 400 and response.request.resource_type != "document":
            self.errors.append(f"{response.status} for {response.url}")

    def _on_console(self, message: ConsoleMessage) -> None:
        # A script or style the Content-Security-Policy blocked fails silently but for this.
        if "Content Security Policy" in message.text:
            self.errors.append(f"CSP violation: {message.text}")

    def _on_request_failed(self, request: Request) -> None:
        if request.resource_type != "document":
            self.errors.append(f"{request.failure} for {request.url}")


@pytest.fixture
def make_page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """make_page(viewport=PHONE, is_mobile=True): a page in a fresh context (own cookies)."""
    contexts: list[tuple[BrowserContext, Page]] = []
    problems = PageProblems()

    def _make(viewport: dict[str, int] | None = None, **options: Any) -> Page:
        context = browser.new_context(
            base_url=live_server.base_url,
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            locale="en-GB",
            **options,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page = context.new_page()
        problems.watch(page)
        contexts.append((context, page))
        return page

    yield _make

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for index, (_, page) in enumerate(contexts):
            if not page.is_closed():
                screenshot(page, f"FAILED-{_slug(request.node.name)}-{index}")
    for context, _ in contexts:
        context.close()
    assert not problems.errors, "the page had problems:\n" + "\n".join(problems.errors)


@pytest.fixture
def page(make_page: Callable[..., Page]) -> Page:
    return make_page()


@pytest.fixture
def phone_page(make_page: Callable[..., Page]) -> Page:
    return make_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    # Lets fixtures see whether the test failed (for the failure screenshot) ...
    setattr(item, f"rep_{report.when}", report)
    # ... and puts the server's log next to a failure: that is where a 500's traceback is.
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("live server log (last 80 lines)",
                                "\n".join(server.log().splitlines()[-80:])))
    return report


# -- helpers for tests -------------------------------------------------------------------------


def unique_email(who: str = "owner") -> str:
    """The live server lives for the whole session, so every test signs up someone new."""
    return f"{who}-{uuid.uuid4().hex[:10]}@browser.example"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save the page as test-artifacts/screenshots/<name>.png (git-ignored) for people to look
    at; CI keeps the folder as an artifact."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{_slug(name)}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


# Our own checks: quick, with messages that name the element, and covering rules axe leaves to
# "best practice" (one h1, landmarks, heading order, the error wiring of our forms).
_STRUCTURE_CHECKS_JS = r"""
() => {
  const problems = [];
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const name = el.getAttribute('name');
    if (name) s += `[name="${name}"]`;
    if (el.getAttribute('href')) s += `[href="${el.getAttribute('href')}"]`;
    return s;
  };
  const text = (el) => (el ? (el.innerText || el.textContent || '').trim() : '');
  const rendered = (el) => el.getClientRects().length > 0
      && getComputedStyle(el).visibility !== 'hidden';
  const byIds = (value) => (value || '').split(/\s+/).filter(Boolean)
      .map((id) => document.getElementById(id));
  const nameFrom = (el) => {
    const aria = (el.getAttribute('aria-label') || '').trim();
    if (aria) return aria;
    const labelledBy = byIds(el.getAttribute('aria-labelledby'));
    if (labelledBy.length && labelledBy.every(Boolean)) {
      const joined = labelledBy.map(text).join(' ').trim();
      if (joined) return joined;
    }
    if (el.labels) {
      const joined = Array.from(el.labels).map(text).join(' ').trim();
      if (joined) return joined;
    }
    return (el.getAttribute('title') || '').trim();
  };

  const lang = document.documentElement.getAttribute('lang') || '';
  if (!lang.trim()) problems.push('<html> has no lang attribute');
  if (!document.title.trim()) problems.push('the page has no <title>');

  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) problems.push(`expected exactly one <h1>, found ${h1s.length}`);
  let previous = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const level = Number(h.tagName[1]);
    if (previous && level > previous + 1) {
      problems.push(`heading level skips from h${previous} to h${level}: "${text(h)}"`);
    }
    previous = level;
  }

  const count = (selector) => document.querySelectorAll(selector).length;
  if (count('main, [role=main]') !== 1) problems.push('expected exactly one <main> landmark');
  if (count('nav, [role=navigation]') < 1) problems.push('no <nav> landmark');
  if (count('body > header, [role=banner]') < 1) problems.push('no <header> (banner) landmark');

  const controls = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset])' +
    ':not([type=image]), select, textarea');
  for (const el of controls) {
    if (!nameFrom(el)) problems.push(`form field without a label: ${describe(el)}`);
    if (el.getAttribute('aria-invalid') === 'true') {
      const described = byIds(el.getAttribute('aria-describedby'));
      if (!described.some((d) => d && text(d))) {
        problems.push(`invalid field does not point at its error message: ${describe(el)}`);
      }
    }
  }
  const buttons = document.querySelectorAll(
    'button, [role=button], input[type=submit], input[type=button], input[type=reset]');
  for (const el of buttons) {
    const value = el.tagName === 'INPUT' ? (el.value || '').trim() : '';
    if (!(text(el) || value || nameFrom(el))) {
      problems.push(`button without a name: ${describe(el)}`);
    }
  }
  for (const el of document.querySelectorAll('a[href]')) {
    const imgAlt = Array.from(el.querySelectorAll('img[alt]')).map((i) => i.alt).join('').trim();
    if (rendered(el) && !(text(el) || imgAlt || nameFrom(el))) {
      problems.push(`link without a name: ${describe(el)}`);
    }
  }
  for (const el of document.querySelectorAll('img, input[type=image], area')) {
    if (!el.hasAttribute('alt')) problems.push(`image without alt: ${describe(el)}`);
  }

  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) {
    if (seen.has(el.id)) problems.push(`duplicate id "${el.id}"`);
    seen.set(el.id, el);
  }
  for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls']) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) {
          problems.push(`${describe(el)} has ${attr}="${id}", which does not exist`);
        }
      }
    }
  }
  for (const label of document.querySelectorAll('label[for]')) {
    if (!document.getElementById(label.htmlFor)) {
      problems.push(`<label for="${label.htmlFor}"> points at nothing`);
    }
  }
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const target = a.getAttribute('href').slice(1);
    if (target && !document.getElementById(target)) {
      problems.push(`in-page link ${describe(a)} points at nothing`);
    }
  }
  return problems;
}
"""

_AXE_RUN_JS = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations'],
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  }));
}
"""


@cache
def _axe_source() -> str:
    data = AXE_JS.read_bytes()
    digest = "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert digest == AXE_SRI, f"{AXE_JS} is not the axe-core release it claims to be ({digest})"
    return data.decode()


def structure_problems(page: Page) -> list[str]:
    problems: list[str] = page.evaluate(_STRUCTURE_CHECKS_JS)
    return problems


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # page.evaluate, not add_script_tag: it runs even under a strict Content-Security-Policy,
    # which would (rightly) block an injected inline <script>.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN_JS, AXE_TAGS)
    return violations


def assert_accessible(page: Page) -> None:
    """The page as it is now passes our structural checks and axe-core's WCAG 2.1 A/AA rules.
    Call it on every page a test visits, in each state worth checking (e.g. with form errors)."""
    problems = structure_problems(page)
    violations = axe_violations(page)
    lines = [f"- {p}" for p in problems]
    for v in violations:
        lines.append(f"- axe {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        lines.extend(f"    at {n['target']}: {n['summary']}" for n in v["nodes"][:5])
    assert not lines, (
        f"accessibility problems on {page.url}:\n" + "\n".join(lines)
        + ("\n\naxe details:\n" + json.dumps(violations, indent=1)[:4000] if violations else "")
    )


# -- seeded data -------------------------------------------------------------------------------

DEMO_PASSWORD = demo_loader.DEMO_PASSWORD


@pytest.fixture(scope="session")
def demo_data(live_server: LiveServer) -> LiveServer:
    """The live server with `exchange demo` loaded (Afreen's and Rajeev's firms, their people,
    ~300 generated businesses), exactly as an operator loads it. Idempotent, so tests that ask
    for it in any order share one load. Log in with the demo e-mails and DEMO_PASSWORD."""
    live_server.run_cli("demo", timeout=300)
    return live_server


def log_in(page: Page, email: str, password: str) -> None:
    """Log in through the form, as a person would; waits for the dashboard."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard$"))
