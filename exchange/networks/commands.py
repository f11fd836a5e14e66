"""`exchange networks …`: what a platform admin does to start a network, from the shell (the same
services as the admin page and `POST /api/v1/admin/networks`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlmodel import Session

from exchange import migrate
from exchange.config import get_settings
from exchange.db import make_engine
from exchange.errors import ValidationFailed
from exchange.networks import keys, service
from exchange.networks.models import Scope

networks_app = typer.Typer(help="Partner networks: create them, their API keys, list them.",
                           no_args_is_help=True)
keys_app = typer.Typer(help="A network's API keys.", no_args_is_help=True)
networks_app.add_typer(keys_app, name="keys")


def _fail(exc: ValidationFailed) -> None:
    for error in exc.errors:
        typer.secho(f"{error.field}: {error.message}" if error.field else error.message,
                    fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _session() -> Session:
    settings = get_settings()
    migrate.upgrade(settings.database_url)
    return Session(make_engine(settings.database_url))


@networks_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The network's name, e.g. 'Pune Chamber'.")],
    admin: Annotated[list[str] | None, typer.Option(
        "--admin", help="E-mail of an existing account who runs the network; repeatable.",
        show_default=False)] = None,
    slug: Annotated[str, typer.Option(help="Its address; made from the name when empty.")] = "",
    description: Annotated[str, typer.Option(help="What the network is.")] = "",
) -> None:
    """Create a network and appoint its admins; prints it as JSON."""
    with _session() as session:
        try:
            network = service.create_network_with_admins(
                session, None, name=name, slug=slug, description=description,
                admin_emails=admin or [])
        except ValidationFailed as exc:
            _fail(exc)
            return
        session.commit()
        typer.echo(json.dumps({"slug": network.slug, "name": network.name,
                               "admins": [u.email for u in service.admins_of(session, network)]}))


@networks_app.command("list")
def list_networks() -> None:
    """Every network, one JSON object per line."""
    with _session() as session:
        for network in service.all_networks(session):
            live = [k for k in keys.keys_of(session, network) if k.revoked_at is None]
            typer.echo(json.dumps({
                "slug": network.slug, "name": network.name,
                "admins": [u.email for u in service.admins_of(session, network)],
                "members": service.member_count(session, network), "active_keys": len(live)}))


@keys_app.command("create")
def create_key(
    slug: Annotated[str, typer.Argument(help="The network's address.")],
    scope: Annotated[list[Scope], typer.Option(
        "--scope", help="What the key may do; repeatable.", show_default=False)],
    name: Annotated[str, typer.Option(help="A name to recognise the key by.")] = "integration",
    expires_in_days: Annotated[int | None, typer.Option(
        min=1, max=3650, help="Days until it stops working (default: never).")] = None,
) -> None:
    """Create an API key and print it once (it is stored only as a keyed hash)."""
    settings = get_settings()
    with _session() as session:
        network = service.get_network(session, slug)
        if network is None:
            typer.secho(f"No network {slug!r}.", fg=typer.colors.RED, err=True)
            raise typer.Exit(code=1)
        try:
            data = keys.ApiKeyCreate(name=name, scopes=scope, expires_in_days=expires_in_days)
        except ValueError as exc:
            typer.secho(str(exc), fg=typer.colors.RED, err=True)
            raise typer.Exit(code=1) from None
        issued = keys.create_key(session, settings, network, None, data)
        session.commit()
        typer.secho("The key is shown only now; store it in your integration's secrets:",
                    err=True)
        typer.echo(issued.key)
