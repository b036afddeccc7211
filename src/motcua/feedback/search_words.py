"""The words of the published answers (folded), for the search's typo correction on PostgreSQL: a
word typed that no answer contains is replaced by the nearest one that some answer does (trigram
distance), before the full-text query runs. Kept at publication; rebuilt from the answers at once."""

from __future__ import annotations

import re
from typing import Any, cast

from sqlalchemy import Table, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from motcua.feedback.models import FeedbackWord

WORD = re.compile(r"[a-z0-9]+")
WORDS = cast(Table, FeedbackWord.__table__)
NEAREST = 0.4  # trigram similarity below which a word typed is left as it is


def words_of(folded: str) -> list[str]:
    return [w for w in WORD.findall(folded) if len(w) <= 40]


def remember(session: Session, folded: str) -> None:
    """Add the words of a published text (``search_text``) to the vocabulary."""
    words = sorted(set(words_of(folded)))
    if not words:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(WORDS).on_conflict_do_nothing(index_elements=["word"]), [{"word": w} for w in words])


def on_feedback_change(change: Any) -> None:
    """The feedback's subscriber (``feedback.subscribers``): a published answer's words join the vocabulary."""
    if change.step == "publish" and change.message.search_text:
        remember(change.session, change.message.search_text)


def corrected(session: Session, words: list[str]) -> list[str]:
    """Each word typed, or the nearest word of the answers when no answer has it (PostgreSQL)."""
    known = set(session.scalars(select(WORDS.c.word).where(WORDS.c.word.in_(words)))) if words else set()
    out = []
    for word in words:
        if word in known or len(word) < 3:
            out.append(word)
            continue
        nearest = session.execute(
            text("SELECT word, similarity(word, :w) FROM feedback_words ORDER BY word <-> :w LIMIT 1"), {"w": word}
        ).first()
        out.append(nearest[0] if nearest is not None and nearest[1] >= NEAREST else word)
    return out


def rebuild(session: Session) -> int:
    """The vocabulary recomputed from every published text (after a bulk load)."""
    if session.get_bind().dialect.name != "postgresql":
        count = 0
        for folded in session.scalars(text("SELECT search_text FROM feedback_messages WHERE search_text IS NOT NULL")):
            remember(session, folded)
            count += 1
        return count
    session.execute(
        text(
            "INSERT INTO feedback_words (word) SELECT word FROM ts_stat($$SELECT to_tsvector('simple', search_text) "
            "FROM feedback_messages WHERE search_text IS NOT NULL$$) WHERE length(word) <= 40 ON CONFLICT DO NOTHING"
        )
    )
    return int(session.scalar(text("SELECT count(*) FROM feedback_words")) or 0)
