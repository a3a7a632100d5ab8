"""Masking of buyers' phone numbers and ID numbers in chat text. No Django import.

Every page, API response and export that shows message text passes it through `mask_text`. Masking
never changes the text's length: each masked digit becomes one `*`, so the hit offsets of contract §1
(`start`/`end` into the original text) still point at the same characters of the masked text.

What is masked (digits may be ASCII, full-width or Chinese numerals, and may be split by spaces, dashes,
dots or similar separators, as people write them in chats to dodge filters):
- mainland mobile numbers (11 digits starting 1[3-9]): all but the first 3 and last 4 digits;
- landline numbers with an area code (0xx-xxxxxxxx): all but the first 3 and last 4 digits;
- ID numbers (18 characters, the 17 digits with a plausible birth date, last a digit or X): all but the
  first 3 and last 4.
Order numbers and prices are left alone unless they look exactly like one of those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Map each digit-like character to an ASCII digit, one character to one character.
_DIGIT_MAP = {ord(c): str(i) for i, c in enumerate("０１２３４５６７８９")}
_DIGIT_MAP.update({ord(c): str(i) for i, c in enumerate("零一二三四五六七八九")})
_DIGIT_MAP.update({ord(c): str(i) for i, c in enumerate("〇壹贰叁肆伍陆柒捌玖")})
_DIGIT_MAP[ord("幺")] = "1"
_DIGIT_MAP[ord("两")] = "2"
_DIGIT_MAP[ord("Ｘ")] = "X"
_DIGIT_MAP[ord("ｘ")] = "x"

# Separators people put between digits: spaces (incl. ideographic), dashes, dots, middle dots.
_SEP = r"[ \u3000\-‐‑–—－_.．·・/,，]?"
_D = r"\d"


def _spaced(count: int) -> str:
    return _SEP.join([_D] * count)


_MOBILE = re.compile(rf"(?<!\d)1{_SEP}[3-9]{_SEP}{_spaced(9)}(?![\dXx])")
_LANDLINE = re.compile(rf"(?<!\d)0{_SEP}[1-9]{_SEP}\d{_SEP}\d?{_SEP}[\-－—(（)）]?{_SEP}[2-9]{_SEP}{_spaced(6)}{_SEP}\d?(?![\dXx])")
_ID = re.compile(
    rf"(?<!\d)[1-9]{_SEP}{_spaced(5)}{_SEP}(?:1{_SEP}9|2{_SEP}0){_SEP}{_spaced(2)}{_SEP}"
    rf"(?:0{_SEP}[1-9]|1{_SEP}[0-2]){_SEP}(?:0{_SEP}[1-9]|[12]{_SEP}\d|3{_SEP}[01]){_SEP}{_spaced(3)}{_SEP}[\dXx](?![\dXx])"
)

_ANY_DIGIT = re.compile(r"\d")

# Every character `mask_text` may replace by `*` (digits of any script, Chinese numerals, an ID's X): a
# search whose query holds none of these and no `*` matches masked and stored text alike.
MASKABLE = frozenset("0123456789Xx") | frozenset(chr(c) for c in _DIGIT_MAP)


def _digit_positions(canon: str, start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if canon[i].isdigit() or canon[i] in "Xx"]


def mask_text(text: str) -> str:
    """The text with phone and ID numbers masked; same length as the input."""
    if not text:
        return text
    canon = text.translate(_DIGIT_MAP)
    if len(_ANY_DIGIT.findall(canon)) < 7:
        return text
    masked = list(text)
    for pattern in (_ID, _MOBILE, _LANDLINE):
        for match in pattern.finditer(canon):
            positions = _digit_positions(canon, match.start(), match.end())
            for i in positions[3:-4]:
                masked[i] = "*"
    return "".join(masked)


def mask_all(texts: Iterable[str]) -> list[str]:
    return [mask_text(t) for t in texts]
