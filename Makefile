# The two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test bench install install-dev migrate demo serve messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py search_index rebuild

# Payments run offline against localstripe (a Stripe emulator) unless real keys are set.
LOCALSTRIPE_PORT ?= 8420
LOCAL_WEBHOOK_SECRET := whsec_local_alliance_market

serve:
	@echo ""
	@echo "  Storefront:  http://$(HOST):$(PORT)/"
	@echo "  Admin:       http://$(HOST):$(PORT)/admin/   (admin / alliance-admin, local use only)"
	@echo "  API docs:    http://$(HOST):$(PORT)/api/docs/"
	@echo "  Test card:   4242 4242 4242 4242, any future date, any CVC (payments go to localstripe)"
	@echo ""
	@if [ -n "$$STRIPE_SECRET_KEY" ]; then exec $(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application; fi; \
	$(BIN)/localstripe --port $(LOCALSTRIPE_PORT) --from-scratch > var/localstripe.log 2>&1 & ls_pid=$$!; \
	trap 'kill $$ls_pid 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py localstripe_webhook --api-base http://127.0.0.1:$(LOCALSTRIPE_PORT) \
	  --url http://$(HOST):$(PORT)/stripe/webhook/ --secret $(LOCAL_WEBHOOK_SECRET) && \
	STRIPE_SECRET_KEY=sk_test_local STRIPE_PUBLISHABLE_KEY=pk_test_local \
	STRIPE_API_BASE=http://127.0.0.1:$(LOCALSTRIPE_PORT) STRIPE_WEBHOOK_SECRET=$(LOCAL_WEBHOOK_SECRET) \
	$(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

run: demo serve

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m tests.bench $(if $(BENCH),--only $(BENCH),)

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
