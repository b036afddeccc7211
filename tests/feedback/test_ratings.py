"""Ratings: the applicant, once, after the outcome; a clear error otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.errors import Conflict, DossierError, NotFound
from motcua.feedback.service import rate, rating_of
from tests.dossiers.helpers import T0, World


@pytest.fixture
def world(session: Session, snapshot: CatalogSnapshot, request: pytest.FixtureRequest) -> World:
    return World(session, request.node.name[:40], snapshot)


def test_the_applicant_rates_a_returned_dossier_once(world: World) -> None:
    d = world.in_state("returned")
    rating = rate(world.session, world.citizen, d, "dissatisfied", "  Phải đi lại hai lần  ", T0)
    assert rating_of(world.session, d) is rating and rating.comment == "Phải đi lại hai lần"
    with pytest.raises(Conflict) as err:
        rate(world.session, world.citizen, d, "satisfied", "", T0)
    assert err.value.code == "rating_once"


def test_wrong_ratings_are_refused(world: World) -> None:
    open_dossier = world.in_state("processing")
    with pytest.raises(DossierError) as err:
        rate(world.session, world.citizen, open_dossier, "satisfied", "", T0)
    assert err.value.code == "rating_too_early"
    d = world.in_state("returned")
    with pytest.raises(DossierError) as err:
        rate(world.session, world.citizen, d, "5 stars", "", T0)
    assert err.value.code == "rating_value"
    for someone in (world.stranger, world.reception):
        with pytest.raises(NotFound):
            rate(world.session, someone, d, "satisfied", "", T0)
    assert rating_of(world.session, d) is None
