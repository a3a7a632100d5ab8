"""Chinese text in PDFs: find and register a CJK TrueType font for reportlab, embedded in every PDF.

The font is a system font (Debian: fonts-wqy-microhei, installed by `make run`/`make test`/CI), or the
file named by CJK_FONT_PATH.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

FONT_NAME = "CJK"
CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]


class FontMissing(RuntimeError):
    pass


def find_cjk_font() -> Path:
    configured = os.environ.get("CJK_FONT_PATH")
    for candidate in ([configured] if configured else []) + CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "No Chinese font for PDFs: install Debian's fonts-wqy-microhei or set CJK_FONT_PATH to a .ttf/.ttc file."
    )


@lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Register the font with reportlab once per process; returns the font name to use in styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = find_cjk_font()
    kwargs = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), **kwargs))
    return FONT_NAME
