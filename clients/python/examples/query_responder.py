#!/usr/bin/env python3
"""Answers queries through an agent: follows its ``query`` events and responds to each.

Answers the queries named ``--name`` (default ``uptime``) with this program's uptime and the
query's payload echoed. Try it with a second agent:

    python3 clients/python/examples/query_responder.py --http http://127.0.0.1:8946 &
    ./gossip query uptime hello --http http://127.0.0.1:8947
"""

from __future__ import annotations

import argparse
import sys
import time

from libgossip import Agent, GossipError, NotFound


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", default=None, help="agent URL (default $GOSSIP_HTTP_ADDR or "
                        "http://127.0.0.1:8946)")
    parser.add_argument("--token", default=None, help="bearer token (default $GOSSIP_HTTP_TOKEN)")
    parser.add_argument("--name", default="uptime", help="the query name to answer")
    parser.add_argument("--count", type=int, default=0,
                        help="stop after answering this many queries (default: run until Ctrl-C)")
    args = parser.parse_args()

    agent = Agent(args.http, token=args.token)
    started = time.monotonic()
    answered = 0
    try:
        me = agent.self().id
        print(f"{me}: answering queries named {args.name!r}", flush=True)
        # reconnect=True: if the agent drops the stream (e.g. we fell behind), follow it again.
        with agent.events(types="query", reconnect=True) as events:
            for event in events:
                if event.type != "query" or event.name != args.name:
                    continue
                answer = f"{me} up {time.monotonic() - started:.0f}s, you said {event.text!r}"
                try:
                    agent.respond(event, answer)
                except NotFound:
                    print(f"query {event.query_id} expired before we answered", file=sys.stderr)
                    continue
                answered += 1
                print(f"answered {event.query_id} from {event.sender}", flush=True)
                if args.count and answered >= args.count:
                    break
    except GossipError as e:
        print(f"query_responder: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
