"""The console's insight and staff-news API: the funnel, "what the bot did not understand" grouped by
wording, one conversation, the staff's news after an id and as Server-Sent Events.

Conversations go through the real webhook, inbox and dialog on both backends (``Script`` for the
intent matcher). No answer here ever holds a phone number: WhatsApp customers are phone numbers,
and customers write theirs.
"""

from __future__ import annotations

import json
import random

import pytest

from bot.wording import THRESHOLD, alike, group, words_key
from tests.test_conversation_kit import Chat, Script, Understood

AUTH = {"Authorization": "Bearer admin-test-token"}
PHONE_CUSTOMER = "201001234567"
PHONE_SAID = "01119876543"
LINES = {"عايز اكلم حد": Understood("human_handoff"),
         "عايز فستان بنفسجي بعشرة جنيه": Understood("search", {"item": "dress", "color": "purple", "price_max": 10})}


@pytest.fixture
def script(services) -> Script:
    script = Script(LINES)
    services.dialog.deps.understand = script
    return script


def get(client, path: str, **params):
    response = client.get(path, query_string=params, headers=AUTH)
    assert response.status_code == 200, response.data
    return response.get_json()


def talk(client, services, platform: str, customer: str, *lines: str) -> None:
    chat = Chat(client, services, platform, customer)
    for line in lines:
        chat.say(line)


def no_phone_in(answer) -> None:
    text = json.dumps(answer, ensure_ascii=False)
    for digits in (PHONE_CUSTOMER, PHONE_SAID, "1234567", "9876543"):
        assert digits not in text, f"{digits} in {text[:300]}"


def test_the_funnel_of_7_and_30_days(client, services, script) -> None:
    talk(client, services, "whatsapp", PHONE_CUSTOMER, "مرحبا يا جماعة", "عايز فستان بنفسجي بعشرة جنيه")
    talk(client, services, "messenger", "psid-a", "عايز اكلم حد")
    week = get(client, "/admin/api/insights/funnel", days=7)
    steps = {step["key"]: (step["events"], step["customers"]) for step in week["steps"]}
    assert steps == {"customers": (3, 2), "searches": (1, 1), "product_views": (0, 0), "carts": (0, 0),
                     "orders": (0, 0), "handoffs": (1, 1)}
    assert week["revenue"] == 0 and week["days"] == 7
    assert get(client, "/admin/api/insights/funnel", days=30)["days"] == 30
    assert client.get("/admin/api/insights/funnel?days=9", headers=AUTH).status_code == 400
    assert client.get("/admin/api/insights/funnel?days=7").status_code == 401


def test_misses_are_grouped_by_wording_with_counts(client, services, script) -> None:
    talk(client, services, "messenger", "psid-1", "الفرع بتاعكم فين", "بكام")
    talk(client, services, "messenger", "psid-2", "فين الفرع بتاعكم؟")
    talk(client, services, "whatsapp", PHONE_CUSTOMER, "الفرع بتاعكو فين", "بكام الشحن لاسوان",
         f"كلموني على {PHONE_SAID}")
    talk(client, services, "messenger", "psid-3", "عايز فستان بنفسجي بعشرة جنيه", "عايز اكلم حد")
    answer = get(client, "/admin/api/insights/misses", days=7)
    assert answer["threshold"] == THRESHOLD
    branch, *others = answer["not_understood"]
    assert (branch["count"], branch["customers"]) == (3, 3)
    assert words_key(branch["text"]) in {words_key("الفرع بتاعكم فين"), words_key("فين الفرع بتاعكم")}
    assert sorted(g["text"] for g in others) == sorted(["بكام", "بكام الشحن لاسوان", "كلموني على [redacted]"])
    assert all(example["customer"].split(":")[1].startswith("…") for example in branch["examples"])
    [nothing] = answer["no_results"]
    assert nothing["text"] == "عايز فستان بنفسجي بعشرة جنيه"
    [asked] = answer["handoffs"]
    assert (asked["reason"], asked["label"], asked["count"]) == ("asked", "asked for a person", 1)
    assert asked["groups"][0]["text"] == "عايز اكلم حد"
    no_phone_in(answer)


def test_one_click_opens_that_conversation_masked(client, services, script) -> None:
    talk(client, services, "whatsapp", PHONE_CUSTOMER, "مساء الخير", f"رقمي {PHONE_SAID} كلموني")
    [group_] = [g for g in get(client, "/admin/api/insights/misses", days=7)["not_understood"] if "رقمي" in g["text"]]
    ref = group_["examples"][0]["ref"]
    answer = get(client, "/admin/api/insights/conversation", ref=ref)
    assert answer["customer"] == "whatsapp:…4567"
    said = [line for line in answer["lines"] if line["from"] == "customer"]
    assert [line["text"] for line in said] == ["مساء الخير", "رقمي [redacted] كلموني"]
    assert [line.get("focus", False) for line in said] == [False, True]
    assert any(line["from"] == "bot" and line["text"] for line in answer["lines"])
    no_phone_in(answer)
    assert client.get("/admin/api/insights/conversation?ref=2020-01-01:1", headers=AUTH).status_code == 404
    assert client.get("/admin/api/insights/conversation?ref=junk", headers=AUTH).status_code == 404


def test_staff_news_after_an_id(client, services, script) -> None:
    assert get(client, "/admin/api/staff/events") == {"events": [], "last_id": 0}
    talk(client, services, "whatsapp", PHONE_CUSTOMER, "عايز اكلم حد")
    answer = get(client, "/admin/api/staff/events")
    [event] = answer["events"]
    assert (event["event"], event["customer"], answer["last_id"]) == ("handoff.opened", "whatsapp:…4567", event["id"])
    assert get(client, "/admin/api/staff/events", after=event["id"])["events"] == []
    assert client.get("/admin/api/staff/events?after=x", headers=AUTH).status_code == 400
    no_phone_in(answer)


def test_the_stream_sends_news_as_server_sent_events(client, services, script) -> None:
    talk(client, services, "whatsapp", PHONE_CUSTOMER, "عايز اكلم حد")
    response = client.get("/admin/api/staff/stream", query_string={"after": 0}, headers=AUTH, buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry: ")
    event = next(chunks).decode()
    response.close()
    lines = dict(line.split(": ", 1) for line in event.strip().splitlines())
    assert lines["event"] == "staff" and json.loads(lines["data"])["event"] == "handoff.opened"
    assert lines["id"] == str(json.loads(lines["data"])["id"])
    assert PHONE_CUSTOMER not in event


def test_a_reconnect_goes_on_after_the_last_event_id(client, services, script) -> None:
    talk(client, services, "messenger", "psid-1", "عايز اكلم حد")
    talk(client, services, "messenger", "psid-2", "عايز اكلم حد")
    first, second = services.staff_feed.since(0)
    response = client.get("/admin/api/staff/stream", headers=AUTH | {"Last-Event-ID": str(first["id"])},
                          buffered=False)
    chunks = iter(response.response)
    next(chunks)
    assert f"id: {second['id']}\n" in next(chunks).decode()
    response.close()


def test_news_written_by_one_process_is_read_by_another(client, services, script, settings) -> None:
    from bot import create_app

    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    other = create_app(overrides, start_workers=False)       # another gunicorn process: same storage
    try:
        talk(client, services, "whatsapp", PHONE_CUSTOMER, "عايز اكلم حد")
        [event] = get(other.test_client(), "/admin/api/staff/events")["events"]
        assert event["event"] == "handoff.opened"
        response = other.test_client().get("/admin/api/staff/stream", query_string={"after": 0}, headers=AUTH,
                                           buffered=False)
        chunks = iter(response.response)
        next(chunks)
        assert f"id: {event['id']}\n" in next(chunks).decode()
        response.close()
        funnel = get(other.test_client(), "/admin/api/insights/funnel", days=7)
        assert funnel["steps"][-1] == {"key": "handoffs", "label": "Hand-offs", "events": 1, "customers": 1}
    finally:
        other.extensions["dukkan"].workers.stop()


def test_the_stream_needs_a_login(client) -> None:
    assert client.get("/admin/api/staff/stream").status_code == 401


# ---- grouping by wording ------------------------------------------------------------------------


def rows(*texts: str) -> list[dict]:
    return [{"text": text, "who": f"c{n}", "created_at": float(n), "ref": f"2026-05-10:{n}"}
            for n, text in enumerate(texts)]


def test_near_duplicates_group_and_a_short_question_does_not_swallow_longer_ones() -> None:
    found = group(rows("عايز اكلم حد", "عايزه اكلم حد", "عايز أكلم حد", "بكام", "بكام الشحن لاسوان",
                       "عندكم شنط سفر", "عندكو شنط سفر؟"))
    assert [(words_key(g["text"]), g["count"], g["customers"]) for g in found] == [
        ("عايز اكلم حد", 3, 3), ("عندكم شنط سفر", 2, 2), ("بكام", 1, 1), ("بكام الشحن لاسوان", 1, 1)]
    assert [example["ref"] for example in found[0]["examples"]] == ["2026-05-10:2", "2026-05-10:1", "2026-05-10:0"]
    assert alike(words_key("فين الفرع بتاعكم"), words_key("الفرع بتاعكم فين"))
    assert not alike(words_key("بكام"), words_key("بكام الشحن لاسوان"))
    assert not alike(words_key("عايز اكلم حد"), words_key("عايز اشتكي"))


def test_grouping_is_the_same_whatever_the_order_of_the_rows() -> None:
    texts = ["الفرع فين", "فين الفرع", "الفرع فين؟", "شحن اسوان", "الشحن لاسوان", "asdf", "asdfg", "بكام"] * 3
    first = group(rows(*texts))
    shuffled = rows(*texts)
    random.Random(4).shuffle(shuffled)
    assert group(shuffled) == first
    assert group(rows()) == []
