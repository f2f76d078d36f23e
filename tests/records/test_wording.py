"""Every code a patient can meet in their record has plain words in Dutch and English."""

from __future__ import annotations

import pytest

from assessments.rules import GRADES, RED_FLAGS
from escalations.catalogue import DEFAULT_SEVERITY
from escalations.models import EscalationStatus
from programs.models import ProgramStatus, Step
from programs.rules import ADVISORY_ALERTS
from records import wording


@pytest.mark.parametrize(
    ("table", "codes"),
    [
        (wording.RED_FLAG, RED_FLAGS),
        (wording.GRADE, [*GRADES, None]),
        (wording.STEP, Step.values),
        (wording.PROGRAM_STATUS, ProgramStatus.values),
        (wording.ESCALATION_STATUS, EscalationStatus.values),
        (wording.RULE, [*DEFAULT_SEVERITY, *ADVISORY_ALERTS]),
    ],
)
def test_every_code_has_words_in_both_languages(table, codes):
    for code in codes:
        assert code in table, code
        nl, en = (wording.say(table, code, language) for language in ("nl", "en"))
        assert nl.strip() and en.strip(), code
        assert nl != en, code  # the Dutch is in the translation catalogue


def test_a_code_that_is_new_still_shows_something():
    assert wording.say(wording.RULE, "a_rule_added_later", "nl") == "a_rule_added_later"


def test_english_red_flags_are_the_clinical_rules_own_words():
    assert wording.say(wording.RED_FLAG, "unable_to_walk", "en") == "Unable to walk."
    for code, text in RED_FLAGS.items():
        assert wording.say(wording.RED_FLAG, code, "en") == text[0].upper() + text[1:] + "."
