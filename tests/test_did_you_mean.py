"""A mistyped command or architecture names the closest right one."""

from __future__ import annotations

import pytest

import kerasbind as kb
from kerasbind.cli import main
from kerasbind.errors import did_you_mean


def test_closest_name_or_nothing() -> None:
    assert did_you_mean("ecbltsm", kb.ARCHITECTURES) == "; did you mean 'ecblstm'?"
    assert did_you_mean("zzzz", kb.ARCHITECTURES) == ""


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["trian"], "invalid choice: 'trian'; did you mean 'train'? (choose from"),
        (["train", "--arch", "danqq"], "invalid choice: 'danqq'; did you mean 'danq'? (choose"),
    ],
)
def test_parser_suggests(argv, said, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2 and said in capsys.readouterr().err


def test_benchmark_and_library_suggest(tmp_path, capsys) -> None:
    argv = ["benchmark", "--arch", "deepbnd", "--datasets", "x", "--out", str(tmp_path / "b")]
    assert main(argv) == 2
    assert "unknown deepbnd; did you mean 'deepbind'?" in capsys.readouterr().err
    with pytest.raises(kb.KerasbindError, match="did you mean 'kegru'"):
        kb.architecture("kegrU")
