"""Every UI and API message has a Vietnamese and a French translation."""

from __future__ import annotations

from importlib import resources

import pytest
from babel.messages.pofile import read_po

from motcua.i18n import pick_language


@pytest.mark.parametrize("language", ["vi", "fr", "en"])
def test_catalogs_translate_every_message(language: str) -> None:
    root = resources.files("motcua").joinpath("locale")
    with root.joinpath("messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    with root.joinpath(language).joinpath("LC_MESSAGES").joinpath("messages.po").open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f, locale=language) if m.id}
    assert template <= set(catalog), template - set(catalog)
    assert [m for m in template if not catalog[m]] == []


def test_language_choice_order() -> None:
    assert pick_language("fr", "en", "vi") == "fr"
    assert pick_language(None, "en", "fr") == "en"
    assert pick_language("xx", None, "fr-CA,fr;q=0.9,en;q=0.5") == "fr"
    assert pick_language(None, None, "de") == "vi"
