"""The `exchange` command: serve, database, demo data, import, match, users, networks, rounds and
the e-mail outbox."""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from exchange import migrate
from exchange.config import get_settings
from exchange.db import make_engine
from exchange.jobs import wire
from exchange.matching.commands import match_command
from exchange.networks.commands import networks_app

app = typer.Typer(
    help="Peer Internship Exchange: run the service and manage its data.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
outbox_app = typer.Typer(help="The e-mail outbox (development mailbox).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
rounds_app = typer.Typer(help="Exchange rounds: clear a network in 2-way swaps and 3-way cycles.",
                         no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(rounds_app, name="rounds")
app.command("match")(match_command)
app.add_typer(networks_app, name="networks")


def _fail(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    workers: Annotated[int, typer.Option(
        min=1, help="Web worker processes (each with its own connection pool).")] = 1,
    jobs: Annotated[bool, typer.Option(
        help="Also run the job runner (webhooks, e-mail, reminders, expiry, purges) in this "
             "process, as `exchange worker` does; --no-jobs for replicas beside a worker.",
    )] = True,
) -> None:
    """Upgrade the database to the newest schema, then serve the web app and the API."""
    import os

    import uvicorn

    from exchange.config import served_base_url
    from exchange.jobs import JobRunner

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    derived = served_base_url(settings, host, port)
    if derived is not None:
        # Through the environment, so the app factory (and a --reload child) read the same.
        os.environ["EXCHANGE_PUBLIC_BASE_URL"] = derived
        get_settings.cache_clear()
        settings = get_settings()
    runner: JobRunner | None = None
    if jobs:
        # In this (supervising) process, not in each web worker: one runner per `serve`.
        wire()
        runner = JobRunner(make_engine(settings.database_url), settings)
        runner.start()
    typer.echo(f"Serving on http://{host}:{port} (database: {_redacted(settings.database_url)}; "
               f"links in e-mails: {settings.public_base_url})")
    try:
        uvicorn.run(
            "exchange.main:create_app", factory=True, host=host, port=port, reload=reload,
            workers=None if reload else workers, proxy_headers=True,
            # A worker process imports the whole app (numpy, scipy) before it can answer the
            # supervisor's first ping; on a busy machine that takes longer than uvicorn's 5 s,
            # and the supervisor would kill and respawn it over and over.
            timeout_worker_healthcheck=60,
        )
    finally:
        if runner is not None:
            runner.stop()


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"Database at {revision}.")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target, e.g. -1 or base.")]) -> None:
    """Revert migrations down to REVISION."""
    migrate.downgrade(get_settings().database_url, revision)
    typer.echo(f"Database at {revision}.")


@db_app.command("current")
def db_current() -> None:
    """Print the database's current revision and the newest one."""
    engine = make_engine(get_settings().database_url)
    typer.echo(json.dumps({"current": migrate.current_revision(engine),
                           "head": migrate.head_revision()}))


@app.command()
def demo() -> None:
    """Load the demo data (the Afreen and Rajeev story). Running it twice changes nothing."""
    from exchange.demo.loader import DEMO_PASSWORD, DEMO_PEOPLE, load_demo

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    wire()
    with Session(make_engine(settings.database_url)) as session:
        report = load_demo(session, progress=typer.echo)
        session.commit()
    typer.echo(f"Demo data: {report.created} created, {report.unchanged} already there.")
    typer.echo(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
    for person in DEMO_PEOPLE:
        typer.echo(f"  {person.email:<24} {person.role}")


@app.command()
def tick(
    today: Annotated[str | None, typer.Option(
        help="Act as if it were this day (YYYY-MM-DD), e.g. to check what a day would send.",
    )] = None,
) -> None:
    """Send the follow-up reminders that are due or overdue (inbox and e-mail), expire exchange-
    round proposals past their answer deadline, and print what was done as JSON. Run it from
    cron as often as you like: a reminder is never sent twice, and one interrupted by a crash is
    sent by the next run. `exchange worker` (and `serve`) also run it every 5 minutes."""
    from datetime import date

    from exchange.scheduler import tick as run_tick

    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        _fail(f"--today: “{today}” is not a date like 2026-03-31")
        return
    settings = get_settings()
    wire()
    engine = make_engine(settings.database_url)
    try:
        report = run_tick(lambda: Session(engine, expire_on_commit=False), today=day,
                          base_url=settings.public_base_url)
    finally:
        engine.dispose()
    typer.echo(json.dumps(report))
    if report["failed"]:
        raise typer.Exit(code=1)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Run every job once, print what each did, stop.")
                    ] = False,
    interval: Annotated[float, typer.Option(help="Seconds between looks for webhooks to "
                                            "deliver when idle.")] = 2.0,
) -> None:
    """Run all periodic and queued work: webhook deliveries, the e-mail outbox (with SMTP),
    follow-up reminders, expiry of round proposals and purging of old idempotency records.
    Safe to run beside `exchange serve` or several times: every piece of work is claimed in the
    database by one runner."""
    from exchange.jobs import JobRunner

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    wire()
    engine = make_engine(settings.database_url)
    runner = JobRunner(engine, settings, webhook_interval=interval)
    if once:
        try:
            typer.echo(json.dumps(runner.run_once()))
        finally:
            engine.dispose()
        return
    import signal

    # `docker stop` sends SIGTERM: finish the job at hand (its lease would cover a kill too).
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    typer.echo("Running jobs (webhooks, e-mail, reminders, expiry, purges); Ctrl-C stops.")
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()


@app.command("import")
def import_command(
    file: Annotated[typer.FileText, typer.Argument(help="JSON file: a list of businesses.")],
    source: Annotated[str, typer.Option(help="Namespace of the ids in the file.")] = "import",
    dry_run: Annotated[bool, typer.Option(help="Validate and report; write nothing.")] = False,
) -> None:
    """Create or update businesses (profile and matrix cells) from a JSON file.

    The shape is the one the network API uses: id, name, isic, country, region, city,
    market_reach, excluded, cells [{process, level, offer, need}], plus optional profile fields.
    Running the same file twice reports everything unchanged."""
    import time

    from exchange.profiles.importer import import_businesses

    try:
        records = json.load(file)
    except json.JSONDecodeError as exc:
        _fail(f"{file.name}: not valid JSON ({exc.msg} at line {exc.lineno})")
    if not isinstance(records, list):
        _fail(f"{file.name}: expected a JSON list of businesses")
    settings = get_settings()
    migrate.upgrade(settings.database_url)
    wire()
    started = time.perf_counter()
    with Session(make_engine(settings.database_url)) as session:
        report = import_businesses(session, records, source=source, dry_run=dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    for rejected in report.rejected:
        problems = "; ".join(f"{e.field}: {e.message}" for e in rejected.errors)
        typer.echo(f"rejected #{rejected.index} ({rejected.external_id}): {problems}", err=True)
    typer.echo(json.dumps({**report.counts(), "dry_run": dry_run,
                           "seconds": round(time.perf_counter() - started, 3)}))
    if report.rejected:
        raise typer.Exit(code=2)


@users_app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True, help="E-mail address to log in with.")],
    display_name: Annotated[str, typer.Option(prompt="Name", help="Name shown to others.")],
    password: Annotated[
        str | None,
        typer.Option(help="Password; asked for when omitted. Prefer the prompt or "
                     "EXCHANGE_ADMIN_PASSWORD, which stay out of shell history.",
                     envvar="EXCHANGE_ADMIN_PASSWORD"),
    ] = None,
) -> None:
    """Create a platform admin (or make an existing user one)."""
    from exchange.accounts import service
    from exchange.errors import ValidationFailed

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    with Session(make_engine(settings.database_url)) as session:
        existing = service.get_user_by_email(session, email)
        if existing is not None:
            existing.is_platform_admin = True
            session.add(existing)
            session.commit()
            typer.echo(f"{existing.email} is now a platform admin.")
            return
        if password is None:
            if not sys.stdin.isatty():
                _fail("No password given: pass --password or set EXCHANGE_ADMIN_PASSWORD.")
            password = getpass.getpass("Password: ")
        try:
            user = service.sign_up(
                session, email=email, display_name=display_name, password=password, is_admin=True
            )
        except ValidationFailed as exc:
            _fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
            return
        session.commit()
        typer.echo(f"Created platform admin {user.email}.")


@outbox_app.command("list")
def outbox_list(
    limit: Annotated[int, typer.Option(help="How many of the newest messages.")] = 20,
    show_secrets: Annotated[bool, typer.Option(
        "--show-secrets",
        help="Print reset and invitation links in full (development: the outbox is your "
             "mailbox). Without it they are hidden, as on /admin/outbox.")] = False,
) -> None:
    """Print the newest e-mails in the outbox, one JSON object per line."""
    from exchange.logs import hide_secrets
    from exchange.notifications.models import OutboxEmail

    with Session(make_engine(get_settings().database_url)) as session:
        rows = session.exec(
            select(OutboxEmail).order_by(col(OutboxEmail.id).desc()).limit(limit)
        ).all()
        for row in rows:
            typer.echo(json.dumps({
                "id": row.id, "to": row.to_address, "subject": row.subject,
                "created_at": row.created_at.isoformat(),
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                "body": row.body_text if show_secrets else hide_secrets(row.body_text),
            }))


@outbox_app.command("send")
def outbox_send() -> None:
    """Send unsent e-mails over SMTP (needs EXCHANGE_SMTP_HOST)."""
    from exchange.notifications.email import deliver_pending

    settings = get_settings()
    if not settings.smtp_host:
        _fail("EXCHANGE_SMTP_HOST is not set: e-mails stay in the outbox.")
    sent = deliver_pending(make_engine(settings.database_url), settings)
    typer.echo(f"Sent {sent} e-mail(s).")


@rounds_app.command("solve")
def rounds_solve(
    file: Annotated[str, typer.Argument(help="JSON: {nodes: [{id, capacity}], edges: "
                                        "[{from, to, weight}], max_cycle_length}")],
    prefer: Annotated[str, typer.Option(help="Among optimal answers prefer: none, more_firms "
                                        "or more_swaps.")] = "none",
    time_limit: Annotated[float | None, typer.Option(help="Seconds before settling for the "
                                                     "best answer found.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress lines on stderr.")] = False,
) -> None:
    """Choose the 2- and 3-cycles of maximum total learning value (exact MILP) and print JSON.

    Solves that take longer than a second show their progress on stderr about once a second:
    elapsed time, the best total found, the proven bound and the gap between them."""
    import contextlib
    import os
    import time
    from collections.abc import Iterator

    from exchange.rounds.io import RoundFileError, progress_line, solve_round_file
    from exchange.rounds.solver import SolveProgress

    if prefer not in {"none", "more_firms", "more_swaps"}:
        _fail("--prefer must be none, more_firms or more_swaps")
    shown = [0.0]

    def show(progress: SolveProgress) -> None:
        if not quiet and progress.seconds >= 1.0 and progress.seconds - shown[0] >= 1.0:
            shown[0] = progress.seconds
            print(progress_line(progress), file=sys.stderr, flush=True)

    @contextlib.contextmanager
    def stdout_to_stderr() -> Iterator[None]:
        # HiGHS prints its banner on the process's standard output, which is the JSON's place.
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            os.dup2(2, 1)
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)

    started = time.perf_counter()
    try:
        with stdout_to_stderr():
            out = solve_round_file(file, prefer=prefer, time_limit=time_limit,  # type: ignore[arg-type]
                                   progress=show)
    except RoundFileError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(f"{file}: {exc.strerror or exc}")
        return
    if shown[0]:
        print(f"{time.perf_counter() - started:7.1f} s  done: {out['status']}", file=sys.stderr)
    typer.echo(json.dumps(out, allow_nan=False))


if __name__ == "__main__":  # pragma: no cover
    app()
