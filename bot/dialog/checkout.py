"""A cash-on-delivery order: name → mobile → governorate → address → summary → confirm.

Every step re-asks kindly when the answer does not fit; "الغي" / "cancel" works at any step. The
order's idempotency key comes from the checkout id, which is carried by the confirm button, so a
confirmation delivered twice (or pressed twice) is one order. The button also carries a digest of
the order its summary showed (``CONFIRM:<checkout id>:<digest>``): when the cart changed since, the
customer gets the new summary to confirm instead of an order they have not seen.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.channels.registry import channel
from bot.dialog import browse, governorates, texts
from bot.dialog import cart as carts
from bot.dialog.payloads import EDITABLE, Command, Confirm, Edit, Governorate, Phone, encode
from bot.dialog.session import Checkout, Context, Step
from bot.dialog.turn import InvalidPayload, Turn
from bot.errors import ProductNotFound
from bot.nlu.lexicon import load_lexicon
from bot.nlu.normalize import normalize, tokenize
from bot.notes import ORDER
from bot.replies import Buttons, Choice, QuickReplies, Reply, Text

if TYPE_CHECKING:
    from bot.nlu.matcher import Understanding

MOBILE = re.compile(r"^01[0125]\d{8}$")
# A mobile inside a sentence ("رقمي 01012345678", "my number is +20 101 234 5678").
MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+\s*|00)?(?:20[\s\-]*)?0?1[0125](?:[\s\-]?\d){8}(?!\d)")
INFO_INTENTS = frozenset({"shipping_info", "payment_info", "returns_policy", "size_help", "store_info"})
MISSES_EXPLAINED = 1          # a wrong answer is explained this many times, then help is offered
CANCEL_WORDS = frozenset({"الغي", "الغا", "الغاء", "لغي", "كانسل", "cancel", "stop", "elghy", "elghi", "2elghy",
                          "el8y", "cancell", "ulgh", "الغيه", "الغيها"})
YES_WORDS = frozenset({"تمام", "اكد", "اكيد", "ايوه", "ايوا", "ايوة", "موافق", "تاكيد", "ماشي", "اه", "خلاص", "تم",
                       "اكدي", "اكدلي", "اكده", "اوك", "اوكي", "حاضر", "confirm", "confirmed", "yes", "yep", "yeah",
                       "yup", "ok", "okay", "okey", "sure", "tamam", "akked", "aywa", "aiwa", "aywah", "mashy", "mashi",
                       "ah", "aah", "khalas", "5alas", "tmam", "tamm", "akid", "akeed",
                       "نعم", "اؤكد", "أؤكد", "موافقه", "موافقة", "اكدت", "naam", "na3am"})  # formal: "نعم، أؤكد الطلب"
# Words that go with a yes without making it less of one: "أكد الطلب كده يا باشا 👍", "yes please".
YES_FILLER = frozenset({"الطلب", "طلبي", "الاوردر", "كده", "كدا", "يا", "باشا", "بيه", "فندم", "يافندم", "حبيبي", "كله",
                        "بس", "على", "طول", "خلاص", "please", "pls", "plz", "the", "order", "it", "go", "ahead", "ya",
                        "basha", "keda", "kda", "el", "talab", "all", "good", "fine", "and", "و"})
# The NLU's one-word negators, and the bare "no" words a customer answers a question with.
NEGATORS = frozenset(f for f in load_lexicon().markers["negators"] if " " not in f)
NO_WORDS = frozenset(tokenize("لا لأ ماش no nope la la2"))
YES_MAX_WORDS = 6
# "عدل العنوان", "غير الرقم", "الاسم غلط" at the summary: the part of the order to change.
EDIT_TARGETS = {
    "address": frozenset({"العنوان", "عنوان", "عنواني", "address", "3nwan", "3onwan", "el3nwan", "3enwan"}),
    "phone": frozenset({"الرقم", "رقم", "رقمي", "الموبايل", "موبايل", "موبايلي", "التليفون", "تليفون", "النمره", "نمره",
                        "phone", "number", "mobile", "raqam", "rakam", "ra2am", "nemra", "mobail"}),
    "name": frozenset({"الاسم", "اسم", "اسمي", "name", "esm", "esmy", "el esm"}),
    "governorate": frozenset({"المحافظه", "محافظه", "المدينه", "مدينه", "governorate", "city", "mo7afza", "m7afza"}),
}
EDIT_MAX_WORDS = 10
# Lead-ins before a name ("الاسم:", "اسمي", "انا", "my name is", "esmy", "ana").
NAME_LEAD = re.compile(r"^\s*(?:(?:ال)?اسمي?(?:\s+(?:هو|بالكامل))?|[اأإ]نا(?:\s+اسمي)?|"
                       r"my\s+(?:full\s+)?name\s*(?:is|'s)?|name|i\s*am|i'm|this\s+is|esm[yi]|ism[yi]|el\s*esm|ana)(?:\s*[:：\-]\s*|\s+)",
                       re.IGNORECASE)
# Words before a mobile in the same message as a name: "محمد علي ورقمي ...", "Mona, my number is ...".
PHONE_LEAD = frozenset(tokenize("و رقمي ورقمي رقم الرقم والرقم موبايلي موبايل والموبايل تليفوني تليفون نمرتي هو ده "
                                "الهاتف هاتف هاتفي وهاتفي الجوال جوال جوالي وجوالي التليفون "
                                "and my number is phone mobile tel raqmy rakamy ra2my w nemrty"))
# The words of an address: "١٢ شارع ...", "عمارة ٧", "الدور التالت", "flat 4".
STREET_WORDS = frozenset(tokenize("شارع ش عماره عمارة برج الدور دور شقه شقة ميدان حاره عطفه طريق بلوك فيلا كمبوند "
                                  "مساكن مجاوره الحي حي منطقه المنطقه تقسيم ممر امام جنب بجوار "
                                  "street st building bldg floor flat apt apartment road rd block villa compound "
                                  "sharia share3 shar3 3emara emara 3mara dor door"))
ADDRESS_MIN_WITH_STREET = 6
INDIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
QUESTION_CONFIDENCE = 0.8
PRODUCT_SLOTS = frozenset({"item", "category", "price_min", "price_max", "product_ref"})
NAME = re.compile(r"^[^\W\d_]+(?:[ .'\-][^\W\d_]+)*$")
ADDRESS_MIN = 10
MAIN_GOVERNORATES = 9
OTHER_GOVERNORATE = "other"       # the store's zone for every governorate it does not name


def start(turn: Turn) -> list[Reply]:
    """Begin a checkout when the cart has something in it (stock checked again at the end); with an
    empty cart, the way to start instead: the sections and a question."""
    session = turn.session
    if not session.cart and session.pending.get("product_id") is not None:
        # "اكمل الطلب" while its size or colour was asked: that question first, the order after
        return carts.add(turn, int(session.pending["product_id"]))
    if not session.cart:      # "عايزة اطلب" with nothing chosen yet: how to start, never an empty checkout
        return [replace(reply, text=turn.t("start.order")) if isinstance(reply, QuickReplies) else reply
                for reply in browse.categories(turn)]
    digest = hashlib.sha256(f"{turn.event.dedupe_key}".encode()).hexdigest()[:12]
    session.checkout = Checkout(id=digest)
    session.context, session.pending = Context.NONE, {}
    return [Text(turn.t("checkout.start"))]


def is_cancel(text: str) -> bool:
    """"الغي", "cancel", "لا خلاص الغي الطلب": a short message with a cancel word and no negation.

    "مش عايز الغي", "don't cancel" are not a cancel; a leading "لا" / "no" answers the question
    asked ("no, cancel it") and does not negate the verb after it.
    """
    words = tokenize(text)
    negated = set(words[1:] if words and words[0] in NO_WORDS else words) & (NEGATORS | NO_WORDS)
    return bool(words) and len(words) <= 5 and bool(set(words) & CANCEL_WORDS) and not negated


def is_yes(text: str) -> bool:
    """"تمام", "أيوه أكد", "ok confirm", "أكد الطلب كده 👍": short, mostly yes words (fillers such as
    "الطلب", "كده", "يا باشا" don't count against it), and no negation anywhere."""
    words = tokenize(text)
    yes = sum(word in YES_WORDS for word in words)
    content = [word for word in words if word not in YES_FILLER or word in YES_WORDS]
    negated = set(words) & (NEGATORS | NO_WORDS)
    return bool(yes) and not negated and len(words) <= YES_MAX_WORDS and 2 * yes >= len(content)


def edit_target(text: str) -> str:
    """The one part of the order a short message at the summary names ("عدل العنوان", "غير الرقم"); ""."""
    words = tokenize(text)
    if not words or len(words) > EDIT_MAX_WORDS:
        return ""
    named = [step for step, names in EDIT_TARGETS.items() if set(words) & names]
    return named[0] if len(named) == 1 else ""


def looks_like_address(text: str) -> bool:
    """Free text with a number and a street word ("عمارة ٧ شارع التحرير", "5 Fouad St")."""
    plain = text.translate(INDIC_DIGITS)
    words = set(tokenize(plain))
    return (len(" ".join(plain.split())) >= ADDRESS_MIN_WITH_STREET and bool(re.search(r"\d", plain))
            and bool(words & STREET_WORDS))


def _open(turn: Turn) -> Checkout:
    """The checkout being filled in: the steps below run only while one is open."""
    checkout = turn.session.checkout
    if checkout is None:      # a bug: the router sends answers here only while a checkout is open
        raise LookupError("no checkout is open")
    return checkout


def cancel(turn: Turn) -> list[Reply]:
    if turn.session.checkout is None:
        return [turn.menu(turn.t("checkout.nothing"))]
    turn.session.checkout = None
    return [turn.menu(turn.t("checkout.cancelled"))]


def answer(turn: Turn) -> list[Reply]:
    """Text typed during a checkout fills the current step (or cancels it)."""
    if is_cancel(turn.text):
        return cancel(turn)
    step = _open(turn).step
    return STEP_ANSWERS[step](turn, turn.text.strip())


def is_question(text: str, understanding: Understanding) -> bool:
    """A message typed at the name step that is clearly not a name: "الشحن بكام", "فيه مقاس XL؟".

    A colour alone is no question ("Rose", "Hana Black" are names the matcher reads as colours).
    """
    if "?" in text or "؟" in text:
        return True
    intent, slots = understanding.intent, set(understanding.slots or {})
    if intent == "search":
        return bool(slots & PRODUCT_SLOTS)
    return intent != "unknown" and understanding.confidence >= QUESTION_CONFIDENCE


def wants_aside(turn: Turn, understanding: Understanding) -> bool:
    """A question asked during a checkout, to answer before asking the step again.

    At the summary only a question about the shop (shipping, payment, returns, sizes) is one: any
    other message there is a yes or a no to the order.
    """
    if is_cancel(turn.text) or not is_question(turn.text, understanding) or fits_step(turn):
        return False
    return _open(turn).step != Step.CONFIRM or understanding.intent in INFO_INTENTS


def fits_step(turn: Turn) -> bool:
    """True when the text is a valid answer to a step whose answers can be told from questions
    (a mobile, a governorate, a yes); a name or an address could be anything."""
    step, text = _open(turn).step, turn.text
    if step == Step.PHONE:
        return bool(find_mobile(text))
    if step == Step.GOVERNORATE:
        return governorates.find(turn, text) is not None
    if step == Step.ADDRESS:
        return looks_like_address(text)      # "عمارة ٧ الدور التالت" is an address, not a product or a position
    return step == Step.CONFIRM and (is_yes(text) or bool(edit_target(text)))


def aside(turn: Turn, answer_text: str) -> list[Reply]:
    """A question answered in one line during a checkout, then the current step asked again."""
    checkout = _open(turn)
    step = checkout.step
    if step == Step.NAME:
        return [Text(f"{answer_text}\n{turn.t('checkout.ask_name_again')}")]
    if step == Step.ADDRESS:
        return [Text(f"{answer_text}\n{turn.t('checkout.ask_address_again')}")]
    if step == Step.PHONE:
        return [_ask_phone(turn, f"{answer_text}\n{turn.t('checkout.ask_phone_again')}")]
    if step == Step.GOVERNORATE:
        return [_ask_governorate(turn, f"{answer_text}\n{turn.t('checkout.ask_governorate_again')}")]
    return [Text(answer_text), *summary(turn, hint="checkout.ask_confirm_again")]


def _missed(turn: Turn, explained: Reply) -> list[Reply]:
    """A wrong answer: explained the first time; after that, the choices and a person instead."""
    checkout = _open(turn)
    checkout.misses += 1
    if checkout.misses <= MISSES_EXPLAINED:
        return [explained]
    if checkout.step == Step.GOVERNORATE:
        return [_ask_governorate(turn, turn.t("checkout.stuck_governorate"))]
    choices = [turn.choice("menu.human", Command.HUMAN), turn.choice("checkout.cancel", Command.CANCEL)]
    offers_own = channel(turn.platform).customer_id_is_phone and checkout.step == "phone"
    own = egyptian_mobile(turn.event.customer_id) if offers_own else ""
    if own:
        choices.insert(0, turn.choice("checkout.own_number", Phone(own), phone=own))
    return [QuickReplies(turn.t("checkout.stuck"), tuple(choices), button_label=turn.t("menu.button"))]


def _name(turn: Turn, text: str) -> list[Reply]:
    before, phone, after = split_mobile(text)
    name = clean_name(before if phone else text, drop_phone_lead=bool(phone))
    if not (2 <= len(name) <= 60) or not NAME.match(name):
        return _missed(turn, Text(turn.t("checkout.bad_name")))
    checkout = _open(turn)
    checkout.name = name
    if phone and not checkout.editing:        # "محمد علي 01012345678 ...": the mobile (and more) too
        checkout.phone = phone
        return _after_phone(turn, after)
    return _advance(turn, Step.PHONE)


def clean_name(text: str, drop_phone_lead: bool = False) -> str:
    """"محمد علي" from "الاسم: محمد علي.", "my name is Mona Hassan!", "اسمي محمد علي ورقمي"."""
    name = " ".join(text.split())
    name = NAME_LEAD.sub("", name + " ", count=1).strip()    # "اسمي" alone leaves no name
    words = name.split()
    while drop_phone_lead and words and (tokenize(words[-1]) or [""])[-1] in PHONE_LEAD | {""}:
        words.pop()
    name = " ".join(words)
    return re.sub(r"^[\W_]+|[\W_]+$", "", name)


def split_mobile(text: str) -> tuple[str, str, str]:
    """The text before the one mobile in ``text``, the mobile, and the text after; ("", "", "") when none."""
    plain = text.translate(INDIC_DIGITS)
    found = [(m, egyptian_mobile(m.group())) for m in MOBILE_IN_TEXT.finditer(plain)]
    found = [(m, phone) for m, phone in found if phone]
    if len({phone for _, phone in found}) != 1:
        return "", "", ""
    match, phone = found[0]
    return text[:match.start()], phone, text[match.end():]


def _after_phone(turn: Turn, rest: str) -> list[Reply]:
    """The mobile is known: the governorate (and the address) the same message gives, else its question."""
    rest = re.sub(r"^[\s,،.\-:؛;]+", "", rest).strip()
    checkout = _open(turn)
    if checkout.editing or not rest or governorates.find(turn, rest) is None:
        return _advance(turn, Step.GOVERNORATE)
    checkout.step = Step.GOVERNORATE
    return _governorate(turn, rest)


def _phone(turn: Turn, text: str) -> list[Reply]:
    phone = find_mobile(text)
    if not phone:
        return _missed(turn, _ask_phone(turn, turn.t("checkout.bad_phone")))
    _open(turn).phone = phone
    _, _, after = split_mobile(text)
    return _after_phone(turn, after)


def find_mobile(text: str) -> str:
    """The Egyptian mobile in ``text``, alone or in a sentence ("رقمي 01012345678"); "" when none."""
    whole = egyptian_mobile(text)
    if whole:
        return whole
    found = [egyptian_mobile(m.group()) for m in MOBILE_IN_TEXT.finditer(normalize(text))]
    found = [phone for phone in found if phone]
    return found[0] if len(set(found)) == 1 else ""


def phone_choice(turn: Turn, value: str) -> list[Reply]:
    """``PHONE:<number>`` (the WhatsApp "use my number" button), validated like typed text."""
    if turn.session.checkout is None or turn.session.checkout.step != Step.PHONE:
        return stale(turn)
    return _phone(turn, value)


def egyptian_mobile(text: str) -> str:
    """"01012345678" from "+20 101 234 5678", "00201012345678", "٠١٠١٢٣٤٥٦٧٨"; "" when it is not one."""
    digits = re.sub(r"[\s\-().]", "", normalize(text))
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0020"):
        digits = "0" + digits[4:]
    elif digits.startswith("20") and len(digits) == 12:
        digits = "0" + digits[2:]
    return digits if MOBILE.match(digits) else ""


def _governorate(turn: Turn, text: str) -> list[Reply]:
    found = governorates.find(turn, text)     # "بني سويف" to a shop without its own fee: the other zone
    if found is None:
        return _missed(turn, _ask_governorate(turn, turn.t("checkout.bad_governorate")))
    asked = governorate_choice(turn, found.key)
    checkout = _open(turn)
    if checkout.step == Step.ADDRESS and looks_like_address(text):   # "اسكندرية ٥ شارع فؤاد": the address too
        return _address(turn, text)
    return asked


def governorate_choice(turn: Turn, key: str) -> list[Reply]:
    """``GOV:<key>``: a governorate the store ships to."""
    checkout = turn.session.checkout
    if checkout is None or checkout.step != Step.GOVERNORATE:
        return stale(turn)
    info = turn.deps.store.info()
    row = next((g for g in info.governorates if g.key == key), None)
    if row is None:
        return [_ask_governorate(turn, turn.t("checkout.bad_governorate"))]
    checkout.governorate, checkout.misses = row.key, 0
    if checkout.editing:
        return _advance(turn, Step.ADDRESS)
    checkout.step = Step.ADDRESS
    fee = info.shipping_fee(row, turn.session.subtotal())
    if not fee:                                # a free line of its own: "is free", never a price slot holding a word
        return [Text(turn.t("checkout.ask_address_free", governorate=_gov_name(turn, row), days=days(turn, row)))]
    return [Text(turn.t("checkout.ask_address", governorate=_gov_name(turn, row), fee=_fee(turn, fee),
                        days=days(turn, row)))]


def _address(turn: Turn, text: str) -> list[Reply]:
    address = " ".join(text.split())
    if not looks_like_address(address) and (len(address) < ADDRESS_MIN or not re.search(r"[^\W\d_]", address)):
        return _missed(turn, Text(turn.t("checkout.bad_address")))
    _open(turn).address = address
    return _advance(turn, Step.CONFIRM)


def _confirm_text(turn: Turn, text: str) -> list[Reply]:
    checkout = _open(turn)
    if is_yes(text):
        return confirm(turn, checkout.id, checkout.shown)
    target = edit_target(text)
    if target:                                # "عدل العنوان", "لا غير الرقم": that step, then the summary
        return edit(turn, Step(target))
    return summary(turn, hint="checkout.confirm_hint")


STEP_ANSWERS: dict[Step, Callable[[Turn, str], list[Reply]]] = {
    Step.NAME: _name, Step.PHONE: _phone, Step.GOVERNORATE: _governorate, Step.ADDRESS: _address,
    Step.CONFIRM: _confirm_text}


def _advance(turn: Turn, step: Step) -> list[Reply]:
    """Go to ``step`` (or back to the summary after an edit) and ask its question."""
    checkout = _open(turn)
    checkout.misses = 0
    if checkout.editing or step == Step.CONFIRM:
        checkout.editing = False
        checkout.step = Step.CONFIRM
        return summary(turn)
    checkout.step = step
    if step == Step.PHONE:
        return [_ask_phone(turn, turn.t("checkout.ask_phone", name=checkout.name.split()[0]))]
    return [_ask_governorate(turn, turn.t("checkout.ask_governorate"))]


def _ask_phone(turn: Turn, text: str) -> Reply:
    """On WhatsApp the customer's own number is one tap away (their wa_id)."""
    own = egyptian_mobile(turn.event.customer_id) if channel(turn.platform).customer_id_is_phone else ""
    if not own:
        return Text(text)
    return QuickReplies(text, (turn.choice("checkout.own_number", Phone(own), phone=own),))


def _ask_governorate(turn: Turn, text: str) -> Reply:
    rows = [g for g in turn.deps.store.info().governorates if g.key != OTHER_GOVERNORATE][:MAIN_GOVERNORATES]
    choices = [Choice(_gov_name(turn, g), encode(Governorate(g.key))) for g in rows]
    choices.append(turn.choice("checkout.other_governorate", Governorate(OTHER_GOVERNORATE)))
    return QuickReplies(text, tuple(choices), button_label=turn.t("checkout.edit.governorate"))


def summary(turn: Turn, hint: str = "") -> list[Reply]:
    """Lines, subtotal, shipping and total, who and where; confirm / edit / cancel (``hint``: a text key above)."""
    session, checkout = turn.session, _open(turn)
    info = turn.deps.store.info()
    row = next((g for g in info.governorates if g.key == checkout.governorate), None)
    subtotal = session.subtotal()
    fee = info.shipping_fee(row, subtotal)
    lines = "\n".join(
        f"- {line.name(turn.lang)}{carts.options(turn, line.size, line.color)}: "
        f"{turn.number(line.quantity)} × {turn.price(line.unit_price)}"
        for line in session.cart
    )
    text = turn.t("checkout.summary" if fee else "checkout.summary_free", lines=lines, subtotal=turn.price(subtotal),
                  governorate=_gov_name(turn, row), shipping=_fee(turn, fee), total=turn.price(subtotal + fee),
                  name=checkout.name, phone=checkout.phone, address=checkout.address)
    if hint:
        text = f"{turn.t(hint)}\n\n{text}"
    checkout.shown = order_digest(turn)
    buttons = (turn.button("checkout.confirm", Confirm(checkout.id, checkout.shown)),
               turn.button("checkout.edit", Edit()), turn.button("checkout.cancel", Command.CANCEL))
    return [Buttons(text, buttons)]


def order_digest(turn: Turn) -> str:
    """A short digest of everything the summary shows: the lines, prices, who and where."""
    checkout = _open(turn)
    shown = [[x.product_id, x.size, x.color, x.quantity, x.unit_price] for x in turn.session.cart]
    shown.append([checkout.name, checkout.phone, checkout.governorate, checkout.address])
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:12]


def edit_menu(turn: Turn) -> list[Reply]:
    """``EDIT``: which part of the order to change."""
    if turn.session.checkout is None:
        return stale(turn)
    choices = tuple(turn.choice(f"checkout.edit.{step}", Edit(step)) for step in EDITABLE)
    return [QuickReplies(turn.t("checkout.edit_prompt"), choices, button_label=turn.t("checkout.edit"))]


def edit(turn: Turn, step: Step) -> list[Reply]:
    """``EDIT:<step>``: ask that step again, then come back to the summary."""
    checkout = turn.session.checkout
    if checkout is None:
        return stale(turn)
    if step not in EDITABLE:
        raise InvalidPayload(step)
    checkout.step, checkout.editing, checkout.misses = step, True, 0
    questions: dict[Step, Callable[[], Reply]] = {
        Step.NAME: lambda: Text(turn.t("checkout.ask_name")),
        Step.PHONE: lambda: _ask_phone(turn, turn.t("checkout.ask_phone", name=checkout.name.split()[0])),
        Step.GOVERNORATE: lambda: _ask_governorate(turn, turn.t("checkout.ask_governorate")),
        Step.ADDRESS: lambda: Text(turn.t("checkout.ask_address_again")),
    }
    return [questions[step]()]


def confirm(turn: Turn, checkout_id: str, digest: str) -> list[Reply]:
    """``CONFIRM:<checkout id>:<digest>``: check stock live, save the order once, thank the customer.

    An order that changed since its summary was shown (an ADD pressed at the confirm step) is not
    placed: the new summary is shown to confirm.
    """
    session, checkout = turn.session, turn.session.checkout
    if checkout is None or checkout.id != checkout_id:
        if session.last_order.get("checkout") == checkout_id:
            return [turn.menu(turn.t("checkout.already", number=session.last_order["number"]))]
        return stale(turn)
    if checkout.step != Step.CONFIRM:
        return answer_step_again(turn)
    if digest != order_digest(turn):
        return summary(turn, hint="checkout.changed")
    problems = _stock_problems(turn)
    if problems:
        session.checkout = None
        return [Text(turn.t("checkout.stock_changed", lines="\n".join(problems)))] + carts.view(turn)
    return _place(turn, checkout)


def answer_step_again(turn: Turn) -> list[Reply]:
    step = _open(turn).step
    if step == Step.NAME:
        return [Text(turn.t("checkout.start"))]
    if step == Step.ADDRESS:
        return [Text(turn.t("checkout.ask_address_again"))]
    return _advance(turn, step)


def _place(turn: Turn, checkout: Checkout) -> list[Reply]:
    session = turn.session
    info = turn.deps.store.info()
    row = next((g for g in info.governorates if g.key == checkout.governorate), None)
    fee = info.shipping_fee(row, session.subtotal())
    items: list[dict[str, Any]] = [
        {"product_id": x.product_id, "name": x.name(turn.lang), "size": x.size, "color": x.color,
         "quantity": x.quantity, "unit_price": x.unit_price} for x in session.cart]
    order = turn.deps.order_book.create(
        idempotency_key=f"{turn.platform}:{turn.event.customer_id}:{checkout.id}", platform=turn.platform,
        customer_id=turn.event.customer_id, name=checkout.name, phone=checkout.phone,
        governorate=checkout.governorate, address=checkout.address, items=items, shipping_fee=fee, lang=turn.lang,
    )
    turn.note(ORDER, ref=order.number, amount=int(order.total),
              detail={"items": sum(int(item.get("quantity", 1)) for item in items), "governorate": order.governorate})
    session.cart, session.checkout = [], None
    session.last_order = {"number": order.number, "checkout": checkout.id}
    session.topic = "order"
    text = turn.t("checkout.confirmed", number=order.number, total=turn.price(order.total),
                  days=days(turn, row), phone=order.phone)
    return [turn.menu(text)]


def _stock_problems(turn: Turn) -> list[str]:
    """Lines the store cannot serve any more; the cart is corrected in place."""
    problems = []
    for line in list(turn.session.cart):
        try:
            stock = turn.deps.store.product(line.product_id, lang=turn.lang).stock_quantity
        except ProductNotFound:
            stock = 0
        name = line.name(turn.lang)
        if stock <= 0:
            turn.session.cart.remove(line)
            problems.append(turn.t("checkout.stock_line_out", name=name))
        elif line.quantity > stock:
            line.quantity = stock
            problems.append(turn.t("checkout.stock_line_short", name=name, count=turn.count(stock, "piece")))
    return problems


def stale(turn: Turn) -> list[Reply]:
    """A checkout button from a checkout that is over: a polite word and the menu."""
    return [turn.menu(turn.t("checkout.nothing"))]


def days(turn: Turn, row: Any) -> str:
    """"٢ لـ ٤ أيام شغل", "يومين شغل", "1 working day": how long delivery takes to ``row``."""
    low, high = (2, 5) if row is None else (row.days_min, row.days_max)
    if low == high:
        return turn.count(high, "working_day")
    return turn.t("days.range", low=turn.number(low), high=turn.number(high),
                  unit=texts.unit(turn.lang, high, "working_day"))


def _fee(turn: Turn, fee: int) -> str:
    return turn.price(fee) if fee else turn.t("checkout.free_shipping")


def _gov_name(turn: Turn, row: Any) -> str:
    if row is None:
        return turn.t("checkout.other_governorate")
    return row.name(turn.lang) if row.key != OTHER_GOVERNORATE else turn.t("checkout.other_governorate")
