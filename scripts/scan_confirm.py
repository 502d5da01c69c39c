"""Replays wapiti's blind (boolean-based) SQL injection findings of one role,
alone, on the quiet server, after all roles' scans (scripts/scan.sh).

    scan_confirm.py --session DIR --cookie-file FILE --base URL --role ROLE --out FILE [--rounds 3]

Why: wapiti's boolean-based test compares pages by the similarity of their
text (at least 0.95 is "the same page"). While six roles attack the app side
by side, pages change under it (new notifications, a name changed by another
attack) and a list page whose baseline sits near that threshold can pass all
four comparisons of one payload family by chance: a finding that is not an
injection (for example the school admin's notification list filtered by kind,
which Django's ORM queries with a bound parameter).

What it does: for each such finding it rebuilds the attacked request (the
injected value without wapiti's payload suffix) and runs wapiti's own
boolean-based attack (the same payloads and comparisons, ModuleSql of the
installed wapiti) on that parameter only, --rounds times, with nobody else
writing. A real injection gives the same answer every time; the finding is
"reproduced" if any round reports it. The verdict is left to
scan_report.py judge, which fails on every finding that was not replayed or
that reproduced, and prints the ones that did not. Error-based SQL findings
(a database error message in the page) and every other category are never
replayed: they always fail the scan.

Runs with wapiti's interpreter (.venv-scan), since it uses wapiti's modules.
"""

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path

from wapitiCore.attack.mod_sql import ModuleSql
from wapitiCore.net import Request
from wapitiCore.net.classes import CrawlerConfiguration
from wapitiCore.net.crawler import AsyncCrawler
from wapitiCore.net.sql_persister import SqlPersister

CATEGORY = "SQL Injection"
# wapiti's message for a boolean-based finding: the bare category, then where.
# An error-based one names the database: "SQL Injection (DMBS: MySQL) via ...".
BOOLEAN_INFO = re.compile(r"^SQL Injection (via injection in the parameter |in .* via injection in the query string$)")
# The suffixes wapiti's boolean payloads append to the original value
# (mod_sql.generate_boolean_test_values and generate_boolean_comment_values).
PAYLOAD_SUFFIX = re.compile(
    r"""(["']?\)? AND \d+=\d+ AND \(?["']?\d+["']?=["']?\d+|["'] OR \d+=\d+(?:-- |#))\Z""",
    re.DOTALL,
)


class Findings:
    """Stands in for wapiti's persister: keeps what the module reports."""

    def __init__(self):
        self.items = []

    async def add_payload(self, **kwargs):
        self.items.append(kwargs)


def original_request(evil, parameter):
    """The attacked request: the evil one with the payload suffix taken off
    the injected parameter's value; None if the value carries no such suffix."""
    found = False

    def restore(params):
        nonlocal found
        restored = []
        for name, value in params:
            if name == parameter and isinstance(value, str) and PAYLOAD_SUFFIX.search(value):
                value = PAYLOAD_SUFFIX.sub("", value)
                found = True
            restored.append([name, value])
        return restored

    get_params = restore(evil.get_params)
    post_params = restore(evil.post_params) if isinstance(evil.post_params, list) else evil.post_params
    if not found:
        return None
    return Request(
        evil.path,
        method=evil.method,
        enctype=evil.enctype,
        referer=evil.referer,
        get_params=get_params,
        post_params=post_params,
        file_params=evil.file_params,
    )


def names(request):
    params = list(request.get_params)
    if isinstance(request.post_params, list):
        params += request.post_params
    params += list(request.file_params)
    return {name for name, __ in params}


async def replay(args):
    databases = sorted(Path(args.session).glob("*.db"))
    if len(databases) != 1:
        print(f"confirm: expected one wapiti session database in {args.session}", file=sys.stderr)
        return 2
    persister = SqlPersister(str(databases[0]))
    findings = [
        payload
        async for payload in persister.get_payloads()
        if payload.category == CATEGORY and BOOLEAN_INFO.match(payload.info or "")
    ]
    await persister.close()
    results = []
    if findings:
        configuration = CrawlerConfiguration(
            Request(args.base),
            timeout=30,
            user_agent=f"sinergi-scan/{args.role}/confirm",
            headers={"Cookie": Path(args.cookie_file).read_text().strip()},
        )
        async with AsyncCrawler.with_configuration(configuration) as crawler:
            # A replay signed out would compare sign-in redirects and never
            # reproduce anything: the session must still work.
            profile = await crawler.async_send(Request(args.base.rstrip("/") + "/accounts/profile/"))
            if profile.status != 200:
                print(f"confirm: {args.role}'s session does not work (/accounts/profile/ answered {profile.status})")
                return 1
            for payload in findings:
                evil = payload.evil_request
                result = {
                    "method": evil.method,
                    "path": evil.file_path,
                    "parameter": payload.parameter,
                    "info": payload.info,
                    "rounds": 0,
                    "reproduced": 0,
                }
                request = original_request(evil, payload.parameter)
                if request is None:
                    result["error"] = "the injected value carries no known boolean payload"
                    results.append(result)
                    continue
                others = names(request) - {payload.parameter}
                for __ in range(args.rounds):
                    recorder = Findings()
                    module = ModuleSql(crawler, recorder, {"skipped_parameters": others}, configuration)
                    await module.boolean_based_attack(request, set())
                    result["rounds"] += 1
                    if any(item.get("category") == CATEGORY for item in recorder.items):
                        result["reproduced"] += 1
                results.append(result)
                print(
                    f"  {args.role}: {payload.info} ({evil.method} {evil.file_path}): "
                    f"reproduced {result['reproduced']} of {result['rounds']} replays"
                )
    Path(args.out).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--session", required=True, help="the role's wapiti session directory")
    parser.add_argument("--cookie-file", required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--role", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    return asyncio.run(replay(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
