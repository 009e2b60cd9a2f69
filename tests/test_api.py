"""The Python API: docs/api.md's worked example, `kb.train` against `kerasbind train`, in-memory
runs, typed hyper-parameters, and the command line as a shell (no argparse below cli/)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kerasbind as kb
from kerasbind.cli import main
from kerasbind.errors import KerasbindError
from kerasbind.readers import write_tsv
from kerasbind.simulate import simulate_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Small simulated train (1,000) and test (300) TSV files."""
    folder = tmp_path_factory.mktemp("api")
    train, test = simulate_config("easy")
    write_tsv(train.subset(np.arange(0, 4000, 4)), folder / "train.tsv")
    write_tsv(test.subset(np.arange(300)), folder / "test.tsv")
    return folder / "train.tsv", folder / "test.tsv"


def key_paths(data: dict, prefix: str = "") -> set[str]:
    """Every key of a nested dict as ``a.b.c``."""
    paths = set()
    for key, value in data.items():
        paths.add(prefix + key)
        if isinstance(value, dict):
            paths |= key_paths(value, f"{prefix}{key}.")
    return paths


def test_cli_and_api_write_the_same_run(files: tuple[Path, Path], tmp_path: Path) -> None:
    """`kerasbind train` and `kb.train` with the same arguments: the same kerasbind.json keys and
    values (but timings and versions), and the same probabilities."""
    train, test = files
    argv = ["train", "--arch", "deepbind", "--train", str(train), "--test", str(test),
            "--steps", "60", "--eval-every", "30", "--seed", "3", "--quiet"]  # fmt: skip
    assert main([*argv, "--out", str(tmp_path / "cli")]) == 0
    kb.train("deepbind", str(train), test=str(test), steps=60, eval_every=30, seed=3,
             out=tmp_path / "api", progress=False)  # fmt: skip
    cli, api = (json.loads((tmp_path / n / "kerasbind.json").read_text()) for n in ("cli", "api"))
    assert key_paths(cli) == key_paths(api)
    for config in (cli, api):
        config["training"]["history"].pop("seconds")
    assert cli["data"] == api["data"] and cli["hyperparameters"] == api["hyperparameters"]
    assert cli["training"]["history"]["steps"] == api["training"]["history"]["steps"]
    assert cli["training"]["batch_size"] == 128
    sequences = kb.read_sequences(test).sequences[:50]
    np.testing.assert_allclose(
        kb.load_run(tmp_path / "cli").predict(sequences),
        kb.load_run(tmp_path / "api").predict(sequences),
        atol=1e-5,
    )


def test_in_memory_run_saves_later(files: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = files
    frame = pd.read_csv(train, sep="\t")  # a DataFrame with sequence and label columns
    run = kb.train("deepbind", frame, test=test, steps=40, eval_every=40, progress=False)
    assert run.path is None and not list(tmp_path.iterdir())
    assert run.metrics["test"]["n"] == 300 and run.config["data"]["train"] == "DataFrame"
    strings = list(frame["sequence"][:20])
    before = run.predict(strings)
    assert before.shape == (20,) and ((before >= 0) & (before <= 1)).all()
    run.save(tmp_path / "saved")
    loaded = kb.load_run(tmp_path / "saved")
    np.testing.assert_allclose(loaded.predict(strings), before, atol=1e-6)
    assert json.loads((tmp_path / "saved" / "metrics.json").read_text())["test"]["n"] == 300
    assert loaded.hparams == run.hparams and isinstance(loaded.hparams, kb.HyperParameters)


def test_a_run_repeated_from_its_saved_options_is_the_same_model(
    files: tuple[Path, Path], tmp_path: Path, capsys
) -> None:
    """The options are saved in kerasbind.json: ``kb.train(..., options=run.options)`` and
    ``kerasbind train --like RUN`` train the same model again (same weights, same seed)."""
    train, test = files
    first = kb.train("deepbind", str(train), steps=40, eval_every=20, seed=7, val_fraction=0.2,
                     hparams={"filters": 8}, out=tmp_path / "first", progress=False)  # fmt: skip
    saved = kb.load_run(tmp_path / "first").options
    assert saved == first.options and saved.seed == 7 and saved.hparams["filters"] == 8
    again = kb.train(first.architecture, str(train), options=saved, progress=False)
    assert main(["train", "--like", str(tmp_path / "first"), "--train", str(train), "--quiet",
                 "--out", str(tmp_path / "cli")]) == 0  # fmt: skip
    cli = kb.load_run(tmp_path / "cli")
    for repeated in (again, cli):
        assert repeated.options == saved and repeated.config["training"]["seed"] == 7
        for mine, theirs in zip(first.model.weights, repeated.model.weights, strict=True):
            np.testing.assert_allclose(mine.numpy(), theirs.numpy(), atol=1e-5)
    sequences = kb.read_sequences(test).sequences[:50]
    np.testing.assert_allclose(first.predict(sequences), cli.predict(sequences), atol=1e-5)
    capsys.readouterr()
    assert main(["train", "--like", str(tmp_path / "first"), "--train", str(train), "--steps",
                 "3", "--out", str(tmp_path / "changed")]) == 2  # fmt: skip
    assert "--like takes every setting from" in capsys.readouterr().err


def test_worked_example_of_docs_api_runs(files: tuple[Path, Path]) -> None:
    """docs/api.md's session, with its first block (where the data is) pointed at small
    simulated files instead of PUM2."""
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "api.md").read_text(), re.S)
    assert len(blocks) == 2 and "train_file" in blocks[0]
    train, test = files
    namespace = {"kb": kb, "train_file": str(train), "test_file": str(test), "motif_db": "jaspar"}
    exec(compile(blocks[1], "docs/api.md", "exec"), namespace)
    assert namespace["metrics"]["auc_roc"] > 0.8
    assert (namespace["work"] / "models" / "pum2" / "1" / "saved_model.pb").is_file()
    assert (namespace["work"] / "deepbind" / "metrics.json").is_file()


@pytest.mark.slow
@pytest.mark.shared_data
def test_worked_example_on_pum2_matches_the_cli(pum2_files, tmp_path: Path, monkeypatch) -> None:
    """The whole of docs/api.md as pasted (from the repository root, on PUM2); its first
    model predicts what `kerasbind train` with the same seed predicts."""
    monkeypatch.chdir(REPO)
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "api.md").read_text(), re.S)
    namespace: dict = {}
    exec(compile("\n".join(blocks), "docs/api.md", "exec"), namespace)
    train, test = pum2_files
    argv = ["train", "--train", str(train), "--test", str(test), "--steps", "400",
            "--eval-every", "200", "--seed", "1", "--quiet"]  # fmt: skip
    assert main([*argv, "--out", str(tmp_path / "cli")]) == 0
    sequences = namespace["test"].sequences[:200]
    np.testing.assert_allclose(
        kb.load_run(tmp_path / "cli").predict(sequences), namespace["run"].predict(sequences),
        atol=1e-5,
    )  # fmt: skip


def test_hyperparameters_are_typed_and_checked() -> None:
    from kerasbind.models import HYPERPARAMETER_KEYS

    arch = kb.architecture("danq")
    hp = kb.HyperParameters.for_architecture(arch, {"filters": 32})
    assert hp.filters == 32 and hp.optimizer in ("sgd", "adagrad")
    assert kb.HyperParameters.names() == HYPERPARAMETER_KEYS
    assert kb.HyperParameters.from_dict(hp.to_dict()) == hp
    assert json.loads(json.dumps(hp.to_dict())) == hp.to_dict()
    bad = {
        "filters": (0, "filters must be a whole number >= 1"),
        "dense_units": (1.5, "dense_units must be a whole number >= 0"),
        "optimizer": ("adam", "optimizer must be one of sgd, adagrad"),
        "learning_rate": (float("nan"), "learning_rate must be > 0"),
        "momentum": (1.0, r"momentum must be in \[0, 1\)"),
        "dropout_keep": (0.0, r"dropout_keep must be a keep probability in \(0, 1\]"),
        "weight_decay": (-1e-3, "weight_decay must be >= 0"),
    }
    for name, (value, message) in bad.items():
        with pytest.raises(KerasbindError, match=message):
            hp.replace(**{name: value})
    with pytest.raises(KerasbindError, match="unknown hyper-parameters filterz"):
        kb.HyperParameters.for_architecture(arch, {"filterz": 3})


def test_build_model_is_reexported() -> None:
    from kerasbind.models import build_model

    assert kb.build_model is build_model
    assert set(kb.__all__) >= {"read_sequences", "train", "tune", "load_run", "Run"}
    with pytest.raises(AttributeError):
        _ = kb.no_such_name


def test_argparse_is_imported_only_by_the_command_line() -> None:
    offenders = []
    for path in (REPO / "kerasbind").rglob("*.py"):
        if "cli" in path.relative_to(REPO / "kerasbind").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(name.split(".")[0] == "argparse" for name in names):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_bad_arguments_are_refused_before_work(files: tuple[Path, Path], tmp_path: Path) -> None:
    train, _ = files
    with pytest.raises(KerasbindError, match="steps must be at least 1"):
        kb.train("deepbind", train, steps=0)
    with pytest.raises(KerasbindError, match="--neg-ratio must be a positive number"):
        kb.train("deepbind", train, negatives="shuffle", neg_ratio=float("inf"))
    with pytest.raises(KerasbindError, match="folds must be at least 2"):
        kb.tune("deepbind", train, folds=1, out=tmp_path / "t")
    with pytest.raises(KerasbindError, match="unknown budget"):
        kb.tune("deepbind", train, budget="huge")
