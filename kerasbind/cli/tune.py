"""``kerasbind tune``: deepRAM's automatic model selection with KerasTuner."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import kerasbind as kb
from kerasbind.cli.common import (
    FOLDER,
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
    input_file,
    like,
    positive_int,
    remember_defaults,
    training_data,
)

OPTION_DESTS = (
    "budget", "trials", "folds", "max_steps", "eval_every", "final_models", "select_by",
    "search", "space", "max_time", "exhaustive",
)  # fmt: skip

DESCRIPTION = """\
Choose hyper-parameters and the number of learning steps automatically, as deepRAM does
(paper section 2.3, Table 2): settings are each scored by the mean validation AUC of a
stratified k-fold cross-validation, measured every --eval-every steps up to --max-steps; the
best setting and its best checkpoint are kept; --final-models models are then trained on all
training data and the best one (or, by default, all of them averaged as one model) is saved
and scored on --test. --arch auto also chooses the
architecture: one search over the nine, the architecture a hyper-parameter."""

EPILOG = """\
budgets (explicit flags override them; docs/tuning.md gives the evidence):
  standard  5 trials, 2 folds, 10,000 steps, AUC every 2,000, 3 final models kept as an
            ensemble, deepbind's filters up to 128 (the others' 16 or 32), pooling
            global or positional (where a filter fired); first trials: deepbind 128
            filters with each pooling, then the defaults (default; minutes for deepbind)
  auto      10 trials, otherwise as standard: each architecture at its defaults,
            deepbind with 128 filters and each pooling, no random draw (--trials 14 adds
            four), planned to end within --max-time 55m (where time runs short, the
            search stops early and trains fewer final models), so under an hour on 2
            CPU cores also for 20,000 ChIP-seq peaks (default of --arch auto)
  paper     40 trials, 3 folds, 40,000 steps, AUC every 5,000, 5 final models, Table 2
            (deepRAM's protocol; hours)
  quick     4 trials, 2 folds, 1,500 steps, AUC every 500, 2 final models (a smoke test)

The first trials are the space's "first_trials" (default: the architecture's defaults); the
others are drawn from the space: Table 2, the budget's entries, then --space FILE.json's, e.g.
{"optimizer": {"fixed": "adagrad"}, "learning_rate": {"log_uniform": [0.01, 0.1]},
 "first_trials": [{"filters": 64}, {}]}; "per_architecture": {"NAME": {...}} gives one
architecture rules of its own.
Final models: --select-by training is the paper's rule (keep the highest AUC on the training
data; paper and quick budgets); --select-by validation holds out 10 % and keeps the model best
on it; --select-by ensemble (standard and auto budgets) keeps them all, merged into one model
of the same architecture that averages their logits (N x the filters and units).

Resume: run the same command again and finished trials are kept (KerasTuner's project state in
RUN_DIR/tuner), an interrupted trial or final training goes on from its last checkpoint (every
--eval-every steps); a larger --trials extends a finished search; --overwrite starts afresh.
Results: trials.csv, best_hyperparameters.json, model.keras, kerasbind.json, metrics.json.

distributed search (KerasTuner's own mode, RUN_DIR on a shared file system):
  KERASTUNER_TUNER_ID=chief KERASTUNER_ORACLE_IP=10.0.0.1 KERASTUNER_ORACLE_PORT=8000 \\
      kerasbind tune --arch dilated --train train.fa.gz --out /shared/runs/dilated
  KERASTUNER_TUNER_ID=tuner1 KERASTUNER_ORACLE_IP=10.0.0.1 KERASTUNER_ORACLE_PORT=8000 \\
      kerasbind tune --arch dilated --train train.fa.gz --out /shared/runs/dilated
  (one line per worker, each with its own id; the chief trains the final models)

examples:
  kerasbind tune --arch dilated --train train.fa.gz --test test.fa.gz --out runs/dilated
  kerasbind tune --arch auto --train train.fa.gz --test test.fa.gz --out runs/auto
  kerasbind tune --arch deepbind --train peaks_AC.seq.gz --negatives shuffle --budget quick \\
      --out runs/quick
  kerasbind tune --like runs/dilated --train other_train.fa.gz --out runs/dilated_other
  kerasbind tune --arch ecblstm --dataset clip_seq/23_PARCLIP_PUM2_hg19 \\
      --manual-dir ../shared/data/CLIP-seq --trials 20 --max-time 6h \\
      --out runs/ecblstm
"""


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``45m``, ``2h`` or ``1h30m`` as seconds; ``none``: 0 (no limit)."""
    if text.strip().lower() == "none":
        return 0.0
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", text.strip())
    if not text.strip() or not match:
        raise argparse.ArgumentTypeError(
            f"not a duration: {text!r} (e.g. 90s, 45m, 2h, 1h30m, none)"
        )
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tune",
        help="automatic model selection: cross-validated KerasTuner search, then best of N "
        "final models or their ensemble",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_training_data_arguments(parser)
    add_architecture_arguments(
        parser, also=("auto",), help_extra="; auto: choose among the nine in one search"
    )
    group = parser.add_argument_group("search")
    group.add_argument(
        "--budget",
        choices=list(kb.BUDGETS),
        help="preset for the five numbers below and the search space (default standard; "
        "auto with --arch auto)",
    )
    for flag, help_text in (
        ("--trials", "hyper-parameter settings to try"),
        ("--folds", "cross-validation folds per setting"),
        ("--max-steps", "most learning steps (batch 128) per fold"),
        ("--eval-every", "steps between validation AUC checkpoints"),
        ("--final-models", "models trained with the best setting; the best one is kept"),
    ):
        group.add_argument(
            flag, type=positive_int, metavar="N", help=f"{help_text} (default: budget)"
        )
    group.add_argument(
        "--select-by",
        choices=kb.SELECT_BY,
        default=None,
        help="keep the final model best on the training data (paper) or on a held-out 10 %%, "
        "or average them all (ensemble) (default: budget)",
    )
    group.add_argument(
        "--search",
        choices=["random", "hyperband", "bayesian"],
        default="random",
        help="KerasTuner oracle (default random, as in the paper; hyperband ignores --trials)",
    )
    group.add_argument(
        "--space", type=input_file, metavar="FILE.json", help="search-space overrides"
    )
    group.add_argument(
        "--max-time",
        type=parse_duration,
        metavar="DURATION",
        help="plan the whole run to end within this long (e.g. 45m, 6h; none: no limit; "
        "default 55m with --budget auto, else none): no trial starts, and a trial stops at a "
        "checkpoint, when the final models would no longer fit, and fewer final models are "
        "trained where all would not; rerun to continue the search",
    )
    group.add_argument(
        "--exhaustive",
        action="store_true",
        help="the paper's protocol: every trial trains to --max-steps (default: trials that "
        "cannot win stop early; trials.csv says where and why)",
    )
    group.add_argument("--overwrite", action="store_true", help="discard an earlier search")
    group.add_argument("--out", type=Path, required=True, metavar="RUN_DIR", help="run folder")
    group.add_argument("--quiet", action="store_true", help="no progress lines")
    add_like_argument(parser, "search")
    add_seed_argument(parser)
    add_export_arguments(parser)
    command(parser, run, Output("out", "run", FOLDER), export_output)
    remember_defaults(parser, OPTION_DESTS)


def run(args: argparse.Namespace) -> str:
    repeated = like(args, "tune")
    train_set, test_set = training_data(args)
    where = {"out": args.out, "overwrite": args.overwrite, "progress": not args.quiet}
    if repeated is not None:
        arch, options = repeated
        tuned = kb.tune(arch, train_set, test=test_set, options=options, **where)
        return _summary(args, tuned)
    tuned = kb.tune(
        architecture(args),
        train_set,
        test=test_set,
        budget=args.budget,
        trials=args.trials,
        folds=args.folds,
        max_steps=args.max_steps,
        eval_every=args.eval_every,
        final_models=args.final_models,
        select_by=args.select_by,
        search=args.search,
        space=args.space,
        max_time=args.max_time,
        exhaustive=args.exhaustive,
        **data_options(args),
        **where,
    )
    return _summary(args, tuned)


def _summary(args: argparse.Namespace, tuned: kb.Run | None) -> str:
    if tuned is None:
        return "worker finished: the chief records the trials and trains the final models"
    exported = export_after_run(args, tuned)
    tuning, test = tuned.config["tuning"], tuned.metrics.get("test")
    line = (
        f"tuned {tuned.architecture.name}: CV AUC {tuning['cv_auc']:.4f} at "
        f"{tuned.config['training']['steps']} steps (trial {tuning['trial']})"
    )
    if test is not None:
        line += f"; test AUC {test['auc_roc']:.4f} (PR {test['auc_pr']:.4f})"
    others = [
        f"{row['architecture']} {row['cv_auc']:.4f}"
        for row in tuning.get("architectures", [])[1:]
        if row["cv_auc"] is not None
    ]
    if others:
        line += f"; runners-up (CV AUC): {', '.join(others)}"
    return f"{line}; saved to {args.out}{exported}"
