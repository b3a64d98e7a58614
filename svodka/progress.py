"""A small progress line for long runs: documents done, documents/s, rejected.

Written to stderr only when it is a terminal (or when forced), so scripts and
CI logs stay clean."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str = "documents", enabled: bool | None = None, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self.done = 0
        self.rejected = 0
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, done: int = 0, rejected: int = 0) -> None:
        self.done += done
        self.rejected += rejected
        now = time.monotonic()
        if self.enabled and now - self._last >= 0.2:
            self._last = now
            self._draw(now)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def _draw(self, now: float) -> None:
        elapsed = now - self.started
        self.stream.write(f"\r{self.done:>8} {self.label}  {self.rate:7.1f}/s  "
                          f"{self.rejected} rejected  {elapsed:6.1f} s")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
