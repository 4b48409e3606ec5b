"""The translation marker of the declaration: marks a text, translates nothing.

The declaration stays free of Django, so it cannot call gettext. `makemessages` finds
the texts by this marker's name (`_`, a `gettext_noop` keyword), and a template or form
translates them when it renders.
"""


def gettext_noop(message: str) -> str:
    """Mark `message` for translation and return it unchanged."""
    return message


_ = gettext_noop
