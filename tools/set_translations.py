"""Set zh translations from a `msgid => msgstr` text file (developer tool; not used at run time).

Usage: .venv/bin/python tools/set_translations.py FILE
Each non-empty line: English msgid => Chinese msgstr. Clears the fuzzy flag of the entries it sets.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def main(path: str) -> None:
    """Apply the translations in `path` to the zh catalog."""
    pairs = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if "=>" in line:
            msgid, msgstr = line.split("=>", 1)
            pairs[msgid.strip()] = msgstr.strip()
    with PO.open("rb") as source:
        catalog = read_po(source)
    unknown = set(pairs)
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0] if message.id else ""
        if key in pairs:
            value = pairs[key]
            message.string = (value,) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
            unknown.discard(key)
    with PO.open("wb") as target:
        write_po(target, catalog, width=100, omit_header=False)
    for key in sorted(unknown):
        print(f"not in catalog: {key}")


if __name__ == "__main__":
    main(sys.argv[1])
