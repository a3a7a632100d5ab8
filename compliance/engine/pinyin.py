"""Homophones through pinyin, for the whole text, with offsets kept.  No Django here.

Every CJK character of the matching view N is replaced by one code point standing for its toneless
pinyin syllable (pypinyin's reading table, the first reading of each character), giving the *sound view*
S, 1:1 with N: a rule term written 微信 becomes the syllables "wei xin", and S finds 薇信, 威信, 维信 … in
any text, with the offsets of N (hence of the original text).  Syllables are matched whole and aligned
to characters, so 西安下午 (xi an xia wu) never contains 线下 (xian xia).

Two guards keep everyday words out (docs/domain.md, traps):
* a sound match must share at least one character with the term itself (薇信 shares 信; 我为新客户's
  为新 shares nothing with 微信, so it stays clean);
* matches are only sought for the terms of rules that ask for evasion (other platforms, some insults).

`spellings(term)` gives the ASCII pinyin of a term and its half-pinyin mixes (weixin, wei信, 微xin), so
typed pinyin is found without a hand-written alias table.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import product

import numpy as np

_PUA = 0xE000  # syllable k is written as chr(_PUA + k) in the sound view (Private Use Area, never in N)
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ü", "v")


@lru_cache(maxsize=1)
def syllable_table() -> tuple[np.ndarray, dict[int, str]]:
    """(SOUND, names): SOUND[cp] is the sound-view code point of BMP character cp (itself when it has no
    reading), names maps a sound code point back to its syllable."""
    from pypinyin.pinyin_dict import pinyin_dict

    sound = np.arange(0x10000, dtype=np.uint32)
    ids: dict[str, int] = {}
    for cp, readings in pinyin_dict.items():
        if cp >= 0x10000 or not any(lo <= cp < hi for lo, hi in _CJK_RANGES):
            continue
        syllable = _toneless(readings.split(",")[0])
        if not syllable.isascii() or not syllable.isalpha():
            continue
        k = ids.setdefault(syllable, len(ids))
        sound[cp] = _PUA + k
    return sound, {_PUA + k: s for s, k in ids.items()}


def sound_view(values: np.ndarray) -> str:
    """The sound view of N's code points (same length as N)."""
    sound, _names = syllable_table()
    out = values.copy()
    bmp = values < 0x10000
    out[bmp] = sound[values[bmp]]
    return out.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


def sound_of(term: str) -> str:
    """The sound view of a normalised term, or "" when some character has no reading (letters, digits)."""
    sound, _names = syllable_table()
    out = []
    for ch in term:
        cp = ord(ch)
        if cp >= 0x10000 or sound[cp] == cp:
            return ""
        out.append(chr(int(sound[cp])))
    return "".join(out)


def syllables(term: str) -> list[str] | None:
    """The toneless syllables of a term's characters, None when one has no reading."""
    sound, names = syllable_table()
    out = []
    for ch in term:
        cp = ord(ch)
        if cp >= 0x10000 or sound[cp] == cp:
            return None
        out.append(names[int(sound[cp])])
    return out


def spellings(term: str, limit: int = 16) -> list[str]:
    """ASCII pinyin of the term (weixin) and its mixes with the characters (wei信, 微xin): the ways a
    term is typed half in pinyin.  At most `limit`, the whole-pinyin spelling first."""
    parts = syllables(term)
    if not parts or len(parts) < 2:
        return []
    out = ["".join(parts)]
    for choice in product((False, True), repeat=len(parts)):
        if all(choice) or not any(choice):
            continue
        out.append("".join(p if use else ch for p, ch, use in zip(parts, term, choice, strict=True)))
        if len(out) >= limit:
            break
    return out
