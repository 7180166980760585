"""Wiring: from settings to a database, the services, the inbox processor and senders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import logsafe
from bot.channels.base import Channel
from bot.channels.registry import CHANNELS
from bot.processing import InboxProcessor
from bot.sender import OutboxSender
from bot.transport import Transport
from core.clock import Clock, SystemClock
from core.config import Settings
from core.language import LanguageDetector
from core.texts import Texts
from handlers.context import Services
from handlers.deliveries import report_failure
from handlers.delivery_notices import tell_departments
from handlers.repeats import mark_possible_repeat
from handlers.reply_window import report_undeliverable
from scheduler.digests import DigestPass
from storage import question_terms
from storage.db import make_engine, make_session_factory, transaction
from storage.learning import LearningModel
from storage.migrate import upgrade
from storage.models import Campaign, OutboxMessage
from storage.outbox import Outbox
from storage.questions import ensure_campaign
from storage.staff import seed_staff

FailureReporter = Callable[[Services, Session, OutboxMessage, datetime], None]


@dataclass
class App:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    services: Services
    processor: InboxProcessor
    clock: Clock
    channels: Sequence[Channel] = CHANNELS

    def campaign(self, session: Session) -> Campaign:
        """The current campaign, as the inbox processor sees it."""
        return session.get_one(Campaign, self.processor.campaign_id)

    def sender(self, transport: Transport, lease: timedelta | None = None) -> OutboxSender:
        """What the platform refused for good is reported (the coordinator is told; a message held
        outside a channel's reply window is explained); a crowded group's cards are packed into a
        digest at its slot, and the departments' delivery notices for this platform's chats are
        gathered as its chats fall idle; a group message resent after a crash says it may be a repeat."""
        windowed = self.services.channel(transport.platform).reply_window is not None
        on_failure: FailureReporter = report_undeliverable if windowed else report_failure
        digests = DigestPass(self.services, timedelta(seconds=transport.limits.group_interval))
        return OutboxSender(self.sessions, transport, self.clock, lease=lease,
                            on_failure=partial(on_failure, self.services),
                            gather=partial(before_reading, digests, self.services),
                            repeat=partial(mark_possible_repeat, self.services, max_length=transport.max_text_length))


def before_reading(digests: DigestPass, services: Services, session: Session, platform: str, now: datetime) -> None:
    """The sender's gather: digests for the groups whose slot has come, then the delivery notices of
    chats with nothing else to send (so a group's notices never go before its cards)."""
    digests.pack(session, platform, now)
    tell_departments(services, session, platform, now)


def build_app(settings: Settings, clock: Clock | None = None, engine: Engine | None = None,
              channels: Sequence[Channel] = CHANNELS) -> App:
    """Migrate the database, make sure the current campaign exists, and build the services for these
    channels (their text limits and capabilities).

    From here on no configured secret appears in a log line (`bot/logsafe.py`)."""
    logsafe.protect(logsafe.secrets_of(settings))
    clock = clock or SystemClock()
    engine = engine or make_engine(settings.database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        campaign_id = ensure_campaign(session, settings.campaign, clock.now()).id
        seed_staff(session, settings, clock.now())  # the web console's first staff, from the config
    services = Services(
        settings=settings,
        texts=Texts(settings.languages, settings.texts),
        detector=LanguageDetector(settings.languages),
        understanding=LearningModel(settings),
        outbox=Outbox({channel.name: channel.max_text_length for channel in channels}),
        channels={channel.name: channel.capabilities for channel in channels},
    )
    with transaction(sessions) as session:
        understanding = services.understanding
        question_terms.refresh(session, understanding.index_version(), understanding.index_terms)
    processor = InboxProcessor(sessions, services, campaign_id, clock)
    return App(settings, engine, sessions, services, processor, clock, channels)
