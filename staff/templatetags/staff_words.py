"""Plain words for codes on the staff site, in the reader's language (the same words as the
patient's record: records.wording)."""

from django import template

from records import wording

register = template.Library()


@register.filter
def step_words(step: int | None) -> str:
    """``2`` → "Step 2: pain reduction" (Dutch: "Stap 2: pijnvermindering")."""
    if not step:
        return "–"
    # The lazy text renders in the language the page is in.
    return str(wording.STEP.get(step, step))
