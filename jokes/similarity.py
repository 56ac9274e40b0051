"""Near-duplicate jokes: the same joke with a few words changed.

Each joke keeps a small MinHash sketch of its word pairs (character pairs for text
written without spaces, such as Chinese) in its own row. Two jokes' sketches agree in
about as many places as their pairs overlap, so a few LIKE lookups find candidates in
the whole collection, and a closer comparison of the few candidates decides.
"""

import hashlib
import unicodedata

SKETCH_SIZE = 32
# Share of sketch places that must agree to be a candidate, and how alike the
# normalised texts must then be.
CANDIDATE_SHARE = 0.2
TEXT_SIMILARITY = 0.4


def pieces(normalised: str) -> set[str]:
    words = normalised.split()
    letters = normalised.replace(" ", "")
    # Words are the unit where text has spaces between them; Chinese, Japanese and
    # the like (wide characters) run on for a whole clause, so there the unit is a
    # pair of characters.
    wide = sum(unicodedata.east_asian_width(ch) in ("W", "F") for ch in letters)
    if len(words) >= 4 and wide * 2 < len(letters):
        return {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    return {letters[i : i + 2] for i in range(len(letters) - 1)} or {letters}


def sketch(normalised: str) -> str:
    """ " 0:a1b2c3 1:... " for the text's pieces; "" for a text without any."""
    if not normalised:
        return ""
    found = pieces(normalised)
    places = []
    for place in range(SKETCH_SIZE):
        seed = place.to_bytes(2, "big")
        smallest = min(
            hashlib.blake2b(piece.encode("utf-8"), digest_size=3, key=seed).hexdigest()
            for piece in found
        )
        places.append(f"{place}:{smallest}")
    return " " + " ".join(places) + " "


def agreement(first: str, second: str) -> float:
    a, b = set(first.split()), set(second.split())
    return len(a & b) / SKETCH_SIZE if a and b else 0.0


def text_similarity(first: str, second: str) -> float:
    """Jaccard similarity of the two normalised texts' pieces: linear in their length
    (a character-level diff is quadratic, and visitors choose the texts)."""
    a, b = pieces(first), pieces(second)
    return len(a & b) / len(a | b) if a and b else 0.0
