# Everyday commands (inside .venv; `bash scripts/test.sh` sets it up the first time).
.PHONY: help serve test test-one lint catalogue migration check

help:
	@echo "make serve            run the service on the SQLite demo (scripts/serve.sh)"
	@echo "make test             every test, SQLite then PostgreSQL (scripts/test.sh)"
	@echo "make test-one T=path  one module or test, on SQLite"
	@echo "make lint             ruff and the offline pre-commit hooks"
	@echo "make catalogue        extract the messages and update the English catalogue"
	@echo "make migration M=msg  an Alembic migration of the models' changes"
	@echo "make check            ledger check and audit verify on the configured database"

serve:
	bash scripts/serve.sh

test:
	bash scripts/test.sh

test-one:
	python -m pytest -q -p no:cacheprovider $(T)

lint:
	pre-commit run --all-files

catalogue:
	pybabel extract -F babel.cfg -k N_ -k NP_:1c,2 -k pgettext:1c,2 -o /tmp/messages.pot .
	pybabel update -i /tmp/messages.pot -d app/translations --no-fuzzy-matching -w 100

migration:
	flask --app wsgi db migrate -m "$(M)"

check:
	flask --app wsgi ledger check && flask --app wsgi audit verify
