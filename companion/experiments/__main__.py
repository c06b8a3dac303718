"""The command line of the declared experiments.

    python -m companion.experiments list
    python -m companion.experiments run NAME [--seeds 0 1 2] [--variants cell=lstm ...]
    python -m companion.experiments verify NAME | --all [--no-replay | --replay-runs N]
    python -m companion.experiments smoke NAME | --all
    python -m companion.experiments seal NAME

``run`` trains from scratch (a progress bar per run) and
writes ``companion/assets/experiments/NAME/``; ``verify`` recomputes the held-out metrics of
every shipped run from its weights, replays its first training steps, and exits non-zero
with a message naming the experiment, the run, the number and what to run on any mismatch or
missing file; ``smoke`` trains a few steps into a temporary folder and verifies that.
"""

import argparse
import os
import sys


def _start_backend(threads):
    """Optionally fewer threads, so that two trainings can share a 2-core machine.

    TensorFlow's op determinism is not switched on: Keras then refuses XLA, which the
    experiments use; on a CPU the kernels give the same numbers run after run anyway, and
    ``verify`` checks exactly that by replaying the first steps of every run."""
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        if threads:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)


def _list():
    from companion.experiments import artefacts, catalogue

    rows = []
    for name in catalogue.names():
        experiment = catalogue.get(name)
        try:
            artefacts.check_intact(name)
            state = "intact"
        except artefacts.ArtefactError as error:
            state = "MISSING" if "missing" in str(error) else "CHANGED"
        if name in catalogue.PENDING:
            state = "pending"
        cpu = 0.0
        runs = artefacts.folder(name) / artefacts.RUNS
        import json

        records = [json.loads(p.read_text()) for p in sorted(runs.glob("*.json"))] \
            if runs.is_dir() else []
        cpu = sum(r.get("cpu_seconds", 0.0) for r in records)
        rows.append((name, experiment.question, len(experiment.variants()),
                     len(experiment.seeds), len(records), cpu / 60,
                     artefacts.size_bytes(name) / 1e6, state))
    print(f"{'experiment':<22} {'variants':>8} {'seeds':>5} {'runs':>5} {'CPU min':>8} "
          f"{'MB':>6}  artefact   question")
    for name, question, n_variants, n_seeds, n_runs, minutes, mb, state in rows:
        print(f"{name:<22} {n_variants:>8} {n_seeds:>5} {n_runs:>5} {minutes:>8.1f} "
              f"{mb:>6.2f}  {state:<9}  {question}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m companion.experiments",
                                     description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every experiment, its CPU time, size and state")
    run = commands.add_parser("run", help="train an experiment from scratch into its artefact")
    run.add_argument("name")
    run.add_argument("--seeds", type=int, nargs="+")
    run.add_argument("--variants", nargs="+",
                     help="variant keys or some of their field=value pieces (exact), e.g. "
                          "cell=lstm; a piece without '=' may be part of a value, e.g. lstm")
    run.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: default)")
    for command in ("verify", "smoke"):
        sub = commands.add_parser(command, help=f"{command} one experiment, or --all")
        sub.add_argument("name", nargs="?")
        sub.add_argument("--all", action="store_true")
        if command == "verify":
            sub.add_argument("--no-replay", action="store_true",
                             help="check hashes and held-out metrics only")
            sub.add_argument("--replay-runs", type=int, default=None, metavar="N",
                             help="replay the first steps of N runs per experiment, spread "
                                  "across its variants (default: every run)")
    seal = commands.add_parser("seal", help="rewrite an artefact's manifest of hashes")
    seal.add_argument("name")
    args = parser.parse_args(argv)

    from companion.experiments import artefacts, catalogue, runner

    if args.command == "list":
        return _list()
    if args.command == "seal":
        artefacts.seal(args.name)
        return 0
    _start_backend(getattr(args, "threads", 0))
    if args.command == "run":
        runner.run_experiment(args.name, seeds=args.seeds, variants=args.variants)
        return 0
    if args.all == bool(args.name):
        parser.error(f"{args.command}: give one experiment NAME or --all")
    # --all: every experiment whose artefact ships (catalogue.PENDING lists the others)
    names = (catalogue.shipped() if args.command == "verify" else catalogue.names()) \
        if args.all else [args.name]
    failed = []
    for name in names:
        try:
            if args.command == "verify":
                runner.verify_experiment(name, replay=not args.no_replay,
                                         replay_runs=args.replay_runs)
            else:
                print(f"{name}: smoke run of {runner.smoke(name)} run(s) verified")
        except (artefacts.ArtefactError, ValueError) as error:
            print(f"FAILED {error}", file=sys.stderr)
            failed.append(name)
    if failed:
        print(f"{args.command}: {len(failed)} of {len(names)} experiment(s) failed: {failed}",
              file=sys.stderr)
        return 1
    print(f"{args.command}: {len(names)} experiment(s) OK")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())
