#!/usr/bin/env python3
"""Lists the members an agent knows, as an aligned table (like ``./gossip members``).

    python3 clients/python/examples/members.py --http http://127.0.0.1:8946 --status online
    python3 clients/python/examples/members.py --meta role=web --json
"""

from __future__ import annotations

import argparse
import json
import sys

from libgossip import Agent, GossipError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", default=None, help="agent URL (default $GOSSIP_HTTP_ADDR or "
                        "http://127.0.0.1:8946)")
    parser.add_argument("--token", default=None, help="bearer token (default $GOSSIP_HTTP_TOKEN)")
    parser.add_argument("--status", default=None,
                        help="only these statuses, comma-separated (online,suspect,failed,left)")
    parser.add_argument("--meta", action="append", default=[], metavar="KEY=REGEX",
                        help="only members whose metadata KEY fully matches REGEX (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the API's JSON objects")
    args = parser.parse_args()

    meta = {}
    for item in args.meta:
        key, sep, regex = item.partition("=")
        if not sep:
            parser.error(f"--meta needs KEY=REGEX, got {item!r}")
        meta[key] = regex
    try:
        members = Agent(args.http, token=args.token).members(status=args.status, meta=meta)
    except GossipError as e:
        print(f"members: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([m.raw for m in members], indent=2))
        return 0
    rows = [("ID", "ADDRESS", "STATUS", "METADATA")]
    for m in members:
        md = ",".join(f"{k}={v}" for k, v in sorted(m.metadata.items()))
        rows.append((m.id + (" (self)" if m.is_self else ""), m.address, m.status, md))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
