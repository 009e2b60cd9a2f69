"""``kerasbind client``: binding probabilities from a model served by TF Serving."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kerasbind.cli.common import (
    FILE,
    Output,
    add_input_format_arguments,
    command,
    input_file,
    input_set,
    positive_int,
    write_prediction_table,
)

EPILOG = """\
Sends the sequences of FILE (any format 'kerasbind predict' reads) to a model exported with
'kerasbind export' and served by TF Serving, --batch-size sequences per request, and writes
a table like 'kerasbind predict': id, sequence, probability, log_odds, and windows, the length
rule the SavedModel applied: 1 for a sequence of the model's length or shorter (shorter ones
centred between N), more for a longer one, scored by the best of that many windows (both
strands for DNA runs, as 'kerasbind predict' does).

  --rest URL        TF Serving's REST API, e.g. http://localhost:8501
                    (POST /v1/models/NAME[/versions/N]:predict with "instances")
  --grpc HOST:PORT  TF Serving's gRPC API, e.g. localhost:8500 (PredictionService.Predict)

Without --version the server's choice (the highest loaded version) answers. --status prints
the model's versions and signatures instead of predicting.

examples:
  kerasbind client --rest http://localhost:8501 --model pum2 --input test.fa --output p.tsv
  kerasbind client --grpc localhost:8500 --model pum2 --version 2 --input new.tsv --output -
  kerasbind client --rest http://localhost:8501 --model pum2 --status
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "client",
        help="predict through TF Serving (REST or gRPC)",
        description="Binding probabilities from a model served by TF Serving.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    server = parser.add_mutually_exclusive_group(required=True)
    server.add_argument("--rest", metavar="URL", help="REST address, e.g. http://localhost:8501")
    server.add_argument("--grpc", metavar="HOST:PORT", help="gRPC address, e.g. localhost:8500")
    parser.add_argument("--model", required=True, metavar="NAME", help="served model name")
    parser.add_argument("--version", type=int, metavar="N", help="model version (default latest)")
    parser.add_argument("--input", type=input_file, metavar="FILE", help="sequences to score")
    parser.add_argument(
        "--output", type=Path, metavar="OUT.tsv", help="predictions (TSV; '-' = standard output)"
    )
    parser.add_argument(
        "--status", action="store_true", help="print the model's versions and signatures"
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=1024,
        metavar="N",
        help="sequences per request (default 1024)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="per request (default 30)",
    )
    add_input_format_arguments(parser)
    command(parser, run, Output("output", "predictions", FILE))


def run(args: argparse.Namespace) -> str | int:
    import kerasbind as kb

    client = kb.connect(
        rest=args.rest,
        grpc=args.grpc,
        model=args.model,
        version=args.version,
        timeout=args.timeout,
    )
    if args.status:
        info = {"versions": client.status(), "signatures": client.signatures()}
        return json.dumps(info, indent=2)
    if args.input is None or args.output is None:
        raise kb.KerasbindError("--input and --output are needed (or --status)")
    seqset = input_set(args)
    outputs = client.predict(seqset.sequences, batch_size=args.batch_size)
    write_prediction_table(
        args.output,
        seqset.ids,
        seqset.user_sequences(),
        outputs["probability"],
        log_odds=outputs["logit"],
        windows=outputs["windows"],
    )
    return 0
