"""``python -m bot chat``: the terminal bot through the real inbox, dialog and renderers."""

from __future__ import annotations

import io

from bot.chat import as_text, run_chat


def test_chat_answers_typed_lines_and_numbered_buttons(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_PATH", raising=False)
    typed = io.StringIO("السلام عليكم\n1\n/tap LANG:en\n/quit\nnever read\n")
    out = io.StringIO()
    assert run_chat("messenger", "t-1", stdin=typed, stdout=out, database_path=str(tmp_path / "chat.sqlite3")) == 0
    shown = out.getvalue()
    assert "bot: أهلاً وسهلاً في دولاب" in shown
    assert "[1. الأقسام]" in shown                               # quick replies as numbered [title]
    assert "bot: عندنا الأقسام دي، اختار اللي يعجبك 👇" in shown    # "1" pressed the first one
    assert "bot: Sure, I'll talk to you in English from now on." in shown
    assert (tmp_path / "chat.sqlite3").exists()


def test_chat_on_whatsapp_shows_lists_as_numbered_choices(tmp_path) -> None:
    out = io.StringIO()
    run_chat("whatsapp", "201001234567", stdin=io.StringIO("/tap CAT:men\n"), stdout=out,
             database_path=str(tmp_path / "wa.sqlite3"))
    shown = out.getvalue()
    assert "bot: لقيتلك" in shown and "[1. " in shown and "ج.م" in shown


def test_cards_are_numbered_text_blocks() -> None:
    body = {"message": {"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": [
        {"title": "Hoodie", "subtitle": "450 EGP", "buttons": [
            {"type": "postback", "title": "Details", "payload": "DETAILS:5"},
            {"type": "web_url", "title": "View on site", "url": "https://shop.example/5"}]}]}}}}
    buttons: list[tuple[str, str]] = []
    assert as_text(body, buttons) == ["  1) Hoodie", "     450 EGP", "     [1. Details] [View on site]"]
    assert buttons == [("Details", "DETAILS:5")]


def test_chat_on_instagram_shows_quick_replies_as_numbered_choices(tmp_path) -> None:
    out = io.StringIO()
    assert run_chat("instagram", "ig-terminal", stdin=io.StringIO("السلام عليكم\n1\n"), stdout=out,
                    database_path=str(tmp_path / "ig.sqlite3")) == 0
    shown = out.getvalue()
    assert "Dukkan chat (instagram)" in shown and "[1. " in shown
    assert shown.count("bot: ") >= 2
