"""Run folders are shared, so they are untrusted input: tampered folders, pickles, damaged
models, huge numbers, deep JSON and wrong types end in one-line errors naming the file, never in
code execution, unbounded allocation or a traceback; folders are replaced only when asked, and
then whole. (Issue 27, items 1, 4, 5, 6 and 11.)"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import kerasbind as kb
from kerasbind.cli import main
from kerasbind.embedding import train_word2vec
from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.models import build_model, default_hyperparameters, resolve_architecture
from kerasbind.run import save_run

SEQUENCES = ["ACGTTGCAACGTAGCTAGGATCCA" * 2, "TTGACCAGTACGATCGATCGGCTA" * 2] * 10


def _description(arch_name: str, encoder: EncoderSpec) -> dict[str, Any]:
    arch = resolve_architecture(arch_name)
    hparams = {**default_hyperparameters(arch), "filters": 4, "rnn_units": 4, "dense_units": 4}
    return {
        "architecture": arch.to_dict(),
        "hyperparameters": hparams,
        "encoder": encoder.to_dict(),
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A one-hot run and an embedded run (with word vectors), untrained."""
    folder = tmp_path_factory.mktemp("runs")
    onehot = _description("deepbind", EncoderSpec("onehot", 48))
    save_run(folder / "onehot", build_model(*_parts(onehot)), onehot)
    embedded = _description("ecblstm", EncoderSpec("kmer", 48))
    word2vec = train_word2vec(SEQUENCES, seed=0)
    save_run(folder / "embedded", build_model(*_parts(embedded)), embedded, word2vec)
    word2vec.save(str(folder / "pickled.model"))  # what kerasbind < 0.2 kept in a run folder
    return {"onehot": folder / "onehot", "embedded": folder / "embedded", "folder": folder}


def _parts(config: dict[str, Any]) -> tuple[Any, ...]:
    return (
        resolve_architecture(config["architecture"]["name"]),
        config["hyperparameters"],
        EncoderSpec.from_dict(config["encoder"]),
    )


def _copy(run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / run.name
    shutil.copytree(run, copy)
    return copy


def _edit_description(run: Path, change: Any) -> None:
    config = json.loads((run / "kerasbind.json").read_text())
    change(config)
    (run / "kerasbind.json").write_text(json.dumps(config))


class _WritesMarker:
    """A pickle that, when loaded, writes a file: what a hostile word2vec.model does."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


# ---------------------------------------------------------------- item 1: no unpickling


def test_a_pickle_in_a_run_folder_is_never_loaded(runs, tmp_path: Path) -> None:
    run = _copy(runs["embedded"], tmp_path)
    for name in ("word2vec.npy", "word2vec.vocab.json"):
        (run / name).unlink()
    marker = tmp_path / "marker"
    (run / "word2vec.model").write_bytes(pickle.dumps(_WritesMarker(marker)))
    with pytest.raises(KerasbindError, match=r"word2vec.model: .*pickle.*kerasbind convert"):
        kb.load_run(run)
    assert main(["predict", str(run), "--input", str(_fasta(tmp_path)), "--output", "-"]) == 2
    assert not marker.exists(), "the pickle was loaded"


def test_word2vec_accepts_only_formats_without_code(runs, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    crafted = tmp_path / "vectors.model"
    crafted.write_bytes(pickle.dumps(_WritesMarker(marker)))
    labels = np.arange(len(SEQUENCES)) % 2
    data = kb.read_sequences(SEQUENCES, labels)
    for given in (crafted, runs["folder"] / "pickled.model"):
        with pytest.raises(KerasbindError, match="gensim pickle, which can run code"):
            kb.train("ecblstm", data, word2vec=given, steps=1, progress=False)
    assert not marker.exists(), "the pickle was loaded"


def test_an_older_run_is_converted_only_with_trust(runs, tmp_path: Path, capsys) -> None:
    run = _copy(runs["embedded"], tmp_path)
    vectors = kb.load_run(run).word2vec
    for name in ("word2vec.npy", "word2vec.vocab.json"):
        (run / name).unlink()
    shutil.copy(runs["folder"] / "pickled.model", run / "word2vec.model")
    assert main(["convert", str(run)]) == 2
    assert "--trust" in capsys.readouterr().err
    assert main(["convert", str(run), "--trust"]) == 0
    assert not (run / "word2vec.model").exists() and (run / "word2vec.npy").is_file()
    converted = kb.load_run(run).word2vec
    np.testing.assert_array_equal(converted["ACG"], vectors["ACG"])


# ---------------------------------------------------------------- item 6: hostile descriptions


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c["encoder"].update(length=10**12), "encoder.length must be at least 1 and"),
        (lambda c: c["encoder"].update(length="48"), "encoder.length must be a whole number"),
        (lambda c: c["encoder"].update(kind="pickle"), "encoder.kind must be one of"),
        (lambda c: c["architecture"].update(conv_layers=10**6), "architecture.conv_layers"),
        (lambda c: c["hyperparameters"].update(filters=10**9), "hyperparameters: .*filters"),
        (lambda c: c["hyperparameters"].update(filters=True), "hyperparameters: .*filters"),
        (lambda c: c.update(encoder=[1]), r"incomplete run description \('encoder' must be"),
        (lambda c: c.update(options={"command": "train", "steps": -1}), "steps must be at least"),
        (lambda c: c.update(options={"command": "rm -rf"}), "options.command must be"),
    ],
)
def test_hostile_descriptions_are_refused_before_building(
    runs, tmp_path: Path, change: Any, expected: str
) -> None:
    run = _copy(runs["onehot"], tmp_path)
    _edit_description(run, change)
    with pytest.raises(KerasbindError, match=f"kerasbind.json: {expected}"):
        kb.load_run(run)


def test_deep_large_and_broken_json(runs, tmp_path: Path) -> None:
    run = _copy(runs["onehot"], tmp_path)
    config = run / "kerasbind.json"
    config.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(KerasbindError, match=r"kerasbind.json: JSON nested"):
        kb.load_run(run)
    config.write_text('{"a": ' + "[" * 200 + "]" * 200 + "}")
    with pytest.raises(KerasbindError, match="nested more than 64 levels"):
        kb.load_run(run)
    config.write_bytes(b'{"encoder": "\xff"}')
    with pytest.raises(KerasbindError, match=r"kerasbind.json: not UTF-8"):
        kb.load_run(run)
    config.write_text("[1, 2]")
    with pytest.raises(KerasbindError, match="expected a JSON object"):
        kb.load_run(run)


def test_damaged_model_files_are_named(runs, tmp_path: Path) -> None:
    run = _copy(runs["onehot"], tmp_path)
    model = run / "model.keras"
    whole = model.read_bytes()
    model.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(KerasbindError, match=r"model.keras: damaged, or not the model"):
        kb.load_run(run)
    model.write_bytes(b"not a zip at all")
    with pytest.raises(KerasbindError, match=r"model.keras: damaged"):
        kb.load_run(run)
    # another architecture's weights under this description
    shutil.copy(runs["embedded"] / "model.keras", model)
    with pytest.raises(KerasbindError, match=r"model.keras: .*(damaged|numbers)"):
        kb.load_run(run)


def test_weights_larger_than_the_description_are_refused(runs, tmp_path: Path) -> None:
    run = _copy(runs["onehot"], tmp_path)
    bigger = _description("deepbind", EncoderSpec("onehot", 48))
    bigger["hyperparameters"]["filters"] = 512
    save_run(tmp_path / "big", build_model(*_parts(bigger)), bigger)
    shutil.copy(tmp_path / "big" / "model.keras", run / "model.keras")
    with pytest.raises(KerasbindError, match=r"model.keras: holds [\d,]+ numbers"):
        kb.load_run(run)


# ---------------------------------------------------------------- item 11: the API's boundary


def test_the_api_checks_its_arguments(runs) -> None:
    for bad in (None, 5, True, ["a"]):
        with pytest.raises(KerasbindError, match="a run folder is a path"):
            kb.load_run(bad)
    with pytest.raises(KerasbindError, match="trust must be True or False"):
        kb.load_run(runs["onehot"], trust="yes")
    with pytest.raises(KerasbindError, match="sequence 1 is a int, not a string"):
        kb.read_sequences(pd_frame([1, 2]))
    with pytest.raises(KerasbindError, match="cannot read sequences from a list"):
        kb.read_sequences([1, 2])
    for keywords, expected in (
        ({"seed": "a"}, "seed must be a whole number, not 'a'"),
        ({"steps": 2.5}, "steps must be a whole number"),
        ({"val_fraction": "0.1"}, "val_fraction must be in"),
        ({"options": {"steps": 3}}, "options must be TrainOptions"),
        ({"out": 7}, "out must be a path"),
        ({"word2vec": 3}, "word2vec must be a path"),
    ):
        with pytest.raises(KerasbindError, match=expected):
            kb.train("deepbind", SEQUENCES, **keywords)
    with pytest.raises(KerasbindError, match="arch must be an architecture"):
        kb.train(3, SEQUENCES)
    with pytest.raises(KerasbindError, match="seed must be a whole number"):
        kb.read_sequences(SEQUENCES, seed="a")
    with pytest.raises(KerasbindError, match="options must be TuneOptions"):
        kb.tune("deepbind", SEQUENCES, options=kb.TrainOptions())


def pd_frame(sequences: list[Any]) -> Any:
    import pandas as pd

    return pd.DataFrame({"sequence": sequences})


# ---------------------------------------------------------------- items 4 and 5: whole folders


def test_an_existing_output_folder_is_replaced_only_when_asked(runs, tmp_path: Path) -> None:
    out = tmp_path / "explain"
    out.mkdir()
    (out / "old.ism.tsv").write_text("an earlier explanation")
    argv = ["explain", str(runs["onehot"]), "--input", str(_fasta(tmp_path)), "--out", str(out)]
    assert main(argv) == 2
    assert (out / "old.ism.tsv").exists()
    assert main([*argv, "--overwrite"]) == 0
    assert not (out / "old.ism.tsv").exists() and (out / "explained.tsv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["explain", "x.fa"]


def test_train_refuses_an_existing_run_and_replaces_it_whole(runs, tmp_path: Path) -> None:
    out = _copy(runs["onehot"], tmp_path)
    (out / "roc.png").write_bytes(b"the old run's curve")
    labels = np.arange(len(SEQUENCES)) % 2
    data = kb.read_sequences(SEQUENCES, labels)
    train = {"steps": 2, "eval_every": 2, "val_fraction": 0.0, "progress": False}
    with pytest.raises(KerasbindError, match=r"already exists and is not empty.*--overwrite"):
        kb.train("deepbind", data, out=out, **train)
    kb.train("deepbind", data, out=out, overwrite=True, **train)
    assert sorted(p.name for p in out.iterdir()) == ["kerasbind.json", "model.keras"]


def _fasta(folder: Path) -> Path:
    path = folder / "x.fa"
    path.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(SEQUENCES[:2])))
    return path
