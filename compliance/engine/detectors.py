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
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"
_ORDER_WORDS = ("订单", "单号", "快递", "运单", "物流", "编号", "order")
_CARD_WORDS = ("卡号", "银行卡", "账号", "账户", "工行", "建行", "农行", "中行", "招行", "开户", "收款", "储蓄卡", "信用卡")
_NUMBER_WORDS = ("单号", "订单号", "运单", "编号", "货号", "型号")
_QQ_WORDS = ("qq", "扣扣", "企鹅", "q号", "qq号", "群号", "q我", "加q", "加我q", "的q", "个q")
EMAIL_LOCAL = re.compile(r"[a-z0-9._%+\-]+$")
EMAIL_DOMAIN = re.compile(r"[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,6}(?![a-z0-9])")
URL_ANCHOR = re.compile(r"https?://|www\.|\.(?:com|cn|net|org|cc|top|vip|shop|xyz|tv|me|io|hk)(?![a-z0-9])")
URL_CHARS = re.compile(r"[a-z0-9./?=&%#:~+\-_]{0,180}")  # Hit.matched holds 200 characters
HOST_BACK = re.compile(r"[a-z0-9.\-]+$")
# addresses written with words for the symbols: "kefu123 艾特 163 点 com", "www点shop点cn"
_DOT = r"\s*(?:\.|点|dot|\(dot\)|\[dot\]|。|丶)\s*"
EMAIL_WORDS = re.compile(
    r"(?<![a-z0-9._\-])[a-z0-9][a-z0-9._\-]{2,40}\s*(?:艾特|爱特|\(at\)|\[at\]|(?<![a-z])at(?![a-z])|圈a|小老鼠|在|@)\s*"
    r"[a-z0-9\-]{2,30}(?:" + _DOT + r"[a-z0-9\-]{2,30})?" + _DOT + r"(?:com|cn|net|org)(?![a-z])"
)
URL_WORDS = re.compile(
    r"(?<![a-z0-9\-])(?:www|wap|m|[a-z0-9\-]{2,30})" + _DOT + r"[a-z0-9\-]{2,40}(?:" + _DOT + r"(?:com|cn|net|top|vip|cc)"
    r"|(?<=com|.cn|net))(?![a-z])(?:\s*(?:/|斜杠)\s*[a-z0-9_\-]+)*"
)
# a street address with a house number: "义乌市福田街道宗泽路99号", "白云区太和镇某某工业园3栋"
ADDRESS = re.compile(
    r"[\u4e00-\u9fa5]{1,10}(?:省|市|区|县|镇|街道)[\u4e00-\u9fa5a-z0-9\-]{1,24}?"
    r"(?:[0-9]+|[a-z][0-9\-]+)(?:号|栋|楼|层|室|档口|幢|铺)"
)
_ADDRESS_ANCHORS = ("省", "市", "区", "县", "镇", "街道")
# insults masked with symbols, letters or look-alikes (傻*逼, 傻X, 草尼玛, n m s l); in view L
MASKED_INSULT = re.compile(
    r"[傻煞][\W_xX×✗✘叉]{0,3}(?:逼|比|笔|屄|b(?![a-z])|x(?![a-z])|叉|缺|狗|帽|冒)"
    r"|(?:操|草|艹|日|cao)[\W_]{0,3}(?:你|尼|泥|ni)[\W_]{0,3}(?:妈|马|玛|麻|m(?![a-z]))"
    r"|(?:你|尼|ni)[\W_]{0,2}(?:妈|玛|m)[\W_]{1,3}(?:的|滴|b|逼|死)"
    r"|(?<![a-z])(?:n[\W_]{1,2}m[\W_]{1,2}s[\W_]{1,2}l|c[\W_]{1,2}n[\W_]{1,2}m|s[\W_]{1,2}b|w[\W_]{1,2}c[\W_]{1,2}n[\W_]{1,2}m)(?![a-z])"
    r"|[艹屌屄]|狗[\W_]{0,2}东[\W_]{0,2}西|脑[\W_]{0,2}子[\W_]{0,2}(?:有病|进水|有坑|瓦特)"
)


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


def id_number_ok(number: str, check: bool = True) -> bool:
    """18-character mainland resident ID: region, birth date 19xx/20xx, check digit (unless `check` is off)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2030 and 1 <= month <= 12 and 1 <= day <= 31) or number[0] == "0":
        return False
    if not check:
        return True
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def classify_digits(run: str, before: str) -> str | None:
    """What a maximal run of digits is, given up to 8 characters of N before it."""
    n = len(run)
    if run.endswith("x"):
        return "id_number" if id_number_ok(run) else None
    if any(word in before[-5:] for word in _NUMBER_WORDS):
        return None  # "单号：…", "订单号…": an order or tracking number of any length
    if n == 11 and run[0] == "1" and run[1] in "3456789":
        return "mobile"
    if n == 13 and run.startswith("861") and run[3] in "3456789":
        return "mobile"
    if any(word in before[-12:] for word in _QQ_WORDS) and 5 <= n <= 11 and run[0] != "0":
        return "qq"
    if n == 18 and id_number_ok(run):
        return "id_number"
    if 10 <= n <= 12 and run[0] == "0" and run[1] != "0":
        return "landline"
    if n == 10 and run[:3] in ("400", "800"):
        return "landline"
    card_prefix = run[:2] == "62" or run[0] == "4" or run[:2] in ("51", "52", "53", "54", "55")
    if n == 18 and id_number_ok(run, check=False) and any(word in before for word in ("身份证", "证件号", "身份号")):
        return "id_number"  # announced as one: a mistyped check digit still leaks the number
    # Luhn proves a card; a card word right before it ("卡号 6212 …") is enough on its own
    if (
        16 <= n <= 19 and card_prefix and not any(word in before for word in _ORDER_WORDS)
        and (luhn_ok(run) or any(word in before for word in _CARD_WORDS))
    ):
        return "bank_card"
    return None


# WeChat keywords that trigger the id detector (they are also automaton patterns, so no extra pass)
WECHAT_TRIGGERS = (
    "微信", "微信号", "威信", "薇信", "徽信", "v信", "vx", "wx", "weixin", "wechat", "加v", "加个v", "加我v", "v号",
    "微亻言", "绿色软件", "的号是", "账号是", "id是", "dy号", "抖音号", "小红书号", "红薯号",
)
# the id may follow a few words after the keyword ("微信客服：", "w x 号给你：", "搜一下"), never across a
# sentence; the matching view has already dropped the spaces, dots and underscores inside it
WECHAT_ID = re.compile(r"[^a-z0-9\x00。！？；]{0,6}?([a-z][a-z0-9]{5,19})(?![a-z0-9])")


QQ_TRIGGERS = ("qq", "扣扣", "抠抠", "企鹅", "企鹅号", "q号", "扣q", "群号", "qq群", "q我", "加q", "加我q", "的q", "个q")


# characters that may sit between the groups of one number ("138，1234，5678"): kept in N as boundaries
_JOINERS = np.array([ord(c) for c in "，、：；。—加上接再杠横空"], dtype=np.uint32)
_MAX_GAP = 2  # at most this many joiner characters between two digit groups
# letters that may stand right before a contact number ("vx13812345678", "tel:010…"); any other letters
# glued to a digit run make it a code (order, tracking or model number), never a contact
_CONTACT_PREFIXES = ("v", "vx", "wx", "q", "qq", "tel", "phone", "dh", "sj", "weixin", "wechat", "mobile")


def digit_runs(values: np.ndarray, qq_ends: list[int]) -> Iterator[tuple[int, int]]:
    """(start, end) of the runs of 5+ ASCII digits in the matching view that could be contact numbers.

    Number assembly: the matching view has already dropped spaces, dashes, dots, emoji and keycaps and
    turned Chinese numerals into digits; here groups split by one sentence mark ("138，1234，5678") join
    too.  Runs are pre-filtered with numpy on their digit count and first digit (order and tracking
    numbers are mostly dropped here); a 5–11 digit run is kept only right after a QQ keyword (`qq_ends`
    are the positions just past such keywords).
    """
    if not len(values):
        return
    is_digit = (values - 48) < 10  # unsigned: anything below "0" wraps round to a huge number
    joinable = is_digit.copy()
    joiner = np.isin(values, _JOINERS)
    if joiner.any():
        # a gap of 1–2 joiner characters between two digits joins the groups ("138 加上 1122")
        for gap in range(1, _MAX_GAP + 1):
            if len(values) <= gap + 1:
                break
            inside = np.ones(len(values) - gap - 1, dtype=bool)
            for k in range(1, gap + 1):
                inside &= joiner[k : len(values) - gap - 1 + k]
            ok = is_digit[: len(values) - gap - 1] & is_digit[gap + 1 :] & inside
            for k in range(1, gap + 1):
                joinable[k : len(values) - gap - 1 + k] |= ok
    padded = np.zeros(len(values) + 2, dtype=bool)
    padded[1:-1] = joinable
    starts = np.flatnonzero(padded[1:] & ~padded[:-1])
    ends = np.flatnonzero(padded[:-1] & ~padded[1:])
    csum = np.concatenate(([0], np.cumsum(is_digit)))
    length = csum[ends] - csum[starts]  # digits in the run, joiners not counted
    long_enough = length >= 5
    starts, ends, length = starts[long_enough], ends[long_enough], length[long_enough]
    if not len(starts):
        return
    first = values[starts].astype(np.int64) - 48
    after = values[np.minimum(ends, len(values) - 1)]
    candidate = (
        ((length == 11) & (first == 1))
        | ((length == 13) & (first == 8))
        | ((length >= 10) & (length <= 12) & (first == 0))
        | ((length == 10) & ((first == 4) | (first == 8)))
        | (length == 18)
        | ((length == 17) & (after == ord("x")))
        | ((length >= 16) & (length <= 19) & ((first == 4) | (first == 5) | (first == 6)))
    )
    if qq_ends:
        near = np.zeros(len(values) + 1, dtype=bool)
        for e in qq_ends:
            near[e : e + 16] = True
        candidate |= near[starts] & (length <= 11)
    keep = np.flatnonzero(candidate)
    yield from zip(starts[keep].tolist(), ends[keep].tolist(), strict=True)


def _letters_before(norm: str, s: int) -> str:
    k = s
    while k > 0 and s - k < 10 and "a" <= norm[k - 1] <= "z":
        k -= 1
    return norm[k:s]


def scan_digits(norm: str, values: np.ndarray, qq_ends: Sequence[int] = ()) -> Iterator[tuple[str, int, int]]:
    """Digit-run detectors over the matching view; spans in N coordinates."""
    for s, e in digit_runs(values, list(qq_ends)):
        if e < len(norm) and norm[e] == "x":
            e += 1
        letters = _letters_before(norm, s)
        if letters and not letters.endswith(_CONTACT_PREFIXES):
            continue  # glued to letters: a code (SF1234…, JD…, a model number), not a contact
        run = "".join(ch for ch in norm[s:e] if ch.isascii())
        kind = classify_digits(run, norm[max(0, s - 12) : s])
        if kind:
            yield kind, s, e


def wechat_id_after(norm: str, pos: int) -> tuple[int, int] | None:
    """The WeChat id right after a WeChat keyword that ends at `pos` (N coordinates), if any."""
    m = WECHAT_ID.match(norm, pos)
    return m.span(1) if m else None


_INSULT_ANCHORS = ("傻", "煞", "操", "草", "艹", "cao", "屌", "屄", "妈", "玛", "狗", "脑", " ", "_", "-", "*", ".")
_EMAIL_ANCHORS = ("艾特", "爱特", "at", "圈a", "小老鼠", "在", "点com", "点cn", "dot")
_URL_ANCHORS = ("www", "wap", "点com", "点cn", "点net", "dot")


def _windows(light: str, anchors: Iterable[str], before: int, after: int) -> list[tuple[int, int]]:
    """Merged windows of `light` around every occurrence of the anchors (str.find runs in C, so a
    batch without any anchor costs next to nothing and the regex only reads the windows)."""
    spans: list[tuple[int, int]] = []
    for anchor in anchors:
        pos = light.find(anchor)
        while pos != -1:
            spans.append((max(0, pos - before), min(len(light), pos + len(anchor) + after)))
            pos = light.find(anchor, pos + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def scan_insults(light: str) -> Iterator[tuple[str, int, int]]:
    """Masked insults over the 1:1 light view; spans are original offsets."""
    last = -1
    for a, b in _windows(light, _INSULT_ANCHORS, 8, 12):
        for m in MASKED_INSULT.finditer(light, a, b):
            if m.start() >= last:
                last = m.end()
                yield "masked_insult", m.start(), m.end()


def scan_light(light: str) -> Iterator[tuple[str, int, int]]:
    """E-mail and URL detectors over the 1:1 light view; spans are original offsets."""
    emails: list[tuple[int, int]] = []
    for a, b in _windows(light, _EMAIL_ANCHORS, 45, 45):
        for m in EMAIL_WORDS.finditer(light, a, b):
            if "@" not in m.group():
                emails.append((m.start(), m.end()))
                yield "email", m.start(), m.end()
    for a, b in _windows(light, _URL_ANCHORS, 40, 60):
        for m in URL_WORDS.finditer(light, a, b):
            if "." not in m.group():
                yield "url", m.start(), m.end()
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
    last = -1
    for a, b in _windows(light, _ADDRESS_ANCHORS, 12, 40):
        for m in ADDRESS.finditer(light, a, b):
            if m.start() >= last:
                last = m.end()
                yield "address", m.start(), m.end()
    emails.sort()
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
