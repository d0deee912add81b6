"""The mapper's failure reasons can be shown in the reader's language: the pure
code keeps the English sentence and its values apart, and every sentence is
one the translation template collects."""

import ast
import pathlib

import pytest
from test_export_mapping import item, make_ctx

from pleo_connector.services.export_mapping import MappingError, map_export_item
from pleo_connector.services.text import Text, translate

SERVICES = pathlib.Path(__file__).parents[1] / "pleo_connector" / "services"


def danish(catalogue):
    """A gettext over a little catalogue; unknown sentences stay English."""
    return lambda source: catalogue.get(source, source)


def test_unknown_accounts_of_two_lines_are_translated_with_their_line_words():
    ctx = make_ctx(accounts={})
    with pytest.raises(MappingError) as err:
        map_export_item(item("card_split_dkk"), ctx)
    catalogue = {
        "Line %(n)s: expense": "Linje %(n)s: udgift",
        "%(what)s account %(label)s (%(name)s) does not exist in Odoo: "
        "create it or correct the category in Pleo.": "%(what)s-kontoen %(label)s "
        "(%(name)s) findes ikke i Odoo: opret den, eller ret kategorien i Pleo.",
    }
    english = err.value.message
    shown = translate(err.value.text, danish(catalogue))
    assert "Line 1: expense account" in english
    assert shown.startswith("Linje 1: udgift-kontoen ")
    assert "Linje 2: udgift-kontoen " in shown
    assert "Line" not in shown


def test_values_are_put_in_after_translation():
    text = Text("Tax code %(code)s is unknown.", {"code": "VAT%(x)s"})
    assert translate(text, danish({})) == "Tax code VAT%(x)s is unknown."
    assert str(text) == "Tax code VAT%(x)s is unknown."
    shown = translate(text, danish({text.source: "Momskode %(code)s er ukendt."}))
    assert shown == "Momskode VAT%(x)s er ukendt."


def test_every_failure_of_the_mapper_is_a_sentence_for_the_template():
    """No f-string or plain string reaches MappingError: each is `_()`."""
    tree = ast.parse((SERVICES / "export_mapping.py").read_text())
    untranslated = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "MappingError"
        and isinstance(node.args[1], ast.Constant | ast.JoinedStr)
    ]
    assert untranslated == []
