"""The preamble timer: nothing for a quick turn, the preamble first for a slow one, sent once."""

from __future__ import annotations

import threading

from bot.channels.preamble import PreambleTimer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_turn_settled_within_the_delay_sends_nothing():
    clock, sent = Clock(), []
    timer = PreambleTimer(0.4, clock=clock)
    pending = timer.arm(lambda: sent.append("typing"))
    clock.now += 0.39
    assert pending.settle() is False
    clock.now += 10.0
    assert pending.settle() is False and sent == []


def test_a_turn_settled_after_the_delay_sends_its_preamble_first_and_once():
    clock, sent = Clock(), []
    timer = PreambleTimer(0.4, clock=clock)
    pending = timer.arm(lambda: sent.append("typing"))
    clock.now += 0.4
    assert pending.settle() is True
    assert pending.settle() is True and sent == ["typing"]


def test_the_timer_thread_sends_a_due_preamble_while_the_turn_still_decides():
    sent, went = [], threading.Event()
    timer = PreambleTimer(0.001)
    pending = timer.arm(lambda: sent.append("typing") or went.set())
    assert went.wait(10.0), "the timer's thread did not send the preamble"
    assert pending.settle() is True and sent == ["typing"]


def test_settling_waits_for_a_preamble_the_thread_is_sending():
    started, finish, sent = threading.Event(), threading.Event(), []

    def slow_send() -> None:
        started.set()
        finish.wait(10.0)
        sent.append("typing")

    timer = PreambleTimer(0.001)
    pending = timer.arm(slow_send)
    assert started.wait(10.0)
    settled = []
    waiter = threading.Thread(target=lambda: settled.append(pending.settle()))
    waiter.start()
    finish.set()
    waiter.join(10.0)
    assert settled == [True] and sent == ["typing"], "the replies would have gone before the preamble"


def test_a_dropped_preamble_is_never_sent():
    clock, sent = Clock(), []
    timer = PreambleTimer(0.4, clock=clock)
    pending = timer.arm(lambda: sent.append("typing"))
    pending.drop()
    clock.now += 60.0
    assert pending.settle() is False and sent == []


def test_a_failing_preamble_does_not_fail_the_turn(caplog):
    clock = Clock()
    timer = PreambleTimer(0.0, clock=clock)

    def broken() -> None:
        raise RuntimeError("storage down")

    assert timer.arm(broken).settle() is True
    assert "preamble not sent" in caplog.text
