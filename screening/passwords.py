"""Password validation beyond Django's: no clinic or product names (ASVS 6.2.11)."""

import re
from typing import Any

from django.core.exceptions import ValidationError

from screening.models import Clinic

# Words an attacker tries first against this app, whatever the clinic.
PRODUCT_WORDS = ("ketamine", "intake", "screening", "esketamine", "spravato")
# Shorter clinic-name words ("A", "of", "St") would refuse ordinary passphrases.
MIN_CONTEXT_WORD_LENGTH = 4


def _letters(text: str) -> str:
    """Lower case, letters and digits only: "Clinic-A" and "clinic a" compare equal."""
    return re.sub(r"[\W_]+", "", text.casefold())


def context_words() -> set[str]:
    """Product words plus every clinic's name, name words and slug."""
    words = {_letters(word) for word in PRODUCT_WORDS}
    for name, slug in Clinic.objects.values_list("name", "slug"):
        words.add(_letters(name))
        words.add(_letters(slug))
        words.update(_letters(part) for part in re.split(r"[\W_]+", name))
    return {word for word in words if len(word) >= MIN_CONTEXT_WORD_LENGTH}


class ContextWordsValidator:
    """Refuse passwords containing the clinic's or the product's name."""

    def validate(self, password: str, user: Any = None) -> None:
        flat = _letters(password)
        if any(word in flat for word in context_words()):
            raise ValidationError(
                "Choose a password that does not contain the clinic's or this "
                "application's name.",
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return "Your password cannot contain the clinic's or this application's name."
