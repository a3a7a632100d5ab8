"""Text normalisation with an offset map back to the original text.  No Django here.

Two views of a text are produced, both as plain `str`:

* the *light* view `L`: every character mapped 1:1 (NFKC/full-width → half-width, lower case,
  traditional → simplified, Chinese numerals → digits).  `L[i]` corresponds to `text[i]`, so detectors
  that need punctuation (e-mail, URLs) run on it and report original offsets directly.
* the *matching* view `N`: `L` with separator/noise characters removed (spaces, ASCII punctuation,
  emoji, zero-width characters, ·…) and runs of the same CJK character collapsed to one.  `idx[j]` is the
  index in the original text of `N[j]`.  Chinese sentence punctuation (，。！？、：；…) is kept: it is a
  boundary, not noise, so words of two sentences never join.

Patterns are pushed through the same pipeline, so a rule written as "第一次" matches "第1次" and
"第 一 次", and "最好" matches "最最最好".

The work is vectorised with numpy over a whole batch of messages joined by NUL, which is what makes
scanning a million messages cheap; `normalize` is the one-text convenience.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np

SEP = "\x00"  # joins messages in a batch; never noise, never part of a pattern
BMP = 0x10000

# Chinese sentence punctuation: boundaries between words, never removed.
_BOUNDARY = set("，。！？、：；…—（）【】「」『』《》〈〉“”‘’〔〕")
_NUMERALS = {
    "零": "0", "〇": "0", "○": "0", "一": "1", "壹": "1", "幺": "1", "二": "2", "贰": "2", "三": "3",
    "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6", "七": "7", "柒": "7",
    "八": "8", "捌": "8", "九": "9", "玖": "9", "两": "2",
}
# parenthesised and full-stop digits (⑴, ⒈): NFKC makes them several characters, the table needs one
_NUMERALS.update({chr(0x2474 + k): str(k + 1) for k in range(9)})
_NUMERALS.update({chr(0x2488 + k): str(k + 1) for k in range(9)})
# dingbat and double circled digits (❶, ➀, ➊, ⓵), which NFKC leaves alone: used to write phone numbers past a filter
for _first in (0x2776, 0x2780, 0x278A, 0x24F5):
    _NUMERALS.update({chr(_first + k): str(k + 1) for k in range(9)})
_NUMERALS["⓿"] = "0"
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))

NORMAL, NOISE, CJK = 0, 1, 2
# characters that Chinese doubles in everyday words (妈妈, 宝宝, 谢谢 …): never collapsed, so that
# "他妈妈的" does not turn into "他妈的"
_NO_COLLAPSE = {ord(c) for c in "妈爸哥姐弟妹爷奶婆公叔姨舅宝亲谢看试刚常慢天人个星扣抠哈嘿呵啦多旺夕贝遥"}


def _t2s_table() -> dict[int, str]:
    """Single-character traditional → simplified pairs from OpenCC (phrases are not needed: 1:1 only)."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a hard requirement in requirements.txt
        return {}
    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    table = {}
    if len(converted) == len(chars):
        for src, dst in zip(chars, converted, strict=True):
            if len(dst) == 1 and dst != src:
                table[ord(src)] = dst
    return table


@lru_cache(maxsize=1)
def tables() -> tuple[np.ndarray, np.ndarray]:
    """(MAP, CLASS) over all of Unicode: MAP[cp] is the normalised code point, CLASS[cp] is NORMAL,
    NOISE or CJK. Astral characters (emoji and the like) are noise."""
    size = 0x110000
    mapping = np.arange(size, dtype=np.uint32)
    klass = np.zeros(size, dtype=np.uint8)
    klass[BMP:] = NOISE
    klass[0xD800:0xE000] = NOISE
    t2s = _t2s_table()
    for cp in range(BMP):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        if ch in _BOUNDARY or ch == SEP:
            continue
        out = t2s.get(cp, ch)
        nf = unicodedata.normalize("NFKC", out)
        if len(nf) == 1:
            out = nf
        low = out.lower()
        out = low if len(low) == 1 else out
        out = _NUMERALS.get(out, out)
        mapping[cp] = ord(out)
        # marks too: the variation selector and keycap of "1️⃣" must not split a digit run
        if out.isspace() or unicodedata.category(out)[0] in "PSZCM":
            klass[cp] = NOISE
        elif ord(out) not in _NO_COLLAPSE and any(lo <= ord(out) < hi for lo, hi in _CJK_RANGES):
            klass[cp] = CJK
    return mapping, klass


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _to_str(arr: np.ndarray) -> str:
    return arr.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


def normalize_joined(text: str) -> tuple[str, str, np.ndarray, np.ndarray]:
    """Normalise `text` (one message or many joined by SEP).

    Returns (L, N, idx, values): the light view, the matching view, the original index of every
    character of N, and N's code points as an array (the detectors use it to find digit runs).
    """
    mapping, klass = tables()
    cps = _codepoints(text)
    mapped = mapping[cps]
    light = _to_str(mapped)
    keep = np.flatnonzero(klass[cps] != NOISE)
    values = mapped[keep]
    if len(values) > 1:
        dup = values[1:] == values[:-1]
        if dup.any():
            dup &= klass[values[1:]] == CJK
            if dup.any():
                mask = np.ones(len(values), dtype=bool)
                mask[1:] = ~dup
                keep = keep[mask]
                values = values[mask]
    return light, _to_str(values), keep, values


# Clause boundaries (view L): sentence punctuation, ASCII punctuation that ends a clause, line breaks and
# the batch separator. A combination rule's terms must meet inside one clause; the classifier reads clauses.
CLAUSE_END = "，。！？；…\n\r,.!?;~～" + SEP
QUESTION_END = "？?"
SENTENCE_END = "。！？；…\n\r!?;" + SEP


@lru_cache(maxsize=2)
def _boundary_table(ends: str) -> np.ndarray:
    table = np.zeros(BMP, dtype=bool)
    for ch in ends:
        table[ord(ch)] = True
    return table


def clause_ids(light: str, ends: str = CLAUSE_END) -> tuple[np.ndarray, np.ndarray]:
    """(clause id of every character of L, position of every boundary character).

    A boundary character belongs to the clause it ends, so clause c ends at `bounds[c]` (inclusive) and
    the clause ids never decrease along the text.  With `ends=SENTENCE_END`: sentences (a comma does
    not end one).
    """
    cps = _codepoints(light)
    table = _boundary_table(ends)
    boundary = np.zeros(len(cps), dtype=bool)
    bmp = cps < BMP
    boundary[bmp] = table[cps[bmp]]
    ids = np.cumsum(boundary) - boundary
    return ids, np.flatnonzero(boundary)


def normalize(text: str) -> tuple[str, list[int]]:
    """The matching view of one text and, for each of its characters, the original index."""
    _light, norm, idx, _values = normalize_joined(text)
    return norm, idx.tolist()


def normalize_pattern(term: str) -> str:
    """What a rule term looks like in the matching view."""
    return normalize_joined(term)[1]
