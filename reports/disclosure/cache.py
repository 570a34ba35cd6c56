"""A small in-process cache of the public disclosure, so that anonymous traffic does not load the
database on every request.

Each worker process keeps the figures of each (fiscal year, period) for `DISCLOSURE_CACHE_SECONDS`
(60 by default; 0 turns the cache off). A write in this process empties it when its transaction
commits (every write appends an audit entry: that is the sign looked for), so this worker shows a
change at once; other workers show it within the TTL. Nothing is shared between processes and
nothing is kept on disk: a restart starts empty.
"""
import threading
import time


class TTLCache:
    def __init__(self, seconds: float, clock=time.monotonic, limit: int = 256):
        self.seconds, self.clock, self.limit = seconds, clock, limit
        self._entries: dict = {}
        self._lock = threading.Lock()
        self.version = 0  # bumped by clear(): a value computed before a clear is not stored after it

    def get_or_compute(self, key, compute):
        now = self.clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
            version = self.version
        value = compute()
        if self.seconds > 0:
            with self._lock:
                if version == self.version:
                    if len(self._entries) >= self.limit:
                        self._entries.clear()
                    self._entries[key] = (now + self.seconds, value)
        return value

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.version += 1

    def __len__(self):
        return len(self._entries)
