"""Users of the report (instructors and admins) and their passwords.

Passwords are hashed with Argon2id (argon2-cffi); the clear password is never
stored, logged or returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from analytics.db import Database
from analytics.errors import ConflictError, NotFoundError
from analytics.schema import ROLES, User

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    role: str
    created_at: datetime


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.username, user.role, user.created_at)


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted: two calls give different hashes)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_username(username: str) -> str:
    username = username.strip()
    if not username or len(username) > 150 or any(c.isspace() for c in username):
        raise ValueError("a username is 1 to 150 characters without spaces")
    return username


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def create_user(db: Database, username: str, password: str, role: str = "instructor") -> UserInfo:
    """Add a user; raises ConflictError when the username is taken."""
    username = _check_username(username)
    user = User(username=username, role=_check_role(role), password_hash=hash_password(password))
    try:
        with db.transaction() as session:
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                raise ConflictError(f"user {username!r} already exists")
            session.add(user)
    except IntegrityError:
        raise ConflictError(f"user {username!r} already exists") from None
    return _info(user)


def get_user(db: Database, username: str) -> UserInfo:
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None:
            raise NotFoundError(f"no user named {username!r}")
        return _info(user)


def list_users(db: Database) -> list[UserInfo]:
    with db.session() as session:
        return [_info(user) for user in session.scalars(select(User).order_by(User.username))]


def set_password(db: Database, username: str, password: str) -> None:
    new_hash = hash_password(password)
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None:
            raise NotFoundError(f"no user named {username!r}")
        user.password_hash = new_hash


def set_role(db: Database, username: str, role: str) -> None:
    role = _check_role(role)
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None:
            raise NotFoundError(f"no user named {username!r}")
        user.role = role


def remove_user(db: Database, username: str) -> None:
    """Delete a user; their courses stay, with no owner (merged into an unowned course of the same name)."""
    from analytics.courses import release_courses

    with db.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == username.strip()))
        if user_id is not None:
            release_courses(session, user_id)
        result = session.execute(delete(User).where(User.username == username.strip()))
        if result.rowcount == 0:
            raise NotFoundError(f"no user named {username!r}")


def authenticate(db: Database, username: str, password: str) -> UserInfo | None:
    """The user when ``password`` is right, else None (unknown user or wrong password alike).

    Rehashes the stored hash when Argon2's parameters have changed since.
    """
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None:
            _hasher.hash("timing-equalizer")  # do comparable work for unknown users
            return None
        if not verify_password(user.password_hash, password):
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        return _info(user)
