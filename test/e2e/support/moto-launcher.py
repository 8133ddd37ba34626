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


def fill_ssoadmin_gaps() -> None:
    """
    moto 5.2 has no sso-admin tags, permissions boundaries or provisioning status: it answers them with
    an HTML 500, which real AWS never does. Give them a small in-memory model, kept on the backend so
    that /moto-api/reset clears it with everything else.
    """
    from moto.core.exceptions import JsonRESTError
    from moto.ssoadmin.responses import SSOAdminResponse

    def state(self, name: str) -> dict:
        backend = self.ssoadmin_backend
        if not hasattr(backend, name):
            setattr(backend, name, {})
        return getattr(backend, name)

    def list_tags_for_resource(self) -> str:
        tags = state(self, "_iam2idc_tags").get(self._get_param("ResourceArn"), {})
        return json.dumps({"Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]})

    def tag_resource(self) -> str:
        tags = state(self, "_iam2idc_tags").setdefault(self._get_param("ResourceArn"), {})
        tags.update({t["Key"]: t["Value"] for t in self._get_param("Tags") or []})
        return "{}"

    def untag_resource(self) -> str:
        tags = state(self, "_iam2idc_tags").get(self._get_param("ResourceArn"), {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return "{}"

    def get_permissions_boundary_for_permission_set(self) -> str:
        boundary = state(self, "_iam2idc_boundaries").get(self._get_param("PermissionSetArn"))
        if boundary is None:
            raise JsonRESTError("ResourceNotFoundException", "The permission set has no permissions boundary.")
        return json.dumps({"PermissionsBoundary": boundary})

    def put_permissions_boundary_to_permission_set(self) -> str:
        state(self, "_iam2idc_boundaries")[self._get_param("PermissionSetArn")] = self._get_param("PermissionsBoundary")
        return "{}"

    def delete_permissions_boundary_from_permission_set(self) -> str:
        state(self, "_iam2idc_boundaries").pop(self._get_param("PermissionSetArn"), None)
        return "{}"

    def describe_permission_set_provisioning_status(self) -> str:
        # Provisioning succeeds at once in moto; report it as such.
        request_id = self._get_param("ProvisionPermissionSetRequestId")
        return json.dumps({"PermissionSetProvisioningStatus": {"RequestId": request_id, "Status": "SUCCEEDED"}})

    original_create = SSOAdminResponse.create_permission_set

    def create_permission_set(self) -> str:
        # CreatePermissionSet takes Tags too, which moto drops.
        body = original_create(self)
        arn = json.loads(body)["PermissionSet"]["PermissionSetArn"]
        tags = {t["Key"]: t["Value"] for t in self._get_param("Tags") or []}
        if tags:
            state(self, "_iam2idc_tags").setdefault(arn, {}).update(tags)
        return body

    SSOAdminResponse.create_permission_set = create_permission_set

    for function in (
        list_tags_for_resource,
        tag_resource,
        untag_resource,
        get_permissions_boundary_for_permission_set,
        put_permissions_boundary_to_permission_set,
        delete_permissions_boundary_from_permission_set,
        describe_permission_set_provisioning_status,
    ):
        if not hasattr(SSOAdminResponse, function.__name__):
            setattr(SSOAdminResponse, function.__name__, function)


def fill_identitystore_gaps() -> None:
    """moto 5.2 has no identitystore GetGroupMembershipId: answer it from the memberships it keeps."""
    from moto.core.exceptions import JsonRESTError
    from moto.identitystore.responses import IdentityStoreResponse

    def get_group_membership_id(self) -> str:
        member = (self._get_param("MemberId") or {}).get("UserId")
        memberships, _ = self.identitystore_backend.list_group_memberships(
            identity_store_id=self._get_param("IdentityStoreId"), group_id=self._get_param("GroupId"), max_results=None, next_token=None
        )
        for membership in memberships:
            if (membership.get("MemberId") or {}).get("UserId") == member:
                return json.dumps({"MembershipId": membership["MembershipId"], "IdentityStoreId": self._get_param("IdentityStoreId")})
        raise JsonRESTError("ResourceNotFoundException", "Membership not found")

    if not hasattr(IdentityStoreResponse, "get_group_membership_id"):
        IdentityStoreResponse.get_group_membership_id = get_group_membership_id


def fill_iam_gaps() -> None:
    """
    moto 5.2 has no service-specific credentials (CodeCommit, Keyspaces, Bedrock passwords): it answers
    ListServiceSpecificCredentials with an HTML 500. A user there never has any, so answer an empty list.
    """
    from moto.core.responses import ActionResult
    from moto.iam.responses import IamResponse

    def list_service_specific_credentials(self) -> ActionResult:
        self.backend.get_user(self._get_param("UserName"))  # NoSuchEntity for an unknown user, as AWS says
        return ActionResult({"ServiceSpecificCredentials": [], "IsTruncated": False})

    if not hasattr(IamResponse, "list_service_specific_credentials"):
        IamResponse.list_service_specific_credentials = list_service_specific_credentials


def fill_user_permissions_boundaries() -> None:
    """
    moto 5.2 drops IAM user permissions boundaries: CreateUser ignores its PermissionsBoundary, and
    PutUserPermissionsBoundary / DeleteUserPermissionsBoundary are missing (HTML 500). In AWS a user's
    boundary is a managed policy ARN (InvalidInput for a value that is not one) that must exist
    (NoSuchEntity otherwise); GetUser and GetAccountAuthorizationDetails return it as PermissionsBoundary
    {PermissionsBoundaryType: PermissionsBoundaryPolicy, PermissionsBoundaryArn}, and ListUsers leaves it
    out. Keep it on the user as moto keeps a role's.
    """
    from moto.core.responses import EmptyResult
    from moto.core.serialize import never_return, return_if_not_empty
    from moto.iam.exceptions import InvalidInput
    from moto.iam.models import User
    from moto.iam.responses import IamResponse

    def permissions_boundary(self):
        arn = getattr(self, "_iam2idc_boundary", None)
        return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn} if arn else None

    User.permissions_boundary = property(permissions_boundary)

    def check_boundary(backend, arn: str) -> None:
        # AWS refuses a value that is not a managed policy ARN with InvalidInput (400), and the ARN of a
        # policy that does not exist with NoSuchEntity (404); AWS-managed policies are valid boundaries.
        if not backend.policy_arn_regex.match(arn):
            raise InvalidInput(f"ARN {arn} is not valid.")
        backend.get_policy(arn)

    def set_boundary(response, user_name: str, arn: str | None) -> None:
        user = response.backend.get_user(user_name)
        if arn:
            check_boundary(response.backend, arn)
        user._iam2idc_boundary = arn or None

    original_create_user = IamResponse.create_user

    def create_user(self):
        boundary = self._get_param("PermissionsBoundary")
        if boundary:
            check_boundary(self.backend, boundary)  # refused before the user exists, as in AWS
        result = original_create_user(self)
        if boundary:
            set_boundary(self, self._get_param("UserName"), boundary)
        return result

    def put_user_permissions_boundary(self):
        set_boundary(self, self._get_param("UserName"), self._get_param("PermissionsBoundary"))
        return EmptyResult()

    def delete_user_permissions_boundary(self):
        set_boundary(self, self._get_param("UserName"), None)
        return EmptyResult()

    IamResponse.create_user = create_user
    IamResponse.put_user_permissions_boundary = put_user_permissions_boundary
    IamResponse.delete_user_permissions_boundary = delete_user_permissions_boundary
    IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER.update(
        {
            "CreateUserResponse.User.PermissionsBoundary": return_if_not_empty,
            "GetUserResponse.User.PermissionsBoundary": return_if_not_empty,
            "ListUsersResponse.Users.User.PermissionsBoundary": never_return,
        }
    )


def without_access_analyzer(app):
    """
    moto has no IAM Access Analyzer and answers its calls with an HTML 500, which the SDK retries for
    seconds. Answer 404 at once instead: what an endpoint without the service says, and what the CLI
    treats as "unreachable" without retrying.
    """

    def wrapped(environ, start_response):
        if "/access-analyzer/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"message":"IAM Access Analyzer is not emulated"}']
        return app(environ, start_response)

    return wrapped


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
    fill_ssoadmin_gaps()
    fill_identitystore_gaps()
    fill_iam_gaps()
    fill_user_permissions_boundaries()

    # Imported only now, after the data is mended.
    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    if not args.verbose:
        # One log line per request would flood a pipe nobody reads during a 5,000-user seed.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = without_access_analyzer(DomainDispatcherApplication(create_backend_app))
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
