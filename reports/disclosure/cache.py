"""A small in-process cache of the public disclosure, so that anonymous traffic does not load the
database on every request.

Each worker process keeps, for `DISCLOSURE_CACHE_SECONDS` (60 by default; 0 turns the cache off),
the whole-period summary of each (fiscal year, period) and the pages of its lists that were asked
for (the key names the list, the page and its size), each page a few dozen rows. At most `limit`
entries: the one used longest ago makes room for a new one, so a crawler walking the pages of a list
does not push the summaries out all at once. A write in this process empties it when its transaction
commits (every write appends an audit entry: that is the sign looked for), so this worker shows a
change at once; other workers show it within the TTL. Nothing is shared between processes and
nothing is kept on disk: a restart starts empty.
"""
import threading
import time
from collections import OrderedDict


class TTLCache:
    def __init__(self, seconds: float, clock=time.monotonic, limit: int = 256):
        self.seconds, self.clock, self.limit = seconds, clock, limit
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.version = 0  # bumped by clear(): a value computed before a clear is not stored after it

    def get_or_compute(self, key, compute):
        now = self.clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] > now:
                self._entries.move_to_end(key)
                return hit[1]
            version = self.version
        value = compute()
        if self.seconds > 0:
            with self._lock:
                if version == self.version:
                    self._entries.pop(key, None)
                    while len(self._entries) >= self.limit:
                        self._entries.popitem(last=False)
                    self._entries[key] = (now + self.seconds, value)
        return value

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.version += 1

    def __len__(self):
        return len(self._entries)
