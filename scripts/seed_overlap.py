#!/usr/bin/env python3
"""Find text in the project that repeats the reference article word for word, without the
article: the project keeps only fingerprints of its 8-word runs (hashes, not text).

  seed_overlap.py fingerprint ARTICLE > tests/data/article_fingerprints.txt
  seed_overlap.py check FINGERPRINTS PATH...   (exit 1 and one line per match if any)

Words are lower-cased runs of letters and digits; a match is 8 consecutive words whose
fingerprint is in the file. The first line of the file is the article's own SHA-256, so a
stale file is noticed wherever the article is at hand.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

RUN = 8
SUFFIXES = {".py", ".md", ".toml", ".txt", ".json", ".html", ".service", ".cfg", ".ini", ".yaml", ".yml"}


def words(text: str) -> list[tuple[str, int]]:
    """(word, line number) for each word of `text`."""
    out = []
    for number, line in enumerate(text.replace("\u2019", "'").lower().splitlines(), 1):
        out += [(w, number) for w in re.findall(r"[a-z0-9]+", line)]
    return out


def fingerprint(run: list[str]) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def fingerprints(text: str) -> set[str]:
    seq = [w for w, _ in words(text)]
    return {fingerprint(seq[i : i + RUN]) for i in range(len(seq) - RUN + 1)}


def matches(path: Path, known: set[str]) -> Iterator[int]:
    """Line numbers in `path` where a run of RUN words from the article starts."""
    seq = words(path.read_text(encoding="utf-8", errors="replace"))
    reported: set[int] = set()
    for i in range(len(seq) - RUN + 1):
        line = seq[i][1]
        if line not in reported and fingerprint([w for w, _ in seq[i : i + RUN]]) in known:
            reported.add(line)
            yield line


def check(table: Path, paths: list[Path]) -> list[str]:
    """'file:line' for each match under `paths`."""
    known = set(table.read_text(encoding="utf-8").split()[1:])
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*"))) if f.suffix in SUFFIXES]
    return [f"{f}:{line}" for f in files for line in matches(f, known)]


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "fingerprint":
        article = Path(argv[1]).read_bytes()
        print(hashlib.sha256(article).hexdigest())
        print("\n".join(sorted(fingerprints(article.decode("utf-8")))))
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        found = check(Path(argv[1]), [Path(p) for p in argv[2:]])
        print("\n".join(found), end="\n" if found else "")
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
