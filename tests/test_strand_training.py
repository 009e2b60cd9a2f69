"""Training and testing DNA runs on both strands (`strand`, docs/scanning.md): the reverse
complements join training, held-out scoring takes the better strand, RNA stays single-strand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kerasbind as kb
from kerasbind.cli import main
from kerasbind.encoding import encode
from kerasbind.models import resolve_architecture
from kerasbind.pipeline import prepare_inputs
from kerasbind.prediction import binary_metrics, held_out_auc, predict_encoded
from kerasbind.readers import write_tsv
from kerasbind.scanning.windows import reverse_complement
from kerasbind.sequences import SequenceSet, to_codes
from kerasbind.simulate import simulate_binding
from kerasbind.tuning.tuner import fold_splits

CTCF = "MA0139.1"  # long and not palindromic: a model that saw it one way round misses the other


def _reverse_complemented(seqset: SequenceSet) -> SequenceSet:
    codes = reverse_complement(to_codes(seqset.sequences, max(seqset.lengths)))
    sequences = ["".join("ACGTN"[c] for c in row) for row in codes]
    return SequenceSet(sequences, seqset.labels, alphabet="DNA")


def test_reverse_complements_join_training_and_stay_in_their_fold() -> None:
    train, _ = simulate_binding(60, 2, [CTCF], length=30, seed=0)
    arch = resolve_architecture("deepbind")
    prepared = prepare_inputs(arch, train, strand="auto")
    expected = to_codes(train.sequences, 30)
    assert prepared.x_reverse is not None
    np.testing.assert_array_equal(prepared.x_reverse.argmax(-1), reverse_complement(expected))
    doubled = prepared.for_training()
    assert len(doubled.x) == 2 * len(train) and doubled.x_reverse is None
    np.testing.assert_array_equal(doubled.y, np.concatenate([prepared.y, prepared.y]))
    for training, (x, _, x_reverse) in fold_splits(prepared, 3, seed=0):
        # every validation sequence's reverse complement is beside it, none is in training
        np.testing.assert_array_equal(x_reverse.argmax(-1), reverse_complement(x.argmax(-1)))
        assert len(training.x) == 2 * (len(prepared.x) - len(x))
        held = {row.tobytes() for row in x.argmax(-1).astype(np.uint8)}
        assert not held & {row.tobytes() for row in training.x.argmax(-1).astype(np.uint8)}
    assert prepare_inputs(arch, train, strand="forward").x_reverse is None


def test_held_out_auc_takes_the_better_strand() -> None:
    train, _ = simulate_binding(200, 2, [CTCF], length=40, seed=1)
    model_run = kb.train("deepbind", train, steps=50, eval_every=50, progress=False)
    x = encode(train.sequences, model_run.encoder)
    x_reverse = encode(_reverse_complemented(train).sequences, model_run.encoder)
    forward = predict_encoded(model_run.model, x)
    reverse = predict_encoded(model_run.model, x_reverse)
    assert held_out_auc(model_run.model, x, train.labels) == pytest.approx(
        binary_metrics(train.labels, forward)["auc_roc"]
    )
    assert held_out_auc(model_run.model, x, train.labels, x_reverse) == pytest.approx(
        binary_metrics(train.labels, np.maximum(forward, reverse))["auc_roc"]
    )


def test_a_motif_learnt_on_one_strand_is_found_on_the_other() -> None:
    """CTCF planted forward in training, reverse-complemented at test: one strand misses it,
    both strands (the default for DNA) find it; test AUC = predict's scores on the test set."""
    train, test = simulate_binding(1500, 400, [CTCF], seed=2)
    flipped = _reverse_complemented(test)
    aucs = {}
    for strand in ("forward", "auto"):
        run = kb.train(
            "deepbind", train, test=flipped, steps=800, eval_every=800, seed=0,
            strand=strand, progress=False,
        )  # fmt: skip
        aucs[strand] = run.metrics["test"]["auc_roc"]
        assert run.options.strand == strand
        predicted = run.predict(flipped.sequences, strand="auto" if strand == "auto" else strand)
        assert aucs[strand] == pytest.approx(
            binary_metrics(flipped.labels, predicted)["auc_roc"], abs=1e-4
        )
    assert aucs["auto"] > 0.9, aucs
    assert aucs["auto"] > aucs["forward"] + 0.15, aucs


def test_rna_runs_learn_one_strand_and_both_is_refused(tmp_path: Path, capsys) -> None:
    train, _ = simulate_binding(120, 2, [CTCF], length=30, seed=3)
    rna = SequenceSet([s.replace("T", "U") for s in train.sequences], train.labels, alphabet="RNA")
    arch = resolve_architecture("deepbind")
    assert prepare_inputs(arch, rna, strand="auto").x_reverse is None
    write_tsv(rna, tmp_path / "rna.tsv")
    arguments = ["train", "--arch", "deepbind", "--train", str(tmp_path / "rna.tsv")]
    options = ["--strand", "both", "--steps", "5", "--quiet", "--out", str(tmp_path / "run")]
    assert main([*arguments, *options]) == 2
    assert "RNA has one strand; strand 'both' is for DNA" in capsys.readouterr().err
    assert not (tmp_path / "run" / "kerasbind.json").exists()


def test_a_run_recorded_before_strands_was_made_on_one_strand(tmp_path: Path) -> None:
    train, _ = simulate_binding(120, 2, [CTCF], length=30, seed=4)
    run = kb.train("deepbind", train, steps=5, eval_every=5, progress=False, out=tmp_path / "r")
    assert kb.load_run(tmp_path / "r").strand == "auto"
    config_path = tmp_path / "r" / "kerasbind.json"
    config = json.loads(config_path.read_text())
    del config["options"]["strand"]
    config_path.write_text(json.dumps(config))
    old = kb.load_run(tmp_path / "r")
    assert old.strand == "forward" and old.options.strand == "forward"
    assert run.strand == "auto"
