#!/usr/bin/env python3
"""The seed's Python example, on the agent.

The seed's bindings built a ``node_view`` and drove ``gossip_core`` with ``core.tick()``. Here the
agent (``./gossip agent``) runs the protocol; this program asks it who it is, optionally joins
seeds, lists the members and then prints cluster events as they happen (the loop that replaces
``core.tick()``). Stop it with Ctrl-C.

    ./gossip agent --bind 127.0.0.1:7946 --http 127.0.0.1:8946 &
    ./gossip agent --bind 127.0.0.1:7947 --http 127.0.0.1:8947 --join 127.0.0.1:7946 &
    python3 clients/python/examples/simple_cluster.py --http http://127.0.0.1:8946
"""

from __future__ import annotations

import argparse
import sys
import time

from libgossip import Agent, Event, GossipError


def describe(event: Event) -> str:
    """One line per event, like ``./gossip monitor``."""
    if event.type == "snapshot":
        return f"snapshot: {len(event.members)} members"
    if event.member is not None:
        m = event.member
        changed = event.previous_status and event.previous_status != m.status
        was = f" (was {event.previous_status})" if changed else ""
        return f"{event.type}: {m.id} {m.address} {m.status}{was} metadata={m.metadata}"
    if event.type in ("broadcast", "message"):
        return f"{event.type} from {event.sender} topic={event.topic!r}: {event.text!r}"
    if event.type == "query":
        return f"query {event.name!r} from {event.sender}: {event.text!r}"
    return f"{event.type}: {event.data}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", default=None, help="agent URL (default $GOSSIP_HTTP_ADDR or "
                        "http://127.0.0.1:8946)")
    parser.add_argument("--token", default=None, help="bearer token (default $GOSSIP_HTTP_TOKEN)")
    parser.add_argument("--join", nargs="*", default=[], metavar="HOST:PORT",
                        help="gossip addresses of seeds to join first")
    parser.add_argument("--count", type=int, default=0,
                        help="stop after this many events (default: run until Ctrl-C)")
    args = parser.parse_args()

    agent = Agent(args.http, token=args.token)
    try:
        node = agent.self()  # the seed's node_view: id, ip, port, status, metadata
        print(f"this node: {node.id} at {node.ip}:{node.port} ({node.status})")
        if args.join:
            print(f"joined: {agent.join(*args.join)} members known")
        for m in agent.members():
            print(f"  {m.id:<24} {m.address:<21} {m.status:<8} {m.metadata}")
        # Where the seed called core.tick() periodically, the agent ticks by itself: we follow
        # what it reports.
        seen = 0
        with agent.events() as events:
            for event in events:
                print(time.strftime("%H:%M:%S"), describe(event), flush=True)
                seen += 1
                if args.count and seen >= args.count:
                    break
    except GossipError as e:
        print(f"simple_cluster: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
