"""The SQLite schema's version and migrations (:mod:`bot.storage.migrations`).

``tests/data/storage/release_1.sqlite`` is a database written by release 1 (before schema
versions), made by :mod:`tests.storage.release_fixture` with that code: a few rows in every
table. Each test works on a copy.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot import create_app
from bot.config import Settings
from bot.errors import StorageError
from bot.storage import Database, open_stores
from bot.storage.migrations import MIGRATIONS, SCHEMA_VERSION, Migration, run_script, version_of
from bot.storage.pauses import SqlitePauses
from tests.conftest import TEST_SECRET
from tests.factories import messenger_text, post_signed
from tests.storage.release_fixture import CUSTOMER, FIXTURE, NOW, PHONE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def release_1(tmp_path) -> Path:
    """A copy of the release-1 database."""
    copy = tmp_path / "dukkan.sqlite3"
    shutil.copyfile(FIXTURE, copy)
    return copy


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return version_of(conn)


def add_gift_notes(conn: sqlite3.Connection) -> None:
    """Orders may carry a gift note (a test-only step: shows a version 2 applied in place)."""
    run_script(conn, "ALTER TABLE orders ADD COLUMN gift_note TEXT NOT NULL DEFAULT '';"
                     "CREATE INDEX orders_status ON orders (status, id);")


VERSION_2 = (*MIGRATIONS, Migration(2, add_gift_notes))


def test_the_fixture_is_a_release_1_file() -> None:
    assert user_version(FIXTURE) == 0


def test_a_release_1_database_is_upgraded_in_place_and_its_rows_read_through_the_stores(release_1) -> None:
    settings = Settings.from_env({}).with_overrides(database_path=str(release_1))
    db = Database(release_1)
    assert db.schema_version == SCHEMA_VERSION == user_version(release_1)
    stores = open_stores(settings, db, clock=lambda: NOW + 60)
    assert stores.inbox.counts()["done"] == 1 and stores.inbox.counts()["pending"] == 1
    assert stores.state.sessions.load("messenger", CUSTOMER) == {"lang": "ar", "cart": [{"product_id": 53}]}
    assert stores.state.sessions.last_inbound("messenger", CUSTOMER) == NOW
    [row] = stores.state.outbox.conversation("messenger", CUSTOMER)
    assert (row["state"], row["message_id"], row["body"]["message"]["text"]) == ("sent", "m_reply_1", "أهلاً")
    order = stores.orders.get("dk-7k4qxe")
    assert (order.phone, order.total, order.status) == (PHONE, 540, "new")
    assert [o.number for o in stores.orders.by_phone(PHONE)] == ["DK-7K4QXE"]
    assert stores.handoffs.current("whatsapp", "201012345678")["reason"] == "asked"
    assert stores.messages.status_of("m_reply_1") == "sent"
    assert [(a.product_id, a.size, a.color) for a in stores.alerts.for_customer("messenger", CUSTOMER)] == [
        (53, "L", "black")]
    assert [event["event"] for event in stores.staff.recent()] == ["order.placed"]
    assert SqlitePauses(db).has("whatsapp")


def test_the_bot_answers_on_an_upgraded_release_1_database(release_1, tmp_path) -> None:
    overrides = {"meta_app_secret": TEST_SECRET, "admin_token": "admin-test-token", "admin_token_generated": False,
                 "database_path": str(release_1), "public_base_url": "http://bot.test"}
    app = create_app(overrides, start_workers=False)
    services = app.extensions["dukkan"]
    try:
        assert post_signed(app.test_client(), messenger_text(CUSTOMER, "عندكم جينز؟"), TEST_SECRET).status_code == 200
        services.workers.drain()
        old, *new = services.pipeline.outbox.conversation("messenger", CUSTOMER)
        assert old["message_id"] == "m_reply_1"                          # release 1's reply, then this turn's
        assert new and all(row["event_id"] not in (None, old["event_id"]) for row in new)
        assert services.inbox.counts()["done"] == 3   # this message and release 1's waiting one, answered too
        assert services.orders.get("DK-7K4QXE").total == 540
    finally:
        services.workers.stop()
    assert user_version(release_1) == SCHEMA_VERSION


def test_a_new_step_is_applied_once_in_place(release_1) -> None:
    Database(release_1)                                                 # today's release: version 1
    db = Database(release_1, migrations=VERSION_2)
    assert db.schema_version == 2 == user_version(release_1)
    assert db.query_one("SELECT number, gift_note FROM orders")[:] == ("DK-7K4QXE", "")
    assert Database(release_1, migrations=VERSION_2).schema_version == 2   # nothing left to do: no error
    straight = release_1.with_name("straight.sqlite3")
    shutil.copyfile(FIXTURE, straight)
    assert Database(straight, migrations=VERSION_2).schema_version == 2   # 0 -> 2 in one go


def test_a_failing_step_leaves_the_file_as_it_was(release_1) -> None:
    def half_done(conn: sqlite3.Connection) -> None:
        """Adds a column, then fails."""
        conn.execute("ALTER TABLE orders ADD COLUMN gift_note TEXT")
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    Database(release_1)
    with pytest.raises(StorageError, match="cannot upgrade the schema"):
        Database(release_1, migrations=(*MIGRATIONS, Migration(2, half_done)))
    assert user_version(release_1) == 1
    with sqlite3.connect(release_1) as conn:
        assert "gift_note" not in [column[1] for column in conn.execute("PRAGMA table_info(orders)")]


def test_a_database_newer_than_the_code_is_refused_clearly(release_1) -> None:
    Database(release_1, migrations=VERSION_2)
    with pytest.raises(StorageError) as refused:
        Database(release_1)
    assert str(refused.value) == (
        f"database {release_1} has schema version 2, newer than this code's 1: run the release that wrote it "
        "(or a later one), or restore a backup made for this release")


def test_steps_must_be_numbered_in_order(tmp_path) -> None:
    with pytest.raises(StorageError, match="numbered 1, 2, 3"):
        Database(tmp_path / "x.sqlite3", migrations=(Migration(2, add_gift_notes),))


def test_a_new_file_gets_todays_schema(tmp_path) -> None:
    db = Database(tmp_path / "new.sqlite3")
    tables = {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    with sqlite3.connect(FIXTURE) as conn:
        released = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert db.schema_version == SCHEMA_VERSION and tables == released


# Each process opens the file with a version 2 whose step counts its runs in a table of its own.
STARTER = """
import sys
from bot.storage import Database
from bot.storage.migrations import MIGRATIONS, Migration, run_script

def count_run(conn):
    '''Counts the runs of this step.'''
    run_script(conn, "CREATE TABLE runs (pid INTEGER); INSERT INTO runs VALUES (1);")

Database(sys.argv[1], migrations=(*MIGRATIONS, Migration(2, count_run)))
print("ok")
"""


def test_several_processes_starting_at_once_migrate_once(release_1) -> None:
    starters = [subprocess.Popen([sys.executable, "-c", STARTER, str(release_1)], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(6)]
    results = [starter.communicate(timeout=60) for starter in starters]
    assert [out for out, _ in results] == ["ok\n"] * 6, [err for _, err in results]
    assert user_version(release_1) == 2
    with sqlite3.connect(release_1) as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_a_version_0_file_that_is_not_of_release_1_is_refused_and_left_as_it_was(tmp_path) -> None:
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    refusal = r"not a database of release 1 \(table customers is not one of release 1\): refusing to adopt it"
    with pytest.raises(StorageError, match=refusal):
        Database(foreign)
    with sqlite3.connect(foreign) as conn:
        assert [row[0] for row in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]
    assert user_version(foreign) == 0


def test_a_release_1_table_with_other_columns_is_refused(tmp_path) -> None:
    changed = tmp_path / "changed.sqlite3"
    with sqlite3.connect(changed) as conn:
        conn.execute("CREATE TABLE auth_failures (address TEXT NOT NULL, at REAL NOT NULL, agent TEXT)")
        conn.execute("CREATE TABLE channel_pauses (name TEXT PRIMARY KEY, detail TEXT, since REAL NOT NULL, "
                     "last REAL NOT NULL, count INTEGER NOT NULL)")
    with pytest.raises(StorageError) as refused:
        Database(changed)
    assert "table auth_failures has columns ['address', 'at', 'agent'], release 1 ['address', 'at']" in str(
        refused.value)
    assert "table channel_pauses's columns differ from release 1's in type, NOT NULL or default" in str(refused.value)
    assert user_version(changed) == 0


def test_a_release_1_file_with_only_some_tables_is_adopted_and_completed(tmp_path) -> None:
    partial = tmp_path / "partial.sqlite3"
    with sqlite3.connect(partial) as conn:   # release 1 as the wrong-token limit alone created it
        conn.executescript("CREATE TABLE auth_failures (address TEXT NOT NULL, at REAL NOT NULL);"
                           "INSERT INTO auth_failures VALUES ('10.0.0.1', 5.0);")
    db = Database(partial)
    assert db.schema_version == SCHEMA_VERSION
    assert db.query_one("SELECT address FROM auth_failures")[0] == "10.0.0.1"
    assert db.query_one("SELECT COUNT(*) FROM orders")[0] == 0


class RollbackFails(sqlite3.Connection):
    """A connection whose ROLLBACK fails (a disk gone read-only, say)."""

    def execute(self, sql, *args):
        if sql == "ROLLBACK":
            raise sqlite3.OperationalError("disk I/O error")
        return super().execute(sql, *args)


def test_a_failing_rollback_does_not_hide_the_error_that_made_the_upgrade_fail(tmp_path, caplog) -> None:
    from bot.storage.migrations import migrate

    def broken(conn: sqlite3.Connection) -> None:
        """Fails at once."""
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    path = tmp_path / "x.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None, factory=RollbackFails)
    try:
        with pytest.raises(StorageError, match="no such table: no_such_table"):
            migrate(conn, str(path), (Migration(1, broken),))
    finally:
        conn.close()
    assert "could not roll back the failed schema upgrade" in caplog.text and "disk I/O error" in caplog.text
    assert user_version(path) == 0
