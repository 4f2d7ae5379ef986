"""Users: add, change password, remove, authenticate; hashes only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from analytics import auth
from analytics.errors import ConflictError, NotFoundError
from analytics.schema import Course, User
from analytics.store import Store


def test_users_lifecycle(db):
    user = auth.create_user(db, "marie", "correct horse battery", role="admin")
    assert user.username == "marie" and user.role == "admin" and user.created_at.tzinfo is not None
    with db.session() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "marie"))
    assert stored != "correct horse battery" and "correct horse battery" not in stored
    assert stored.startswith("$argon2id$")

    assert auth.authenticate(db, "marie", "correct horse battery").username == "marie"
    assert auth.authenticate(db, "marie", "wrong password") is None
    assert auth.authenticate(db, "nobody", "correct horse battery") is None

    auth.set_password(db, "marie", "another long secret")
    assert auth.authenticate(db, "marie", "correct horse battery") is None
    assert auth.authenticate(db, "marie", "another long secret") is not None

    auth.create_user(db, "ali", "instructor pass", role="instructor")
    assert [(u.username, u.role) for u in auth.list_users(db)] == [("ali", "instructor"), ("marie", "admin")]

    auth.remove_user(db, "marie")
    assert [u.username for u in auth.list_users(db)] == ["ali"]
    assert auth.authenticate(db, "marie", "another long secret") is None


def test_user_errors(db):
    auth.create_user(db, "marie", "correct horse battery")
    with pytest.raises(ConflictError, match="already exists"):
        auth.create_user(db, "marie", "something else entirely")
    with pytest.raises(ValueError, match="role"):
        auth.create_user(db, "bob", "long enough pass", role="root")
    with pytest.raises(ValueError, match="at least 8"):
        auth.create_user(db, "bob", "short")
    with pytest.raises(ValueError, match="username"):
        auth.create_user(db, "two words", "long enough pass")
    with pytest.raises(NotFoundError):
        auth.set_password(db, "ghost", "long enough pass")
    with pytest.raises(NotFoundError):
        auth.remove_user(db, "ghost")


def test_hashes_are_salted_and_verify():
    first, second = auth.hash_password("same password"), auth.hash_password("same password")
    assert first != second
    assert auth.verify_password(first, "same password") and auth.verify_password(second, "same password")
    assert not auth.verify_password(first, "other password")
    assert not auth.verify_password("not a hash", "same password")


def test_removing_an_owner_keeps_the_course(db):
    owner = auth.create_user(db, "teacher", "long enough pass")
    Store(db).start_session("Physics 101", owner_id=owner.id)
    auth.remove_user(db, "teacher")
    with db.session() as session:
        assert session.execute(select(Course.name, Course.owner_id)).all() == [("Physics 101", None)]
