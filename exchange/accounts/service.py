"""Account rules: sign-up, log-in with throttling, sessions, password changes and resets, tokens.

Services only flush; the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from exchange import security
from exchange.accounts.models import (
    ApiToken,
    ApiTokenCreate,
    LoginFailure,
    PasswordResetToken,
    User,
    UserCreate,
    UserSession,
)
from exchange.config import Settings
from exchange.db import touch, utcnow
from exchange.errors import FieldError, NotFound, RateLimited, ValidationFailed
from exchange.notifications.email import queue_email

# Readable prefixes (not secrets) so a leaked token can be recognised, e.g. by secret scanners.
SESSION_TOKEN_PREFIX = "pie_s_"  # noqa: S105
API_TOKEN_PREFIX = "pie_pat_"  # noqa: S105
RESET_TOKEN_PREFIX = "pie_r_"  # noqa: S105


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(
        select(User).where(User.email_normalized == normalize_email(email))
    ).first()


def _validated_user(
    session: Session, email: str, display_name: str, password: str
) -> UserCreate:
    """Every problem at once, so a person fixes the whole form in one go: the schema's checks,
    the password rules and, once the e-mail is well-formed, whether it is already taken."""
    errors: list[FieldError] = []
    data: UserCreate | None = None
    try:
        data = UserCreate(email=email.strip(), display_name=display_name, password=password)
    except ValidationError as exc:
        errors = ValidationFailed.from_pydantic(exc).errors
    failed = {error.field for error in errors}
    problem = security.password_problem(password, related=(email, display_name))
    if problem and "password" not in failed:
        errors.append(FieldError("password", f"Password {problem}."))
    address = str(data.email) if data is not None else email.strip()
    if "email" not in failed and get_user_by_email(session, address) is not None:
        errors.append(FieldError("email", "An account with this e-mail already exists."))
    if errors or data is None:
        raise ValidationFailed(errors)
    return data


def sign_up(
    session: Session, *, email: str, display_name: str, password: str, is_admin: bool = False
) -> User:
    data = _validated_user(session, email, display_name, password)
    user = User(
        email=str(data.email),
        email_normalized=normalize_email(str(data.email)),
        display_name=data.display_name,
        password_hash=security.hash_password(password),
        is_platform_admin=is_admin,
    )
    session.add(user)
    session.flush()
    return user


# -- log-in and throttling ------------------------------------------------------------------


# Failures are counted per (account, address) and per address, never per account alone: a
# count per account would let anyone lock any account from their own machine (OWASP: lockout
# must not become a denial of service); the right password from another address still works.
ACCOUNT_AT_ADDRESS = "account_address"
ADDRESS = "address"


def _throttle_keys(settings: Settings, email: str, address: str) -> dict[str, str]:
    return {
        ACCOUNT_AT_ADDRESS: security.keyed_hash(
            settings.secret_key, f"account:{normalize_email(email)}\x00address:{address}"),
        ADDRESS: security.keyed_hash(settings.secret_key, "address:" + address),
    }


def _check_throttle(session: Session, settings: Settings, keys: dict[str, str]) -> None:
    since = utcnow() - timedelta(seconds=settings.login_failure_window_seconds)
    limits = {
        ACCOUNT_AT_ADDRESS: settings.login_max_failures_per_account,
        ADDRESS: settings.login_max_failures_per_address,
    }
    for scope, key in keys.items():
        count, oldest = session.exec(
            select(func.count(), func.min(LoginFailure.created_at)).where(
                LoginFailure.scope == scope,
                LoginFailure.key_hash == key,
                LoginFailure.created_at >= since,
            )
        ).one()
        if count >= limits[scope]:
            retry = settings.login_failure_window_seconds
            if oldest is not None:
                retry = int((oldest - since).total_seconds()) + 1
            raise RateLimited(
                "Too many failed log-ins. Wait a few minutes and try again, "
                "or reset your password.",
                retry_after=retry,
            )


def authenticate(
    session: Session, settings: Settings, *, email: str, password: str, address: str
) -> User:
    """The user for these credentials, or ValidationFailed; refuses while throttled.

    A failure is recorded in the caller's session and must be committed even though the log-in
    failed: nothing else is written before it, so the caller commits instead of rolling back.
    """
    keys = _throttle_keys(settings, email, address)
    _check_throttle(session, settings, keys)
    user = get_user_by_email(session, email)
    ok = security.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        _record_failure(session, keys)
        raise ValidationFailed(
            [FieldError("password", "E-mail or password is not right.")],
            message="E-mail or password is not right.",
        )
    session.exec(  # type: ignore[call-overload]
        delete(LoginFailure).where(
            col(LoginFailure.scope) == ACCOUNT_AT_ADDRESS,
            col(LoginFailure.key_hash) == keys[ACCOUNT_AT_ADDRESS],
        )
    )
    if security.password_needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    return user


def _record_failure(session: Session, keys: dict[str, str]) -> None:
    for scope, key in keys.items():
        session.add(LoginFailure(scope=scope, key_hash=key))
    session.flush()


# -- browser sessions -----------------------------------------------------------------------


def start_session(session: Session, settings: Settings, user: User) -> str:
    token = security.new_secret_token(SESSION_TOKEN_PREFIX)
    assert user.id is not None
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=security.keyed_hash(settings.secret_key, token),
            expires_at=utcnow() + timedelta(seconds=settings.session_ttl_seconds),
        )
    )
    session.flush()
    return token


def user_for_session_token(session: Session, settings: Settings, token: str) -> User | None:
    row = session.exec(
        select(UserSession).where(
            UserSession.token_hash == security.keyed_hash(settings.secret_key, token)
        )
    ).first()
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user


def end_session(session: Session, settings: Settings, token: str) -> None:
    session.exec(  # type: ignore[call-overload]
        delete(UserSession).where(
            col(UserSession.token_hash) == security.keyed_hash(settings.secret_key, token)
        )
    )


def end_other_sessions(session: Session, settings: Settings, user: User,
                       keep_token: str | None) -> None:
    """Every session of the user but the one behind `keep_token` (None: all of them)."""
    statement = delete(UserSession).where(col(UserSession.user_id) == user.id)
    if keep_token:
        statement = statement.where(
            col(UserSession.token_hash) != security.keyed_hash(settings.secret_key, keep_token))
    session.exec(statement)  # type: ignore[call-overload]


def revoke_all_api_tokens(session: Session, user: User) -> int:
    """Revoke every live personal token of the user; returns how many."""
    result = session.exec(  # type: ignore[call-overload]
        update(ApiToken)
        .where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)


def live_api_token_count(session: Session, user: User) -> int:
    now = utcnow()
    return int(session.exec(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None),
        (col(ApiToken.expires_at).is_(None)) | (col(ApiToken.expires_at) > now),
    )).one())


@dataclass(frozen=True)
class PasswordChanged:
    tokens_revoked: int


def change_password(
    session: Session, settings: Settings, user: User, *, current_password: str,
    new_password: str, current_session_token: str | None, revoke_tokens: bool = False,
) -> PasswordChanged:
    """A new password ends every other session (a thief logged in elsewhere is out) and every
    unused reset link, and, if asked, revokes the personal API tokens too."""
    errors = []
    if not security.verify_password(user.password_hash, current_password):
        errors.append(FieldError("current_password", "Current password is not right."))
    problem = security.password_problem(new_password, related=(user.email, user.display_name))
    if problem:
        errors.append(FieldError("new_password", f"Password {problem}."))
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = security.hash_password(new_password)
    session.add(user)
    _spend_reset_tokens(session, user)
    end_other_sessions(session, settings, user, keep_token=current_session_token)
    revoked = revoke_all_api_tokens(session, user) if revoke_tokens else 0
    session.flush()
    return PasswordChanged(tokens_revoked=revoked)


# -- password reset -------------------------------------------------------------------------


def request_password_reset(session: Session, settings: Settings, email: str) -> None:
    """E-mail a single-use link if the account exists; says nothing either way to the caller."""
    user = get_user_by_email(session, email)
    if user is None or not user.is_active or user.id is None:
        return
    # Only the newest link works: an older one lying in a mailbox (or a leaked one) is dead.
    _spend_reset_tokens(session, user)
    token = security.new_secret_token(RESET_TOKEN_PREFIX)
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=security.keyed_hash(settings.secret_key, token),
            expires_at=utcnow() + timedelta(seconds=settings.password_reset_ttl_seconds),
        )
    )
    link = f"{settings.public_base_url.rstrip('/')}/reset-password/{token}"
    minutes = settings.password_reset_ttl_seconds // 60
    queue_email(
        session,
        to=user.email,
        subject="Reset your Peer Internship Exchange password",
        body=(
            f"Hello {user.display_name},\n\n"
            f"Someone asked to reset the password of your account. To choose a new password, "
            f"open this link within {minutes} minutes:\n\n{link}\n\n"
            "The link works once. If you did not ask for this, ignore this e-mail; your "
            "password stays as it is.\n"
        ),
        sensitive=True,
    )
    session.flush()


def _spend_reset_tokens(session: Session, user: User) -> None:
    session.exec(  # type: ignore[call-overload]
        update(PasswordResetToken)
        .where(col(PasswordResetToken.user_id) == user.id,
               col(PasswordResetToken.used_at).is_(None))
        .values(used_at=utcnow())
    )


def _live_reset_token(session: Session, settings: Settings, token: str) -> PasswordResetToken:
    row = session.exec(
        select(PasswordResetToken).where(
            PasswordResetToken.token_hash == security.keyed_hash(settings.secret_key, token)
        )
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise ValidationFailed.single(
            "token", "This reset link is invalid, used or expired. Ask for a new one."
        )
    return row


def check_reset_token(session: Session, settings: Settings, token: str) -> None:
    _live_reset_token(session, settings, token)


def reset_password(session: Session, settings: Settings, *, token: str, new_password: str) -> User:
    row = _live_reset_token(session, settings, token)
    user = session.get(User, row.user_id)
    if user is None:
        raise NotFound()
    problem = security.password_problem(new_password, related=(user.email, user.display_name))
    if problem:
        raise ValidationFailed.single("new_password", f"Password {problem}.")
    user.password_hash = security.hash_password(new_password)
    session.add(user)
    # A reset means the password may have leaked: this link and every other one are spent,
    # every session of the account ends and every personal API token is revoked.
    _spend_reset_tokens(session, user)
    end_other_sessions(session, settings, user, keep_token=None)
    revoke_all_api_tokens(session, user)
    session.flush()
    return user


# -- personal API tokens --------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    record: ApiToken
    token: str


def create_api_token(
    session: Session, settings: Settings, user: User, data: ApiTokenCreate
) -> IssuedToken:
    assert user.id is not None
    token = security.new_secret_token(API_TOKEN_PREFIX)
    expires_at: datetime | None = None
    if data.expires_in_days:
        expires_at = utcnow() + timedelta(days=data.expires_in_days)
    record = ApiToken(
        user_id=user.id,
        name=data.name.strip(),
        display_prefix=token[: len(API_TOKEN_PREFIX) + 4],
        token_hash=security.keyed_hash(settings.secret_key, token),
        expires_at=expires_at,
    )
    session.add(record)
    session.flush()
    return IssuedToken(record=record, token=token)


def list_api_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id).desc())
        ).all()
    )


def revoke_api_token(session: Session, user: User, token_id: int) -> ApiToken:
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        raise NotFound("No such token.")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.add(record)
        session.flush()
    return record


def user_for_api_token(session: Session, settings: Settings, token: str) -> User | None:
    # Token and user in one query: this runs on every API request.
    found = session.exec(
        select(ApiToken, User).join(User, col(User.id) == ApiToken.user_id).where(
            ApiToken.token_hash == security.keyed_hash(settings.secret_key, token)
        )
    ).first()
    now = utcnow()
    if found is None:
        return None
    record, user = found
    if record.revoked_at is not None:
        return None
    if record.expires_at is not None and record.expires_at <= now:
        return None
    if not user.is_active:
        return None
    # Coarse last-used time: one write per minute at most keeps reads cheap.
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=1):
        touch(session, record, last_used_at=now)
    return user
