"""The `aidledger` command: serve, migrate, users, demo, verify, checkpoint, report,
import, policies."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aidledger.domain.errors import DomainError
from aidledger.settings import ConfigurationError, Settings, load_settings

if TYPE_CHECKING:
    from aidledger.contract.users import DisabledUserOut, UserOut
    from aidledger.services.context import ServiceContext


async def _migrate(settings: Settings, *, quiet: bool = False) -> list[str]:
    from aidledger.bootstrap import open_services
    from aidledger.persistence.migrations import apply_migrations

    async with open_services(settings) as context:
        return await apply_migrations(context.database, context.migrations_path,
                                      quiet=quiet)


def _command_migrate(settings: Settings, _: argparse.Namespace) -> int:
    applied = asyncio.run(_migrate(settings, quiet=True))
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else ""))
    return 0


def _command_serve(settings: Settings, arguments: argparse.Namespace) -> int:
    import uvicorn

    asyncio.run(_migrate(settings, quiet=True))
    host = arguments.host or settings.host
    port = arguments.port or settings.port
    print(f"AidLedger serving on http://{host}:{port} (API description at /schema)", flush=True)
    uvicorn.run("aidledger.api.app:create_app", factory=True, host=host, port=port,
                workers=arguments.workers, log_level="warning", access_log=False)
    return 0


def _command_users_create(settings: Settings, arguments: argparse.Namespace) -> int:
    from aidledger.bootstrap import open_services
    from aidledger.services.users import create_user

    if not arguments.password_stdin:
        print("give the password on standard input with --password-stdin", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\r\n")

    async def create() -> UserOut:
        await _migrate(settings, quiet=True)
        async with open_services(settings) as context:
            return await create_user(context, "cli", username=arguments.username,
                                     password=password, role=arguments.role,
                                     person_id=arguments.person)

    user = asyncio.run(create())
    print(f"created {user.role} user {user.username}")
    return 0


def _command_users_disable(settings: Settings, arguments: argparse.Namespace) -> int:
    from aidledger.bootstrap import open_services
    from aidledger.services.users import deactivate_user

    async def disable() -> DisabledUserOut:
        async with open_services(settings) as context:
            return await deactivate_user(context, "cli", arguments.username)

    user = asyncio.run(disable())
    print(f"disabled {user.role} user {user.username} at {user.disabled_at}; "
          "its tokens are refused from now on")
    return 0


def _command_demo(settings: Settings, _: argparse.Namespace) -> int:
    from aidledger.bootstrap import open_services
    from aidledger.demo import FUND_CODE, load_demo

    async def load() -> object:
        await _migrate(settings, quiet=True)
        async with open_services(settings) as context:
            return await load_demo(context)

    logins = asyncio.run(load())
    if logins is None:
        print("The database already holds funds; demo data not loaded again.")
        return 0
    print(f"Demo fund {FUND_CODE!r} (HKD) loaded: donors, a workshop expense, members with "
          "course credits, a market-stall loan being repaid and a medical grant paid.")
    print("Sign in at /login (the pages), or get a token with POST /api/auth/token, as:")
    for login in logins:  # type: ignore[attr-defined]
        print(f"  {login.role:9} username {login.username:15} password {login.password}")
    return 0


def _command_verify(settings: Settings, arguments: argparse.Namespace) -> int:
    from aidledger.bootstrap import open_services
    from aidledger.persistence.funds import fund_codes
    from aidledger.services.verification import first_altered_reply, verify_fund

    checkpoint_lines = None
    if arguments.checkpoints:
        try:
            with open(arguments.checkpoints, encoding="utf-8") as file:
                checkpoint_lines = file.read().splitlines()
        except OSError as error:
            print(f"cannot read the checkpoints: {error}", file=sys.stderr)
            return 2

    async def verify() -> int:
        failed = 0
        async with open_services(settings) as context:
            if checkpoint_lines is not None:
                failed += await _check_checkpoints(context, checkpoint_lines)
            codes = ([arguments.fund] if arguments.fund
                     else await fund_codes(context.database))
            for code in codes:
                # One damaged fund must not keep the others from being checked.
                try:
                    result = await verify_fund(context, code)
                except DomainError:
                    raise
                except Exception as error:  # reported, then on to the next fund
                    failed += 1
                    print(f"FAIL fund {code}: could not be read: {type(error).__name__}: "
                          f"{error}")
                    continue
                bad = result.first_bad
                if bad is not None:
                    failed += 1
                    print(f"FAIL fund {code}: entry seq {bad.seq} id {bad.entry_id}: "
                          f"{bad.reason}")
                    continue
                print(f"ok   fund {code}: {result.entries_checked} entries, head "
                      f"{result.head.hash}")
            if not arguments.fund:
                altered = await first_altered_reply(context)
                if altered is not None:
                    failed += 1
                    print(f"FAIL stored replies: the reply kept for {altered} was altered "
                          "(it will not be replayed)")
        return 1 if failed else 0

    return asyncio.run(verify())


async def _check_checkpoints(context: ServiceContext, lines: list[str]) -> int:
    """Each line is a checkpoint taken earlier; names the first that no longer holds (1),
    or says they all do (0)."""
    import json

    from aidledger.services.checkpoints import check_checkpoint

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
            result = await check_checkpoint(context, document)
        except (ValueError, DomainError) as error:
            print(f"FAIL checkpoint on line {number}: not a checkpoint: {error}")
            return 1
        if not result.ok:
            print(f"FAIL checkpoint on line {number} (fund {document['fund']} seq "
                  f"{document['seq']}): {result.reason}")
            return 1
        print(f"ok   checkpoint on line {number}: fund {document['fund']} seq "
              f"{document['seq']} still holds")
    return 0


def _command_checkpoint(settings: Settings, arguments: argparse.Namespace) -> int:
    import json

    import msgspec

    from aidledger.bootstrap import open_services
    from aidledger.services.checkpoints import take_checkpoint

    async def take() -> dict[str, object]:
        async with open_services(settings) as context:
            checkpoint: dict[str, object] = msgspec.to_builtins(
                await take_checkpoint(context, arguments.fund))
            return checkpoint

    # One line of JSON: append it to a file kept away from the database.
    print(json.dumps(asyncio.run(take()), sort_keys=True))
    return 0


def _command_report(settings: Settings, arguments: argparse.Namespace) -> int:
    from pathlib import Path

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from aidledger.bootstrap import open_services
    from aidledger.reports.catalog import render

    output = Path(arguments.output)
    # Large exports show how far they are; the bar goes to standard error.
    tracked = arguments.name in ("general-ledger", "audit-package", "beancount")
    bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=Console(stderr=True), disable=not tracked)

    async def write() -> int:
        async with open_services(settings) as context:
            with bar:
                task = bar.add_task(f"{arguments.name} lines", total=None)

                def advance(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total or None)

                rendered = await render(context, arguments.name, fund=arguments.fund,
                                        start=arguments.date_from, end=arguments.to,
                                        as_of=arguments.as_of, output=arguments.format,
                                        progress=advance)
                size = 0
                with output.open("wb") as file:  # noqa: ASYNC230  # a local file, written as it comes
                    async for chunk in rendered.chunks:
                        file.write(chunk)
                        size += len(chunk)
                return size

    size = asyncio.run(write())
    print(f"wrote {output} ({size:,} bytes)")
    return 0


def _command_import_repayments(settings: Settings, arguments: argparse.Namespace) -> int:
    import csv
    from pathlib import Path

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from aidledger.bootstrap import open_services
    from aidledger.services.settlements import ImportReport, import_rows, read_rows
    from aidledger.services.users import acting_admin

    with Path(arguments.file).open(newline="", encoding="utf-8-sig") as file:
        rows, refused_early = read_rows(file)
    bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=Console(stderr=True))

    async def run() -> ImportReport:
        async with open_services(settings) as context:
            actor = await acting_admin(context, arguments.user)
            with bar:
                task = bar.add_task("repayments", total=len(rows))
                return await import_rows(context, actor, arguments.fund, rows,
                                         lambda done: bar.update(task, completed=done))

    report = asyncio.run(run())
    refused = sorted([*refused_early, *report.refused], key=lambda row: row.line)
    print(f"recorded {report.recorded}, already recorded earlier {report.replayed}, "
          f"refused {len(refused)} of {len(rows) + len(refused_early)} rows")
    for row in refused:
        print(f"  line {row.line} (reference {row.reference or '-'}): {row.reason}")
    if arguments.refused and refused:
        with Path(arguments.refused).open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "reference", "reason"])
            writer.writerows([row.line, row.reference, row.reason] for row in refused)
        print(f"wrote the refused rows to {arguments.refused}")
    return 1 if refused else 0


def _command_policies_check(settings: Settings, _: argparse.Namespace) -> int:
    from aidledger.rules.loader import load_policies

    for policy in load_policies(settings.policies_path):
        versions = ", ".join(f"v{version.version} from {version.effective_from.isoformat()} "
                             f"({len(version.rules)} rules)" for version in policy.versions)
        print(f"ok   {policy.file}: {policy.id} ({policy.applies_to}): {versions}")
    return 0


def _parser() -> argparse.ArgumentParser:
    from aidledger.reports.output import REPORTS

    parser = argparse.ArgumentParser(prog="aidledger", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply pending migrations, then serve HTTP")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_command_serve)
    commands.add_parser("migrate", help="apply pending migrations").set_defaults(
        run=_command_migrate)
    users = commands.add_parser("users", help="manage users").add_subparsers(
        dest="users_command", required=True)
    create = users.add_parser("create", help="create a user (the first admin, say)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=["admin", "borrower", "auditor"])
    create.add_argument("--person", help="the person id a borrower user belongs to")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    create.set_defaults(run=_command_users_create)
    disable = users.add_parser("disable", help="disable a login and every token it holds")
    disable.add_argument("--username", required=True)
    disable.set_defaults(run=_command_users_disable)
    commands.add_parser("demo", help="load demo data into an empty database").set_defaults(
        run=_command_demo)
    verify = commands.add_parser("verify", help="recompute hash chains and balances")
    verify.add_argument("--fund", help="one fund's code or id (default: every fund)")
    verify.add_argument("--checkpoints", metavar="FILE",
                        help="also check earlier checkpoints, one JSON object a line")
    verify.set_defaults(run=_command_verify)
    checkpoint = commands.add_parser("checkpoint",
                                     help="print a signed checkpoint of a fund's chain head")
    checkpoint.add_argument("--fund", required=True, help="the fund's code or id")
    checkpoint.set_defaults(run=_command_checkpoint)
    report = commands.add_parser("report", help="write a report to a file")
    report.add_argument("name", choices=REPORTS)
    report.add_argument("--fund", required=True, help="the fund's code or id")
    report.add_argument("--from", dest="date_from", help="first day of the period")
    report.add_argument("--to", help="last day of the period")
    report.add_argument("--as-of", help="the day a balance or portfolio is as of")
    report.add_argument("--format", choices=["json", "csv", "pdf"],
                        help="json (default), csv or pdf; not for beancount, audit-package")
    report.add_argument("--output", required=True, metavar="FILE")
    report.set_defaults(run=_command_report)
    imports = commands.add_parser("import", help="import a file").add_subparsers(
        dest="import_command", required=True)
    settlement = imports.add_parser(
        "repayments", help="record a settlement file's repayments (CSV: loan,amount,date,"
                           "reference); a row recorded before is not recorded again")
    settlement.add_argument("file", metavar="FILE")
    settlement.add_argument("--fund", required=True, help="the fund every loan must be of")
    settlement.add_argument("--user", help="the admin recorded as making the entries "
                                           "(default: cli)")
    settlement.add_argument("--refused", metavar="FILE",
                            help="also write the refused rows and why to this CSV file")
    settlement.set_defaults(run=_command_import_repayments)
    policies = commands.add_parser("policies", help="policy files").add_subparsers(
        dest="policies_command", required=True)
    policies.add_parser("check", help="load and check every policy file").set_defaults(
        run=_command_policies_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from aidledger.rules.model import PolicyError

    arguments = _parser().parse_args(argv)
    try:
        settings = load_settings()
        return int(arguments.run(settings, arguments))
    except ConfigurationError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except PolicyError as error:
        print(f"policy error: {error}", file=sys.stderr)
        return 2
    except DomainError as error:
        details = "; ".join(f"{item.field}: {item.message}" for item in error.errors)
        print(f"refused: {error.detail}" + (f" ({details})" if details else ""), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
