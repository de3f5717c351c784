"""kubectl sequential-job: the steps of a sequential-job Helm release, in the order they run.

    kubectl sequential-job logs RELEASE [-n NAMESPACE] [--index I] [--wait SECONDS]
    kubectl sequential-job status RELEASE [-n NAMESPACE] [--watch]

kubectl finds this program as the plugin `sequential-job` when `kubectl-sequential_job` is on PATH; it runs as well
on its own. It finds the release's Jobs (or Volcano Jobs) and pods by the chart's labels
(app.kubernetes.io/instance=RELEASE), reads the order of the steps from the pod spec (init containers, then the
container) and their times from the kubelet's container statuses.

Exit status: 0 when the release's newest Job completed, 1 when it failed, 2 when it has not finished, 3 when nothing
was found, 4 on a usage or kubeconfig error, or when the API server could not be reached or refused a request.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from kubectl_sequential_job import logs, status
from kubectl_sequential_job.cluster import Cluster, ConfigError, connect

USAGE_ERROR = 4
EXIT_CODES = """exit status: 0 the release's newest Job completed, 1 it failed, 2 it has not finished, 3 nothing was
found, 4 a usage or kubeconfig error, or the API server could not be reached or refused a request"""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 4: argparse's own 2 would read as "not finished"."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def own_version() -> str:
    try:
        return version("kubectl-sequential-job")
    except PackageNotFoundError:
        return "unknown (not installed)"


def parser() -> Parser:
    # kubectl's global flags that matter here. kubectl does not pass its own flags to a plugin (it refuses flags
    # before the plugin's name), so the plugin takes them itself, before or after the command. SUPPRESS: a flag
    # given before the command is not reset by the command's parser.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-n", "--namespace", default=argparse.SUPPRESS, help="the release's namespace (default: the context's)"
    )
    common.add_argument(
        "--kubeconfig", default=argparse.SUPPRESS, help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)"
    )
    common.add_argument("--context", default=argparse.SUPPRESS, help="kubeconfig context (default: the current one)")

    main = Parser(
        prog="kubectl sequential-job",
        description=__doc__.split("\n\n", 1)[0],
        epilog=EXIT_CODES,
        parents=[common],
    )
    main.add_argument("--version", action="version", version=f"%(prog)s {own_version()}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser, required=True)

    def command(name: str, summary: str, module: object) -> argparse.ArgumentParser:
        """A command of the plugin: kubectl's flags, the release, its module's docstring as its description."""
        sub = commands.add_parser(
            name,
            parents=[common],
            help=summary,
            description=module.__doc__,
            epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("release", metavar="RELEASE", help="the Helm release name")
        return sub

    shown = command("logs", "each step's logs in execution order, then the Job's status", logs)
    shown.add_argument(
        "--index",
        type=int,
        default=None,
        metavar="I",
        help="a fanned-out release: the steps and logs of index I's pods only",
    )
    shown.add_argument(
        "--wait", type=float, default=0, metavar="SECONDS", help="wait up to SECONDS for the Job to finish first"
    )

    summary = "where the chain is: each step's state, start and elapsed time; one line per index for shards"
    state = command("status", summary, status)
    state.add_argument("-w", "--watch", action="store_true", help="update until the Job (or Volcano Job) ends")
    state.add_argument(
        "--interval", type=float, default=1.0, metavar="SECONDS", help="with --watch: seconds between updates (1)"
    )
    state.add_argument(
        "--timeout",
        type=float,
        default=0,
        metavar="SECONDS",
        help="with --watch: give up after SECONDS (exit 2); default: wait as long as it runs",
    )
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        api, context_namespace = connect(getattr(args, "kubeconfig", None), getattr(args, "context", None))
    except ConfigError as e:
        print(f"kubectl sequential-job: {e}", file=sys.stderr)
        return USAGE_ERROR
    cluster = Cluster.of(api)
    namespace = getattr(args, "namespace", None) or context_namespace
    try:
        if args.command == "logs":
            return logs.run(cluster, namespace, args.release, index=args.index, wait=args.wait)
        ansi = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        return status.run(
            cluster, namespace, args.release, watch=args.watch, interval=args.interval, timeout=args.timeout, ansi=ansi
        )
    except ApiException as e:
        print(f"kubectl sequential-job: the API server refused: {e.status} {e.reason}", file=sys.stderr)
    except HTTPError as e:
        print(f"kubectl sequential-job: cannot reach the API server at {api.configuration.host}: {e}", file=sys.stderr)
    return USAGE_ERROR


def entry_point() -> None:
    """The `kubectl-sequential_job` executable."""
    sys.exit(main())
