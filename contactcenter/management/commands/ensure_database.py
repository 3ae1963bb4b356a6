"""Create the database's two roles and the database itself, idempotently (used by `make db`)."""

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contactcenter import db_roles

env = environ.Env()


def _params(config: dict, dbname: str | None = None) -> dict:
    return {
        "dbname": dbname or config["NAME"],
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }


class Command(BaseCommand):
    help = (
        "Create the owner role (MIGRATE_DATABASE_URL's user) and the application role "
        "(DATABASE_URL's user) if missing, the database owned by the owner, and the "
        "application's grants. Connects as a superuser: DATABASE_SUPERUSER_URL, by default "
        "postgres on DATABASE_URL's host."
    )

    def handle(self, *args, **options):
        app = env.db_url_config(settings.DATABASE_URL)
        owner = env.db_url_config(settings.MIGRATE_DATABASE_URL)
        superuser = env.db_url_config(
            env("DATABASE_SUPERUSER_URL", default="")
            or f"postgres://postgres@{app['HOST'] or '127.0.0.1'}:{app['PORT'] or 5432}/postgres"
        )
        name = app["NAME"]
        if owner["NAME"] != name:
            raise CommandError(
                f"DATABASE_URL names database {name}, MIGRATE_DATABASE_URL {owner['NAME']}."
            )
        if app["USER"] == owner["USER"]:
            raise CommandError(
                f"DATABASE_URL and MIGRATE_DATABASE_URL both connect as {app['USER']}: the "
                "application needs a role of its own (docs/database-roles.md)."
            )
        try:
            with psycopg.connect(**_params(superuser, "postgres"), autocommit=True) as conn:
                for config in (owner, app):
                    self._role(conn, db_roles.Role(config["USER"], config.get("PASSWORD")))
                created = db_roles.ensure_database(conn, name, owner["USER"])
            with psycopg.connect(**_params(superuser, name), autocommit=True) as conn:
                moved = db_roles.adopt_schema(conn, owner["USER"])
                db_roles.grant_app_role(conn, database=name, owner=owner["USER"], app=app["USER"])
        except psycopg.OperationalError as exc:
            raise CommandError(f"PostgreSQL does not answer as a superuser: {exc}") from exc
        verb = "Created" if created else "Kept"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} database {name}, owned by {owner['USER']}"
                + (f" ({moved} objects handed over)" if moved else "")
                + f"; {app['USER']} reads and writes its rows."
            )
        )

    def _role(self, conn, role):
        row = conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role.name]
        ).fetchone()
        if row and row[0]:
            self.stderr.write(
                self.style.WARNING(
                    f"{role.name} is a superuser: left as it is, and the database's guards do "
                    "not hold against it (docs/database-roles.md)."
                )
            )
            return
        if db_roles.ensure_role(conn, role):
            self.stdout.write(f"Created role {role.name}.")
