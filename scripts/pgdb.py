"""Create or drop a PostgreSQL database: python scripts/pgdb.py create|drop ADMIN_URL NAME."""
import re
import sys

import psycopg


def main(action: str, admin_url: str, name: str) -> int:
    if not re.fullmatch(r"[a-z0-9_]{1,60}", name):
        print(f"bad database name {name!r}", file=sys.stderr)
        return 2
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            if action == "create":
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
            else:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
