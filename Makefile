# The README's two commands: `make demo` (the main job, embedded engine) and `make test` (all tests,
# with a real Neo4j 5.26 server that this Makefile provisions, starts and stops).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PATNAV := $(VENV)/bin/patnav
export PATNAV_HOME ?= $(CURDIR)/.patnav
TEST_HOME := $(CURDIR)/.patnav/test
# 0: any free loopback port, so a busy 7687 (an analyst's own Neo4j) never blocks the tests
TEST_PORT ?= 0

.PHONY: demo test install system neo4j-start neo4j-stop bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Chromium (the browser test) and CJK fonts (the report's charts), from the system's package manager
system:
	bash tools/system-packages.sh

demo: install
	-bash tools/system-packages.sh  # CJK fonts for the report's charts (the demo runs without them: boxes for Chinese)
	$(PATNAV) demo

# Start the test server, run every test against it, and stop it whatever the outcome.
test: install system
	PATNAV_HOME=$(TEST_HOME) PATNAV_NEO4J_PORT=$(TEST_PORT) $(PATNAV) neo4j start --browser --http-port 0
	PATNAV_HOME=$(TEST_HOME) $(PY) -m pytest -v --durations=15; status=$$?; \
	PATNAV_HOME=$(TEST_HOME) $(PATNAV) neo4j stop; exit $$status

neo4j-start: install
	$(PATNAV) neo4j start

neo4j-stop: install
	$(PATNAV) neo4j stop

bench: install
	PATNAV_HOME=$(TEST_HOME) PATNAV_NEO4J_PORT=$(TEST_PORT) $(PATNAV) neo4j start
	PATNAV_HOME=$(TEST_HOME) $(PY) bench/load.py; status=$$?; \
	PATNAV_HOME=$(TEST_HOME) $(PATNAV) neo4j stop; exit $$status

clean:
	rm -rf $(VENV) .patnav patnav-out .pytest_cache
