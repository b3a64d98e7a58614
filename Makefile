# svodka: two commands do all the set-up on a fresh machine.
#   make run   create .venv, install, process the bundled samples into svodka.db,
#              then serve it at http://127.0.0.1:8000
#   make test  create .venv, install with test extras, run the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= svodka.db

.PHONY: run test lint install clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[web,scale,test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/svodka extract samples/ --db $(DB)
	$(BIN)/svodka stats --db $(DB)
	@echo "serving the knowledge base at http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(BIN)/svodka serve --db $(DB)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/python -m pyflakes svodka tests tools bench 2>/dev/null || $(BIN)/python -m compileall -q svodka

clean-db:
	rm -f $(DB) $(DB)-wal $(DB)-shm
