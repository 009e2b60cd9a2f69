"""``kerasbind train``: train one architecture for a number of learning steps into a run folder."""

from __future__ import annotations

import argparse
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    NEW_FOLDER,
    Output,
    add_architecture_arguments,
    add_export_arguments,
    add_like_argument,
    add_seed_argument,
    add_training_data_arguments,
    architecture,
    command,
    data_options,
    export_after_run,
    export_output,
    fraction,
    input_file,
    like,
    positive_int,
    remember_defaults,
    training_data,
)

EPILOG = """\
The model is trained for --steps learning steps of 128 sequences (the paper's unit), with the
area under the ROC curve of a held-out part of the training data (--val-fraction) reported every
--eval-every steps. The run folder receives model.keras, kerasbind.json (architecture,
hyper-parameters, encoder, options, data, training history, metrics, versions), word2vec.npy
and word2vec.vocab.json for embedded architectures and, with --test, metrics.json and ROC /
precision-recall curves. An existing run folder is replaced (whole) only with --overwrite.
--like RUN repeats a run: its architecture, hyper-parameters and options (steps, seed, ...)
on the data given, so the same data give the same model.

examples:
  kerasbind train --arch deepbind --train train.fa.gz --test test.fa.gz --out runs/deepbind
  kerasbind train --arch ecblstm --train peaks_AC.seq.gz --negatives shuffle --steps 2000 \\
      --out runs/ecblstm
  kerasbind train --arch danq --rnn bigru --conv-layers 2 --train train.tsv --out runs/custom
  kerasbind train --arch dilated --hparams runs/tuned/best_hyperparameters.json --train train.tsv \\
      --out runs/dilated
  kerasbind train --dataset clip_seq/23_PARCLIP_PUM2_hg19 --manual-dir ../shared/data/CLIP-seq \\
      --arch kegru --out runs/kegru
  kerasbind train --arch deepbind --train train.tsv --out runs/db --export models/
  kerasbind train --like runs/deepbind --train train.fa.gz --test test.fa.gz --out runs/again
"""


DEFAULTS = kb.TrainOptions()
OPTION_DESTS = ("steps", "eval_every", "val_fraction", "hparams")


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
        type=positive_int,
        default=DEFAULTS.steps,
        metavar="N",
        help=f"learning steps of batch 128 (default {DEFAULTS.steps})",
    )
    group.add_argument(
        "--eval-every",
        type=positive_int,
        default=DEFAULTS.eval_every,
        metavar="N",
        help=f"steps between validation AUC checks (default {DEFAULTS.eval_every})",
    )
    group.add_argument(
        "--val-fraction",
        type=fraction,
        default=0.1,
        metavar="F",
        help="fraction of the training data held out for the validation AUC "
        "(default 0.1; 0 trains on everything and reports only the loss)",
    )
    group.add_argument(
        "--hparams",
        type=input_file,
        metavar="FILE.json",
        help="hyper-parameters (JSON object, or a kerasbind.json / tuner result holding "
        "'hyperparameters'); missing keys take the defaults",
    )
    group.add_argument("--out", type=Path, required=True, metavar="RUN_DIR", help="run folder")
    group.add_argument("--quiet", action="store_true", help="no progress bar")
    add_like_argument(parser, "training")
    add_seed_argument(parser)
    add_export_arguments(parser)
    command(parser, run, Output("out", "run", NEW_FOLDER), export_output)
    remember_defaults(parser, OPTION_DESTS)


def run(args: argparse.Namespace) -> str:
    repeated = like(args, "train")
    train_set, test_set = training_data(args)
    where = {"out": args.out, "overwrite": args.overwrite, "progress": not args.quiet}
    if repeated is not None:
        arch, options = repeated
        trained = kb.train(arch, train_set, test=test_set, options=options, **where)
    else:
        trained = kb.train(
            architecture(args),
            train_set,
            test=test_set,
            steps=args.steps,
            eval_every=args.eval_every,
            val_fraction=args.val_fraction,
            hparams=args.hparams,
            **data_options(args),
            **where,
        )
    training, metrics = trained.config["training"], trained.metrics
    summary = (
        f"trained {trained.architecture.name} for {training['history']['steps'][-1]} steps "
        f"in {training['history']['seconds']:.0f} s"
    )
    if metrics.get("validation_auc") is not None:
        summary += f"; validation AUC {metrics['validation_auc']:.4f}"
    if "test" in metrics:
        test = metrics["test"]
        summary += f"; test AUC {test['auc_roc']:.4f} (PR {test['auc_pr']:.4f})"
    return f"{summary}; saved to {args.out}{export_after_run(args, trained)}"
