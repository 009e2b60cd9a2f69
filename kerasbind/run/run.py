"""The in-memory run: a trained model with what it needs to read sequences, its description,
options, metrics and test scores. Its methods delegate to the library modules that do the
work (prediction, evaluation, motifs, explanation, export); `kerasbind.run.store` writes and
reads its folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.hyperparameters import HyperParameters
from kerasbind.models import ArchitectureSpec
from kerasbind.options import TrainOptions, TuneOptions

if TYPE_CHECKING:
    import pandas as pd

    from kerasbind.attribution import Attributions
    from kerasbind.export import Export
    from kerasbind.motifs import MotifAnalysis
    from kerasbind.motifs.modisco import ModiscoAnalysis
    from kerasbind.scanning import ScanSummary, VariantSummary
    from kerasbind.sequences import SequenceSet


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
    word2vec: Any = None  # gensim vectors of an embedded model (kept for reuse and saving)
    scores: tuple[np.ndarray, np.ndarray] | None = None  # the last test set: labels, probabilities

    @classmethod
    def from_model(cls, model: Any, config: dict[str, Any], word2vec: Any = None) -> Run:
        """An in-memory run of a model `kerasbind.build_model` made and its description (a
        ``kerasbind.json`` object with at least architecture, hyperparameters and encoder)."""
        from kerasbind.run.schema import check_description

        checked = check_description(config)
        return cls(
            None, model, checked.config, checked.encoder, checked.architecture, checked.hparams,
            word2vec,
        )  # fmt: skip

    @property
    def metrics(self) -> dict[str, Any]:
        """Validation and test figures recorded with the run."""
        return self.config.get("metrics", {})

    @property
    def options(self) -> TrainOptions | TuneOptions:
        """The options the run was made with: ``kb.train(arch, data, options=run.options)``
        (or ``kb.tune`` for a tuned run) repeats it."""
        from kerasbind.run.schema import check_options

        options = check_options(self.config, self.hparams)
        if options is None:
            raise KerasbindError(
                f"{self.path or 'this run'}: made by a kerasbind that did not record its options "
                "(before 0.2); give them again"
            )
        return options

    @property
    def strand(self) -> str:
        """The strands the run learnt from and is tested on (`kerasbind.options.STRANDS`): a
        run that recorded no options was made on the given strand."""
        from kerasbind.run.schema import check_options

        options = check_options(self.config, self.hparams)
        return "forward" if options is None else options.strand

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the run folder and keep it as this run's ``path``. An existing, non-empty folder
        is refused unless ``overwrite`` (then replaced whole); the run's own folder is updated."""
        from kerasbind.run.store import folder_argument, save

        return save(self, folder_argument(path), overwrite=overwrite)

    def predict(
        self,
        sequences: Any,
        *,
        stride: int = 1,
        strand: str = "auto",
        combine: str = "max",
        **reading: Any,
    ) -> np.ndarray:
        """Binding probabilities, one per sequence of ``sequences`` (any input `kerasbind.api.
        read_sequences` takes; ``reading``: its keyword arguments), under the length rule: a
        longer sequence scores its best window (windows every ``stride`` letters), a shorter one
        is padded with ``N``; DNA runs score both strands (``strand="forward"``: one;
        ``combine``: ``max`` or ``mean`` of the two) — docs/scanning.md."""
        return self.predict_table(
            sequences, stride=stride, strand=strand, combine=combine, **reading
        )["probability"].to_numpy()

    def predict_table(
        self,
        sequences: Any,
        *,
        windows: str = "best",
        stride: int = 1,
        strand: str = "auto",
        combine: str = "max",
        **reading: Any,
    ) -> pd.DataFrame:
        """`predict` as a table: ``id``, ``sequence``, ``probability``, ``log_odds``, ``rule``
        (``exact``, ``padded`` or ``windows``), ``windows`` (how many were scored), the best
        window's ``best_start`` (1-based) and ``best_strand``; or, with ``windows="all"``, one
        row per window (``id``, ``start`` 1-based, ``end``, the strands' log-odds,
        ``probability``)."""
        from kerasbind.datasets import as_sequence_set
        from kerasbind.prediction import predict_table, predict_windows

        if windows not in ("best", "all"):
            raise KerasbindError(f"windows must be 'best' or 'all', not {windows!r}")
        seqset = as_sequence_set(sequences, **reading)
        options = {"stride": stride, "strand": strand, "combine": combine}
        if windows == "all":
            table = predict_windows(self.model, self.encoder, seqset.sequences, **options)
            owner = table.pop("sequence").to_numpy()
            table.insert(0, "id", np.asarray(seqset.ids, dtype=object)[owner])
            table["start"] += 1
            table.insert(2, "end", table["start"] + self.encoder.length - 1)
            return table
        table = predict_table(self.model, self.encoder, seqset.sequences, **options)
        table["best_start"] += 1
        table.insert(0, "id", seqset.ids)
        table.insert(1, "sequence", seqset.user_sequences())
        return table

    def scan(
        self,
        out: str | os.PathLike[str],
        *,
        genome: str | os.PathLike[str] | None = None,
        regions: str | os.PathLike[str] | None = None,
        sequences: Any = None,
        **options: Any,
    ) -> ScanSummary:
        """Score every window along the chromosomes of an indexed ``genome`` FASTA (or the
        intervals of a sorted BED ``regions``), or along ``sequences`` (any input `kerasbind.
        api.read_sequences` takes), into ``out``: ``scores.bedGraph``, ``scores.bw``,
        ``hits.bed``. ``options``: ``stride``, ``strand``, ``combine``, ``threshold``,
        ``mode``, ``formats``, ``chunk``, ``overwrite``, ``progress`` — docs/scanning.md."""
        from kerasbind.scanning import scan_genome, scan_sequences

        if (genome is None) == (sequences is None):
            raise KerasbindError("scan needs a genome FASTA or sequences (one of the two)")
        if genome is not None:
            return scan_genome(self.model, self.encoder, genome, out, regions=regions, **options)
        if regions is not None:
            raise KerasbindError("regions are intervals of a genome: give genome= too")
        from kerasbind.datasets import as_sequence_set

        seqset = as_sequence_set(sequences)
        return scan_sequences(
            self.model, self.encoder, seqset.sequences, seqset.ids, out, **options
        )

    def variants(
        self,
        vcf: str | os.PathLike[str],
        genome: str | os.PathLike[str],
        *,
        output: str | os.PathLike[str] | None = None,
        strand: str = "auto",
        combine: str = "max",
    ) -> tuple[pd.DataFrame, VariantSummary]:
        """Reference and alternative scores of every allele of ``vcf`` (SNVs and indels, each
        ALT of a multi-allelic record apart; REF checked against ``genome``), their differences
        in log-odds and probability, and a summary; written to ``output`` when given (TSV, or a
        VCF with INFO fields when it ends in .vcf / .vcf.gz) — docs/scanning.md."""
        from kerasbind.scanning import score_variants, write_variants

        table, summary = score_variants(
            self.model, self.encoder, vcf, genome, strand=strand, combine=combine
        )
        if output is not None:
            write_variants(table, vcf, output)
        return table, summary

    def evaluate(
        self, test: Any, *, negatives: str = "none", seed: int = 0, **reading: Any
    ) -> dict[str, Any]:
        """AUC-ROC and AUC-PR on a labelled set, kept with the run (with the probabilities, for
        the ROC / PR curves a save draws); recorded in the run's folder when it has one."""
        from kerasbind.datasets import load_sequence_set
        from kerasbind.pipeline import score
        from kerasbind.run.store import save_evaluation

        test_set = load_sequence_set(test, negatives=negatives, seed=seed, **reading)
        metrics, probabilities = score(self.model, self.encoder, test_set, self.strand)
        self.config.setdefault("metrics", {})["test"] = metrics
        self.scores = (test_set.labels, probabilities)
        if self.path is not None:
            save_evaluation(self)
        return metrics

    def motifs(
        self,
        data: Any,
        *,
        method: str | None = None,
        db: str = "jaspar",
        out: str | os.PathLike[str] | None = None,
        negatives: str = "none",
        seed: int = 0,
        progress: bool = True,
        overwrite: bool = False,
        **options: Any,
    ) -> MotifAnalysis | ModiscoAnalysis:
        """Motifs in ``data`` matched against ``db`` (``"jaspar"`` or a MEME file) by
        ``method``: ``"filters"``, the first convolution layer's (options: `kerasbind.motifs.
        analyse_filters`'s ``release``, ``taxon``, ``per_filter``, ``use_all``, ``dist``,
        ``threshold``, ``min_sites``, ``min_information``), or ``"modisco"``, TF-MoDISco on the
        positives' attributions (options: `kerasbind.motifs.modisco.modisco_of_sequences`'s,
        e.g. ``attribution``, ``steps``; docs/attribution.md); default: the architecture's
        (`default_motif_method`). ``.matches`` is the TOMTOM table. With ``out`` the files are
        written there (an existing folder only with ``overwrite``, then replaced whole)."""
        from kerasbind.datasets import load_sequence_set
        from kerasbind.files import check_new_folder, replace_folder
        from kerasbind.motifs import analyse_filters, write_analysis
        from kerasbind.motifs.modisco import (
            MOTIF_METHODS,
            default_motif_method,
            modisco_of_sequences,
            write_modisco,
        )

        method = method or default_motif_method(self.architecture)
        if method not in MOTIF_METHODS:
            raise KerasbindError(f"unknown motif method {method!r} (one of {MOTIF_METHODS})")
        if out is not None:
            check_new_folder(out, overwrite, "motifs folder")
        seqset = load_sequence_set(data, negatives=negatives, seed=seed, require_labels=False)
        if method == "modisco":
            found = modisco_of_sequences(
                self.model, self.encoder, seqset, db=db, seed=seed, progress=progress, **options
            )
            if out is not None:
                replace_folder(out, lambda folder: write_modisco(found, folder, progress=progress))
            return found
        analysis = analyse_filters(self.model, self.encoder, seqset, db=db, **options)
        if out is not None:
            replace_folder(out, lambda folder: write_analysis(analysis, folder, progress=progress))
        return analysis

    def attribute(
        self,
        data: Any,
        *,
        out: str | os.PathLike[str] | None = None,
        method: str = "integrated_gradients",
        ids: Sequence[str] | None = None,
        limit: int | None = None,
        logos: int = 10,
        progress: bool = True,
        overwrite: bool = False,
        **options: Any,
    ) -> Attributions:
        """Per-nucleotide attributions of the sequences of ``data`` (those named by ``ids``, or
        the first ``limit``) by ``method`` (``ism``, ``saliency``, ``integrated_gradients``,
        ``deepshap``; ``options``: `kerasbind.attribution.attribute`'s ``steps``,
        ``references``, ``seed``); with ``out``, ``attributions.npz``, ``top_positions.tsv`` and
        logos of the ``logos`` highest-scoring sequences are written there
        (docs/attribution.md)."""
        from kerasbind.attribution import attribute
        from kerasbind.attribution.output import write_attributions
        from kerasbind.files import check_new_folder, replace_folder

        if out is not None:
            check_new_folder(out, overwrite)
        seqset = _selected(data, ids, limit)
        found = attribute(
            self.model, self.encoder, seqset.sequences, ids=seqset.ids, method=method,
            alphabet=seqset.alphabet, progress=progress, **options,
        )  # fmt: skip
        if out is not None:
            replace_folder(
                out,
                lambda folder: write_attributions(found, folder, logos=logos, progress=progress),
            )
        return found

    def explain(
        self,
        data: Any = None,
        *,
        variants: Any = None,
        out: str | os.PathLike[str] | None = None,
        ids: Sequence[str] | None = None,
        limit: int | None = None,
        progress: bool = True,
        overwrite: bool = False,
    ) -> pd.DataFrame:
        """In-silico mutagenesis of the sequences of ``data`` (those named by ``ids``, in that
        order, or the first ``limit``): maps written into ``out``, one summary row per sequence
        returned. Or, with ``variants`` (a TSV path or a DataFrame with id, sequence, position,
        alt), the variants' effects (also written to ``out``/variants.tsv). An existing ``out``
        is refused unless ``overwrite`` (then replaced whole)."""
        from kerasbind.explain import explain_sequences, read_variants, variant_effects
        from kerasbind.files import check_new_folder, replace_folder, write_table
        from kerasbind.motifs.motif import letters

        if (data is None) == (variants is None):
            raise KerasbindError("explain needs sequences or variants (one of the two)")
        if out is None and variants is None:
            raise KerasbindError("explain needs an output folder (out=) for the mutation maps")
        if out is not None:
            check_new_folder(out, overwrite)
        if variants is not None:
            if isinstance(variants, str | os.PathLike):
                variants = read_variants(variants)
            effects = variant_effects(self.model, self.encoder, variants)
            if out is not None:
                replace_folder(out, lambda folder: write_table(folder / "variants.tsv", effects))
            return effects
        seqset = _selected(data, ids, limit)

        def explain_into(folder: Path) -> pd.DataFrame:
            summary = explain_sequences(
                self.model, self.encoder, seqset.sequences, seqset.ids, folder,
                letters=letters(seqset.alphabet), progress=progress,
            )  # fmt: skip
            write_table(folder / "explained.tsv", summary)
            return summary

        return replace_folder(out, explain_into)

    def export(
        self,
        base: str | os.PathLike[str],
        *,
        name: str | None = None,
        version: int | None = None,
        serving_config: bool = False,
    ) -> Export:
        """A SavedModel for TF Serving in ``base/name/version`` (see docs/serving.md); ``name``
        defaults to the run folder's name."""
        from kerasbind.export import export_run

        return export_run(
            self, Path(base), name=name, version=version, serving_config=serving_config
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
