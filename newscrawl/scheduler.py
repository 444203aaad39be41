"""The crawl's scheduler queue: Scrapy's own, keeping its directory in the job's folder."""

from __future__ import annotations

from scrapy import Request
from scrapy.pqueues import DownloaderAwarePriorityQueue


class KeptDirectoryQueue(DownloaderAwarePriorityQueue):
    """Scrapy's priority queue (``SCHEDULER_PRIORITY_QUEUE``), but a site's directory in the
    JOBDIR stays when its queue empties. A newscrawl crawl's queue is about one list page
    deep, so it empties and fills again once per list page: Scrapy removed the directory
    and made it again each time, a tenth of the crawl process's time on a fast crawl.
    The directory goes with the job's (:meth:`newscrawl.policy.jobs.JobDir.remove`). Uses two private methods of
    Scrapy's class, whose version constraints.txt pins."""

    def pop(self) -> Request | None:
        stats = self._downloader_interface.stats(self.pqueues)
        if not stats:
            return None
        slot = self._next_slot(stats, update_state=True)
        queue = self.pqueues[slot]
        request = queue.pop()
        if len(queue) == 0:
            del self.pqueues[slot]
            queue.close()
        return request
