"""A trained run: its model and description, in memory (`Run`) or as a run directory
(``model.keras``, ``kerasbind.json`` and, for embedded models, ``word2vec.model``) — the unit
users keep and every later command reads. `run_config` is the one place a run's description is
built, for `train` and `tune` alike."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.files import read_json, remove_stale_temporaries, update_json, write_atomic
from kerasbind.hyperparameters import HyperParameters
from kerasbind.models import ArchitectureSpec

if TYPE_CHECKING:
    import pandas as pd

    from kerasbind.export import Export
    from kerasbind.motifs import MotifAnalysis
    from kerasbind.sequences import SequenceSet

MODEL_FILE = "model.keras"
CONFIG_FILE = "kerasbind.json"
WORD2VEC_FILE = "word2vec.model"
METRICS_FILE = "metrics.json"


def run_config(
    arch: ArchitectureSpec,
    hparams: HyperParameters,
    encoder: EncoderSpec,
    *,
    train_set: SequenceSet,
    test_set: SequenceSet | None,
    negatives: str,
    neg_ratio: float,
    steps: int,
    eval_every: int,
    seed: int,
    freeze_embedding: bool,
    history: dict[str, Any] | None = None,
    n_validation: int = 0,
    metrics: dict[str, Any] | None = None,
    tuning: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A run's ``kerasbind.json`` description (without versions, which `save_run` adds)."""
    from kerasbind.training import BATCH_SIZE

    config = {
        "architecture": arch.to_dict(),
        "hyperparameters": hparams.to_dict(),
        "encoder": encoder.to_dict(),
        "data": {
            "train": train_set.source,
            "n_train": len(train_set),
            "n_train_positive": train_set.n_positive,
            "n_validation": n_validation,
            "negatives": negatives,
            "neg_ratio": neg_ratio,
            "test": test_set.source if test_set is not None else None,
        },
        "training": {
            "steps": steps,
            "eval_every": eval_every,
            "batch_size": BATCH_SIZE,
            "seed": seed,
            "freeze_embedding": freeze_embedding,
            "history": history,
        },
        "metrics": metrics or {},
    }
    if tuning is not None:
        config["tuning"] = tuning
    return config


@dataclass
class Run:
    """A trained model with what it needs to read sequences; ``path`` is its run directory, or
    ``None`` while it lives only in memory (`save` writes it)."""

    path: Path | None
    model: Any  # keras.Model
    config: dict[str, Any]
    encoder: EncoderSpec
    architecture: ArchitectureSpec
    hparams: HyperParameters
    word2vec: Any = None  # gensim Word2Vec of an embedded model trained in this process

    @property
    def metrics(self) -> dict[str, Any]:
        """Validation and test figures recorded with the run."""
        return self.config.get("metrics", {})

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the run directory (see `save_run`) and keep it as this run's ``path``."""
        word2vec = self.word2vec
        if word2vec is None and self.path is not None:
            word2vec = saved_word2vec(self.path)
        save_run(path, self.model, self.config, word2vec)
        self.path = Path(path)
        if self.metrics.get("test"):
            update_json(self.path / METRICS_FILE, {"test": self.metrics["test"]})
        return self.path

    def predict(self, sequences: Any, **reading: Any) -> np.ndarray:
        """Binding probabilities, one per sequence of ``sequences`` (any input `kerasbind.api.
        read_sequences` takes; ``reading``: its keyword arguments)."""
        from kerasbind.datasets import as_sequence_set
        from kerasbind.prediction import predict_sequences

        seqset = as_sequence_set(sequences, **reading)
        return predict_sequences(self.model, self.encoder, seqset.sequences)

    def evaluate(
        self, test: Any, *, negatives: str = "none", seed: int = 0, **reading: Any
    ) -> dict[str, Any]:
        """AUC-ROC and AUC-PR on a labelled set; recorded in ``metrics.json``, ``kerasbind.json``
        and ROC / PR curves when the run has a directory."""
        from kerasbind.datasets import load_sequence_set
        from kerasbind.pipeline import evaluate_into_run, score

        test_set = load_sequence_set(test, negatives=negatives, seed=seed, **reading)
        if self.path is None:
            metrics = score(self.model, self.encoder, test_set)[0]
        else:
            metrics = evaluate_into_run(self.path, self.model, self.encoder, test_set)
        self.config.setdefault("metrics", {})["test"] = metrics
        return metrics

    def motifs(
        self,
        data: Any,
        *,
        db: str = "jaspar",
        out: str | os.PathLike[str] | None = None,
        negatives: str = "none",
        seed: int = 0,
        progress: bool = True,
        **options: Any,
    ) -> MotifAnalysis:
        """The first convolution layer's motifs in ``data`` matched against ``db`` (``"jaspar"``
        or a MEME file); ``.matches`` is the TOMTOM table. With ``out`` the MEME file, tables and
        logos are written there. ``options``: `kerasbind.motifs.analyse_filters`'s (``release``,
        ``taxon``, ``per_filter``, ``use_all``, ``dist``, ``threshold``, ``min_sites``,
        ``min_information``)."""
        from kerasbind.datasets import load_sequence_set
        from kerasbind.motifs import analyse_filters, write_analysis

        seqset = load_sequence_set(data, negatives=negatives, seed=seed, require_labels=False)
        analysis = analyse_filters(self.model, self.encoder, seqset, db=db, **options)
        if out is not None:
            write_analysis(analysis, out, progress=progress)
        return analysis

    def explain(
        self,
        data: Any = None,
        *,
        variants: Any = None,
        out: str | os.PathLike[str] | None = None,
        ids: Sequence[str] | None = None,
        limit: int | None = None,
        progress: bool = True,
    ) -> pd.DataFrame:
        """In-silico mutagenesis of the sequences of ``data`` (those named by ``ids``, in that
        order, or the first ``limit``): maps written into ``out``, one summary row per sequence
        returned. Or, with ``variants`` (a TSV path or a DataFrame with id, sequence, position,
        alt), the variants' effects (also written to ``out``/variants.tsv)."""
        from kerasbind.explain import explain_sequences, read_variants, variant_effects
        from kerasbind.files import write_table
        from kerasbind.motifs.motif import letters

        if (data is None) == (variants is None):
            raise KerasbindError("explain needs sequences or variants (one of the two)")
        if variants is not None:
            if isinstance(variants, str | os.PathLike):
                variants = read_variants(variants)
            effects = variant_effects(self.model, self.encoder, variants)
            if out is not None:
                write_table(Path(out) / "variants.tsv", effects)
            return effects
        if out is None:
            raise KerasbindError("explain needs an output folder (out=) for the mutation maps")
        seqset = _selected(data, ids, limit)
        summary = explain_sequences(
            self.model,
            self.encoder,
            seqset.sequences,
            seqset.ids,
            out,
            letters=letters(seqset.alphabet),
            progress=progress,
        )
        write_table(Path(out) / "explained.tsv", summary)
        return summary

    def export(
        self,
        base: str | os.PathLike[str],
        *,
        name: str | None = None,
        version: int | None = None,
        serving_config: bool = False,
    ) -> Export:
        """A SavedModel for TF Serving in ``base/name/version`` (see docs/serving.md)."""
        from kerasbind.export import export_run

        if self.path is None:
            raise KerasbindError("save the run first (run.save(PATH)): an export reads its folder")
        return export_run(
            self.path, Path(base), name=name, version=version, serving_config=serving_config
        )


def _selected(data: Any, ids: Sequence[str] | None, limit: int | None) -> SequenceSet:
    """The sequences named by ``ids`` (in that order), or the first ``limit`` ones."""
    from kerasbind.datasets import as_sequence_set

    seqset = as_sequence_set(data)
    if not ids:
        return seqset if limit is None else seqset.subset(range(min(limit, len(seqset))))
    where = {identifier: i for i, identifier in reversed(list(enumerate(seqset.ids)))}
    missing = [identifier for identifier in ids if identifier not in where]
    if missing:
        raise KerasbindError(f"{seqset.source}: no sequence with id {', '.join(missing[:5])}")
    return seqset.subset([where[identifier] for identifier in ids])


def versions() -> dict[str, str]:
    """Versions of the libraries a run depends on."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("kerasbind", "keras", "tensorflow", "numpy", "gensim"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def save_run(path: Path | str, model: Any, config: dict[str, Any], word2vec: Any = None) -> None:
    """Write ``model.keras``, ``word2vec.model`` when given, and ``kerasbind.json`` (merged into
    an existing one, so keys other commands added survive).

    ``kerasbind.json`` is taken away first and written last, so a folder whose writing failed
    (full disk, interruption) is not a run directory rather than an old description next to a
    new model; temporary files a killed save left behind are removed.
    """
    from kerasbind import __version__

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path, [MODEL_FILE, WORD2VEC_FILE])
    config_file = path / CONFIG_FILE
    earlier = read_json(config_file) if config_file.is_file() else {}
    config_file.unlink(missing_ok=True)
    write_atomic(path / MODEL_FILE, lambda tmp: model.save(tmp))
    if word2vec is not None:
        write_atomic(path / WORD2VEC_FILE, lambda tmp: word2vec.save(str(tmp)))
    update_json(
        config_file,
        {**earlier, **config, "versions": versions(), "kerasbind_version": __version__},
    )


def saved_word2vec(path: Path) -> Any:
    """The word2vec model saved in a run directory (``None`` for one-hot models)."""
    from kerasbind.pipeline import load_word2vec

    file = path / WORD2VEC_FILE
    return load_word2vec(file) if file.is_file() else None


def load_run(path: Path | str) -> Run:
    """Read a run directory written by `save_run`."""
    import keras

    path = Path(path)
    config_file, model_file = path / CONFIG_FILE, path / MODEL_FILE
    if not (config_file.is_file() and model_file.is_file()):
        raise KerasbindError(
            f"{path}: not a kerasbind run directory (needs {MODEL_FILE} and {CONFIG_FILE}; "
            "make one with 'kerasbind train')"
        )
    config = read_json(config_file)
    try:
        encoder = EncoderSpec.from_dict(config["encoder"])
        architecture = ArchitectureSpec.from_dict(config["architecture"])
        hparams = HyperParameters.from_dict(config["hyperparameters"], str(config_file))
    except (KeyError, TypeError, ValueError) as error:
        raise KerasbindError(f"{config_file}: incomplete run description ({error})") from error
    model = keras.saving.load_model(model_file)
    return Run(path, model, config, encoder, architecture, hparams)
