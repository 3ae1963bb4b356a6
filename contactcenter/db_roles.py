"""The database's two roles: the owner (schema, migrations) and the application (rows only).

The application connects as a role that may read and write rows and nothing more: it is no
superuser and owns no table, so it cannot ``ALTER TABLE ... DISABLE TRIGGER``, set
``session_replication_role`` (a superuser's setting) or ``TRUNCATE`` (not granted), and the
issued-invoice triggers hold whatever it sends. The owner owns the schema and runs the
migrations; default privileges grant the application every table the owner creates later.
Used by ``manage.py ensure_database`` (``make db``) and by the test that proves the guard.
See docs/database-roles.md.
"""

from dataclasses import dataclass

import psycopg
from psycopg import sql

OWNER_ROLE = "contactcenter_owner"
APP_ROLE = "contactcenter_app"
# Both roles log in and may do nothing else beyond what is granted to them.
ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


@dataclass(frozen=True)
class Role:
    name: str
    password: str | None = None


def ensure_role(conn: psycopg.Connection, role: Role) -> bool:
    """Create ``role`` (or bring an existing one back) to ROLE_ATTRIBUTES; True if created.
    ``conn`` is a superuser's."""
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role.name]).fetchone()
    verb = "ALTER" if exists else "CREATE"
    statement = sql.SQL(f"{verb} ROLE {{}} {ROLE_ATTRIBUTES}").format(sql.Identifier(role.name))
    if role.password:
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(role.password))
    conn.execute(statement)
    return not exists


def ensure_database(conn: psycopg.Connection, name: str, owner: str) -> bool:
    """Create database ``name`` owned by ``owner``, or hand an existing one to it; True if
    created. ``conn`` is a superuser's, in autocommit."""
    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    verb = "ALTER DATABASE {} OWNER TO {}" if exists else "CREATE DATABASE {} OWNER {}"
    conn.execute(sql.SQL(verb).format(sql.Identifier(name), sql.Identifier(owner)))
    return not exists


def adopt_schema(conn: psycopg.Connection, owner: str) -> int:
    """Hand schema ``public`` and everything in it to ``owner`` (a database migrated before
    the roles existed belongs to whoever ran the migrations); returns how many objects moved.
    ``conn`` is a superuser's, connected to the database."""
    ident = sql.Identifier(owner)
    conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(ident))
    rows = conn.execute(
        """
        SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                              WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.relname
        FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND r.rolname <> %s
          -- a column's sequence follows its table; an extension's objects stay its own
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid
                          AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i', 'e'))
        """,
        [owner],
    ).fetchall()
    for kind, name in rows:
        conn.execute(
            sql.SQL(f"ALTER {kind} {{}} OWNER TO {{}}").format(sql.Identifier(name), ident)
        )
    functions = conn.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
        WHERE p.pronamespace = 'public'::regnamespace AND r.rolname <> %s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid
                          AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e')
        """,
        [owner],
    ).fetchall()
    for (signature,) in functions:
        conn.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), ident))
    return len(rows) + len(functions)


def grant_app_role(conn: psycopg.Connection, *, database: str, owner: str, app: str) -> None:
    """Give ``app`` rows and nothing else in ``database``: connect, use the schema, read and
    write every table, draw from every sequence; the same for whatever ``owner`` creates
    later (default privileges). ``conn`` is connected to the database as a superuser (or
    as the owner)."""
    ids = {"db": sql.Identifier(database), "owner": sql.Identifier(owner)}
    ids["app"] = sql.Identifier(app)
    statements = [
        # Nobody but the owner creates objects in the schema (PostgreSQL < 15 let everyone).
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}",
        "GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT {APP_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {{app}}",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {{owner}} IN SCHEMA public "
        f"GRANT {APP_TABLE_PRIVILEGES} ON TABLES TO {{app}}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        "GRANT USAGE ON SEQUENCES TO {app}",
    ]
    for statement in statements:
        conn.execute(sql.SQL(statement).format(**ids))
