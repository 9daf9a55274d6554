"""The command line speaks French: help headings, the help option, argparse's errors."""

from __future__ import annotations

import pytest

from territoires import cli


def test_help_is_in_french(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["sheet", "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("utilisation : python -m territoires sheet ")
    assert "afficher cette aide et quitter" in text and "--territory TERRITOIRE" in text
    for english in ("usage:", "show this help", "positional arguments"):
        assert english not in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import"], "python -m territoires import : erreur : arguments obligatoires manquants"),
        (["nope"], "erreur : argument COMMANDE : choix invalide : 'nope' (choix possibles :"),
        (["coverage", "--radius-km", "abc"], "argument --radius-km : valeur invalide : 'abc'"),
        (["export", "--output", "x.csv", "--nope"], "erreur : arguments non reconnus : --nope"),
    ],
)
def test_argparse_errors_are_in_french(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("utilisation : ") and message in err


def test_an_unknown_message_is_left_as_is():
    assert cli.french_error("quelque chose d'autre") == "quelque chose d'autre"
