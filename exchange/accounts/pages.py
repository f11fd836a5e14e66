"""Sign-up, log-in, log-out, account settings, password reset and API tokens (HTML)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from exchange.accounts import service
from exchange.accounts.deps import SESSION_COOKIE, CurrentUser, OptionalUser
from exchange.accounts.models import ApiTokenCreate
from exchange.deps import SessionDep, SettingsDep
from exchange.errors import RateLimited, ValidationFailed
from exchange.web.csrf import verify_csrf
from exchange.web.render import redirect, render, set_cookie

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

FormStr = Annotated[str, Form()]


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after log-in is a phishing tool.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard"


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _log_in(request: Request, session: SessionDep, settings: SettingsDep, user_id: int,
            target: str, message: str) -> Response:
    user = session.get(service.User, user_id)
    assert user is not None
    token = service.start_session(session, settings, user)
    response = redirect(request, _safe_next(target), message)
    set_cookie(response, request, SESSION_COOKIE, token, settings.session_ttl_seconds)
    return response


@router.get("/signup")
def signup_form(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return redirect(request, "/dashboard")
    return render(request, "accounts/signup.html")


@router.post("/signup")
def signup(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: OptionalUser,
    email: FormStr = "",
    display_name: FormStr = "",
    password: FormStr = "",
    next: FormStr = "",
) -> Response:
    try:
        new_user = service.sign_up(
            session, email=email, display_name=display_name, password=password
        )
    except ValidationFailed as exc:
        session.rollback()
        return render(
            request, "accounts/signup.html", status_code=422, errors=exc.by_field(),
            form={"email": email, "display_name": display_name, "next": next},
        )
    assert new_user.id is not None
    return _log_in(request, session, settings, new_user.id, next,
                   f"Welcome, {new_user.display_name}. Your account is ready.")


@router.get("/login")
def login_form(request: Request, user: OptionalUser, next: str = "") -> Response:
    if user is not None:
        return redirect(request, _safe_next(next))
    return render(request, "accounts/login.html", form={"next": next})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: OptionalUser,
    email: FormStr = "",
    password: FormStr = "",
    next: FormStr = "",
) -> Response:
    try:
        found = service.authenticate(
            session, settings, email=email, password=password, address=_client_address(request)
        )
    except (ValidationFailed, RateLimited) as exc:
        # No rollback: the recorded failure must be committed for throttling to work.
        status = exc.status_code
        errors = exc.by_field() if isinstance(exc, ValidationFailed) else {"form": exc.detail}
        response = render(
            request, "accounts/login.html", status_code=status, errors=errors,
            form={"email": email, "next": next},
        )
        response.headers.update(exc.headers)
        return response
    assert found.id is not None
    return _log_in(
        request, session, settings, found.id, next, f"Welcome back, {found.display_name}."
    )


@router.post("/logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(session, settings, token)
    response = redirect(request, "/", "You are logged out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _account_page(request: Request, session: SessionDep, user: service.User, *,
                  status_code: int = 200, errors: dict[str, str] | None = None,
                  form: dict[str, str] | None = None) -> Response:
    return render(request, "accounts/account.html",
                  {"live_tokens": service.live_api_token_count(session, user)},
                  status_code=status_code, errors=errors, form=form)


@router.get("/account")
def account(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _account_page(request, session, user)


@router.post("/account/password")
def change_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    current_password: FormStr = "",
    new_password: FormStr = "",
    revoke_tokens: FormStr = "",
) -> Response:
    try:
        changed = service.change_password(
            session, settings, user, current_password=current_password,
            new_password=new_password, current_session_token=request.cookies.get(SESSION_COOKIE),
            revoke_tokens=bool(revoke_tokens),
        )
    except ValidationFailed as exc:
        session.rollback()
        return _account_page(request, session, user, status_code=422, errors=exc.by_field(),
                             form={"revoke_tokens": revoke_tokens})
    message = "Your password is changed. Every other session of your account is logged out."
    if changed.tokens_revoked:
        count = changed.tokens_revoked
        message += (f" {count} personal API token{'s are' if count != 1 else ' is'} revoked; "
                    "create new ones where you need them.")
    return redirect(request, "/account", message)


@router.get("/forgot-password")
def forgot_password_form(request: Request, user: OptionalUser) -> Response:
    return render(request, "accounts/forgot_password.html")


@router.post("/forgot-password")
def forgot_password(
    request: Request, session: SessionDep, settings: SettingsDep, user: OptionalUser,
    email: FormStr = "",
) -> Response:
    if not email.strip():
        return render(
            request, "accounts/forgot_password.html", status_code=422,
            errors={"email": "Enter the e-mail address of your account."},
        )
    service.request_password_reset(session, settings, email)
    # Same answer whether or not the account exists: the page must not reveal who has one.
    return redirect(
        request, "/login",
        "If an account exists for that address, we have e-mailed it a link to choose a new "
        "password. The link works once, for one hour.",
    )


@router.get("/reset-password/{token}")
def reset_password_form(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, user: OptionalUser
) -> Response:
    try:
        service.check_reset_token(session, settings, token)
    except ValidationFailed as exc:
        return render(request, "accounts/reset_password.html", status_code=400,
                      errors=exc.by_field(), context={"token": None})
    return render(request, "accounts/reset_password.html", context={"token": token},
                  no_store=True)


@router.post("/reset-password/{token}")
def reset_password(
    request: Request, token: str, session: SessionDep, settings: SettingsDep,
    user: OptionalUser, new_password: FormStr = "",
) -> Response:
    try:
        service.reset_password(session, settings, token=token, new_password=new_password)
    except ValidationFailed as exc:
        session.rollback()
        errors = exc.by_field()
        return render(request, "accounts/reset_password.html", status_code=422, errors=errors,
                      context={"token": None if "token" in errors else token}, no_store=True)
    response = redirect(
        request, "/login",
        "Your password is changed. Every session of your account is logged out and your "
        "personal API tokens are revoked. Log in with the new password now.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/tokens")
def tokens(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(request, "accounts/tokens.html",
                  {"tokens": service.list_api_tokens(session, user)})


@router.post("/account/tokens")
def create_token(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    name: FormStr = "", expires_in_days: FormStr = "",
) -> Response:
    errors: dict[str, str] = {}
    days: int | None = None
    if expires_in_days.strip():
        try:
            days = int(expires_in_days)
        except ValueError:
            errors["expires_in_days"] = "Enter a whole number of days, or leave it empty."
    if not errors:
        try:
            data = ApiTokenCreate(name=name.strip(), expires_in_days=days)
        except ValidationError as exc:
            errors = ValidationFailed.from_pydantic(exc).by_field()
    if errors:
        return render(request, "accounts/tokens.html",
                      {"tokens": service.list_api_tokens(session, user)}, status_code=422,
                      errors=errors, form={"name": name, "expires_in_days": expires_in_days})
    issued = service.create_api_token(session, settings, user, data)
    # Rendered, not redirected: the token is shown once and must not travel in a cookie or URL.
    return render(request, "accounts/tokens.html", {
        "tokens": service.list_api_tokens(session, user), "new_token": issued.token,
    }, status_code=201, no_store=True)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    record = service.revoke_api_token(session, user, token_id)
    return redirect(request, "/account/tokens", f"Token “{record.name}” is revoked.")
