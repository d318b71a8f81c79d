"""Writes ``tests/data/storage/release_1.sqlite``: a small database made by release 1 of the storage.

Release 1 is the code before schema versions (``PRAGMA user_version`` 0, every table created by
its store with ``CREATE TABLE IF NOT EXISTS``). The file was made by running this module with that
code (``.venv/bin/python -m tests.storage.release_fixture``) and is kept as it came out, so the
migration test (:mod:`tests.storage.test_migrations`) opens a database the current code did not
write. Run it again only to make the fixture of a new release, under a new name.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.events import Event, Kind, Platform
from bot.notes import Note
from bot.replies import Outgoing
from bot.storage import Database, sqlite_state
from bot.storage.auth_limits import SqliteAuthFailures
from bot.storage.handoffs import HandoffStore
from bot.storage.inbox import Inbox
from bot.storage.insights import InsightStore
from bot.storage.messages import MessageStates
from bot.storage.orders import OrderStore
from bot.storage.pauses import SqlitePauses
from bot.storage.staff_feed import StaffFeed
from bot.storage.stock_alerts import StockAlertStore

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "storage" / "release_1.sqlite"
NOW = 1_780_000_000.0          # 2026-05-28, a fixed clock: the file is the same every time it is made
CUSTOMER = "24000000000000001"  # a Messenger PSID
PHONE = "01012345678"


def clock() -> float:
    return NOW


def write(path: Path) -> None:
    """A database with a few rows in every table release 1 had."""
    path.unlink(missing_ok=True)
    db = Database(path)
    inbox = Inbox(db, clock=clock)
    inbox.accept([
        Event(Platform.MESSENGER, CUSTOMER, Kind.TEXT, text="عايز تيشيرت اسود", message_id="m_release_1",
              timestamp=NOW),
        Event(Platform.WHATSAPP, "201012345678", Kind.TEXT, text="hi", message_id="wamid.release2", timestamp=NOW),
    ])
    claimed = inbox.claim("fixture:1")
    assert claimed is not None
    insights, staff = InsightStore(db, clock=clock), StaffFeed(db, clock=clock, channels=("webhook",))
    state = sqlite_state(db, clock, insights=insights, staff=staff)
    reply = Outgoing("messenger", CUSTOMER, {"recipient": {"id": CUSTOMER}, "message": {"text": "أهلاً"}})
    notes = [Note("message", text="عايز تيشيرت اسود"), Note("search", text="تيشيرت اسود"),
             Note("no_results", text="تيشيرت موف"), Note("order", ref="DK-7K4QXE", amount=540)]
    assert state.stage_turn(claimed.id, "messenger", CUSTOMER, {"lang": "ar", "cart": [{"product_id": 53}]},
                            [reply], NOW, notes)
    (row_id, _), = state.outbox.unsent(claimed.id)
    state.outbox.mark_sent(row_id, "m_reply_1")
    inbox.complete(claimed.id, "fixture:1")
    with state.transaction() as conn:
        state.record(conn, "messenger", CUSTOMER, "referral", {"ref": "ad-1"}, NOW)
    orders = OrderStore(db, clock=clock, new_number=lambda: "DK-7K4QXE")
    orders.create(
        idempotency_key="release-1-order", platform="messenger", customer_id=CUSTOMER, name="منى", phone=PHONE,
        governorate="cairo", address="٢٢ شارع فؤاد", items=[{"product_id": 53, "unit_price": 450, "quantity": 1}],
        shipping_fee=90,
    )
    orders.fail_check("messenger", CUSTOMER, PHONE)
    HandoffStore(db, clock=clock).open("whatsapp", "201012345678", "asked", {"text": "عايز حد"})
    MessageStates(db, clock=clock).record_sent("messenger", CUSTOMER, "m_reply_1")
    StockAlertStore(db, clock=clock).add("messenger", CUSTOMER, 53, size="L", color="black")
    SqlitePauses(db, clock=clock).raise_("whatsapp", "token expired (190)")
    SqliteAuthFailures(db, clock=clock).attempt("203.0.113.9")
    db.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE)
    print(FIXTURE)
