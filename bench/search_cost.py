"""One duplicate search among N open questions, in-process: its CPU, and how many candidates it reads (issue 18).

The campaign is filled as `intake_burst.py --stored N` fills it (tests/population.py, `varied`); then each of
the burst's 202 questions is searched for twice, as `support_offer` does, each search after one more learned
category (as each accepted question is in the burst), so that the model changes between searches. At least
404 questions are stored (one learned category each).

    .venv/bin/python bench/search_cost.py [--stored 1000,10000,100000] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import database  # noqa: E402  (bench/common.py)
from intake_burst import questions  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.channels.registry import load_settings  # noqa: E402
from handlers.curation import campaign_candidates, lookup  # noqa: E402
from storage.db import transaction  # noqa: E402
from storage.learning import CONFIRMED, record_category  # noqa: E402
from storage.models import Question, QuestionStatus  # noqa: E402
from tests.population import add_open_questions  # noqa: E402

ROUNDS = 2


def measure(url: str, stored: int) -> dict[str, float]:
    data = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    app = build_app(load_settings(ROOT / "config.example.toml", {"storage": data["storage"] | {"url": url}}))
    texts = [text.split("] ", 1)[1] for text in questions()[:202]]
    understanding = app.services.understanding
    with transaction(app.sessions) as session:
        ids = add_open_questions(session, understanding, app.campaign(session), texts, max(stored, ROUNDS * len(texts)),
                                 app.clock.now(), varied=True)
    threshold = app.settings.curation.duplicate_threshold
    spent, read, offers = 0.0, 0, 0
    for n, text in enumerate(texts * ROUNDS):
        with transaction(app.sessions) as session:
            record_category(session, session.get_one(Question, ids[n]), "education", CONFIRMED, app.clock.now())
            session.flush()
            campaign_id = app.campaign(session).id
            start = time.process_time()
            model = understanding.scoring(session)
            signature = model.signature(text)
            found = campaign_candidates(session, campaign_id, (QuestionStatus.FORWARDED,),
                                        like=lookup(session, app.services, signature))
            offers += len(model.likely_duplicates(signature, found, threshold))
            spent += time.process_time() - start
            read += len(found)
    app.engine.dispose()
    searches = len(texts) * ROUNDS
    return {"stored": stored, "ms": 1000 * spent / searches, "read": read / searches, "offers": offers / searches}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stored", default="1000,10000,100000")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    print("| stored open questions | CPU ms per search | candidates read per search | offers per search |")
    print("| ---: | ---: | ---: | ---: |")
    for stored in (int(n) for n in args.stored.split(",")):
        with database(args.database) as url:
            r = measure(url, stored)
        print(f"| {r['stored']:,} | {r['ms']:.1f} | {r['read']:,.0f} | {r['offers']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
