#!/usr/bin/env python3
"""Replaces a marked section of README.md with a command's output.

usage: update-readme.py SECTION -- COMMAND...
The README holds `<!-- SECTION:begin -->` and `<!-- SECTION:end -->`; the
lines between them become the command's standard output. The README is
rewritten only if the command succeeds, so a failed run leaves it as it was.
"""
import pathlib
import subprocess
import sys


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    section, command = sys.argv[1], sys.argv[3:]
    readme = pathlib.Path(__file__).resolve().parent.parent / "README.md"
    text = readme.read_text()
    begin, end = f"<!-- {section}:begin -->", f"<!-- {section}:end -->"
    if begin not in text or end not in text:
        print(f"update-readme: README.md has no {begin} ... {end} section", file=sys.stderr)
        return 1
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        print(f"update-readme: {' '.join(command)} failed ({result.returncode}); README unchanged", file=sys.stderr)
        return result.returncode
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{begin}\n{result.stdout.rstrip()}\n{end}{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
