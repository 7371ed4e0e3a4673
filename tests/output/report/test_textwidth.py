"""Text measured for the picture's font, and wrapped whole over three lines."""

from __future__ import annotations

import pytest

from usmctl.output.report.textwidth import MAX_LINES, SAFETY, fit, text_width, wrap


def test_widths_are_the_fonts_advances_with_the_margin() -> None:
    # DejaVu Sans: "i" 278, "M" 863, "W" 989 thousandths of an em.
    assert text_width("i", 1000) == pytest.approx(278 * SAFETY)
    assert text_width("MW", 10) == pytest.approx((863 + 989) * SAFETY / 100)
    assert text_width("", 11) == 0
    # Wide characters count one em; a combining mark nothing; an unknown one em.
    assert text_width("服务", 10) == pytest.approx(20 * SAFETY)
    assert text_width("e\u0301", 10) == pytest.approx(text_width("e", 10))
    assert text_width("\U0001f600", 10) == pytest.approx(10 * SAFETY)


def test_wrap_breaks_between_words_within_the_width() -> None:
    name = "Claims application maintenance and second-line support"
    lines = wrap(name, 150, 11)
    assert lines is not None and 1 < len(lines) <= MAX_LINES
    assert " ".join(lines) == name
    assert all(text_width(line, 11) <= 150 for line in lines)
    assert wrap(name, 40, 11) is None  # more than three lines, or a word too wide


def test_fit_widens_rather_than_cut() -> None:
    name = "Supercalifragilisticexpialidocious shared service centre of the region"
    lines, width = fit(name, 60, 11)
    assert " ".join(lines) == name and len(lines) <= MAX_LINES
    assert width > 60
    assert all(text_width(line, 11) <= width for line in lines)
    assert fit("Short", 100, 11) == (["Short"], 100)
