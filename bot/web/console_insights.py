"""The console's insights and the staff's live news (``/admin/api/insights/*``, ``/admin/api/staff/*``).

- ``GET /admin/api/insights/funnel?days=7|30``: customers, searches, product views, carts,
  orders, revenue and hand-offs of the period (:mod:`bot.storage.insights`).
- ``GET /admin/api/insights/misses?days=7|30``: what the bot did not understand, searches that
  found nothing and hand-offs with their reason, grouped by similar wording (:mod:`bot.wording`).
- ``GET /admin/api/insights/conversation?ref=...``: the conversation of one of them.
- ``GET /admin/api/staff/events?after=<id>``: the staff's news after an id (the newest without one).
- ``GET /admin/api/staff/stream``: the same news as Server-Sent Events, read from the storage
  every second, so whichever process serves the console sees what any process's workers wrote.

Phone numbers never appear in these answers: customers are shown as ``whatsapp:…4567``, and
every text (the customers' words, the bot's replies) goes through the logs' masking
(:func:`bot.notes.masked`). The routes live on the console's blueprint (:func:`attach`), behind
its login.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from bot.logs import mask_recipient
from bot.notes import HANDOFF, HANDOFF_REASONS, NO_RESULTS, NOT_UNDERSTOOD, masked
from bot.storage.insights import WINDOWS, who
from bot.wording import THRESHOLD, group

STREAM_S = 120.0          # one stream's life; the browser reconnects with Last-Event-ID
POLL_S = 1.0              # how often a stream reads the storage for news
BEAT_S = 15.0             # a comment line this often keeps proxies from closing an idle stream
RETRY_MS = 2000           # the browser's wait before it reconnects
TRANSCRIPT_LINES = 60     # the most lines of a conversation shown


def attach(bp: Blueprint) -> None:
    """Put the insight and staff-news routes on the console's blueprint (behind its login)."""
    bp.add_url_rule("/admin/api/insights/funnel", "insights_funnel", funnel)
    bp.add_url_rule("/admin/api/insights/misses", "insights_misses", misses)
    bp.add_url_rule("/admin/api/insights/conversation", "insights_conversation", conversation)
    bp.add_url_rule("/admin/api/staff/events", "staff_events", staff_events)
    bp.add_url_rule("/admin/api/staff/stream", "staff_stream", staff_stream)


def _services() -> Any:
    return current_app.extensions["dukkan"]


def _refuse(message: str, status: int = 400) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def _days() -> int | None:
    value = request.args.get("days", "7")
    return int(value) if value.isdigit() and int(value) in WINDOWS else None


def customer_label(platform: str, customer_id: str) -> str:
    """``whatsapp:…4567``: tells customers apart, never a whole phone number or PSID."""
    return f"{platform}:{mask_recipient(customer_id)}"


# ---- insights ---------------------------------------------------------------------------------


def funnel() -> Response:
    days = _days()
    if days is None:
        return _refuse(f"days must be one of {', '.join(map(str, WINDOWS))}")
    return jsonify(_services().insights.funnel(days))


def misses() -> Response:
    """The three lists of the "not understood" view, each grouped by wording, biggest first."""
    days = _days()
    if days is None:
        return _refuse(f"days must be one of {', '.join(map(str, WINDOWS))}")
    rows = [_shown(row) for row in _services().insights.misses(days)]
    handoffs = []
    for reason in sorted({row["reason"] for row in rows if row["kind"] == HANDOFF}):
        of_reason = [row for row in rows if row["kind"] == HANDOFF and row["reason"] == reason]
        handoffs.append({"reason": reason, "label": HANDOFF_REASONS.get(reason, reason), "count": len(of_reason),
                         "groups": group(of_reason)})
    handoffs.sort(key=lambda item: (-item["count"], item["reason"]))
    return jsonify(
        days=days, threshold=THRESHOLD,
        not_understood=group(row for row in rows if row["kind"] == NOT_UNDERSTOOD),
        no_results=group(row for row in rows if row["kind"] == NO_RESULTS),
        handoffs=handoffs,
    )


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A miss as the console may show it: its reference, masked text and customer, no id."""
    return {"ref": row["ref"], "kind": row["kind"], "text": masked(row["text"]), "reason": row["reason"],
            "created_at": row["created_at"], "platform": row["platform"],
            "customer": customer_label(row["platform"], row["customer_id"]),
            "who": who(row["platform"], row["customer_id"])}   # tells customers apart, keyed: no id in it


def conversation() -> Response:
    """What the customer of one miss wrote and was answered, masked, oldest first."""
    services = _services()
    found = services.insights.miss(request.args.get("ref", ""))
    if found is None:
        return _refuse("no such entry (it may be older than the days kept)", 404)
    platform, customer_id = found["platform"], found["customer_id"]
    lines = [{"from": "customer", "text": masked(_inbound_text(row)), "at": row["created_at"]}
             for row in services.inbox.inbound(f"{platform}:{customer_id}", 0, limit=1000)]
    lines += [{"from": "bot", "text": masked(visible_text(row["body"])), "at": row["created_at"]}
              for row in services.pipeline.outbox.conversation(platform, customer_id, limit=1000)
              if row["kind"] == "message"]
    lines.sort(key=lambda line: (line["at"], line["from"] != "customer"))
    lines = lines[-TRANSCRIPT_LINES:]
    asked = [i for i, line in enumerate(lines) if line["from"] == "customer" and line["at"] <= found["created_at"]]
    if asked:
        lines[asked[-1]]["focus"] = True
    return jsonify(ref=found["ref"], kind=found["kind"], customer=customer_label(platform, customer_id),
                   platform=platform, at=found["created_at"], lines=lines)


def _inbound_text(row: dict[str, Any]) -> str:
    if row.get("text"):
        return row["text"]
    kind = row.get("kind") or "message"
    return f"[{(row.get('data') or {}).get('type') or kind}]"


def visible_text(body: dict[str, Any]) -> str:
    """What a person sees of a Send API body (Messenger or WhatsApp): its text, card titles,
    button and list titles in brackets."""
    parts: list[str] = []
    message = body.get("message") or {}
    if message:
        parts.append(message.get("text") or "")
        payload = (message.get("attachment") or {}).get("payload") or {}
        parts.append(payload.get("text") or "")
        parts += [element.get("title", "") for element in payload.get("elements", [])]
        parts += [f"[{q.get('title', '')}]" for q in message.get("quick_replies", []) if q.get("title")]
        if (message.get("attachment") or {}).get("type") == "image":
            parts.append("[picture]")
    kind = body.get("type", "")
    content = (body.get(kind) or {}) if kind else {}
    if kind == "text":
        parts.append(content.get("body", ""))
    elif kind == "image":
        parts.append(content.get("caption") or "[picture]")
    elif kind == "interactive":
        parts.append((content.get("body") or {}).get("text", ""))
        action = content.get("action") or {}
        parts += [f"[{b['reply']['title']}]" for b in action.get("buttons", []) if b.get("reply")]
        parts += [f"[{row.get('title', '')}]"
                  for section in action.get("sections", []) for row in section.get("rows", [])]
    return "\n".join(part for part in parts if part)


# ---- the staff's news -------------------------------------------------------------------------


def staff_events() -> Response:
    """``{"events": [...], "last_id": n}``: after ``after``, or the newest 20 without it."""
    feed = _services().staff_feed
    after = request.args.get("after", "")
    if after and not after.isdigit():
        return _refuse("after must be a non-negative integer")
    events = feed.since(int(after), limit=50) if after else feed.recent(20)
    last = events[-1]["id"] if events else (int(after) if after else 0)
    return jsonify(events=events, last_id=last)


def staff_stream() -> Response:
    """The staff's news as Server-Sent Events (``event: staff``, ``id:`` the event's id), from
    ``Last-Event-ID`` (a reconnect), ``?after=`` or now; the stream ends after :data:`STREAM_S`
    and the browser reconnects where it was."""
    feed = _services().staff_feed
    start = request.headers.get("Last-Event-ID") or request.args.get("after", "")
    if start and not start.isdigit():
        return _refuse("after must be a non-negative integer")
    after = int(start) if start else _newest_id(feed)
    response = Response(stream_with_context(_stream(feed, after)), mimetype="text/event-stream")
    response.headers["X-Accel-Buffering"] = "no"   # a proxy must pass each event on at once
    return response


def _newest_id(feed: Any) -> int:
    newest = feed.recent(1)
    return newest[-1]["id"] if newest else 0


def _stream(feed: Any, after: int) -> Iterator[str]:
    pause = threading.Event()
    yield f"retry: {RETRY_MS}\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < STREAM_S:
        found = feed.since(after, limit=50)
        for event in found:
            after = event["id"]
            yield f"id: {after}\nevent: staff\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
        if found:
            last_sent = time.monotonic()
            continue
        if time.monotonic() - last_sent >= BEAT_S:
            yield ": still here\n\n"
            last_sent = time.monotonic()
        pause.wait(POLL_S)
