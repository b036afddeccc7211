"""Fill the empty entries of the Vietnamese and French catalogs from a translations file and copy
English msgids into the English catalog. Usage, after `pybabel update`:
``python scripts/i18n_fill.py data/i18n/translations.json`` (msgid → [vi, fr])."""

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
            if not message.id or message.string:
                continue
            if index is None:
                message.string = message.id
            elif isinstance(message.id, str) and message.id in table:
                message.string = table[message.id][index]
            else:
                missing.append(f"{lang}: {message.id!r}")
        with path.open("wb") as f:
            write_po(f, catalog, width=100)
    for m in missing:
        print("missing:", m, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
