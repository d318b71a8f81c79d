"""The webhook under abuse, through the whole app on both storage backends.

- The same signed delivery posted by 100 threads at once is accepted 100 times (200) and
  answered once.
- Fuzzing (hypothesis): arbitrary JSON-ish bodies for both platforms, mutated real payloads from
  tests/payloads/ and bytes that are not JSON, posted signed, are answered 200 or 400 (never a
  5xx), and the workers handle whatever was accepted without raising, failing or dead letters.
- Random texts (any script, emoji, digits, shop words) as Messenger or WhatsApp messages, cold or
  right after a search, get exactly one answer each.

The parsers and the matcher have their own property tests (test_messenger_parse.py,
test_whatsapp_parse.py, test_nlu_normalize.py); these target the path from the webhook to the
dialog. One app serves all the examples of a test, so each example uses fresh ids.
"""

from __future__ import annotations

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TEST_SECRET
from tests.factories import messenger_postback, messenger_text, post_signed, whatsapp_text

PAYLOADS = sorted((Path(__file__).parent / "payloads").glob("*/*.json"))
REAL = [json.loads(path.read_text("utf-8")) for path in PAYLOADS]
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
_ids = itertools.count(1)


def settled(services) -> dict[str, int]:
    """Run the workers; every accepted event must be done (none waiting for a retry, none dead)."""
    services.workers.drain()
    counts = services.inbox.counts()
    assert (counts["pending"], counts["processing"], counts["dead"]) == (0, 0, 0), counts
    return counts


# ---- the same delivery 100 times at once -----------------------------------------------------------


def test_the_same_delivery_posted_100_times_at_once_is_answered_once(app, services) -> None:
    body = messenger_postback("psid-100x", "GET_STARTED", "Get Started", mid="m_same_100")
    start = threading.Barrier(100)

    def post(_: int) -> int:
        client = app.test_client()
        start.wait()
        return post_signed(client, body, TEST_SECRET).status_code

    with ThreadPoolExecutor(100) as pool:
        statuses = list(pool.map(post, range(100)))
    assert statuses == [200] * 100
    counts = settled(services)
    assert counts["done"] == 1
    rows = services.pipeline.outbox.conversation("messenger", "psid-100x")
    assert len(rows) == 1 and rows[0]["body"]["message"]["quick_replies"]
    messages = [out for out in services.sender.sent if out.kind == "message"]
    assert len(messages) == 1


# ---- fuzzing the whole webhook ---------------------------------------------------------------------

KEYS = ["object", "entry", "id", "time", "messaging", "standby", "sender", "recipient", "timestamp", "message",
        "mid", "text", "quick_reply", "payload", "postback", "title", "attachments", "type", "is_echo", "read",
        "delivery", "watermark", "reaction", "changes", "field", "value", "metadata", "phone_number_id",
        "contacts", "wa_id", "messages", "statuses", "errors", "from", "body", "interactive", "button_reply",
        "list_reply", "status", "code", "pass_thread_control", "referral", "order", "context"]
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=16)
           | st.sampled_from(["", "0", "page", "messages", "text", "interactive", "GET_STARTED", "DETAILS:53",
                              "ADD:53:XL:black", "MORE:zz", "COMPARE:53,50", "wamid.X", "1700000000", 10**20]))
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5),
    max_leaves=25,
)
ITEM = st.dictionaries(st.sampled_from(KEYS), JSONISH, max_size=6)
ENTRY = st.dictionaries(st.sampled_from(["id", "time", "messaging", "standby", "changes"]),
                        st.lists(ITEM, max_size=3) | JSONISH)
BODIES = st.fixed_dictionaries({
    "object": st.sampled_from(["page", "whatsapp_business_account", "instagram", ""]),
    "entry": st.lists(ENTRY, max_size=3) | JSONISH,
})


def mutate(document: Any, draw: Any) -> Any:
    """A copy of ``document`` with a few random edits: a key removed, a value replaced, a list item doubled."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 4))):
        containers = list(_containers(document))
        parent = draw(st.sampled_from(containers))
        if isinstance(parent, dict) and parent:
            key = draw(st.sampled_from(sorted(parent)))
            action = draw(st.sampled_from(["delete", "replace", "retype"]))
            if action == "delete":
                del parent[key]
            elif action == "replace":
                parent[key] = draw(JSONISH)
            else:
                parent[key] = str(parent[key]) if not isinstance(parent[key], str) else [parent[key]]
        elif isinstance(parent, list) and parent:
            index = draw(st.integers(0, len(parent) - 1))
            parent.insert(index, draw(st.sampled_from([parent[index], None, "junk", {}])))
    return document


def _containers(node: Any):
    if isinstance(node, (dict, list)):
        yield node
        for child in node.values() if isinstance(node, dict) else node:
            yield from _containers(child)


@FUZZ
@given(body=BODIES)
def test_fuzzed_deliveries_get_200_or_400_and_never_break_a_worker(client, services, body) -> None:
    response = post_signed(client, body, TEST_SECRET)
    assert response.status_code in (200, 400), response.data
    settled(services)


@FUZZ
@given(data=st.data())
def test_mutated_real_payloads_get_200_or_400_and_never_break_a_worker(client, services, data) -> None:
    body = mutate(data.draw(st.sampled_from(REAL)), data.draw)
    response = post_signed(client, body, TEST_SECRET)
    assert response.status_code in (200, 400), response.data
    settled(services)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200) | st.sampled_from([b"", b"[]", b"null", b"42", b'"page"', b"{",
                                                        b'{"object": "page"}', b'{"object": "page", "entry": null}',
                                                        "\ufeff{}".encode()]))
def test_bodies_that_are_not_a_delivery_never_get_a_5xx(client, services, raw) -> None:
    assert post_signed(client, raw, TEST_SECRET).status_code in (200, 400)
    settled(services)


# ---- random texts reach the dialog and get one answer each -----------------------------------------

WORDS = ["عايز", "تيشيرت", "اسود", "بكام", "التاني", "ده", "3ayez", "jeans", "azra2", "size", "42", "XL", "٥٠٠",
         "تحت", "cheap", "hoodie", "ضيف", "السلة", "اطلب", "cancel", "order", "رقم", "01001234567", "شحن", "👍", "؟"]
# Blank texts are left out: the parsers read them as no message at all (recorded, not answered).
TEXTS = (st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120).filter(str.strip)
         | st.lists(st.sampled_from(WORDS), min_size=1, max_size=10).map(" ".join))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS, platform=st.sampled_from(["messenger", "whatsapp"]), after_search=st.booleans())
def test_random_texts_get_exactly_one_answer_each(client, services, text, platform, after_search) -> None:
    customer = f"2010{next(_ids):08d}"
    say = messenger_text if platform == "messenger" else whatsapp_text
    if after_search:
        assert post_signed(client, say(customer, "عايز تيشيرت اسود"), TEST_SECRET).status_code == 200
        settled(services)
    before = {row["event_id"] for row in services.pipeline.outbox.conversation(platform, customer)}
    assert post_signed(client, say(customer, text), TEST_SECRET).status_code == 200
    settled(services)
    answered = [row for row in services.pipeline.outbox.conversation(platform, customer)
                if row["event_id"] not in before]
    assert answered, f"no answer to {text!r}"
    assert len({row["event_id"] for row in answered}) == 1
