"""CSRF protection for every state-changing form.

Two independent checks, both on every POST of every page router:

- **Same origin.** Browsers say where a request comes from: `Sec-Fetch-Site` (anything but
  `same-origin`, or `none` for a user's own navigation, is refused) and `Origin` (must be this
  site's own origin: the address the request came to, or `EXCHANGE_PUBLIC_BASE_URL`). A request
  with neither header (an old browser, a script) is judged by the token alone.
- **A signed double-submit token bound to the session.** The form carries HMAC(secret, cookie
  nonce + session cookie) (`security.csrf_token_for`), so a token and cookie pair taken from an
  anonymous page, or from the attacker's own session, is refused with the victim's session.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from exchange import security
from exchange.accounts.deps import SESSION_COOKIE
from exchange.errors import PermissionDenied
from exchange.web.render import CSRF_COOKIE, CSRF_FIELD

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_ORIGIN_FETCH_SITES = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """`scheme://host[:port]` as browsers write an `Origin`: lower case, no default port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _own_origins(request: Request) -> set[str]:
    return {origin_of(str(request.url)), origin_of(request.app.state.settings.public_base_url)}


def cross_site_reason(request: Request) -> str | None:
    """Why the browser's own headers say this request comes from another site, or None."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in SAME_ORIGIN_FETCH_SITES:
        return f"Sec-Fetch-Site: {fetch_site}"
    origin = request.headers.get("origin")
    if origin is not None and (origin == "null" or origin_of(origin) not in _own_origins(request)):
        return f"Origin: {origin}"
    return None


async def verify_csrf(request: Request) -> None:
    """Router-level dependency of every page router, so no form can forget it."""
    if request.method in SAFE_METHODS:
        return
    if cross_site_reason(request) is not None:
        raise PermissionDenied(
            "This form was sent from another site. If you meant to do this, open the page on "
            "this site and send the form from there."
        )
    submitted: str | None = None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    submitted = submitted or request.headers.get("x-csrf-token")
    nonce = request.cookies.get(CSRF_COOKIE)
    session_token = request.cookies.get(SESSION_COOKIE, "")
    if not security.csrf_token_valid(request.app.state.settings.secret_key, nonce, submitted,
                                     session_token):
        raise PermissionDenied(
            "This form has expired or did not come from this site. "
            "Go back, reload the page and try again."
        )
