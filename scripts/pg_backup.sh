#!/usr/bin/env bash
# Back up or restore the service's PostgreSQL database with pg_dump/pg_restore (docs/operations.md).
#
#   scripts/pg_backup.sh backup  DATABASE_URL FILE.dump   # pg_dump's custom format, and FILE.dump.sha256
#   scripts/pg_backup.sh restore DATABASE_URL FILE.dump   # into an EMPTY database (create it first)
#
# A restore refuses a file whose checksum fails (truncated, altered), one pg_restore cannot read, one
# that is not this project's database (its alembic_version must name one of migrations/versions), and
# a target database that already has tables. Then run `flask --app wsgi db upgrade` (an older
# backup), `flask --app wsgi ledger check` and `flask --app wsgi audit verify`. Uploaded documents
# live in UPLOAD_FOLDER: copy that folder from the same moment.
set -euo pipefail

usage() { sed -n '2,5p' "$0" >&2; exit 2; }
[ $# -eq 3 ] || usage
action=$1 url=${2/postgresql+psycopg:/postgresql:} file=$3
url=${url/postgres+psycopg:/postgresql:}
here=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "pg_backup: $*" >&2; exit 1; }
command -v pg_dump >/dev/null && command -v pg_restore >/dev/null && command -v psql >/dev/null \
  || die "pg_dump, pg_restore and psql are needed (Debian: apt-get install postgresql-client)"

known_revisions() { sed -n "s/^revision = '\(.*\)'$/\1/p" "$here"/migrations/versions/*.py; }

# The revision recorded in a dump: the data of table alembic_version, printed as SQL by pg_restore.
dump_revision() {
  pg_restore --data-only --table=alembic_version --file=- "$1" 2>/dev/null \
    | sed -n '/^COPY public.alembic_version/,/^\\\./p' | sed '1d;$d' | head -n 1
}

case "$action" in
  backup)
    [ -e "$file" ] && die "$file exists: choose another name"
    partial="$file.partial"
    pg_dump --format=custom --no-owner --no-privileges --file="$partial" "$url"
    revision=$(dump_revision "$partial")
    [ -n "$revision" ] || { rm -f "$partial"; die "the database has no alembic_version: not this service's"; }
    mv "$partial" "$file"
    (cd "$(dirname "$file")" && sha256sum "$(basename "$file")" > "$(basename "$file").sha256")
    echo "backed up to $file (schema $revision, $(stat -c %s "$file") bytes); checksum in $file.sha256"
    ;;
  restore)
    [ -f "$file" ] || die "no file $file"
    [ -f "$file.sha256" ] || die "no $file.sha256 beside the backup: a file that cannot be checked is not restored"
    (cd "$(dirname "$file")" && sha256sum --check --status "$(basename "$file").sha256") \
      || die "checksum of $file does not match $file.sha256: truncated or altered, not restored"
    pg_restore --list "$file" >/dev/null 2>&1 || die "$file is not a pg_dump custom-format file"
    revision=$(dump_revision "$file")
    known_revisions | grep -qxF -- "$revision" \
      || die "$file is not this service's database (alembic_version: ${revision:-none}); not restored"
    tables=$(psql "$url" -XAtqc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
    [ "$tables" = "0" ] || die "the target database has $tables tables: restore into an empty database"
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$file"
    echo "restored $file (schema $revision); now: flask --app wsgi db upgrade, ledger check, audit verify"
    ;;
  *) usage ;;
esac
