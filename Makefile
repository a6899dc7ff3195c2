# preplan: two commands. `make run` sets everything up and serves the app; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
VENDOR := web/static/vendor/bpmn-js
SWAGGER := web/static/vendor/swagger-ui
ECHARTS := web/static/vendor/echarts
DMN    := web/static/vendor/dmn-js

.PHONY: setup run test lint bench lint-bpmn browser-deps postgres-up redis-up translations clean

MO     := web/translations/zh_Hans_CN/LC_MESSAGES/messages.mo web/translations/en/LC_MESSAGES/messages.mo

setup: $(VENV)/.stamp node_modules/.stamp $(VENDOR)/.stamp $(SWAGGER)/.stamp $(ECHARTS)/.stamp $(DMN)/.stamp $(MO)

$(VENV)/.stamp: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# bpmn-js is served from our own static files (no CDN): copied from the pinned npm package.
$(VENDOR)/.stamp: node_modules/.stamp
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
	   node_modules/bpmn-js/dist/bpmn-modeler.production.min.js node_modules/bpmn-js/LICENSE $(VENDOR)/
	cp -r node_modules/bpmn-js/dist/assets $(VENDOR)/
	touch $@

# The API reference page (/api/v1/docs) renders the OpenAPI document with Swagger UI, copied from the pinned package.
$(SWAGGER)/.stamp: node_modules/.stamp
	rm -rf $(SWAGGER) && mkdir -p $(SWAGGER)
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	   node_modules/swagger-ui-dist/LICENSE $(SWAGGER)/
	touch $@

# The dashboard's charts are drawn by Apache ECharts, copied from the pinned package.
$(ECHARTS)/.stamp: node_modules/.stamp
	rm -rf $(ECHARTS) && mkdir -p $(ECHARTS)
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE $(ECHARTS)/
	touch $@

# The studio edits decision tables with dmn-js, copied from the pinned package (its editor's CSS and icon font).
$(DMN)/.stamp: node_modules/.stamp
	rm -rf $(DMN) && mkdir -p $(DMN)
	cp node_modules/dmn-js/dist/dmn-modeler.production.min.js node_modules/dmn-js/LICENSE $(DMN)/
	cp -r node_modules/dmn-js/dist/assets $(DMN)/
	touch $@

# UI translations: the .po catalogues are the source; .mo files are built.
web/translations/%/LC_MESSAGES/messages.mo: web/translations/%/LC_MESSAGES/messages.po $(VENV)/.stamp
	$(BIN)/pybabel compile --statistics -d web/translations -l $* 2>&1 | tail -n 1

# After changing UI text: refresh the catalogues, then translate the new entries in both .po files. The engine's
# sentences for people (marked say(...)) are in the same catalogues: the web shows them in the reader's language.
translations: $(VENV)/.stamp
	$(BIN)/pybabel extract -F web/babel.cfg -k say -o web/translations/messages.pot --no-location --omit-header \
	  web engine
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations --no-fuzzy-matching

run: setup
	$(BIN)/preplan db init
	$(BIN)/preplan deploy --all --note "make run"
	$(BIN)/preplan users demo
	@echo "Serving on http://$(HOST):$(PORT)/login"
	$(BIN)/preplan serve --worker --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium (never `playwright install`); Chinese labels need a CJK font.
browser-deps:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi wenquanyi || { \
	  echo "installing chromium and fonts-wqy-zenhei"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; }

# The PostgreSQL tests use 127.0.0.1:5432 (user postgres, database test); start the local server if it is down.
postgres-up:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
	  command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1 && \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start && sleep 1; } || true

# One test shows several web processes sharing login counters through Redis at 127.0.0.1:6379; start it if down.
redis-up:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  command -v redis-server >/dev/null && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" \
	    --appendonly no >/dev/null && sleep 1; } || true

lint-bpmn: node_modules/.stamp
	npx --no-install bpmnlint processes/*/*.bpmn

# The code's house rules: lint and format (ruff), types (mypy, strict on the engine), import directions (import-linter).
lint: setup
	$(BIN)/ruff check engine web tests bench
	$(BIN)/ruff format --check engine web tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: setup lint browser-deps postgres-up redis-up
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every figure of the speed issue beside its target, as a table; BENCH_ARGS="--json" or "--quick" (tiny sizes).
bench: setup postgres-up
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules web/static/vendor instance .pytest_cache
