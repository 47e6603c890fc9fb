"""A parser for Server-Sent Events (the ``text/event-stream`` format), fed one line at a time."""

from __future__ import annotations

from typing import List, Optional

from .models import Event

__all__ = ["SSEParser"]


class SSEParser:
    """Turns the lines of an event stream into :class:`Event` objects.

    Follows the HTML specification's rules: ``field: value`` lines (one space after the colon is
    dropped), several ``data:`` lines joined with newlines, a blank line dispatches the event,
    lines starting with ``:`` are comments (the agent's keepalives), an event without data is not
    dispatched, and the event type defaults to ``"message"``.

    Attributes:
        comments: how many comment lines (keepalives) were seen.
        last_event_id: the last ``id:`` value seen.
        retry_ms: the last ``retry:`` value seen, in milliseconds.
    """

    def __init__(self) -> None:
        self._type: str = ""
        self._data: List[str] = []
        self._has_data = False
        self.comments = 0
        self.last_event_id: Optional[str] = None
        self.retry_ms: Optional[int] = None

    def feed_line(self, line: str) -> Optional[Event]:
        """Feeds one line (with or without its line ending).

        Returns:
            the event that a blank line completes, else ``None``.
        """
        if line.endswith("\n"):
            line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._type = value
        elif name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "id":
            if "\0" not in value:
                self.last_event_id = value
        elif name == "retry":
            if value.isdigit():
                self.retry_ms = int(value)
        # Other field names are ignored, as the specification says.
        return None

    def feed(self, text: str) -> List[Event]:
        """Feeds a block of text holding whole lines; returns the events it completes."""
        events = []
        for line in text.splitlines():
            ev = self.feed_line(line)
            if ev is not None:
                events.append(ev)
        return events

    def reset(self) -> None:
        """Drops a partly read event (after a reconnection)."""
        self._type = ""
        self._data = []
        self._has_data = False

    def _dispatch(self) -> Optional[Event]:
        if not self._has_data:
            self._type = ""
            return None
        event = Event.from_sse(self._type or "message", "\n".join(self._data), self.last_event_id)
        self.reset()
        return event
