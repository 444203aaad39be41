"""``make demo``: a first look at newscrawl without the network.

    python tests/demo.py --db data/demo.db [--articles 200]

starts the project's own test server (:mod:`mockserver`) as a generated copy of 중도일보 on
127.0.0.1, runs a real ``newscrawl crawl joongdo`` against it into ``--db``, stops the
server and prints what the archive holds. ``make demo`` then runs ``newscrawl serve``.
The generated site misbehaves on purpose (a few pages gone, flaky or slow), so the crawl's
summary shows failures as a real one would.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).parent
#: No politeness delays against our own local server (a real site keeps the defaults).
LOCAL = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "NEWSCRAWL_BACKOFF_BASE=0")


def crawl_local_site(db: Path, articles: int, days: int) -> int:
    """Serve a generated site, crawl it into ``db``; the crawl's exit status."""
    with tempfile.TemporaryDirectory(prefix="newscrawl-demo-") as scratch:
        root = Path(scratch) / "site"
        shutil.copytree(TESTS / "fixtures" / "joongdo", root)
        server = subprocess.Popen(
            [sys.executable, str(TESTS / "mockserver.py"), "--root", str(root), "--generate", str(articles),
             "--span-days", str(days), "--local-photos", "--broken-photos", "13"],
            stdout=subprocess.PIPE, text=True)
        try:
            url = server.stdout.readline().strip()
            print(f"demo: a generated 중도일보 of {articles} articles is served at {url}", flush=True)
            return subprocess.run([sys.executable, "-m", "newscrawl", "crawl", "joongdo", "--db", str(db),
                                   "--base-url", url, "--since", f"{days}d", *LOCAL]).returncode
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("data/demo.db"))
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--days", type=int, default=60, help="the articles' publication dates span this many days")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    status = crawl_local_site(args.db, args.articles, args.days)
    with sqlite3.connect(args.db) as conn:
        held = conn.execute("select count(*) from articles").fetchone()[0]
    print(f"demo: {held} articles archived in {args.db} (crawl exit status {status}; the test site fails a few "
          "pages on purpose)")
    if not held:
        sys.exit("demo: error: nothing was archived")


if __name__ == "__main__":
    main()
