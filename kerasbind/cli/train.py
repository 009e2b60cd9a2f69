"""``kerasbind train``: train one architecture for a number of learning steps into a run folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from kerasbind.cli.common import (
    add_architecture_arguments,
    add_seed_argument,
    add_training_data_arguments,
    architecture_overrides,
)
from kerasbind.cli.export import add_export_argument, export_after_run

DEFAULT_STEPS = 5000
DEFAULT_EVAL_EVERY = 1000

EPILOG = """\
The model is trained for --steps learning steps of 128 sequences (the paper's unit), with the
area under the ROC curve of a held-out part of the training data (--val-fraction) reported every
--eval-every steps. The run folder receives model.keras, kerasbind.json (architecture,
hyper-parameters, encoder, data, training history, metrics, versions), word2vec.model for
embedded architectures and, with --test, metrics.json and ROC / precision-recall curves.

examples:
  kerasbind train --arch deepbind --train train.fa.gz --test test.fa.gz --out runs/deepbind
  kerasbind train --arch ecblstm --train peaks_AC.seq.gz --negatives shuffle --steps 2000 \\
      --out runs/ecblstm
  kerasbind train --arch danq --rnn bigru --conv-layers 2 --train train.tsv --out runs/custom
  kerasbind train --arch dilated --hparams runs/tuned/best_hparams.json --train train.tsv \\
      --out runs/dilated
  kerasbind train --dataset clip_seq/23_PARCLIP_PUM2_hg19 --arch kegru --out runs/kegru
  kerasbind train --arch deepbind --train train.tsv --out runs/db --export models/
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train one architecture (deepRAM's nine or a free composition)",
        description="Train a binding model for a fixed number of learning steps.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_training_data_arguments(parser)
    add_architecture_arguments(parser)
    group = parser.add_argument_group("training")
    group.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_STEPS,
        metavar="N",
        help=f"learning steps of batch 128 (default {DEFAULT_STEPS})",
    )
    group.add_argument(
        "--eval-every",
        type=int,
        default=DEFAULT_EVAL_EVERY,
        metavar="N",
        help=f"steps between validation AUC checks (default {DEFAULT_EVAL_EVERY})",
    )
    group.add_argument(
        "--val-fraction",
        type=float,
        default=0.1,
        metavar="F",
        help="fraction of the training data held out for the validation AUC "
        "(default 0.1; 0 trains on everything and reports only the loss)",
    )
    group.add_argument(
        "--hparams",
        type=Path,
        metavar="FILE.json",
        help="hyper-parameters (JSON object, or a kerasbind.json / tuner result holding "
        "'hyperparameters'); missing keys take the defaults",
    )
    group.add_argument("--out", type=Path, required=True, metavar="RUN_DIR", help="run folder")
    group.add_argument("--quiet", action="store_true", help="no progress bar")
    add_seed_argument(parser)
    add_export_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kerasbind.runtime import quiet_tensorflow, set_seed

    quiet_tensorflow()
    from kerasbind.datasets import load_training_and_test
    from kerasbind.errors import KerasbindError
    from kerasbind.models import resolve_architecture
    from kerasbind.pipeline import (
        encode_set,
        evaluate_into_run,
        fit_model,
        hold_out,
        hyperparameters,
        prepare_inputs,
    )
    from kerasbind.rundir import save_run

    if args.steps < 1 or args.eval_every < 1:
        raise KerasbindError("--steps and --eval-every must be positive")
    set_seed(args.seed)
    arch = resolve_architecture(args.arch, **architecture_overrides(args))
    hparams = hyperparameters(arch, args.hparams)
    train_set, test_set = load_training_and_test(args)
    fit_set, validation_set = train_set, None
    if args.val_fraction > 0:
        fit_set, validation_set = hold_out(train_set, args.val_fraction, args.seed)
    prepared = prepare_inputs(
        arch, fit_set, seq_len=args.seq_len, seed=args.seed, word2vec_path=args.word2vec
    )
    validation = None
    if validation_set is not None:
        validation = (encode_set(prepared.encoder, validation_set), validation_set.labels)
    model, history = fit_model(
        arch,
        hparams,
        prepared,
        steps=args.steps,
        eval_every=args.eval_every,
        seed=args.seed,
        validation=validation,
        freeze_embedding=args.freeze_embedding,
        progress=not args.quiet,
    )
    config = {
        "architecture": arch.to_dict(),
        "hyperparameters": hparams,
        "encoder": prepared.encoder.to_dict(),
        "data": {
            "train": train_set.source,
            "n_train": len(fit_set),
            "n_train_positive": fit_set.n_positive,
            "n_validation": len(validation_set) if validation_set is not None else 0,
            "negatives": args.negatives,
            "neg_ratio": args.neg_ratio,
            "test": test_set.source if test_set is not None else None,
        },
        "training": {
            "steps": args.steps,
            "eval_every": args.eval_every,
            "batch_size": 128,
            "seed": args.seed,
            "freeze_embedding": args.freeze_embedding,
            "history": history.to_dict(),
        },
        "metrics": {"validation_auc": history.val_auc[-1]} if validation else {},
    }
    save_run(args.out, model, config, prepared.word2vec)
    summary = f"trained {arch.name} for {history.steps[-1]} steps in {history.seconds:.0f} s"
    if validation:
        summary += f"; validation AUC {history.val_auc[-1]:.4f}"
    if test_set is not None:
        metrics = evaluate_into_run(args.out, model, prepared.encoder, test_set)
        summary += f"; test AUC {metrics['auc_roc']:.4f} (PR {metrics['auc_pr']:.4f})"
    print(f"{summary}; saved to {args.out}")
    export_after_run(args, args.out)
    return 0
