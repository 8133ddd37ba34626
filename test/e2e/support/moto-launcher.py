"""Start moto's server for the end-to-end tests, with one emulator bug mended.

Usage: python3 moto-launcher.py --host 127.0.0.1 --port 0 [--owner-pid PID] [--verbose]

Port 0 lets the OS pick a free port. Once the socket is bound, one JSON line
{"host": ..., "port": ...} is printed on stdout so the parent knows where to connect.
The server exits when its parent process dies, so no orphan emulator survives a
crashed or killed test run.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import signal
import sys
import threading
import time

# AWS-managed policies (ReadOnlyAccess, ...) exist in moto's IAM only with this flag.
# It must be set before moto reads its settings.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def mend_managed_policy_paths() -> int:
    """Give every AWS-managed policy entry a lower-case `path` key.

    moto's sso-admin looks a policy up by `managed_policy.get("path", "/")`, but the
    data (copied from real AWS) spells it `Path`. So every AWS-managed policy under a
    non-root path (job-function/ViewOnlyAccess, service-role/...) is refused with
    "Policy does not exist", which real AWS accepts. The data is a JSON string that
    iam.models and ssoadmin.models import by name, so the string is replaced in the
    data module before either is imported, and in both modules in case they already were.
    """
    from moto.iam import aws_managed_policies as data_module

    policies = json.loads(data_module.aws_managed_policies_data)
    mended = 0
    for entry in policies.values():
        if "path" not in entry:
            entry["path"] = entry.get("Path", "/")
            mended += 1
    patched = json.dumps(policies)
    data_module.aws_managed_policies_data = patched
    for name in ("moto.iam.models", "moto.ssoadmin.models"):
        module = sys.modules.get(name)
        if module is not None:
            module.aws_managed_policies_data = patched
    return mended


def exit_when_orphaned(original_parent: int, owner_pid: int | None) -> None:
    """Stop once the parent is gone (we get re-parented) or the named owner process has exited.

    The owner PID covers interpreter wrappers (pyenv shims, venv launchers) that may sit between
    the test runner and this process without exec-ing.
    """
    while True:
        if os.getppid() != original_parent:
            os._exit(0)
        if owner_pid is not None:
            try:
                os.kill(owner_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass  # it exists, owned by someone else
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--owner-pid", type=int, default=None, help="exit when this process exits")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args()

    # The emulator accepts any credentials: never expose it beyond this machine.
    if not ipaddress.ip_address(args.host).is_loopback:
        sys.exit(f"refusing to bind moto to non-loopback address {args.host}")

    threading.Thread(target=exit_when_orphaned, args=(os.getppid(), args.owner_pid), daemon=True).start()

    mended = mend_managed_policy_paths()

    # Imported only now, after the data is mended.
    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    if not args.verbose:
        # One log line per request would flood a pipe nobody reads during a 5,000-user seed.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, app, threaded=True)
    host, port = server.server_address[:2]
    # moto builds some resource URLs from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    def stop(_signum, _frame):
        # shutdown() waits for serve_forever, so it must run outside the signal handler's thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    print(json.dumps({"host": host, "port": port, "mendedPolicies": mended}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
