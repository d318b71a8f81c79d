"""The SQLite schema's version and the ordered steps that bring a database file up to it.

A database records the last step applied in ``PRAGMA user_version`` (0: a file of release 1,
made before versions existed, or a new empty file). :func:`migrate` runs when a
:class:`~bot.storage.db.Database` opens: it takes SQLite's write lock (``BEGIN IMMEDIATE``),
reads the version again under it, applies every later step in order and writes the new version,
all in that one transaction. So the steps run once even when several processes start together
(the others wait for the lock, then find nothing left to do), and a step that fails leaves the
file as it was. A file whose version is newer than this code's is refused: an older release
must not write a schema it does not know. A file of version 0 is adopted by step 1 only when each
of its tables is one of release 1 with release 1's columns (an empty file too); any other is refused.

Adding a step (see README, "Schema changes"): append a :class:`Migration` with the next number
and a docstring saying what changes and why; never edit or reorder a released step. Keep steps
to SQL that SQLite runs inside a transaction (``CREATE``, ``ALTER TABLE ... ADD COLUMN``, data
``UPDATE``s); a table rebuild copies into a new table and renames it in the same step.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.errors import StorageError
from bot.storage.schema_v1 import RELEASE_1

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One step: ``apply(conn)`` runs inside the migration's transaction and brings the schema
    from ``version - 1`` to ``version``."""

    version: int
    apply: Callable[[sqlite3.Connection], None]

    @property
    def summary(self) -> str:
        """The first line of the step's docstring."""
        return (self.apply.__doc__ or "").strip().splitlines()[0] if self.apply.__doc__ else ""


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run each statement of ``script`` on ``conn``, inside the open transaction.

    (``executescript`` would COMMIT first and let the lock go.)
    """
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    statement = ""
    for piece in "\n".join(lines).split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):   # a ";" inside a string or a trigger body waits
            if statement.strip(" \n;"):
                conn.execute(statement)
            statement = ""
    if statement.strip(" \n;"):
        raise StorageError(f"incomplete SQL statement in a migration: {statement.strip()[:80]!r}")


def release_1(conn: sqlite3.Connection) -> None:
    """Release 1's tables and indexes: creates them in a new file, adopts a release-1 file as it is."""
    problems = differences(tables_of(conn), release_1_tables())
    if problems:
        raise StorageError("the file has no schema version but is not a database of release 1 ("
                           + "; ".join(problems) + "): refusing to adopt it")
    run_script(conn, RELEASE_1)


Columns = list[tuple[str, str, int, str | None, int]]   # name, type, NOT NULL, default, place in the key


def tables_of(conn: sqlite3.Connection) -> dict[str, Columns]:
    """Every table of the file (SQLite's own left out) and its columns, as ``PRAGMA table_info`` gives them."""
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name")]
    return {name: [(str(row[1]), str(row[2]).upper(), int(row[3]), row[4], int(row[5]))
                   for row in conn.execute(f"PRAGMA table_info({quote(name)})")] for name in names}


def release_1_tables() -> dict[str, Columns]:
    """The tables release 1 made, read from :data:`RELEASE_1` run on an empty in-memory database."""
    reference = sqlite3.connect(":memory:")
    try:
        reference.executescript(RELEASE_1)
        return tables_of(reference)
    finally:
        reference.close()


def differences(found: dict[str, Columns], release: dict[str, Columns]) -> list[str]:
    """How the tables ``found`` differ from release 1's; a table release 1 had but the file lacks is fine
    (its store had not opened yet: migration 1 creates it), an empty file too."""
    problems = [f"table {name} is not one of release 1" for name in found if name not in release]
    for name, columns in found.items():
        if name not in release or columns == release[name]:
            continue
        names, wanted = [c[0] for c in columns], [c[0] for c in release[name]]
        problems.append(f"table {name} has columns {names}, release 1 {wanted}" if names != wanted
                        else f"table {name}'s columns differ from release 1's in type, NOT NULL or default")
    return problems


def quote(name: str) -> str:
    """``name`` as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, release_1),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def version_of(conn: sqlite3.Connection) -> int:
    """The file's schema version (``PRAGMA user_version``)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_steps(steps: Sequence[Migration]) -> None:
    """Refuse a list of steps that is not numbered 1, 2, 3... in order."""
    numbers = [step.version for step in steps]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StorageError(f"migrations must be numbered 1, 2, 3... in order (got {numbers})")


def migrate(conn: sqlite3.Connection, path: str, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the file on ``conn`` (autocommit mode) up to the last of ``steps``; its version after.

    Raises:
        StorageError: the file is newer than the code, or a step failed (nothing of it is kept).
    """
    check_steps(steps)
    target = steps[-1].version if steps else 0
    found = version_of(conn)
    if found == target:
        return found  # the usual start: nothing to do, no write lock taken
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise StorageError(f"cannot lock {path} to upgrade its schema: {exc}") from exc
    try:
        found = version_of(conn)  # again, under the lock: another process may have done it meanwhile
        if found > target:
            raise StorageError(
                f"database {path} has schema version {found}, newer than this code's {target}: "
                "run the release that wrote it (or a later one), or restore a backup made for this release")
        for step in steps[found:]:
            log.info("storage: upgrading %s to schema version %d (%s)", path, step.version, step.summary)
            try:
                step.apply(conn)
            except StorageError as exc:
                raise StorageError(f"cannot upgrade the schema of {path}: {exc}") from exc
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
        conn.execute("COMMIT")
    except BaseException as exc:
        roll_back(conn, path)
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"cannot upgrade the schema of {path}: {exc}") from exc
        raise
    return version_of(conn)


def roll_back(conn: sqlite3.Connection, path: str) -> None:
    """Undo the failed upgrade's transaction; a ROLLBACK that fails too is logged, so the error that
    made the upgrade fail is the one raised (SQLite drops the transaction when the connection closes)."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        log.error("storage: could not roll back the failed schema upgrade of %s: %s", path, exc)


__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration", "migrate", "run_script", "version_of"]
