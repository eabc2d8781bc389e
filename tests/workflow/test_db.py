"""Reads do not take SQLite's write lock (issue 14, item 1): every transaction used to begin
``IMMEDIATE``, so readers queued behind each other and behind writers until timeouts fired.
These tests are SQLite's own: PostgreSQL never had the fault."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import select

from workflow.db import make_engine, unit_of_work
from workflow.models import User
from workflow.schema import create_all
from workflow.settings import Settings


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    create_all(engine)
    yield engine
    engine.dispose()


def _person(email: str) -> User:
    from datetime import UTC, datetime

    return User(name="Sam", email=email, roles=["viewer"], created_at=datetime.now(UTC))


def test_a_read_goes_on_while_a_writer_holds_the_lock(sqlite_file: Engine) -> None:
    with unit_of_work(sqlite_file) as writer:
        writer.add(_person("a@example.org"))
        writer.flush()  # the write lock is held until the block ends
        with unit_of_work(sqlite_file, write=False) as reader:
            # It reads the snapshot from before the writer's change, without waiting.
            assert reader.exec(select(User)).all() == []
    with unit_of_work(sqlite_file, write=False) as reader:
        assert [u.email for u in reader.exec(select(User))] == ["a@example.org"]


def test_a_writer_goes_on_while_a_reader_is_open(sqlite_file: Engine) -> None:
    with unit_of_work(sqlite_file, write=False) as reader:
        assert reader.exec(select(User)).all() == []
        with unit_of_work(sqlite_file) as writer:
            writer.add(_person("b@example.org"))
    with unit_of_work(sqlite_file, write=False) as reader:
        assert len(reader.exec(select(User)).all()) == 1


def test_files_are_in_wal_mode_and_writes_still_begin_immediate(sqlite_file: Engine) -> None:
    with unit_of_work(sqlite_file) as writer:
        assert writer.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        # A write unit holds the lock from its first statement: a second writer is refused
        # at once rather than failing later on the upgrade.
        writer.execute(text("SELECT 1"))
        other = sqlite3.connect(str(sqlite_file.url.database), timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            # A reader does not need the lock at all.
            other.execute("BEGIN")
            assert other.execute("SELECT count(*) FROM users").fetchone() == (0,)
            other.execute("COMMIT")
        finally:
            other.close()


def test_the_served_pool_has_room_for_every_thread(tmp_path: Path) -> None:
    from workflow.db import pool_options

    settings = Settings()
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.db'}", **pool_options(settings))
    try:
        assert engine.pool.size() + engine.pool._max_overflow >= settings.worker_threads  # type: ignore[attr-defined]
        assert engine.pool._timeout == settings.db_pool_timeout_seconds  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    memory = make_engine("sqlite://", **pool_options(settings))  # one database a connection
    memory.dispose()
