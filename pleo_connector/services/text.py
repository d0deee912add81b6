# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sentences the pure code says, translated where Odoo shows them.

The pure code cannot translate (it does not import Odoo and does not know the
reader's language), so it returns the English sentence with its named values.
The Odoo layer translates it with the addon's translations when it stores it.
Writing `_("…", name=value)` here keeps the sentence in the addon's
translation template: Odoo's extractor collects every `_()` call of the addon.
"""

from __future__ import annotations


class Text:
    """An English sentence with `%(name)s` placeholders and their values; a
    value may itself be a Text (translated first)."""

    __slots__ = ("params", "source")

    def __init__(self, source, params=None):
        self.source = source
        self.params = params or {}

    def translate(self, gettext):
        """The sentence in the reader's language: `gettext(source)` gives the
        translated pattern, the values are put in afterwards."""
        params = {
            key: value.translate(gettext) if isinstance(value, Text) else value
            for key, value in self.params.items()
        }
        pattern = gettext(self.source)
        return pattern % params if params else pattern

    def __str__(self):
        return self.translate(lambda source: source)

    def __repr__(self):
        return f"Text({str(self)!r})"


def _(source, **params):
    """Marks a sentence for the translation template (see the module text)."""
    return Text(source, params)


def translate(message, gettext):
    """A message (a Text, a list of them, or a plain string) in the reader's
    language."""
    if isinstance(message, Text):
        return message.translate(gettext)
    if isinstance(message, list | tuple):
        return " ".join(translate(part, gettext) for part in message)
    return str(message)
