"""The application factory: routers, middleware and error handlers — no business logic."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from exchange import health
from exchange.accounts import api as accounts_api
from exchange.accounts import pages as accounts_pages
from exchange.config import Settings, get_settings
from exchange.db import engine_for
from exchange.deps import integer_path_params_in_range, plain_text_params
from exchange.errors import install_error_handlers
from exchange.guards import install_guards
from exchange.idempotency import install_idempotency
from exchange.internships import api as internships_api
from exchange.internships import pages as internships_pages
from exchange.internships import progress_api as internships_progress_api
from exchange.internships import progress_pages as internships_progress_pages
from exchange.internships import report_api as internships_report_api
from exchange.jobs import wire
from exchange.loadshed import install_load_shedding
from exchange.logs import install_redaction
from exchange.matching import api as matching_api
from exchange.matching import pages as matching_pages
from exchange.networks import admin_api as networks_admin_api
from exchange.networks import api as networks_api
from exchange.networks import internships_api as networks_internships_api
from exchange.networks import pages as networks_pages
from exchange.networks import webhooks_api as networks_webhooks_api
from exchange.networks.docs import install_network_docs
from exchange.notifications import pages as notifications_pages
from exchange.openapi import install_openapi
from exchange.paths import static_dir
from exchange.profiles import api as profiles_api
from exchange.profiles import matrix_api, matrix_pages, members_api, members_pages
from exchange.profiles import pages as profiles_pages
from exchange.ratelimit import RateLimitHeaders
from exchange.requestid import RequestId
from exchange.rounds import api as rounds_api
from exchange.rounds import pages as rounds_pages
from exchange.taxonomy import api as taxonomy_api
from exchange.taxonomy import pages as taxonomy_pages
from exchange.web import pages as web_pages

API_DESCRIPTION = """
The Peer Internship Exchange API. Businesses that do not compete lend each other their best
practices by hosting each other's employees as interns.

**Authentication.** Send `Authorization: Bearer <token>` with one of:

- a **personal API token** (`pie_pat_…`, created on your account page): acts as you, for your
  businesses, internships and rounds (platform admins also reach `/api/v1/admin/networks`);
- a **network API key** (`pie_net_…`, created by a network admin or with `exchange networks keys
  create`): for one partner network's routes under `/api/v1/networks/{slug}`, within its
  scopes (`members:read`, `members:write`, `matches:read`, `internships:read`, `rounds:write`,
  `reports:read`, `webhooks:manage`); any other network answers 404. Keys are rate-limited
  (see the `RateLimit` headers); every POST accepts an `Idempotency-Key`.

Lists page with `next` links (follow them until null). Webhook payloads are described in the
`webhooks` section.

**Errors** are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) `application/problem+json`
documents with `type`, `title`, `status`, `detail` and, for invalid input, an `errors` list naming
each field and the reason. A resource you may not see answers 404, as if it did not exist.
"""


# Every router of the app; the route-inventory test walks this same tuple.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    accounts_api.router,
    taxonomy_api.router,
    profiles_api.router,
    matrix_api.router,
    members_api.router,
    matching_api.router,
    internships_api.router,
    internships_progress_api.router,
    internships_report_api.router,
    networks_api.router,
    networks_internships_api.router,
    networks_webhooks_api.router,
    networks_admin_api.router,
    rounds_api.router,
    web_pages.router,
    accounts_pages.router,
    notifications_pages.router,
    taxonomy_pages.router,
    profiles_pages.router,
    matrix_pages.router,
    members_pages.router,
    matching_pages.router,
    internships_pages.router,
    internships_progress_pages.router,
    networks_pages.router,
    rounds_pages.router,
)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Peer Internship Exchange",
        version="1.0.0",
        description=API_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        openapi_url="/api/v1/openapi.json",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        # ids the database can hold, text without control characters (exchange/deps.py)
        dependencies=[Depends(integer_path_params_in_range), Depends(plain_text_params)],
    )
    wire()  # every worker process of `exchange serve` comes through here
    app.state.settings = settings
    app.state.engine = engine or engine_for(settings)

    install_error_handlers(app)
    install_openapi(app)  # error answers documented for every /api route, added now or later
    install_redaction()
    install_idempotency(app)  # every /api POST, and its header in the schema
    install_network_docs(app)

    app.add_middleware(RequestId, public_base_url=settings.public_base_url)

    install_guards(app, settings.max_body_bytes)  # outside everything that reads a body

    app.mount("/static", StaticFiles(directory=str(static_dir())), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(RateLimitHeaders)
    install_load_shedding(app, settings)  # last: the outermost middleware
    return app
