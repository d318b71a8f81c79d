"""Redis claims are atomic: a worker killed at any step leaves nothing recover() cannot see.

The customer's lock and the claim record recover() reads are written by one script, and settling
an event hands the customer back in the same script, so a kill never strands a customer for the
lease. Kills are simulated deterministically (the worker's process stops right after its n-th
Redis command), and for real: a child process is killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from bot import create_app
from bot.config import Settings
from bot.storage.inbox import DONE, HOST, worker_name
from bot.storage.redis_inbox import RedisInbox
from tests.conftest import TEST_SECRET
from tests.factories import Clock, messenger_text, post_signed
from tests.test_inbox import text

ROOT = Path(__file__).resolve().parent.parent
LEASE_S = 60


class Killed(BaseException):
    """The worker's process stops here: nothing after this point runs."""




def dead_owner(thread: str = "worker") -> str:
    """A claim owner on this host whose process has exited."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return f"{HOST}:{done.stdout.strip()}:{thread}"


@pytest.fixture
def open_inbox(redis_url):
    """Opens inboxes sharing one fresh prefix, each with its own connection (as separate processes)."""
    prefix, clock = f"t{uuid.uuid4().hex[:12]}:", Clock()
    return lambda: RedisInbox(redis.Redis.from_url(redis_url, decode_responses=True), prefix=prefix,
                              clock=clock, lease_s=LEASE_S, max_attempts=3)


def stop_after(inbox: RedisInbox, commands: int) -> list[str]:
    """Make ``inbox``'s process stop after its first ``commands`` Redis commands; returns their names."""
    ran: list[str] = []
    execute = inbox.r.execute_command

    def execute_then_maybe_die(*args, **options):
        if len(ran) == commands:
            raise Killed(f"killed after {ran}")
        result = execute(*args, **options)
        ran.append(str(args[0]))
        return result

    inbox.r.execute_command = execute_then_maybe_die
    return ran


def round_trips(ran: list[str]) -> list[str]:
    """The commands that did the work (a script is loaded the first time the server sees it)."""
    return [command for command in ran if command != "SCRIPT LOAD"]


def handle_one(inbox: RedisInbox, owner: str) -> str | None:
    """What a worker does with the inbox: claim, then settle; the message id it completed."""
    claimed = inbox.claim(owner)
    if claimed is None:
        return None
    return claimed.event.message_id if inbox.complete(claimed.id, owner=claimed.owner) else None


def strays(inbox: RedisInbox) -> list[str]:
    """Locks without a claim record of the same owner: what recover() could never see."""
    found = []
    for lock in sorted(inbox.r.scan_iter(match=inbox.p + "lock:*")):
        customer, owner = lock[len(inbox.p) + len("lock:"):], inbox.r.get(lock)
        claim = inbox.r.hget(inbox.p + "claims", customer) or ""
        if owner is not None and claim.partition(" ")[2] != owner:
            found.append(customer)
    return found


def kill_points(make_inbox: Callable[[], RedisInbox]) -> int:
    """How many Redis commands a worker issues to claim and complete an event (nobody killed)."""
    inbox = make_inbox()
    inbox.accept([text("u1", "m1"), text("u1", "m2")])
    ran = stop_after(inbox, 10_000)
    handle_one(inbox, worker_name("probe"))
    return len(ran)


def test_a_worker_killed_after_any_redis_command_strands_no_customer(redis_url):
    """For every point a worker can die while claiming and completing an event: no lock without
    its claim record, the next recover() (on the clock of the kill: nobody waits for the lease)
    gives the customer back, and each event is completed exactly once, in order."""
    points = kill_points(lambda: RedisInbox(redis.Redis.from_url(redis_url, decode_responses=True),
                                            prefix=f"t{uuid.uuid4().hex[:12]}:", lease_s=LEASE_S))
    assert points >= 3  # read the stream, claim, complete (due retries are announced when the stream is empty)
    victim_owner = dead_owner()
    for commands in range(points + 1):
        prefix, clock = f"t{uuid.uuid4().hex[:12]}:", Clock()
        victim, survivor = (RedisInbox(redis.Redis.from_url(redis_url, decode_responses=True), prefix=prefix,
                                       clock=clock, lease_s=LEASE_S) for _ in range(2))
        victim.accept([text("u1", "m1"), text("u1", "m2")])
        ran = stop_after(victim, commands)
        completed = []
        try:
            completed.append(handle_one(victim, victim_owner))
        except Killed:
            pass
        assert strays(survivor) == [], f"a lock recover() cannot see, after {ran}"
        survivor.recover()
        while (done := handle_one(survivor, worker_name("survivor"))) is not None:
            completed.append(done)
        assert [mid for mid in completed if mid] == ["m1", "m2"], f"killed after {ran}"
        assert survivor.counts() == {"pending": 0, "processing": 0, "done": 2, "dead": 0}
        assert survivor.r.hlen(prefix + "claims") == 0 and not list(survivor.r.scan_iter(match=prefix + "lock:*"))
        assert clock.now == 1_700_000_000.0


def test_a_lock_taken_apart_from_its_claim_strands_the_customer(open_inbox):
    """Why the claim is one script: the old claim's first step alone (SET NX on the customer's
    lock by a worker that then died) is a lock recover() cannot see: the customer waits for the
    whole lease. The new claim never leaves that state (see the test above)."""
    inbox = open_inbox()
    inbox.accept([text("u1", "m1")])
    owner = dead_owner()
    assert inbox._entries(owner)  # the dead worker had read the announcement
    assert inbox.r.set(inbox.p + "lock:messenger:u1", owner, nx=True, px=LEASE_S * 1000)  # ... and locked
    assert strays(inbox) == ["messenger:u1"]
    inbox.recover()
    assert inbox.claim(worker_name("b")) is None  # stranded until the lock expires
    assert inbox.r.pttl(inbox.p + "lock:messenger:u1") > (LEASE_S - 5) * 1000


def test_a_worker_killed_right_after_its_claim_is_recovered_at_once(open_inbox, monkeypatch):
    inbox, survivor = open_inbox(), open_inbox()
    inbox.accept([text("u1", "m1"), text("u1", "m2")])
    claim_head = inbox._claim_head

    def claim_then_die(**kwargs):
        claim_head(**kwargs)
        raise Killed("right after the claim script")

    monkeypatch.setattr(inbox, "_claim_head", claim_then_die)
    with pytest.raises(Killed):
        inbox.claim(dead_owner())
    assert inbox.r.pttl(inbox.p + "lock:messenger:u1") > (LEASE_S - 5) * 1000  # it would wait this long
    assert survivor.recover() == 1
    again = survivor.claim(worker_name("b"))
    assert (again.event.message_id, again.attempt) == ("m1", 2)
    assert survivor.recover() == 0  # a live claim is left alone


def test_recover_takes_back_a_claim_of_another_host_only_when_its_lease_runs_out(open_inbox):
    inbox = open_inbox()
    inbox.accept([text("u1", "m1")])
    claimed = inbox.claim("otherhost:1:worker")  # its process cannot be checked from here
    assert inbox.recover() == 0
    inbox.clock.now += LEASE_S - 1
    assert inbox.extend(claimed)  # renewed: the lease counts from now
    inbox.clock.now += LEASE_S - 1
    assert inbox.recover() == 0
    inbox.clock.now += 2
    assert inbox.recover() == 1
    assert inbox.claim(worker_name("b")).attempt == 2
    assert not inbox.extend(claimed)  # taken over: its old holder cannot renew


@pytest.mark.parametrize("attempts_before", [0, 1], ids=["retried", "last-attempt"])
def test_a_worker_whose_lease_ran_out_cannot_fail_the_event_another_worker_now_holds(open_inbox, attempts_before):
    """The holder is checked by the script that settles the event, not only just before it."""
    slow, other = open_inbox(), open_inbox()  # two hosts
    slow.accept([text("u1", "m1")])
    for _ in range(attempts_before):  # earlier attempts that failed
        slow.fail(slow.claim("hostb:1:w1").id, "boom", retry_in=0, owner="hostb:1:w1")
    claimed = slow.claim("hostb:1:w1")
    slow.clock.now += LEASE_S + 1  # the slow worker's lease runs out
    taken: list = []
    holds = slow._holds

    def holds_then_taken_over(event_id, owner):
        still = holds(event_id, owner)  # at this instant the slow worker still holds it ...
        assert other.recover() == 1  # ... then another host takes it back and claims it
        taken.append(other.claim("hostb:2:w2"))
        return still

    slow._holds = holds_then_taken_over
    assert slow.fail(claimed.id, "boom", owner=claimed.owner) == "processing"
    assert taken[0].id == claimed.id
    assert other.complete(taken[0].id, owner=taken[0].owner)  # the new holder settles it
    assert other.state_of(text("u1", "m1").dedupe_key) == DONE
    assert other.counts()["dead"] == 0 and other.r.llen(other.p + "q:messenger:u1") == 0
    assert other.r.hlen(other.p + "claims") == 0 and other.r.zcard(other.p + "delayed") == 0


def test_extend_renews_the_lock_and_never_touches_a_new_holders(open_inbox):
    inbox = open_inbox()
    inbox.accept([text("u1", "m1")])
    lock = inbox.p + "lock:messenger:u1"
    owner = dead_owner()
    claimed = inbox.claim(owner)
    inbox.r.pexpire(lock, 1000)
    assert inbox.extend(claimed)
    assert inbox.r.pttl(lock) > (LEASE_S - 5) * 1000
    assert inbox.recover() == 1  # its process is gone
    taken = inbox.claim(worker_name("b"))
    assert not inbox.extend(claimed)
    assert inbox.r.get(lock) == taken.owner
    assert not inbox.complete(claimed.id, owner=claimed.owner)  # too late: the new holder settles it
    assert inbox.complete(taken.id, owner=taken.owner)
    assert inbox.state_of(text("u1", "m1").dedupe_key) == DONE


def test_completing_hands_the_customer_back_in_the_same_step(open_inbox):
    """No moment exists when the event is done but its customer still locked or unannounced."""
    inbox = open_inbox()
    inbox.accept([text("u1", "m1"), text("u1", "m2")])
    claimed = inbox.claim(worker_name("a"))
    ran = stop_after(inbox, 10_000)
    assert inbox.complete(claimed.id, owner=claimed.owner)
    assert round_trips(ran) == ["EVALSHA"]
    assert inbox.r.get(inbox.p + "lock:messenger:u1") is None and inbox.r.hlen(inbox.p + "claims") == 0
    assert inbox.claim(worker_name("b")).event.message_id == "m2"


def test_a_dead_letter_is_put_back_in_one_step(open_inbox):
    inbox = open_inbox()
    inbox.accept([text("u1", "m1")])
    for _ in range(inbox.max_attempts):
        claimed = inbox.claim(worker_name("a"))
        state = inbox.fail(claimed.id, "boom", owner=claimed.owner)
        inbox.clock.now += 3600
    assert state == "dead" and inbox.counts()["dead"] == 1
    ran = stop_after(inbox, 10_000)
    assert inbox.retry_dead(claimed.id)
    assert round_trips(ran) == ["EVALSHA"]
    assert not inbox.retry_dead(claimed.id)  # not dead any more
    again = inbox.claim(worker_name("b"))
    assert (again.id, again.attempt) == (claimed.id, 1)


def test_a_dead_processes_stream_consumer_is_forgotten_and_its_entries_announced_again(open_inbox):
    inbox = open_inbox()
    inbox.accept([text("u1", "m1")])
    owner = dead_owner()
    assert inbox._entries(owner)  # read, then the process died before claiming
    assert [c["name"] for c in inbox.r.xinfo_consumers(inbox.p + "stream", "workers")] == [owner]
    assert inbox.claim(worker_name("b")) is None  # its entry waits in the dead consumer's hands
    assert inbox.recover() == 1
    assert owner not in [c["name"] for c in inbox.r.xinfo_consumers(inbox.p + "stream", "workers")]
    assert inbox.claim(worker_name("b")).attempt == 1


# -- real processes, killed with SIGKILL ------------------------------------------------------------

CHILD = """
import signal, sys
import redis
from bot.storage.inbox import worker_name
from bot.storage.redis_inbox import RedisInbox
inbox = RedisInbox(redis.Redis.from_url(sys.argv[1], decode_responses=True), prefix=sys.argv[2], lease_s=60)
if sys.argv[3] == "claim":
    print(inbox.claim(worker_name("child")).id, flush=True)
else:
    print(inbox._entries(worker_name("child"))[0][0], flush=True)
signal.pause()  # hold the claim until the parent kills this process
"""


def run_and_kill(redis_url: str, prefix: str, step: str) -> str:
    """Start a worker process, let it do ``step``, kill it with SIGKILL; what it printed."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, redis_url, prefix, step], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        said = child.stdout.readline().strip()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return said


@pytest.mark.parametrize("step", ["claim", "read"])
def test_a_worker_process_killed_with_sigkill_gives_its_event_back_at_once(redis_url, step):
    prefix = f"t{uuid.uuid4().hex[:12]}:"
    inbox = RedisInbox(redis.Redis.from_url(redis_url, decode_responses=True), prefix=prefix, lease_s=60)
    inbox.accept([text("u1", "m1")])
    assert run_and_kill(redis_url, prefix, step)
    assert inbox.claim(worker_name("parent")) is None  # before recovering: held by the dead process
    assert inbox.recover() == 1
    claimed = inbox.claim(worker_name("parent"))
    assert claimed.event.message_id == "m1"
    assert claimed.attempt == (2 if step == "claim" else 1)
    assert inbox.complete(claimed.id, owner=claimed.owner)
    assert inbox.claim(worker_name("parent")) is None
    assert inbox.counts() == {"pending": 0, "processing": 0, "done": 1, "dead": 0}


# -- the whole app: the customer is answered exactly once ----------------------------------------


@pytest.fixture
def hosts(tmp_path, redis_url):
    """Two hosts sharing one Redis; every reply either sends is recorded."""
    prefix = f"t{uuid.uuid4().hex[:12]}:"
    apps, sent = [], []
    for name in ("a", "b"):
        settings = Settings.from_env({}).with_overrides(
            meta_app_secret=TEST_SECRET, admin_token="admin", admin_token_generated=False,
            database_path=str(tmp_path / f"{name}.sqlite3"), redis_url=redis_url, redis_prefix=prefix,
        )
        app = create_app({field: getattr(settings, field) for field in settings.__dataclass_fields__},
                         start_workers=False)
        sender = app.extensions["dukkan"].sender
        send = sender.send
        sender.send = lambda out, send=send: sent.append(out) or send(out)
        apps.append(app)
    yield [app.extensions["dukkan"] for app in apps], apps[0].test_client(), sent
    for app in apps:
        app.extensions["dukkan"].workers.stop()


def replies_to(sent: list, psid: str) -> list[str]:
    """The messages ``psid`` was sent (not typing dots), its id written out to compare two customers."""
    return [json.dumps(out.body, sort_keys=True).replace(psid, "PSID")
            for out in sent if out.recipient_id == psid and out.kind == "message"]


@pytest.mark.parametrize("dies", ["after_claiming", "after_staging", "after_finishing"])
def test_a_worker_killed_mid_event_gets_the_customer_answered_exactly_once(hosts, monkeypatch, dies):
    """Killed once the claim is taken, once the turn is staged (before its first send), or once the
    turn's finish is written (before the worker hears back): every reply reaches the customer once."""
    (a, b), client, sent = hosts
    assert post_signed(client, messenger_text("psid-control", "عايز تيشيرت"), TEST_SECRET).status_code == 200
    assert a.workers.drain() == 1
    control = replies_to(sent, "psid-control")
    assert control

    assert post_signed(client, messenger_text("psid-killed", "عايز تيشيرت"), TEST_SECRET).status_code == 200
    target, name = {"after_claiming": (a.inbox, "_claim_head"), "after_staging": (a.sender, "send"),
                    "after_finishing": (a.inbox, "_finish_claim")}[dies]
    run = getattr(target, name)

    def die(*args, **kwargs):
        if dies == "after_staging" and args[0].kind != "message":
            return run(*args, **kwargs)  # the typing dots go; the reply does not
        if dies != "after_staging":
            answer = run(*args, **kwargs)
            if kwargs.get("client") is not None:  # queued on the turn's MULTI: the process dies after it ran
                kwargs["client"].execute()
            del answer
        raise Killed(dies)

    with monkeypatch.context() as patch:
        patch.setattr(target, name, die)
        patch.setattr("bot.workers.worker_name", lambda name: dead_owner(name))
        with pytest.raises(Killed):
            a.workers.run_once()
    assert b.inbox.recover() == (0 if dies == "after_finishing" else 1)  # at once: no lease waited for
    assert b.workers.drain() == (0 if dies == "after_finishing" else 1)
    assert a.workers.drain() == 0 and b.workers.drain() == 0
    assert replies_to(sent, "psid-killed") == control
    assert b.inbox.counts() == {"pending": 0, "processing": 0, "done": 2, "dead": 0}
