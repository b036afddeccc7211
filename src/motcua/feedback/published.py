"""The public record of answered feedback: published answers, filtered by province, agency and
topic, found by what people type with the procedures' accent- and typo-forgiving measure. Only the
redacted question and the answer are public; the sender's name only if they allowed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from motcua import clock
from motcua.catalog.models import Agency
from motcua.catalog.search import MIN_SCORE, match_score
from motcua.feedback.messages import redacted, search_text_of
from motcua.feedback.models import FeedbackMessage
from motcua.units.text import fold

CANDIDATES = 5000  # SQLite: the most recent answers ranked by the text search
TRIGRAM_CANDIDATES = 200  # PostgreSQL: the answers nearest by trigrams, ranked again by the search's measure
TRIGRAM_THRESHOLD = 0.3  # pg_trgm word similarity below which an answer is not a candidate


@dataclass(frozen=True)
class Answer:
    code: str
    title: str
    question: str
    answer: str
    agency: str
    agency_name: str
    about: str
    province: str
    filed_on: date
    published_on: date
    sender: str | None
    score: float


def published(
    session: Session,
    query: str = "",
    *,
    province: str | None = None,
    agency: str | None = None,
    about: str | None = None,
    limit: int = 50,
) -> list[Answer]:
    sql = (
        select(FeedbackMessage, Agency.name_vi)
        .outerjoin(Agency, Agency.code == FeedbackMessage.agency_code)
        .where(FeedbackMessage.published_at.is_not(None), FeedbackMessage.status.in_(("published", "reopen_requested")))
    )
    if province:
        sql = sql.where(FeedbackMessage.province_code == province)
    if agency:
        sql = sql.where(FeedbackMessage.agency_code == agency)
    if about:
        sql = sql.where(FeedbackMessage.about == about)
    wanted = fold(query).strip()[:200]
    if wanted and session.get_bind().dialect.name == "postgresql":
        # Candidates from the trigram index (any answer, however old), nearest first.
        session.execute(text(f"SET LOCAL pg_trgm.word_similarity_threshold = {TRIGRAM_THRESHOLD}"))
        nearness = func.word_similarity(wanted, FeedbackMessage.search_text)
        sql = sql.where(FeedbackMessage.search_text.op("%>")(wanted)).order_by(nearness.desc())
        sql = sql.limit(TRIGRAM_CANDIDATES)
    else:
        sql = sql.order_by(FeedbackMessage.published_at.desc(), FeedbackMessage.id.desc())
        sql = sql.limit(CANDIDATES if wanted else limit)
    found = []
    for m, agency_name in session.execute(sql):
        title = redacted(m.title, m)
        score = match_score(wanted, m.search_text or search_text_of(m.title, m.public_question, m)) if wanted else 0.0
        if wanted and score < MIN_SCORE:
            continue
        assert m.published_at is not None
        found.append(
            Answer(
                m.code,
                title,
                m.public_question,
                m.answer,
                m.agency_code,
                agency_name or m.agency_code,
                m.about,
                m.province_code,
                clock.local_date(m.filed_at),
                clock.local_date(m.published_at),
                m.sender_name if m.show_name else None,
                score,
            )
        )
    if wanted:
        found.sort(key=lambda a: (-a.score, -a.published_on.toordinal()))  # best, then newest
    return found[:limit]
