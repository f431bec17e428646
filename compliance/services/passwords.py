"""Password policy: length over composition, and no common or easily guessed passwords. Pure."""
from __future__ import annotations

import re

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's scores run 0-4; 3 means "safely unguessable" for an online attacker.
MIN_SCORE = 3
ZXCVBN_LENGTH = 72


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """What is wrong with a proposed password, as a message that says how to fix it; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more. A few unrelated words together are easy to remember."
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    # zxcvbn refuses (ValueError) anything over its max_length of 72 characters, and is slow on long input;
    # the first 72 characters tell it all it needs.
    result = zxcvbn(password[:ZXCVBN_LENGTH], user_inputs=_words(user_inputs))
    if result["score"] >= MIN_SCORE:
        return None
    reason = (result["feedback"]["warning"] or "It is too easy to guess").rstrip(".")
    return (f"Choose a password that is harder to guess: {reason[0].lower()}{reason[1:]}. "
            "Add another word or two; unrelated words are best.")


def _words(values: tuple[str, ...]) -> list[str]:
    """The person's own details and their parts: "jane.hargreaves@org.example" gives jane, hargreaves, ..."""
    words = set()
    for value in values:
        value = (value or "").lower()
        words.update(part for part in re.split(r"[^a-z0-9]+", value) if len(part) >= 3)
        words.add(value.split("@")[0])
    return sorted(word for word in words if word)


def hash_password(password: str) -> str:
    """A scrypt hash, salted, as Werkzeug makes it."""
    return generate_password_hash(password, method="scrypt")


def password_matches(password_hash: str | None, password: str) -> bool:
    return bool(password_hash) and check_password_hash(password_hash, password)
