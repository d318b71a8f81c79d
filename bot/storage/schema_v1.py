"""The SQLite schema of release 1: every table and index, as the stores created them before
schema versions existed (``PRAGMA user_version`` 0).

Frozen: a released schema is never edited. A change is a new step in
:data:`bot.storage.migrations.MIGRATIONS`; this text stays what a release-1 database holds, so
migration 1 (``CREATE ... IF NOT EXISTS``) makes a new file and adopts an old one alike.
"""

RELEASE_1 = """
-- inbox, the outbox, message states, sessions, records (bot/storage/db.py)
CREATE TABLE IF NOT EXISTS inbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key    TEXT NOT NULL UNIQUE,
    customer_key  TEXT NOT NULL,
    kind          TEXT NOT NULL,
    event         TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    available_at  REAL NOT NULL,
    claimed_by    TEXT,
    claimed_at    REAL,
    last_error    TEXT,
    created_at    REAL NOT NULL,
    finished_at   REAL
);
CREATE INDEX IF NOT EXISTS inbox_pending ON inbox (state, available_at, id);
CREATE INDEX IF NOT EXISTS inbox_customer ON inbox (customer_key, state, id);

CREATE TABLE IF NOT EXISTS outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      INTEGER,
    platform      TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending',
    message_id    TEXT,
    error_code    INTEGER,
    error         TEXT,
    created_at    REAL NOT NULL,
    sent_at       REAL
);
CREATE INDEX IF NOT EXISTS outbox_event ON outbox (event_id, id);
CREATE INDEX IF NOT EXISTS outbox_customer ON outbox (platform, customer_id, id);
CREATE INDEX IF NOT EXISTS outbox_proactive ON outbox (event_id) WHERE state = 'pending' AND event_id < 0;

CREATE TABLE IF NOT EXISTS staged (
    event_id      INTEGER PRIMARY KEY,
    created_at    REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS message_state (
    message_id    TEXT PRIMARY KEY,
    platform      TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    status        TEXT NOT NULL,
    error_code    INTEGER,
    error         TEXT,
    sent_at       REAL NOT NULL,
    updated_at    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS message_state_customer ON message_state (platform, customer_id, sent_at);

CREATE TABLE IF NOT EXISTS sessions (
    platform      TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    data          TEXT NOT NULL,
    last_inbound  REAL,
    updated_at    REAL NOT NULL,
    PRIMARY KEY (platform, customer_id)
);

CREATE TABLE IF NOT EXISTS records (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    platform      TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    data          TEXT NOT NULL,
    created_at    REAL NOT NULL
);

-- the owner's insights (bot/storage/insights.py)
CREATE TABLE IF NOT EXISTS insight_counts (
    day     TEXT NOT NULL,
    metric  TEXT NOT NULL,
    value   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, metric)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS insight_reach (
    day     TEXT NOT NULL,
    stage   TEXT NOT NULL,
    who     TEXT NOT NULL,
    PRIMARY KEY (day, stage, who)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS insight_misses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    day         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    platform    TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    text        TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS insight_misses_day ON insight_misses (day, kind, id);

-- the staff's news and its deliveries (bot/storage/staff_feed.py)
CREATE TABLE IF NOT EXISTS staff_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    platform     TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    data         TEXT NOT NULL,
    created_at   REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS staff_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    event        TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      REAL NOT NULL,
    last_error   TEXT,
    created_at   REAL NOT NULL,
    finished_at  REAL
);
CREATE INDEX IF NOT EXISTS staff_deliveries_due ON staff_deliveries (state, next_at);

-- orders and their failed checks (bot/storage/orders.py)
CREATE TABLE IF NOT EXISTS orders (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          TEXT UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    platform        TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL,
    governorate     TEXT NOT NULL,
    address         TEXT NOT NULL,
    items           TEXT NOT NULL,
    subtotal        INTEGER NOT NULL,
    shipping_fee    INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    lang            TEXT NOT NULL DEFAULT 'ar',
    status          TEXT NOT NULL DEFAULT 'new',
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_phone ON orders (phone, id);
CREATE INDEX IF NOT EXISTS orders_customer ON orders (platform, customer_id, id);

CREATE TABLE IF NOT EXISTS order_checks (
    customer_key    TEXT NOT NULL,
    failed_at       REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS order_checks_customer ON order_checks (customer_key, failed_at);
CREATE INDEX IF NOT EXISTS order_checks_age ON order_checks (failed_at);

-- hand-offs (bot/storage/handoffs.py)
CREATE TABLE IF NOT EXISTS handoffs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    platform     TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    context      TEXT NOT NULL,
    opened_at    REAL NOT NULL,
    released_at  REAL,
    released_by  TEXT
);
CREATE INDEX IF NOT EXISTS handoffs_open ON handoffs (platform, customer_id, released_at);

-- stock alerts (bot/storage/stock_alerts.py)
CREATE TABLE IF NOT EXISTS stock_alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    platform     TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    product_id   INTEGER NOT NULL,
    size         TEXT NOT NULL DEFAULT '',
    color        TEXT NOT NULL DEFAULT '',
    lang         TEXT NOT NULL DEFAULT 'ar',
    created_at   REAL NOT NULL,
    fired_at     REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS stock_alerts_waiting
    ON stock_alerts (platform, customer_id, product_id, size, color) WHERE fired_at IS NULL;
CREATE INDEX IF NOT EXISTS stock_alerts_customer ON stock_alerts (platform, customer_id, fired_at);
CREATE INDEX IF NOT EXISTS stock_alerts_pending ON stock_alerts (id) WHERE fired_at IS NULL;

-- paused channels (bot/storage/pauses.py)
CREATE TABLE IF NOT EXISTS channel_pauses (
    name    TEXT PRIMARY KEY,
    detail  TEXT NOT NULL,
    since   REAL NOT NULL,
    last    REAL NOT NULL,
    count   INTEGER NOT NULL
);

-- wrong admin tokens (bot/storage/auth_limits.py)
CREATE TABLE IF NOT EXISTS auth_failures (
    address  TEXT NOT NULL,
    at       REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_failures_address ON auth_failures (address, at);
CREATE INDEX IF NOT EXISTS auth_failures_at ON auth_failures (at);
"""
