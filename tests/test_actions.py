"""The table of actions: who may do what where (the authorization matrix, forged buttons included),
signed button data within Telegram's 64 bytes, the field defects of issue 12, and the audit log
written for staff actions from every surface."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from actions import codec
from actions.model import Place, Role
from actions.permissions import actor_for, allowed, department_in_scope
from actions.table import ACTIONS, action_named
from bot.act import act
from bot.app import build_app
from bot.channels.console import COORDINATOR_CHAT
from core.clock import FakeClock
from core.config import Settings
from core.messages import ChatKind, ChatRef
from storage import audit
from storage.models import AuditEntry, Broadcast, Person, Question, QuestionStatus
from tests.harness import Delivered, Harness, Participant

SHOPEE = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"  # Sở Công Thương's
SCHOOL = "Trường em có được dùng phòng máy tính miễn phí cho học sinh không ạ?"  # Sở GD&ĐT's
PERMISSION_REFUSALS = ("staff_only", "youth_only", "not_here", "not_admin", "not_an_officer",
                       *sorted({action.elsewhere_key for action in ACTIONS if action.elsewhere_key}))

# Plausible typed arguments for each command: HY-0001 is Sở Công Thương's, HY-0002 Sở GD&ĐT's.
TYPED = {
    "reassign": "HY-0001 so-gddt", "reject": "HY-0001 ngoài phạm vi", "transmittal": "so-ct",
    "approve": "HY-0001", "clarify": "HY-0001 Bán hàng trên Shopee có phải nộp thuế?", "decline": "HY-0001 trùng",
    "merge": "HY-0002 HY-0001", "pick": "HY-0001", "unpick": "HY-0001", "move": "HY-0001 1",
    "live": "HY-0001 Có, phải kê khai.", "resend": "1", "send_now": "1", "ban": "HY-0001", "unban": "HY-0001",
    "report": "csv", "publish": "HY-0001", "unpublish": "HY-0001", "audit": "HY-0001", "faq": "thuế",
    "lang": "en", "broadcast_status": "1", "broadcast_pause": "1", "broadcast_resume": "1",
    "broadcast_cancel": "1", "broadcast_edit": "1", "broadcast_delete": "1",
}


@pytest.fixture
def asked(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    """Two questions asked; a review chat of its own; Sở Công Thương lists its one officer."""
    curation = replace(example_settings.curation, review_chat=ChatRef("console", "review"))
    departments = tuple(replace(d, officers=("console:officer-so-ct",)) if d.key == "so-ct" else d
                        for d in example_settings.departments)
    harness = Harness(replace(example_settings, curation=curation, departments=departments), database_url, clock)
    an = harness.registered_youth("an")
    harness.ask(an, SHOPEE)
    harness.ask(harness.registered_youth("binh"), SCHOOL, "Giáo dục")
    yield harness
    harness.dispose()


def fingerprint(harness: Harness) -> tuple[object, ...]:
    """What staff actions change: questions, bans, broadcasts."""
    with harness.app.sessions() as session:
        questions = session.execute(select(
            Question.id, Question.status, Question.department_key, Question.text, Question.event_rank,
            Question.published_at, Question.merged_into_id).order_by(Question.id)).all()
        people = session.execute(select(Person.id, Person.banned_at, Person.language).order_by(Person.id)).all()
        broadcasts = session.execute(select(Broadcast.id, Broadcast.status)).all()
        answers = [len(q.answers) for q in session.scalars(select(Question).order_by(Question.id))]
    return tuple(questions), tuple(people), tuple(broadcasts), tuple(answers)


def refusal_texts(harness: Harness) -> set[str]:
    """Every way of saying "not you" or "not here", in each language (a young person may switch)."""
    texts = harness.app.services.texts
    return {str(texts.render(language, key, department=d.name)) for key in PERMISSION_REFUSALS
            for language in texts.languages for d in harness.settings.departments}


def participants(harness: Harness) -> dict[str, Participant]:
    return {
        "youth": harness.youth("an"),
        "admin": harness.admin(),
        "officer": harness.officer("so-ct"),
        "coordinator": Participant(harness, "staff", COORDINATOR_CHAT, ChatKind.GROUP, "Cán bộ Sở Nội vụ"),
        "reviewer": Participant(harness, "reviewer", "review", ChatKind.GROUP, "Cán bộ Tỉnh đoàn"),
        "visitor": Participant(harness, "visitor", "dept-so-ct", ChatKind.GROUP, "Khách"),  # not a listed officer
        "stranger": Participant(harness, "someone", "group-elsewhere", ChatKind.GROUP, "Ai đó"),
    }


WHO = ["youth", "admin", "officer", "coordinator", "reviewer", "visitor", "stranger"]


def the_actor(harness: Harness, person: Participant):  # noqa: ANN201 - an Actor, as dispatch makes it
    return actor_for(harness.settings, person._incoming(text="/help"))


@pytest.mark.parametrize("who", WHO)
def test_every_command_is_allowed_or_refused_as_the_table_says(asked: Harness, who: str) -> None:
    person = participants(asked)[who]
    actor = the_actor(asked, person)
    refusals = refusal_texts(asked)
    for action in ACTIONS:
        if not action.commands:
            continue
        command = f"/{action.commands['vi'][0]} {TYPED.get(action.name, '')}".strip()
        before = fingerprint(asked)
        replies = person.say(command)
        asked.clock.advance(61)  # past the per-minute message limit
        if actor.place == Place.GROUP:
            assert replies == [] and fingerprint(asked) == before, (who, command)
        elif allowed(action, actor):
            assert replies and all(r.text not in refusals for r in replies), (who, command, replies[-1].text)
        else:
            assert [r.text for r in replies][-1:] and replies[-1].text in refusals, (who, command, replies[-1].text)
            assert fingerprint(asked) == before, (who, command)
        if action.name == "broadcast" and replies and allowed(action, actor):
            person.say("/cancel")  # the draft would take the next command as its text


def test_the_coordinator_and_the_admins_draw_the_same_line(asked: Harness) -> None:
    """Watching and stopping broadcasts, bans and reports are coordination (the coordinator chat and the
    admins alike); writing to every young person is the admins', in their private chat, buttons included."""
    staff = participants(asked)["coordinator"]
    texts = asked.app.services.texts
    assert staff.say("/broadcast list")[-1].text == texts.render("vi", "broadcast_list_empty")
    assert staff.say("/ban HY-0001")[-1].text == texts.render("vi", "ban_done_asker", target="HY-0001")
    assert staff.say("/broadcast")[-1].text == texts.render("vi", "not_admin")
    admin = asked.admin()
    draft = admin.say("/broadcast")
    assert draft and admin.say("Thông báo thử")[-1].buttons  # the audience's buttons, for the admin only
    audience = admin.last()
    assert staff.press(audience, "Tiếp tục")[-1].text == texts.render("vi", "not_admin")


# --- buttons -----------------------------------------------------------------------------------

def card_of(harness: Harness, department: str, code: str) -> Delivered:
    return next(m for m in harness.messages_to(f"dept-{department}") if code in m.text and m.message.choices)


def test_forged_buttons_are_refused_and_change_nothing(asked: Harness) -> None:
    texts = asked.app.services.texts
    officer, other = asked.officer("so-ct"), asked.officer("so-gddt")
    card = card_of(asked, "so-ct", "HY-0001")
    before = fingerprint(asked)
    # another department's card: its buttons name a question that is not theirs
    other.press(card, texts.plain("vi", "reject_button"))
    assert other.last().text == texts.render("vi", "wrong_department", code="HY-0001", department="Sở Công Thương")
    # data the codec did not make: an old-style button, a changed argument, noise
    good = card.message.choices[1].data
    with asked.app.sessions() as session:
        _code, args = codec.decode(session, good) or ("", ("",))
    tampered = good.replace(f":{args[0]}.", ":2.", 1)
    assert tampered != good
    for data in (f"reject:{args[0]}", tampered, "x" * 64):
        replies = asked.deliver(officer._incoming(button_data=data))
        assert replies[-1].text == texts.render("vi", "button_stale"), data
    # a young person pressing a staff button, a staff member pressing someone's draft button
    an = asked.youth("an")
    an.press(card, texts.plain("vi", "reject_button"))
    assert an.last().text == texts.render("vi", "staff_only")
    assert fingerprint(asked) == before


@pytest.mark.parametrize("who", WHO)
def test_every_button_is_allowed_or_refused_as_the_table_says(asked: Harness, who: str) -> None:
    person = participants(asked)[who]
    actor = the_actor(asked, person)
    refusals = refusal_texts(asked)
    with asked.app.sessions() as session:
        ids = [q.id for q in session.scalars(select(Question).order_by(Question.id))]
        key = codec.key_of(session)
    for action in (a for a in ACTIONS if a.code):
        data = codec.encode_with(key, action.code, *[str(ids[0])] * len(action.arguments))
        before = fingerprint(asked)
        replies = asked.deliver(replace(person._incoming(), button_data=data))
        asked.clock.advance(61)
        if actor.place == Place.GROUP:
            assert replies == [], (who, action.name)
        elif allowed(action, actor):
            assert all(r.text not in refusals for r in replies), (who, action.name, replies[-1].text)
        else:
            assert replies and replies[-1].text in refusals, (who, action.name)
            assert fingerprint(asked) == before, (who, action.name)


def test_button_data_fits_telegram_and_the_key_holds_across_processes(example_settings: Settings,
                                                                      database_url: str, clock: FakeClock) -> None:
    settings = replace(example_settings, database_url=database_url)
    first, second = build_app(settings, clock), build_app(settings, clock)
    longest = {
        "category": ("9999999999", max((c.key for c in settings.categories), key=len)),
        "reassign": ("9999999999", max((d.key for d in settings.departments), key=len)),
        "broadcast_district": ("9999999999", max((d.key for d in settings.districts), key=len)),
        "merge": ("9999999999", "9999999999"), "support": ("9999999999", "9999999999"),
        "consent": ("yes", max(settings.languages, key=len)), "useful": ("9999999999", "yes"),
    }
    made = {}
    with first.sessions() as one:
        for name, args in longest.items():
            action = action_named(name)
            assert action is not None and action.code
            made[action.code, args] = codec.encode(one, action.code, *args)
    with second.sessions() as other:
        for (code, args), data in made.items():
            assert len(data.encode()) <= codec.LIMIT, data
            assert codec.decode(other, data) == (code, args)  # another process, the same key
            assert codec.decode(other, data[:-1] + ("A" if data[-1] != "A" else "B")) is None
    with pytest.raises(codec.DataTooLong):
        codec.encode_with(b"k", "cg", "9" * 60)
    first.engine.dispose()
    second.engine.dispose()


# --- the field defects of issue 12 ----------------------------------------------------------------

def test_admins_get_their_own_help_and_are_not_asked_for_consent(asked: Harness) -> None:
    texts = asked.app.services.texts
    admin = asked.admin()
    welcome = texts.render("vi", "welcome", campaign=asked.settings.campaign.name)
    shown = admin.say("/help")[-1].text
    assert shown.startswith(texts.render("vi", "help_header_admin")) and "/approve" in shown
    assert welcome not in admin.say("/faq thuế")[-1].text
    assert admin.say("/lang en")[-1].text == texts.render("vi", "youth_only")


def test_help_answers_in_a_department_group(asked: Harness) -> None:
    shown = asked.officer("so-ct").say("/help")[-1].text
    texts = asked.app.services.texts
    assert shown.startswith(texts.render("vi", "help_header_officer")) and "/pending" in shown
    assert "/approve" not in shown


def test_an_unknown_department_is_named_with_the_valid_keys(asked: Harness) -> None:
    officer = asked.officer("so-ct")
    reply = officer.say("/reassign HY-0001 so-xyz")[-1].text
    keys = ", ".join(d.key for d in asked.settings.departments)
    assert reply == asked.app.services.texts.render("vi", "department_unknown", department="so-xyz", keys=keys)
    assert officer.say("/reassign HY-0001 SO-GDDT") and fingerprint(asked)[0][0][2] == "so-gddt"


def test_lang_with_an_argument_sets_it(asked: Harness) -> None:
    an = asked.youth("an")
    assert an.say("/lang en")[-1].text == asked.app.services.texts.render("en", "language_set")
    with asked.app.sessions() as session:
        assert session.scalars(select(Person.language).order_by(Person.id)).first() == "en"


# --- the audit log ---------------------------------------------------------------------------------

def entries(harness: Harness) -> list[AuditEntry]:
    with harness.app.sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_staff_actions_are_audited_from_every_surface(reviewing: Harness) -> None:
    harness = reviewing
    an = harness.registered_youth("an")
    harness.ask(an, SHOPEE)
    harness.ask(harness.registered_youth("binh"), SCHOOL, "Giáo dục")
    card = harness.messages_to(COORDINATOR_CHAT)[-2]
    staff = participants(harness)["coordinator"]
    staff.press(card, harness.app.services.texts.plain("vi", "approve_button"))      # a button
    harness.admin().say("/approve HY-0002")                                            # a command
    outcome, shown = act(harness.app, "reject", ["HY-0002", "ngoài", "phạm", "vi"], "admin", user="ops")  # the CLI
    assert outcome.ok and "HY-0002" in shown
    officer_card = card_of(harness, "so-ct", "HY-0001")
    harness.officer("so-ct").reply(officer_card, "Có, em cần kê khai thuế.")          # a reply
    done = [(e.action, e.surface, e.role, e.status) for e in entries(harness) if e.status == "done"]
    assert done == [("approve", "button", "coordinator", "done"), ("approve", "command", "admin", "done"),
                    ("reject", "cli", "admin", "done"), ("answer", "reply", "officer", "done")]
    with harness.app.sessions() as session:
        first = session.scalars(select(Question).where(Question.code == "HY-0001")).one()
        assert [e.action for e in audit.history(session, first.id)] == ["approve", "answer"]
        assert first.status == QuestionStatus.ANSWERED
    listing = harness.admin().say("/audit HY-0001")[-1].text
    assert "HY-0001" in listing and "console:an" not in listing and "user-an" not in listing
    assert "ops (CLI)" in harness.admin().say("/audit")[-1].text


def test_refused_attempts_are_audited_and_young_people_never(asked: Harness) -> None:
    asked.officer("so-gddt").say("/reject HY-0001 không phải của sở")
    asked.youth("an").say("/my")
    recorded = entries(asked)
    assert [(e.action, e.status, e.role) for e in recorded] == [("reject", "refused", "officer")]
    assert all(not e.who.endswith(":an") for e in recorded)


def test_roles_by_chat(asked: Harness) -> None:
    people = participants(asked)
    actors = {name: the_actor(asked, person) for name, person in people.items()}
    assert {name: (set(a.roles), a.place) for name, a in actors.items()} == {
        "youth": ({Role.YOUTH}, Place.PRIVATE), "admin": ({Role.ADMIN}, Place.PRIVATE),
        "officer": ({Role.OFFICER}, Place.DEPARTMENT), "coordinator": ({Role.COORDINATOR}, Place.COORDINATOR),
        "reviewer": ({Role.COORDINATOR}, Place.REVIEW), "visitor": (set(), Place.DEPARTMENT),
        "stranger": (set(), Place.GROUP)}


def test_whose_transmittal_is_decided_with_the_permissions(asked: Harness) -> None:
    """Officers get their own department's, whatever they name; coordinators and admins name one."""
    settings, people = asked.settings, participants(asked)
    so_nv = settings.department("so-nv")
    scope = {name: (department_in_scope(settings, the_actor(asked, people[name]), so_nv),
                    department_in_scope(settings, the_actor(asked, people[name]), None))
             for name in ("officer", "coordinator", "admin")}
    so_ct, own = settings.department("so-ct"), the_actor(asked, people["coordinator"]).department
    assert scope == {"officer": (so_ct, so_ct), "coordinator": (so_nv, settings.department(own or "")),
                     "admin": (so_nv, None)}
    (reply,) = people["officer"].say("/transmittal so-nv")
    (document,) = reply.message.attachments
    assert document.path.endswith("-phieu-chuyen-so-ct.docx")


def test_every_key_the_table_names_is_in_the_catalogue(harness: Harness) -> None:
    texts = harness.app.services.texts
    for language in texts.languages:
        keys = texts.keys(language)
        for action in ACTIONS:
            named = {action.usage_key, action.elsewhere_key, *(a.error_key for a in action.arguments)} - {""}
            if action.commands:
                named.add(action.description_key)
            if action.audited and action.roles - {Role.YOUTH}:
                named.add(f"action_{action.name}")  # its name in the audit log
            assert named <= keys, (language, action.name, named - keys)


def test_no_argument_is_shadowed_by_what_the_chat_surface_gives() -> None:
    """The chat gives every action `source` and `language` (handlers/dispatch.run); an argument of that name
    would be overwritten by them (the consent button's language hint once was)."""
    from actions.table import ACTIONS

    given = {"source", "language"}
    assert [(a.name, arg.name) for a in ACTIONS for arg in a.arguments if arg.name in given] == []
