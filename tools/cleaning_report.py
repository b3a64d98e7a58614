"""Print every line the cleaner sets apart from the body, for checking by eye.

    python tools/cleaning_report.py DIR_OR_FILE...

Runs svodka.clean over every .txt file (directories are searched
recursively) and prints one line per furniture line: file:line, role, text;
then the counts. Over texts without page furniture (the FactRuEval dev set)
"lines outside the body" is the number of body lines lost and must be 0.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from svodka.clean import cleaning_report  # noqa: E402


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    return cleaning_report(argv).exit_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
