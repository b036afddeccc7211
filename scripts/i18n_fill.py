"""Fill the empty entries of the Vietnamese and French catalogs from a translations file and copy
English msgids into the English catalog. Usage, after `pybabel update`:
``python scripts/i18n_fill.py data/i18n/translations.json`` (msgid → [vi, fr]; for a message with a
plural, its singular msgid → [vi, [fr singular, fr plural]]: Vietnamese has one form)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "src" / "motcua" / "locale"


def main() -> int:
    table: dict[str, list[str]] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    missing: list[str] = []
    for lang, index in (("vi", 0), ("fr", 1), ("en", None)):
        path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            plural = isinstance(message.id, (tuple, list))
            if any(message.string or ()) if plural else message.string:
                continue
            key = message.id[0] if plural else message.id
            if index is None:
                message.string = tuple(message.id) if plural else message.id
            elif key in table:
                found = table[key][index]
                if plural:
                    forms = [found] if isinstance(found, str) else list(found)
                    message.string = tuple(forms[: catalog.num_plurals]) if len(forms) >= catalog.num_plurals else ()
                    if not message.string:
                        missing.append(f"{lang}: {key!r} needs {catalog.num_plurals} plural forms")
                else:
                    message.string = found
            else:
                missing.append(f"{lang}: {key!r}")
        with path.open("wb") as f:
            write_po(f, catalog, width=100)
    for m in missing:
        print("missing:", m, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
