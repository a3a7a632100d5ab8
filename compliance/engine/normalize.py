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
    "八": "8", "捌": "8", "九": "9", "玖": "9",
}
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))

NORMAL, NOISE, CJK = 0, 1, 2


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
    """(MAP, CLASS): MAP[cp] is the normalised code point, CLASS[cp] is NORMAL, NOISE or CJK.

    Index BMP (0x10000) stands for every astral character (emoji and the like): noise.
    """
    mapping = np.arange(BMP + 1, dtype=np.uint32)
    klass = np.zeros(BMP + 1, dtype=np.uint8)
    t2s = _t2s_table()
    for cp in range(BMP):
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000:
            klass[cp] = NOISE
            continue
        if ch in _BOUNDARY or ch == SEP:
            continue
        out = t2s.get(cp, ch)
        nf = unicodedata.normalize("NFKC", out)
        if len(nf) == 1:
            out = nf
        out = out.lower() if len(out.lower()) == 1 else out
        out = _NUMERALS.get(out, out)
        mapping[cp] = ord(out)
        cat = unicodedata.category(out)
        if out.isspace() or cat[0] in "PSZC":
            # keep a few symbols that carry meaning in detectors of the light view only; in N they are noise
            klass[cp] = NOISE
        elif any(lo <= ord(out) < hi for lo, hi in _CJK_RANGES):
            klass[cp] = CJK
    # Chinese boundary punctuation stays itself
    for ch in _BOUNDARY:
        mapping[ord(ch)] = ord(ch)
        klass[ord(ch)] = NORMAL
    klass[BMP] = NOISE
    mapping[BMP] = BMP
    return mapping, klass


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _to_str(arr: np.ndarray) -> str:
    return arr.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


def normalize_joined(text: str) -> tuple[str, str, np.ndarray]:
    """Normalise `text` (one message or many joined by SEP). Returns (L, N, idx)."""
    mapping, klass = tables()
    cps = _codepoints(text)
    clipped = np.minimum(cps, BMP)
    mapped = mapping[clipped]
    astral = cps >= BMP
    if astral.any():
        mapped = np.where(astral, cps, mapped)
    light = _to_str(mapped)
    cls = klass[clipped]
    keep = np.flatnonzero(cls != NOISE)
    values = mapped[keep]
    if len(values) > 1:
        vcls = klass[np.minimum(values, BMP)]
        dup = np.empty(len(values), dtype=bool)
        dup[0] = False
        np.logical_and(values[1:] == values[:-1], vcls[1:] == CJK, out=dup[1:])
        if dup.any():
            keep = keep[~dup]
            values = values[~dup]
    return light, _to_str(values), keep


def normalize(text: str) -> tuple[str, list[int]]:
    """The matching view of one text and, for each of its characters, the original index."""
    _light, norm, idx = normalize_joined(text)
    return norm, idx.tolist()


def normalize_pattern(term: str) -> str:
    """What a rule term looks like in the matching view."""
    return normalize_joined(term)[1]
