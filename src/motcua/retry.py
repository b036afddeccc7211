"""The wait before retrying something that failed for a while (a member of the exchange, a
notification provider): doubling, capped, with "equal jitter" (half fixed, half random) so that a
service coming back is not hit by every sender at once."""

from __future__ import annotations

import random
from datetime import timedelta

JITTER = random.Random()


def backoff(attempts: int, base: float, cap: float, rng: random.Random = JITTER) -> timedelta:
    """The wait before attempt ``attempts + 1``, starting from ``base`` seconds, at most ``cap``."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))
