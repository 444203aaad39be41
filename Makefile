# The two commands of the README. `make run` installs newscrawl and runs the routine crawl
# of 중도일보 into data/news.db; `make test` installs what the tests need and runs the whole
# suite (what CI runs). `make fetch URL=…` archives one article.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
URL ?= http://www.joongdo.co.kr/web/view.php?key=20200708010002304
# The browser test drives Debian's chromium; Korean text needs a Korean font to render.
CHROMIUM := /usr/bin/chromium
KOREAN_FONT := /usr/share/fonts/truetype/nanum/NanumGothic.ttf
# The cluster tests start Debian's redis-server themselves (a free port, a temporary directory).
REDIS_SERVER := /usr/bin/redis-server
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Both installs take the versions pinned in constraints.txt, which CI tested; `make lock`
# regenerates it from the newest releases pyproject.toml allows (see README, Dependencies).
CONSTRAINTS := constraints.txt
LOCK_VENV := .venv-lock

.PHONY: install install-test browser redis run fetch test lock demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[test]'

run: install
	@$(BIN)/newscrawl crawl joongdo --db data/news.db || { status=$$?; \
		echo "make run: the crawl ended with status $$status. No network? 'make demo' crawls a local copy of the site and opens the reading room."; \
		exit $$status; }

# Offline first look: crawl a generated copy of the site served by the test server, then
# open the reading room on it (Ctrl-C stops it).
DEMO_PORT ?= 8001
demo: install
	$(BIN)/python tests/demo.py --db data/demo.db
	@echo "demo: the reading room is at http://127.0.0.1:$(DEMO_PORT)/demo/-/search?q=세종"
	$(BIN)/newscrawl serve --db data/demo.db --port $(DEMO_PORT)

fetch: install
	$(BIN)/newscrawl fetch "$(URL)" --db data/news.db

browser:
	@[ -x $(CHROMIUM) ] && [ -f $(KOREAN_FONT) ] || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-nanum; }

redis:
	@[ -x $(REDIS_SERVER) ] || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server; }

test: install-test browser redis
	$(BIN)/python -m pytest

lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet -e '.[test]'
	{ echo "# The versions make run and make test install; regenerate with make lock."; \
	  $(LOCK_VENV)/bin/pip freeze --all --exclude-editable; } > $(CONSTRAINTS)
	rm -rf $(LOCK_VENV)
