"""Compares the schema of two databases, as their catalogs describe it: columns (type, length,
nullability, default), constraints (primary, unique, foreign keys with their rules, checks), indexes
(columns, uniqueness), sequences, triggers and the alembic_version stamp. PostgreSQL
(information_schema, pg_catalog), MySQL/MariaDB (information_schema) and SQLite (sqlite_master and
the table_xinfo / index_list / index_xinfo / foreign_key_list pragmas). Sextant's own sextant_*
tables, indexes and triggers are left out. Uses the psql / mariadb clients and Python's sqlite3.

A location is a URI with its database (postgresql://u:p@host:port/db, mysql://u:p@host:port/db),
sqlite:///path or a plain SQLite file path.

    schema_compare.py SERVER_URI DB_A DB_B     two databases on one server (SERVER_URI without database)
    schema_compare.py LOCATION_A LOCATION_B    any two databases (say, two SQLite files)
    schema_compare.py --dump FILE LOCATION     writes LOCATION's catalog to FILE as sorted JSON, one
                                               entry a line ('-' for stdout); names the database
                                               generated itself are left out (null)
    schema_compare.py --expect FILE LOCATION   compares LOCATION with such a dump

    # MLflow creates one database, Sextant the other (both empty before):
    python3 -c "from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as T; \\
      from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as R; \\
      u='postgresql://mlflow:mlflow@127.0.0.1:55432/ref'; T(u, '/tmp/a'); R(u)"
    build/sextant server --backend-store-uri postgresql://mlflow:mlflow@127.0.0.1:55432/sx ...  (then stop it)
    python3 tests/compat/schema_compare.py postgresql://mlflow:mlflow@127.0.0.1:55432 ref sx

Names of constraints and indexes are reported when they differ but do not count as a difference
(--names makes a differing name that neither database generated itself count). Exit code 0 when the
two agree.

What SQLite cannot say the way the servers do is written the way SQLite says it: a column's
declared type as written (upper case, spaces normalised), its default as written (one pair of
redundant outer parentheses dropped), primary keys as ("primary key", table, columns), UNIQUE
constraints as ("unique", table, columns) apart from CREATE UNIQUE INDEX ("index", table, columns,
True), CHECK clauses and constraint names parsed from the CREATE TABLE text. Compare a database with
one of the same kind.
"""

import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.parse

# Entry kinds whose value is the constraint's / index's name (not a property of the schema).
NAMED_KINDS = ("constraint", "index", "check", "primary key", "unique", "foreign key")


def query(server, db, sql):
    u = urllib.parse.urlsplit(server)
    if u.scheme.startswith("postgres"):
        base = urllib.parse.urlunsplit(("postgresql", u.netloc, "", "", ""))
        cmd = ["psql", "-X", "-At", "-d", "%s/%s" % (base, db), "-c",
               "SELECT json_agg(x__) FROM (%s) x__" % sql]
        env = dict(os.environ)
    else:
        cmd = ["mariadb", "--no-defaults", "--batch", "--raw", "-N", "-h", u.hostname, "-P", str(u.port or 3306),
               "-u", urllib.parse.unquote(u.username or ""), db, "-e", sql]
        env = dict(os.environ, MYSQL_PWD=urllib.parse.unquote(u.password or ""))
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError("%s failed on database %s: %s\n%s" % (cmd[0], db, r.stderr.strip(), sql))
    out = r.stdout.strip()
    return json.loads(out) if out and out != "NULL" else []


def squash(text):
    """whitespace runs as one space (trigger bodies, CHECK clauses)"""
    return " ".join(str(text).split()) if text is not None else None


def sextant_own(key, value):
    """True for Sextant's own tables, indexes and triggers (sextant_*)"""
    name = key[1] if len(key) > 1 else ""
    if key[0] in NAMED_KINDS:
        name = value if key[0] in ("index", "constraint") else name
    elif key[0] == "trigger":
        name = key[2]
    return str(name).startswith("sextant_") or (len(key) > 1 and str(key[1]).startswith("sextant_"))


class Entries(dict):
    """Catalog entries without Sextant's own, which are kept apart in `own` (so an MLflow index
    with the same key as one of Sextant's is not lost); two entries with one key (two indexes on
    the same columns) keep both names."""

    def __init__(self):
        super().__init__()
        self.own = []

    def __setitem__(self, key, value):
        if sextant_own(key, value):
            self.own.append(key)
        elif key in self and self[key] != value:
            super().__setitem__(key, tuple(sorted((self[key] if isinstance(self[key], tuple) else (self[key],)) +
                                                  (value,), key=str)))
        else:
            super().__setitem__(key, value)


def describe_postgres(server, db):
    d = Entries()
    for r in query(server, db, "SELECT table_name, column_name, data_type, character_maximum_length AS len, "
                               "is_nullable, column_default, is_generated, generation_expression FROM "
                               "information_schema.columns WHERE table_schema = 'public'"):
        d[("column", r["table_name"], r["column_name"])] = (r["data_type"], r["len"], r["is_nullable"],
                                                            r["column_default"], r["is_generated"],
                                                            r["generation_expression"])
    for r in query(server, db, "SELECT conrelid::regclass::text AS t, contype, pg_get_constraintdef(oid) AS def, "
                               "conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace"):
        d[("constraint", r["t"], r["contype"], r["def"])] = r["conname"]
    for r in query(server, db, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"):
        body = r["indexdef"].split(" USING ", 1)[-1]
        d[("index", r["tablename"], body, "UNIQUE" in r["indexdef"])] = r["indexname"]
    for r in query(server, db, "SELECT sequence_name, data_type FROM information_schema.sequences "
                               "WHERE sequence_schema = 'public'"):
        d[("sequence", r["sequence_name"])] = r["data_type"]
    for r in query(server, db, "SELECT event_object_table AS t, trigger_name AS n, action_timing AS w, "
                               "event_manipulation AS e, action_orientation AS o, action_statement AS s FROM "
                               "information_schema.triggers WHERE trigger_schema = 'public'"):
        d[("trigger", r["t"], r["n"], r["w"], r["e"], r["o"])] = squash(r["s"])
    for r in query(server, db, "SELECT proname, pg_get_function_identity_arguments(oid) AS args, prosrc FROM "
                               "pg_proc WHERE pronamespace = 'public'::regnamespace"):
        d[("function", r["proname"], r["args"])] = squash(r["prosrc"])
    return d


def describe_mysql(server, db):
    d = Entries()
    rows = query(server, db, "SELECT JSON_ARRAYAGG(JSON_OBJECT('t', table_name, 'c', column_name, 'type', column_type, "
                             "'null', is_nullable, 'def', column_default, 'extra', extra)) FROM "
                             "information_schema.columns WHERE table_schema = DATABASE()")
    for r in rows:
        d[("column", r["t"], r["c"])] = (r["type"], r["null"], r["def"], r["extra"])
    rows = query(server, db, "SELECT JSON_ARRAYAGG(JSON_OBJECT('t', table_name, 'n', index_name, 'u', non_unique, "
                             "'cols', cols)) FROM (SELECT table_name, index_name, non_unique, GROUP_CONCAT(column_name "
                             "ORDER BY seq_in_index) AS cols FROM information_schema.statistics WHERE table_schema = "
                             "DATABASE() GROUP BY table_name, index_name, non_unique) s")
    for r in rows:
        d[("index", r["t"], r["cols"], r["u"])] = r["n"]
    rows = query(server, db, "SELECT JSON_ARRAYAGG(JSON_OBJECT('t', k.table_name, 'n', k.constraint_name, 'c', k.cols, 'rt', "
                             "k.referenced_table_name, 'rc', k.rcols, 'u', rc.update_rule, 'd', rc.delete_rule)) FROM "
                             "(SELECT constraint_name, table_name, referenced_table_name, GROUP_CONCAT(column_name "
                             "ORDER BY ordinal_position) cols, GROUP_CONCAT(referenced_column_name ORDER BY "
                             "ordinal_position) rcols FROM information_schema.key_column_usage WHERE table_schema = "
                             "DATABASE() AND referenced_table_name IS NOT NULL GROUP BY constraint_name, table_name, "
                             "referenced_table_name) k JOIN information_schema.referential_constraints rc ON "
                             "rc.constraint_schema = DATABASE() AND rc.constraint_name = k.constraint_name AND "
                             "rc.table_name = k.table_name")
    for r in rows:
        d[("foreign key", r["t"], r["c"], r["rt"], r["rc"], r["u"], r["d"])] = r["n"]
    rows = query(server, db, "SELECT JSON_ARRAYAGG(JSON_OBJECT('t', table_name, 'n', constraint_name, 'c', "
                             "check_clause)) FROM information_schema.check_constraints WHERE constraint_schema = "
                             "DATABASE()")
    for r in rows:
        d[("check", r["t"], r["c"])] = r["n"]
    rows = query(server, db, "SELECT JSON_ARRAYAGG(JSON_OBJECT('t', event_object_table, 'n', trigger_name, 'w', "
                             "action_timing, 'e', event_manipulation, 's', action_statement)) FROM "
                             "information_schema.triggers WHERE trigger_schema = DATABASE()")
    for r in rows:
        d[("trigger", r["t"], r["n"], r["w"], r["e"])] = squash(r["s"])
    return d


# --- SQLite -------------------------------------------------------------------------------------

def sqlite_type(declared):
    """a declared type as written, upper case, spaces normalised: 'varchar (32)' -> 'VARCHAR(32)'"""
    t = squash(declared or "").upper()
    return re.sub(r"\s*\(\s*", "(", re.sub(r"\s*,\s*", ",", re.sub(r"\s*\)", ")", t)))


def unquoted(text, start=0):
    """(index, character, parenthesis depth after it) of each character outside quotes"""
    depth, quote = 0, None
    for j in range(start, len(text)):
        c = text[j]
        if quote:
            quote = None if c == quote else quote
            continue
        if c in "'\"`[":
            quote = "]" if c == "[" else c
        depth += 1 if c == "(" else -1 if c == ")" else 0
        yield j, c, depth


def balanced_end(text, i):
    """index after the parenthesis group opening at text[i] (quotes respected)"""
    return next((j + 1 for j, c, depth in unquoted(text, i) if c == ")" and depth == 0), len(text))


def strip_parens(text):
    """'(x)' -> 'x' when the outer pair wraps all of it"""
    text = squash(text)
    while text and text.startswith("(") and balanced_end(text, 0) == len(text):
        text = text[1:-1].strip()
    return text


def top_level_items(create_sql):
    """the column definitions and table constraints of a CREATE TABLE statement"""
    start = create_sql.index("(")
    body = create_sql[start + 1:balanced_end(create_sql, start) - 1]
    cuts = [-1] + [j for j, c, depth in unquoted(body) if c == "," and depth == 0] + [len(body)]
    return [body[x + 1:y].strip() for x, y in zip(cuts, cuts[1:]) if body[x + 1:y].strip()]


def unquote_ident(name):
    name = name.strip()
    if name[:1] in "\"`[" and len(name) > 1:
        return name[1:-1]
    return name


def ident_list(text):
    return ",".join(unquote_ident(c.split()[0]) for c in text.split(",") if c.strip())


CONSTRAINT_RE = re.compile(r"^(?:CONSTRAINT\s+(\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|\S+)\s+)?"
                           r"(PRIMARY\s+KEY|UNIQUE|FOREIGN\s+KEY|CHECK)\s*\(", re.I)


def sqlite_constraints(create_sql):
    """(kind, columns or check clause, name or None) of the table constraints, and the column-level
    CHECK clauses, parsed from the CREATE TABLE text (the pragmas do not give names or checks)"""
    out = []
    for item in top_level_items(create_sql):
        m = CONSTRAINT_RE.match(item)
        if m:
            kind = " ".join(m.group(2).upper().split())
            inner = item[m.end() - 1:balanced_end(item, m.end() - 1)]
            what = strip_parens(inner) if kind == "CHECK" else ident_list(inner[1:-1])
            out.append((kind, what, unquote_ident(m.group(1)) if m.group(1) else None))
            continue
        for c in re.finditer(r"(?:CONSTRAINT\s+(\S+)\s+)?CHECK\s*\(", item, re.I):  # column-level checks
            inner = item[c.end() - 1:balanced_end(item, c.end() - 1)]
            out.append(("CHECK", strip_parens(inner), unquote_ident(c.group(1)) if c.group(1) else None))
    return out


def describe_sqlite(path):
    if not os.path.exists(path):
        raise FileNotFoundError(path)
    conn = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(path)), uri=True)
    try:
        return sqlite_catalog(conn)
    finally:
        conn.close()


def sqlite_catalog(conn):
    d = Entries()
    q = lambda sql, *a: conn.execute(sql, a).fetchall()  # noqa: E731
    tables = q("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    for table, create_sql in tables:
        upper = squash(create_sql).upper()
        d[("table", table)] = {"without rowid": upper.endswith("WITHOUT ROWID"),
                               "autoincrement": " AUTOINCREMENT" in upper}
        cons = sqlite_constraints(create_sql)
        names = {(k, w): n for k, w, n in cons}
        pk = []
        for _cid, name, ctype, notnull, dflt, pkpos, hidden in q("SELECT * FROM pragma_table_xinfo(?)", table):
            d[("column", table, name)] = (sqlite_type(ctype), "NO" if notnull else "YES",
                                          strip_parens(dflt) if dflt is not None else None, hidden)
            if pkpos:
                pk.append((pkpos, name))
        if pk:
            cols = ",".join(n for _p, n in sorted(pk))
            d[("primary key", table, cols)] = names.get(("PRIMARY KEY", cols))
        for kind, what, name in cons:
            if kind == "CHECK":
                d[("check", table, what)] = name
        for _seq, iname, unique, origin, partial in q("SELECT * FROM pragma_index_list(?)", table):
            if origin == "pk":
                continue  # the primary key above
            cols = []
            for _n, _cid, cname, desc, coll, key in q("SELECT * FROM pragma_index_xinfo(?)", iname):
                if key:
                    col = cname if cname is not None else "<expression>"
                    cols.append(col + (" DESC" if desc else "") + ("" if coll == "BINARY" else " COLLATE " + coll))
            cols = ",".join(cols)
            if origin == "u":
                d[("unique", table, cols)] = names.get(("UNIQUE", cols))
            else:
                where = None
                if partial:
                    (isql,) = q("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", iname)[0]
                    where = squash(re.split(r"\bWHERE\b", isql, 1, flags=re.I)[1])
                d[("index", table, cols, bool(unique)) + ((where,) if where else ())] = iname
        fks = {}
        for fid, _seq, rtable, frm, to, on_update, on_delete, _match in q(
                "SELECT * FROM pragma_foreign_key_list(?)", table):
            fks.setdefault(fid, []).append((frm, to, rtable, on_update, on_delete))
        for parts in fks.values():
            rtable = parts[0][2]
            tos = [t for _f, t, _r, _u, _d in parts]
            if any(t is None for t in tos):  # REFERENCES t without columns: t's primary key
                tos = [n for _c, n, _t, _nn, _df, p in sorted(q("SELECT * FROM pragma_table_info(?)", rtable),
                                                              key=lambda r: r[5]) if p]
            cols = ",".join(f for f, _t, _r, _u, _d in parts)
            d[("foreign key", table, cols, rtable, ",".join(tos), parts[0][3], parts[0][4])] = \
                names.get(("FOREIGN KEY", cols))
    for name, table, tsql in q("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"):
        d[("trigger", table, name)] = squash(tsql)
    for (name,) in q("SELECT name FROM sqlite_master WHERE type = 'view'"):
        d[("view", name)] = True
    return d


# --- locations, catalogs ------------------------------------------------------------------------

class Location:
    """one database: SQLite file, or (server URI without database, database name)"""

    def __init__(self, server=None, db=None, sqlite_path=None):
        self.server, self.db, self.sqlite_path = server, db, sqlite_path
        self.dialect = ("sqlite" if sqlite_path is not None else
                        "postgresql" if server.startswith("postgres") else "mysql")

    @staticmethod
    def parse(text):
        if text.startswith("sqlite:"):
            return Location(sqlite_path=urllib.parse.unquote(text[len("sqlite:///"):] if text.startswith(
                "sqlite:///") else text[len("sqlite:"):]).split("?", 1)[0])
        if "://" not in text:
            return Location(sqlite_path=text)
        u = urllib.parse.urlsplit(text)
        db = u.path.lstrip("/")
        if not db:
            sys.exit("%s: no database in the URI" % text)
        return Location(server=urllib.parse.urlunsplit((u.scheme, u.netloc, "", "", "")), db=db)

    def __str__(self):
        return self.sqlite_path if self.dialect == "sqlite" else self.db


def generated_name(key, name, dialect):
    """True when `name` (of the entry `key`) is one the database made up itself (SQLite's names
    come from the CREATE TABLE text: every one there was written by whoever made the table)"""
    if isinstance(name, tuple):
        return all(generated_name(key, n, dialect) for n in name)
    if not isinstance(name, str):
        return name is None
    if dialect == "sqlite":
        return name.startswith("sqlite_autoindex_")
    table = str(key[1])
    if dialect == "postgresql":
        return re.fullmatch(re.escape(table) + r"_(pkey|.+_(key|fkey|check|excl))", name) is not None
    if name == "PRIMARY" or re.fullmatch(re.escape(table) + r"_(ibfk|chk)_\d+|CONSTRAINT_\d+", name):
        return True
    if key[0] == "check" and "`%s`" % name in str(key[2]):  # MariaDB: a column's CHECK, named after it
        return True
    # MySQL names an unnamed index after its first column (col, col_2, ...)
    return key[0] == "index" and isinstance(key[2], str) and re.fullmatch(
        re.escape(key[2].split(",")[0]) + r"(_\d+)?", name) is not None


def several(key, value):
    """True when `value` holds the names of several entries with one key (say, two CHECKs with
    the same clause)"""
    return key[0] in NAMED_KINDS and isinstance(value, tuple)


def without_generated_names(catalog, dialect):
    def name(k, v):
        return None if generated_name(k, v, dialect) else v
    return {k: tuple(name(k, n) for n in v) if several(k, v) else name(k, v) if k[0] in NAMED_KINDS else v
            for k, v in catalog.items()}


def describe(loc):
    """the catalog without Sextant's own tables, indexes and triggers; and every index as (table,
    columns), Sextant's too"""
    if loc.dialect == "sqlite":
        d = describe_sqlite(loc.sqlite_path)
        conn = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(loc.sqlite_path)), uri=True)
        try:
            stamp = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")] \
                if ("table", "alembic_version") in d else []
        finally:
            conn.close()
    else:
        pg = loc.dialect == "postgresql"
        d = describe_postgres(loc.server, loc.db) if pg else describe_mysql(loc.server, loc.db)
        stamp = [r["version_num"] for r in query(
            loc.server, loc.db, "SELECT version_num FROM alembic_version" if pg else
            "SELECT JSON_ARRAYAGG(JSON_OBJECT('version_num', version_num)) FROM alembic_version")]
    d[("alembic_version",)] = tuple(sorted(stamp))
    return dict(d), [(k[1], k[2]) for k in list(d) + d.own if k[0] == "index"]


def covered(key, catalog, indexes):
    """A MySQL index InnoDB made for a foreign key (named after the key's first column or after the
    foreign key), where the other database has one (perhaps Sextant's own) that starts with these
    columns, so InnoDB made none there. `catalog`: the index's own; `indexes`: the other's."""
    if key[0] != "index" or key[3] != 1:  # MySQL's non_unique
        return False
    name = catalog[key]
    if not generated_name(key, name, "mysql") and not any(
            k[0] == "foreign key" and k[1] == key[1] and v == name for k, v in catalog.items()):
        return False
    return any(t == key[1] and (cols == key[2] or cols.startswith(key[2] + ",")) for t, cols in indexes)


def tuples(x):
    return tuple(tuples(i) for i in x) if isinstance(x, list) else x


def dump(catalog, indexes, dialect, out):
    """one JSON entry a line, sorted; generated names as null; then every index's (table, columns)"""
    rows = [[list(k), list(v) if isinstance(v, tuple) else v]
            for k, v in without_generated_names(catalog, dialect).items()]
    rows.sort(key=lambda r: json.dumps(r[0]))
    out.write('{"dialect": %s, "catalog": [\n' % json.dumps(dialect))
    out.write(",\n".join(json.dumps(r, sort_keys=True) for r in rows))
    out.write('\n], "indexes": [\n')
    out.write(",\n".join(json.dumps(list(i)) for i in sorted(set(indexes), key=json.dumps)))
    out.write("\n]}\n")


def load(path):
    """(dialect, catalog, indexes) of a dump"""
    with open(path) as f:
        doc = json.load(f)
    return doc["dialect"], {tuples(k): tuples(v) for k, v in doc["catalog"]}, [tuple(i) for i in doc["indexes"]]


def compare(a, b, a_idx, b_idx, a_label, b_label, dialect, strict_names=False):
    """prints the differences between catalogs a and b (a_idx, b_idx: their indexes as describe()
    gives them); returns True when there is one that counts"""
    mysql = dialect == "mysql"
    only_a = sorted((k for k in a if k not in b and not (mysql and covered(k, a, b_idx))), key=str)
    only_b = sorted((k for k in b if k not in a and not (mysql and covered(k, b, a_idx))), key=str)
    if mysql:
        for k in sorted((k for k in a if k not in b and covered(k, a, b_idx)), key=str):
            print("foreign key index of %s only: %s %s (%s has an index that starts with these columns)"
                  % (a_label, k, a[k], b_label))
    differ = sorted((k for k in a if k in b and a[k] != b[k]), key=str)
    names = [k for k in differ if k[0] in NAMED_KINDS and (len(a[k]) if several(k, a[k]) else 1) ==
             (len(b[k]) if several(k, b[k]) else 1)]  # not how many there are
    counted_names = [k for k in names if strict_names and not generated_name(k, a[k], dialect)
                     and not generated_name(k, b[k], dialect)]
    for label, keys, src in (("only in " + a_label, only_a, a), ("only in " + b_label, only_b, b)):
        for k in keys:
            print("%s: %s %s" % (label, k, src[k]))
    for k in differ:
        label = "name differs" if k in names and k not in counted_names else "DIFFERS"
        print("%s: %s %s != %s" % (label, k, a[k], b[k]))
    real = only_a or only_b or [k for k in differ if k not in names] or counted_names
    print("%d catalog entries compared: %s" % (len(a), "SAME" if not real else "DIFFERENT"))
    return bool(real)


USAGE = """usage: schema_compare.py [--names] SERVER_URI DB_A DB_B
       schema_compare.py [--names] LOCATION_A LOCATION_B
       schema_compare.py --dump FILE LOCATION
       schema_compare.py [--names] --expect FILE LOCATION
(LOCATION: postgresql://.../db, mysql://.../db, sqlite:///path or a SQLite file path)"""


def main(argv):
    args = list(argv)
    strict_names = "--names" in args
    args = [a for a in args if a != "--names"]
    mode, file = None, None
    if args and args[0] in ("--dump", "--expect"):
        if len(args) < 3:
            sys.exit(USAGE)
        mode, file, args = args[0], args[1], args[2:]
    if mode and len(args) == 2 and "://" in args[0] and not urllib.parse.urlsplit(args[0]).path.strip("/"):
        args = [args[0].rstrip("/") + "/" + args[1]]  # SERVER_URI DB
    if mode:
        if len(args) != 1:
            sys.exit(USAGE)
        loc = Location.parse(args[0])
        catalog, indexes = describe(loc)
        if mode == "--dump":
            if file == "-":
                dump(catalog, indexes, loc.dialect, sys.stdout)
            else:
                with open(file, "w") as out:
                    dump(catalog, indexes, loc.dialect, out)
            return 0
        dialect, expected, expected_indexes = load(file)
        if dialect != loc.dialect:
            sys.exit("%s holds a %s catalog; %s is %s" % (file, dialect, loc, loc.dialect))
        catalog = without_generated_names(catalog, dialect)
        return 1 if compare(expected, catalog, expected_indexes, indexes, os.path.basename(file), str(loc),
                            dialect, strict_names) else 0
    if len(args) == 3:
        server = args[0]
        a, b = Location.parse(server.rstrip("/") + "/" + args[1]), Location.parse(server.rstrip("/") + "/" + args[2])
    elif len(args) == 2:
        a, b = Location.parse(args[0]), Location.parse(args[1])
    else:
        sys.exit(USAGE)
    if a.dialect != b.dialect:
        print("note: comparing a %s database with a %s one" % (a.dialect, b.dialect))
    (a_catalog, a_indexes), (b_catalog, b_indexes) = describe(a), describe(b)
    return 1 if compare(a_catalog, b_catalog, a_indexes, b_indexes, str(a), str(b), a.dialect, strict_names) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
