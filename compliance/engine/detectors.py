"""Detectors for contact details that no word list can hold: numbers, ids, addresses.  No Django here.

Each detector works on one of the two normalised views (see `normalize.py`) of a whole batch and yields
`(kind, start, end, view)` spans; the scanner maps them back to original offsets and to rules.

* digit runs (view N: separators removed, Chinese numerals already digits):
  mobile (1[3-9] + 9 digits, optionally +86), landline (0 + area code, 10–12 digits; 400/800 numbers),
  ID numbers (18 characters with a valid ISO 7064 check digit and a plausible birth date),
  bank cards (16–19 digits, card-scheme prefix, Luhn, not announced as an order or tracking number),
  QQ numbers (5–11 digits right after a QQ keyword).
* WeChat ids (view N): a WeChat keyword followed by an id (letter, then 5–19 letters/digits).
* e-mail and URLs (view L, punctuation intact).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence

import numpy as np

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"
_ORDER_WORDS = ("订单", "单号", "快递", "运单", "物流", "编号", "order")
_QQ_WORDS = ("qq", "扣扣", "企鹅", "q号", "qq号")
EMAIL_LOCAL = re.compile(r"[a-z0-9._%+\-]+$")
EMAIL_DOMAIN = re.compile(r"[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,6}(?![a-z0-9])")
URL_ANCHOR = re.compile(r"https?://|www\.|\.(?:com|cn|net|org|cc|top|vip|shop|xyz|tv|me|io|hk)(?![a-z0-9])")
URL_CHARS = re.compile(r"[a-z0-9./?=&%#:~+\-_]{0,180}")  # Hit.matched holds 200 characters
HOST_BACK = re.compile(r"[a-z0-9.\-]+$")


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def id_number_ok(number: str) -> bool:
    """18-character mainland resident ID: region, birth date 19xx/20xx, check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2030 and 1 <= month <= 12 and 1 <= day <= 31) or number[0] == "0":
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def classify_digits(run: str, before: str) -> str | None:
    """What a maximal run of digits is, given up to 8 characters of N before it."""
    n = len(run)
    if run.endswith("x"):
        return "id_number" if id_number_ok(run) else None
    if n == 11 and run[0] == "1" and run[1] in "3456789":
        return "mobile"
    if n == 13 and run.startswith("861") and run[3] in "3456789":
        return "mobile"
    if any(word in before for word in _QQ_WORDS) and 5 <= n <= 11 and run[0] != "0":
        return "qq"
    if n == 18 and id_number_ok(run):
        return "id_number"
    if 10 <= n <= 12 and run[0] == "0" and run[1] != "0":
        return "landline"
    if n == 10 and run[:3] in ("400", "800"):
        return "landline"
    card_prefix = run[:2] == "62" or run[0] == "4" or run[:2] in ("51", "52", "53", "54", "55")
    if 16 <= n <= 19 and card_prefix and luhn_ok(run) and not any(word in before for word in _ORDER_WORDS):
        return "bank_card"
    return None


# WeChat keywords that trigger the id detector (they are also automaton patterns, so no extra pass)
WECHAT_TRIGGERS = ("微信", "微信号", "威信", "薇信", "徽信", "v信", "vx", "wx", "weixin", "wechat", "加v", "加个v", "加我v")
WECHAT_ID = re.compile(r"[号是为：:]{0,3}([a-z][a-z0-9]{5,19})(?![a-z0-9])")


QQ_TRIGGERS = ("qq", "扣扣", "抠抠", "企鹅", "企鹅号", "q号", "扣q")


def digit_runs(values: np.ndarray, qq_ends: list[int]) -> Iterator[tuple[int, int]]:
    """(start, end) of the runs of 5+ ASCII digits in the matching view that could be contact numbers.

    Runs are pre-filtered with numpy on length and leading digits (order and tracking numbers are
    mostly dropped here); a 5–11 digit run is kept only right after a QQ keyword (`qq_ends` are the
    positions just past such keywords).
    """
    if not len(values):
        return
    is_digit = (values - 48) < 10  # unsigned: anything below "0" wraps round to a huge number
    padded = np.zeros(len(values) + 2, dtype=bool)
    padded[1:-1] = is_digit
    starts = np.flatnonzero(padded[1:] & ~padded[:-1])
    ends = np.flatnonzero(padded[:-1] & ~padded[1:])
    length = ends - starts
    long_enough = length >= 5
    starts, ends, length = starts[long_enough], ends[long_enough], length[long_enough]
    if not len(starts):
        return
    first = values[starts].astype(np.int64) - 48
    second = values[np.minimum(starts + 1, len(values) - 1)].astype(np.int64) - 48
    after = values[np.minimum(ends, len(values) - 1)]
    candidate = (
        ((length == 11) & (first == 1) & (second >= 3))
        | ((length == 13) & (first == 8))
        | ((length >= 10) & (length <= 12) & (first == 0) & (second != 0))
        | ((length == 10) & ((first == 4) | (first == 8)))
        | (length == 18)
        | ((length == 17) & (after == ord("x")))
        | ((length >= 16) & (length <= 19) & ((first == 4) | (first == 5) | (first == 6)))
    )
    if qq_ends:
        near = np.zeros(len(values) + 1, dtype=bool)
        for e in qq_ends:
            near[e : e + 5] = True
        candidate |= near[starts] & (length <= 11)
    keep = np.flatnonzero(candidate)
    yield from zip(starts[keep].tolist(), ends[keep].tolist(), strict=True)


def scan_digits(norm: str, values: np.ndarray, qq_ends: Sequence[int] = ()) -> Iterator[tuple[str, int, int]]:
    """Digit-run detectors over the matching view; spans in N coordinates."""
    for s, e in digit_runs(values, list(qq_ends)):
        if e < len(norm) and norm[e] == "x":
            e += 1
        kind = classify_digits(norm[s:e], norm[max(0, s - 8) : s])
        if kind:
            yield kind, s, e


def wechat_id_after(norm: str, pos: int) -> tuple[int, int] | None:
    """The WeChat id right after a WeChat keyword that ends at `pos` (N coordinates), if any."""
    m = WECHAT_ID.match(norm, pos)
    return m.span(1) if m else None


def scan_light(light: str) -> Iterator[tuple[str, int, int]]:
    """E-mail and URL detectors over the 1:1 light view; spans are original offsets."""
    emails: list[tuple[int, int]] = []
    pos = light.find("@")
    while pos != -1:
        left = EMAIL_LOCAL.search(light, max(0, pos - 64), pos)
        right = EMAIL_DOMAIN.match(light, pos + 1)
        if left and right and left.start() < pos:
            start = left.start()
            while start < pos and light[start] in "._%+-":
                start += 1
            if start < pos:
                emails.append((start, right.end()))
                yield "email", start, right.end()
        pos = light.find("@", pos + 1)
    email_starts = [e[0] for e in emails]
    last_url_end = -1
    for m in URL_ANCHOR.finditer(light):
        s = m.start()
        if s < last_url_end:
            continue
        k = bisect_right(email_starts, s) - 1
        if k >= 0 and emails[k][0] <= s < emails[k][1]:
            continue  # the domain of an e-mail address
        if m.group().startswith("."):
            back = HOST_BACK.search(light, max(0, s - 64), s)
            if not back or back.start() == s:
                continue
            start = back.start()
            if start > 0 and light[start - 1] == "@":
                continue
        else:
            start = s
        url_tail = URL_CHARS.match(light, m.end())  # {0,180}: always matches, possibly empty
        end = url_tail.end() if url_tail else m.end()
        while end > start and light[end - 1] in ".?:,":
            end -= 1
        if end - start >= 4:
            yield "url", start, end
            last_url_end = end
