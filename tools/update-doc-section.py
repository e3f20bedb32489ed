#!/usr/bin/env python3
"""Replaces a marked section of a markdown file of the repository with a command's output.

usage: update-doc-section.py FILE SECTION -- COMMAND...
FILE is a markdown file of this repository (README.md, docs/performance.md, ...),
relative to the repository's root or absolute. It holds `<!-- SECTION:begin -->`
and `<!-- SECTION:end -->`, once each; the lines between them become COMMAND's
standard output. The markers are checked before COMMAND runs, and FILE is
rewritten (read again, then replaced atomically) only if COMMAND succeeds, so
a failed run leaves it as it was.
"""
import os
import pathlib
import subprocess
import sys
import tempfile

NAME = "update-doc-section"


def fail(message: str, code: int = 1) -> int:
    print(f"{NAME}: {message}", file=sys.stderr)
    return code


def markers(section: str) -> tuple:
    return f"<!-- {section}:begin -->", f"<!-- {section}:end -->"


def check_markers(text: str, path: str, section: str) -> str:
    """An error message, or "" if the section is marked once, begin before end."""
    begin, end = markers(section)
    counts = text.count(begin), text.count(end)
    if counts == (0, 0):
        return f"{path} has no {begin} ... {end} section"
    if counts != (1, 1):
        return f"{path} must hold {begin} and {end} once each (found {counts[0]} and {counts[1]})"
    if text.index(begin) > text.index(end):
        return f"{path}: {end} comes before {begin}"
    return ""


def main() -> int:
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    file_arg, section, command = sys.argv[1], sys.argv[2], sys.argv[4:]
    root = pathlib.Path(__file__).resolve().parent.parent
    path = pathlib.Path(file_arg)
    path = (path if path.is_absolute() else root / path).resolve()
    if root not in path.parents:
        return fail(f"{file_arg} is not inside the repository {root}")
    if path.suffix != ".md":
        return fail(f"{file_arg} is not a markdown file (.md)")
    if not path.is_file():
        return fail(f"{file_arg} does not exist")
    shown = str(path.relative_to(root))

    error = check_markers(path.read_text(), shown, section)
    if error:
        return fail(error)
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    except OSError as e:
        return fail(f"cannot run {command[0]}: {e}; {shown} unchanged")
    if result.returncode != 0:
        return fail(f"{' '.join(command)} failed ({result.returncode}); {shown} unchanged", result.returncode)
    begin, end = markers(section)
    if begin in result.stdout or end in result.stdout:
        return fail(f"the output of {' '.join(command)} holds the section's markers; {shown} unchanged")

    # Read again: the file may have been edited while a long command ran.
    text = path.read_text()
    error = check_markers(text, shown, section)
    if error:
        return fail(f"{error} (changed while the command ran); left as it is")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(f"{head}{begin}\n{result.stdout.rstrip()}\n{end}{tail}")
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
