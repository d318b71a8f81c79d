"""Rendering through the registry, for every platform: every reply kind, over-long and empty inputs,
checked against each platform's limits as its own documents state them (tests/channels/render_kit.py),
plus property-based checks. The platforms' exact JSON is in test_<platform>_render.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels import render
from bot.replies import Button, Card, Cards, Choice, Outgoing, QuickReplies, Text
from tests.channels.render_kit import (
    AR_PARAGRAPH,
    CHECKS,
    EMOJI,
    EN_LONG,
    EN_NO_SPACES,
    PLATFORMS,
    RECIPIENTS,
    REPLIES,
    texts_of,
)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", sorted(REPLIES))
def test_every_rendered_request_respects_the_platform_limits(platform, name):
    outs = render(platform, REPLIES[name], RECIPIENTS[platform])
    assert isinstance(outs, list)
    for out in outs:
        assert isinstance(out, Outgoing) and out.recipient_id == RECIPIENTS[platform]
        CHECKS[platform](out)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", ["text-empty", "text-blank", "image-empty"])
def test_nothing_is_sent_for_an_empty_reply(platform, name):
    assert render(platform, REPLIES[name], RECIPIENTS[platform]) == []


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("text", [AR_PARAGRAPH, EN_NO_SPACES, EMOJI, (EN_LONG + ". ") * 80])
def test_long_text_is_split_without_losing_anything(platform, text):
    outs = render(platform, Text(text), RECIPIENTS[platform])
    chunks = texts_of(outs)
    assert len(chunks) >= (1 if platform == "whatsapp" else 2)
    assert "".join("".join(chunks).split()) == "".join(text.split())


# ---------------------------------------------------------------------------------------------
# Property-based: any strings give valid requests

WORDS = st.text(alphabet=st.sampled_from("abc قميصأبيض👟 .\n؟!"), max_size=300)


@settings(max_examples=150, deadline=None)
@given(WORDS, st.lists(st.tuples(WORDS, WORDS, WORDS), max_size=16), WORDS)
def test_any_quick_replies_render_valid_requests(text, choices, label):
    reply = QuickReplies(text, tuple(Choice(t, p, d) for t, p, d in choices), button_label=label)
    for platform in PLATFORMS:
        for out in render(platform, reply, RECIPIENTS[platform]):
            CHECKS[platform](out)


@settings(max_examples=100, deadline=None)
@given(WORDS, st.lists(st.tuples(WORDS, WORDS, WORDS, st.booleans()), max_size=13))
def test_any_cards_render_valid_requests(text, specs):
    cards = tuple(
        Card(title, subtitle, image_url="https://i" if image else "", buttons=(Button(title, payload=payload),),
             payload=payload)
        for title, subtitle, payload, image in specs
    )
    for platform in PLATFORMS:
        for out in render(platform, Cards(cards, text=text), RECIPIENTS[platform]):
            CHECKS[platform](out)
        for card in cards[:2]:
            for out in render(platform, card, RECIPIENTS[platform]):
                CHECKS[platform](out)
