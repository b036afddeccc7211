"""The public record of answered feedback: published answers, filtered by province, agency and
topic, found by what people type with the procedures' accent- and typo-forgiving measure. Only the
redacted question and the answer are public; the sender's name only if they allowed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from motcua import clock
from motcua.catalog.models import Agency
from motcua.catalog.search import MIN_SCORE, match_score
from motcua.feedback import search_words
from motcua.feedback.messages import redacted, search_text_of
from motcua.feedback.models import FeedbackMessage
from motcua.units.text import fold

CANDIDATES = 5000  # SQLite: the most recent answers ranked by the text search
CANDIDATES_INDEXED = 100  # PostgreSQL: the newest answers with the words, ranked again by the search's measure
WINDOWS = (3_000,)  # the newest answers looked through first, then all
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
    # False for an answer a province published at its own portal, listed by the national node: the
    # code is the province's, and it is followed on the province's portal.
    tracked_here: bool = True


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
        # Candidates from the full-text index of the folded words (any answer, however old), every word
        # typed present once typos are corrected against the answers' words; the newest first.
        words = search_words.corrected(session, search_words.words_of(wanted))
        rows = _matching(session, sql, words, " & ") or _matching(session, sql, words, " | ")
    else:
        rows = list(
            session.execute(sql.order_by(m.published_at.desc(), m.id.desc()).limit(CANDIDATES if wanted else limit))
        )
    scored = []
    for row in rows:
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
    by_id = {row.id: row for row in session.execute(full.where(m.id.in_(list(shown))))} if shown else {}
    return [_answer(by_id[i], score) for i, score in shown.items()]  # only what is shown is redacted


def _matching(session: Session, sql: Any, words: list[str], joined: str) -> list[Any]:
    """The newest answers with the words. Among the newest few thousand answers first (a range of the
    publication index, the words checked row by row): when enough match there, they are the newest
    of all; otherwise (rarer words) over every answer, from the words' index."""
    if not words:
        return []
    matches = M.search_vector.op("@@")(func.to_tsquery("simple", joined.join(words)))
    found = sql.where(M.search_text.is_not(None), matches).order_by(M.published_at.desc(), M.id.desc())
    for window in WINDOWS:
        since = session.scalar(
            select(M.published_at).where(M.published_at.is_not(None)).order_by(M.published_at.desc()).offset(window)
            .limit(1)
        )  # fmt: skip
        if since is None:
            break  # fewer answers than the window: the full search is as cheap
        # The planner takes common words for rare ones (it multiplies their frequencies): made to read
        # the window from the publication index rather than every answer with the words.
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
        rows = list(session.execute(found.where(M.published_at > since).limit(CANDIDATES_INDEXED)))
        session.execute(text("SET LOCAL enable_bitmapscan = on"))
        if len(rows) >= CANDIDATES_INDEXED:
            return rows
    return list(session.execute(found.limit(CANDIDATES_INDEXED)))


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
