"""The public record of answered feedback: published answers, filtered by province, agency and
topic, found by what people type with the procedures' accent- and typo-forgiving measure. Only the
redacted question and the answer are public; the sender's name only if they allowed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Float, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.catalog.models import Agency
from motcua.catalog.search import MIN_SCORE, match_score
from motcua.feedback.messages import redacted, search_text_of
from motcua.feedback.models import FeedbackMessage
from motcua.units.text import fold

CANDIDATES = 5000  # SQLite: the most recent answers ranked by the text search
TRIGRAM_CANDIDATES = 100  # PostgreSQL: the answers nearest by trigrams, ranked again by the search's measure
M = FeedbackMessage
SENDER = (M.sender_name, M.sender_phone, M.sender_email, M.sender_address)  # what the redaction reads
SHOWN = (M.id, M.code, M.title, M.public_question, M.answer, M.agency_code, M.about, M.province_code, M.filed_at,
         M.published_at, M.show_name, *SENDER)  # fmt: skip


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
    m = FeedbackMessage
    # First the candidates, light (what the ranking reads); then the answers shown, in full.
    sql = select(m.id, m.published_at, m.search_text, m.title, m.public_question, *SENDER).where(
        m.published_at.is_not(None), m.status.in_(("published", "reopen_requested"))
    )
    if province:
        sql = sql.where(m.province_code == province)
    if agency:
        sql = sql.where(m.agency_code == agency)
    if about:
        sql = sql.where(m.about == about)
    wanted = fold(query).strip()[:200]
    if wanted and session.get_bind().dialect.name == "postgresql":
        # Candidates from the trigram index, nearest first (any answer, however old): a KNN scan of
        # the GiST index stops after the first ones, however many answers share the words.
        distance = m.search_text.op("<->>", return_type=Float)(wanted)
        sql = sql.where(m.search_text.is_not(None)).order_by(distance).limit(TRIGRAM_CANDIDATES)
    else:
        sql = sql.order_by(m.published_at.desc(), m.id.desc()).limit(CANDIDATES if wanted else limit)
    scored = []
    for row in session.execute(sql):
        if not wanted:
            scored.append((0.0, row))
            continue
        score = match_score(wanted, row.search_text or search_text_of(row.title, row.public_question, row))
        if score >= MIN_SCORE:
            scored.append((score, row))
    if wanted:  # best, then newest
        scored.sort(key=lambda pair: (-pair[0], -pair[1].published_at.timestamp()))
    shown = {row.id: score for score, row in scored[:limit]}
    full = select(*SHOWN, Agency.name_vi.label("agency_name")).outerjoin(Agency, Agency.code == m.agency_code)
    rows = {row.id: row for row in session.execute(full.where(m.id.in_(list(shown))))} if shown else {}
    return [_answer(rows[i], score) for i, score in shown.items()]  # only what is shown is redacted


def _answer(row: Any, score: float) -> Answer:
    return Answer(
        row.code,
        redacted(row.title, row),
        row.public_question,
        row.answer,
        row.agency_code,
        row.agency_name or row.agency_code,
        row.about,
        row.province_code,
        clock.local_date(row.filed_at),
        clock.local_date(row.published_at),
        row.sender_name if row.show_name else None,
        score,
    )
