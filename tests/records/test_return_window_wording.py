"""The grade-3 window is "3–6 months or longer" (seed 000, issue 22 case 14); grades 1 and
2 have a closed window."""

from __future__ import annotations

from datetime import date

import pytest

from records import wording

WINDOW = {"earliest": date(2027, 1, 1), "latest": date(2027, 4, 1)}


@pytest.mark.parametrize(
    ("language", "words"), [("en", "3–6 months or longer"), ("nl", "3–6 maanden of langer")]
)
def test_the_grade_3_window_says_it_can_take_longer(language, words):
    text = wording.return_to_jog_text(WINDOW, language, grade=3)
    assert words in text
    assert "2027-01-01" in text and "2027-04-01" in text


@pytest.mark.parametrize("grade", [1, 2])
@pytest.mark.parametrize("language", ["en", "nl"])
def test_grades_1_and_2_keep_their_window(grade, language):
    text = wording.return_to_jog_text(WINDOW, language, grade=grade)
    assert "longer" not in text and "langer" not in text
