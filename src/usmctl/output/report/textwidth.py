"""How wide a line of text is drawn, without a browser: the widths of the
picture's font and a greedy word wrap over at most three lines.

The supply-chain picture names its font first (`FONT_FAMILY`): DejaVu Sans,
the sans-serif of most Linux systems, whose glyphs are as wide as Verdana's and
wider than Helvetica's, Arial's or Segoe UI's, so a line measured here fits
whichever of them draws it. `_WIDTHS` are DejaVu Sans's advance widths in
thousandths of an em (`python tools/font_widths.py DejaVuSans.ttf` prints
them); a character outside those ranges counts as one em, an East Asian wide
character too (it is drawn from a CJK font at about one em), and a combining
mark as nothing. `SAFETY` adds a margin for hinting and rounding.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

FONT_FAMILY = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif"
SAFETY = 1.04
MAX_LINES = 3
DEFAULT = 1000  # thousandths of an em: a character the table does not know
WIDE = 1000  # an East Asian wide or full-width character

# fmt: off
_WIDTHS: tuple[tuple[int, tuple[int, ...]], ...] = (
    (0x0020, (
        318, 401, 460, 838, 637, 951, 780, 275, 391, 391, 500, 838, 318, 361, 318, 337,
        637, 637, 637, 637, 637, 637, 637, 637, 637, 637, 337, 337, 838, 838, 838, 531,
        1000, 685, 687, 699, 771, 632, 576, 775, 752, 295, 295, 656, 558, 863, 749, 788,
        604, 788, 695, 635, 611, 732, 685, 989, 686, 611, 686, 391, 337, 391, 838, 500,
        500, 613, 635, 550, 635, 616, 353, 635, 634, 278, 278, 580, 278, 975, 634, 612,
        635, 635, 412, 521, 393, 634, 592, 818, 592, 592, 525, 637, 337, 637, 838, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        318, 401, 637, 637, 637, 637, 337, 500, 500, 1000, 472, 612, 838, 361, 1000, 500,
        500, 838, 401, 401, 500, 637, 637, 318, 500, 401, 472, 612, 970, 970, 970, 531,
        685, 685, 685, 685, 685, 685, 975, 699, 632, 632, 632, 632, 295, 295, 295, 295,
        775, 749, 788, 788, 788, 788, 788, 838, 788, 732, 732, 732, 732, 611, 605, 630,
        613, 613, 613, 613, 613, 613, 982, 550, 616, 616, 616, 616, 278, 278, 278, 278,
        612, 634, 612, 612, 612, 612, 612, 838, 612, 634, 634, 634, 634, 592, 635, 592,
        685, 613, 685, 613, 685, 613, 699, 550, 699, 550, 699, 550, 699, 550, 771, 635,
        775, 635, 632, 616, 632, 616, 632, 616, 632, 616, 632, 616, 775, 635, 775, 635,
        775, 635, 775, 635, 752, 634, 917, 695, 295, 278, 295, 278, 295, 278, 295, 278,
        295, 278, 590, 556, 295, 278, 656, 580, 580, 558, 278, 558, 278, 558, 375, 558,
        342, 563, 285, 749, 634, 749, 634, 749, 634, 814, 749, 634, 788, 612, 788, 612,
        788, 612, 1070, 1023, 695, 412, 695, 412, 695, 412, 635, 521, 635, 521, 635, 521,
        635, 521, 611, 393, 611, 393, 611, 393, 732, 634, 732, 634, 732, 634, 732, 634,
        732, 634, 732, 634, 989, 818, 611, 592, 611, 686, 525, 686, 525, 686, 525, 353,
        635, 735, 687, 635, 687, 635, 704, 699, 550, 775, 819, 687, 635, 612, 632, 788,
        615, 576, 353, 775, 687, 984, 354, 295, 746, 580, 278, 592, 975, 749, 634, 788,
        914, 612, 949, 760, 652, 635, 695, 635, 521, 632, 336, 393, 611, 393, 611, 858,
        634, 765, 721, 744, 731, 686, 525, 667, 667, 578, 525, 637, 667, 578, 511, 635,
        295, 493, 459, 296, 1422, 1299, 1155, 836, 787, 457, 932, 924, 798, 685, 613, 295,
        278, 788, 612, 732, 634, 732, 634, 732, 634, 732, 634, 732, 634, 616, 685, 613,
        685, 613, 975, 982, 775, 635, 775, 635, 656, 580, 788, 612, 788, 612, 667, 578,
        278, 1422, 1299, 1155, 775, 635, 1113, 683, 749, 634, 685, 613, 975, 982, 788, 612,
        685, 613, 685, 613, 632, 616, 632, 616, 295, 278, 295, 278, 788, 612, 788, 612,
        695, 412, 695, 412, 732, 634, 732, 634, 635, 521, 611, 393, 627, 522, 752, 634,
        736, 838, 699, 611, 686, 525, 685, 613, 632, 616, 788, 612, 788, 612, 788, 612,
        788, 612, 611, 592, 475, 843, 478, 278, 999, 999, 685, 699, 550, 558, 611, 521,
        525, 604, 480, 687, 732, 685, 632, 616, 295, 278, 782, 635, 695, 412, 611, 592,
    )),
    (0x0370, (
        655, 568, 862, 648, 279, 279, 749, 650, 0, 0, 500, 550, 550, 550, 337, 295,
        0, 0, 0, 0, 500, 500, 693, 318, 747, 872, 409, 0, 813, 0, 825, 826,
        339, 685, 687, 558, 685, 632, 686, 752, 788, 295, 656, 685, 863, 749, 632, 788,
        752, 604, 0, 632, 611, 611, 788, 686, 788, 765, 295, 611, 660, 541, 634, 339,
        579, 660, 639, 592, 612, 541, 544, 634, 612, 339, 590, 592, 637, 559, 558, 612,
        603, 635, 587, 634, 603, 579, 660, 578, 660, 838, 339, 579, 612, 579, 838, 656,
        615, 620, 699, 843, 699, 660, 838, 664, 788, 612, 649, 587, 576, 459, 660, 660,
        866, 628, 934, 838, 759, 660, 792, 615, 687, 607, 768, 625, 700, 612, 611, 537,
        664, 635, 550, 278, 788, 616, 616, 605, 635, 699, 863, 651, 635, 704, 699, 704,
        632, 632, 787, 610, 699, 635, 295, 295, 295, 1094, 1045, 787, 710, 749, 610, 752,
        685, 687, 687, 610, 782, 632, 1078, 642, 749, 749, 710, 752, 863, 752, 788, 752,
        604, 699, 611, 610, 861, 686, 777, 686, 1070, 1094, 833, 883, 687, 699, 1080, 695,
        613, 617, 590, 526, 692, 616, 901, 532, 650, 650, 605, 640, 755, 654, 612, 654,
        635, 550, 583, 592, 855, 592, 681, 591, 916, 942, 707, 790, 590, 549, 842, 602,
        616, 616, 625, 526, 549, 521, 278, 278, 278, 903, 899, 652, 605, 650, 592, 654,
        934, 838, 771, 672, 943, 750, 880, 784, 1160, 1002, 788, 612, 1027, 825, 637, 541,
        857, 877, 788, 612, 782, 666, 782, 666, 993, 905, 954, 759, 1180, 1028, 934, 838,
        699, 550, 503, 0, 0, 0, 0, 0, 418, 418, 773, 677, 687, 590, 604, 635,
        610, 526, 675, 591, 625, 530, 1078, 901, 642, 532, 710, 605, 710, 605, 710, 605,
        857, 832, 752, 661, 1015, 877, 1082, 916, 878, 693, 699, 550, 611, 583, 611, 592,
        611, 592, 686, 592, 935, 807, 686, 591, 686, 591, 686, 634, 941, 729, 941, 729,
        295, 1078, 901, 656, 605, 776, 671, 752, 661, 777, 681, 686, 591, 888, 775, 278,
        685, 613, 685, 613, 975, 982, 632, 616, 788, 616, 788, 616, 1078, 901, 642, 532,
        667, 578, 749, 650, 749, 650, 788, 612, 788, 612, 788, 612, 699, 549, 610, 592,
        610, 592, 610, 592, 686, 591, 610, 526, 883, 790, 675, 591, 686, 592, 686, 592,
    )),
    (0x2000, (
        500, 1000, 500, 1000, 330, 250, 167, 637, 318, 200, 100, 0, 0, 0, 0, 0,
        361, 361, 637, 500, 1000, 1000, 500, 500, 318, 318, 318, 318, 519, 519, 519, 519,
        500, 500, 590, 590, 335, 668, 1000, 318, 0, 0, 0, 0, 0, 0, 0, 200,
        1342, 1736, 228, 374, 521, 228, 374, 521, 339, 400, 400, 838, 486, 531, 500, 804,
        804, 250, 1000, 500, 167, 391, 391, 922, 733, 733, 498, 637, 500, 500, 500, 337,
        804, 500, 450, 1000, 804, 838, 586, 664, 838, 838, 318, 798, 838, 318, 318, 223,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    )),
)
# fmt: on


@lru_cache(maxsize=4096)
def _advance(char: str) -> int:
    """The width of one character in thousandths of an em."""
    code = ord(char)
    for start, row in _WIDTHS:
        if start <= code < start + len(row):
            return row[code - start] or DEFAULT
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return WIDE
    return DEFAULT


def text_width(text: str, size: float) -> float:
    """The width in px of ``text`` drawn at ``size`` px (with the safety margin)."""
    return sum(_advance(char) for char in text) * size * SAFETY / 1000


def wrap(text: str, width: float, size: float, lines: int = MAX_LINES) -> list[str] | None:
    """``text`` broken between words into lines no wider than ``width`` px,
    or None when it needs more than ``lines`` lines or one word is wider."""
    out: list[str] = []
    for word in text.split():
        if text_width(word, size) > width:
            return None
        joined = f"{out[-1]} {word}" if out else word
        if out and text_width(joined, size) <= width:
            out[-1] = joined
        else:
            out.append(word)
            if len(out) > lines:
                return None
    return out or [""]


def fit(text: str, width: float, size: float, lines: int = MAX_LINES) -> tuple[list[str], float]:
    """``text`` wrapped at ``width`` px over at most ``lines`` lines, and the
    width that takes: ``width``, or more when the text needs it. Never cut."""
    wrapped = wrap(text, width, size, lines)
    if wrapped is not None:
        return wrapped, width
    # Greedy wrapping needs no more lines at a greater width: search for the
    # narrowest width that fits between ``width`` and the whole text on one line.
    words = " ".join(text.split())
    low, high = width, max(width, text_width(words, size))
    while high - low > 0.5:
        middle = (low + high) / 2
        if wrap(text, middle, size, lines) is None:
            low = middle
        else:
            high = middle
    return wrap(text, high, size, lines) or [words], high
