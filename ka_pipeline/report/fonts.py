"""The CJK font of the charts: Chinese labels and account names must render, never as tofu.

The font is Noto Sans CJK SC, shipped inside the `mplfonts` wheel (a pinned dependency), so
every machine that installs the project has it. Debian's `fonts-noto-cjk` and
`fonts-wqy-microhei` are accepted as fallbacks. The file is registered with matplotlib
explicitly; nothing depends on matplotlib's own font search or cache.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

_WHEEL_FONT = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")
_SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


class CjkFontMissing(RuntimeError):
    pass


def cjk_font_path() -> Path:
    """The first CJK font found: the `mplfonts` wheel's Noto Sans CJK SC, then system fonts."""
    package, relative = _WHEEL_FONT
    spec = importlib.util.find_spec(package)
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / relative
            if candidate.is_file():
                return candidate
    for candidate in map(Path, _SYSTEM_FONTS):
        if candidate.is_file():
            return candidate
    raise CjkFontMissing(
        "No CJK font for the report charts: install the project's dependencies (the `mplfonts` "
        "wheel ships Noto Sans CJK SC) or the Debian package fonts-noto-cjk."
    )


@cache
def register_cjk_font() -> str:
    """Register the CJK font with matplotlib; return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
