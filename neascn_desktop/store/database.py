"""Opening the database: engine settings, migrations on open, backups before upgrades.

SQLite in the data directory by default (WAL, foreign keys, a busy timeout so
the CLI can write while the GUI is open); ``NEASCN_DATABASE_URL`` may name
another database.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text

from neascn_desktop.i18n import _
from neascn_desktop.paths import DATABASE_URL_FILE, DB_FILENAME, attachments_dir
from neascn_desktop.store.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: The newest migration.  Opening an up-to-date database compares against this constant
#: instead of loading Alembic (a test checks that it matches Alembic's head).
SCHEMA_HEAD = "0011_h18b_member_audit"
BUSY_TIMEOUT_MS = 15_000
_MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass
class Database:
    """An open database: the engine, a session factory and where it lives.

    The ORM is loaded on the first ``session()`` or ``transaction()``; ``connect()``
    and ``writing()`` are Core only (see ``store.metadata``).
    """

    engine: Engine
    data_dir: Path
    url: str
    backup_path: Path | None = None
    _sessions: Any = field(default=None, init=False, repr=False)

    def session(self) -> Session:
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing session: committed on success, rolled back on any error.

        On SQLite the write lock is taken up front (``BEGIN IMMEDIATE``) so that
        two processes writing at once wait for each other instead of failing.
        """
        from sqlalchemy.orm import Session

        with self._connect_for_writing() as conn:
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session

    def connect(self) -> Connection:
        """A Core connection for reading (use as a context manager)."""
        return self.engine.connect()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """``transaction()`` for Core statements: one transaction, the write lock taken up front."""
        with self._connect_for_writing() as conn, conn.begin():
            yield conn

    def _connect_for_writing(self) -> Connection:
        conn = self.engine.connect()
        if self.engine.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        elif self.engine.dialect.name == "postgresql":
            conn = conn.execution_options(neascn_writer=True)
        return conn

    @property
    def location(self) -> str:
        """A human-readable location (the file path for SQLite)."""
        if self.engine.dialect.name == "sqlite" and self.engine.url.database:
            return str(self.engine.url.database)
        return self.engine.url.render_as_string(hide_password=True)

    def data_version(self) -> int:
        """SQLite's ``data_version`` (changes when another connection commits)."""
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA data_version").scalar() or 0)

    def attachments_dir(self) -> Path:
        path = attachments_dir(self.data_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def dispose(self) -> None:
        self.engine.dispose()


def connection_of(executor: Connection | Session) -> Connection:
    """The Core connection behind an ORM session (or the connection itself): Core statements of
    a use case run in the caller's transaction either way."""
    return executor if isinstance(executor, Connection) else executor.connection()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # Revision ids are hashes, so index writes land on random pages: a 64 MiB page cache
        # (instead of SQLite's 2 MiB) keeps the indexes of a large log in memory.
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    # Let SQLAlchemy, not pysqlite, decide when a transaction starts, so that
    # BEGIN IMMEDIATE can take the write lock up front (no deadlocks between the
    # GUI and the CLI).
    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


#: The key of the advisory lock every writing transaction on PostgreSQL takes first (any
#: 64-bit number no other application on the server uses: "NEASCN" in ASCII).
WRITE_LOCK_KEY = 0x4E_45_41_53_43_4E
#: The channel every writing transaction on PostgreSQL notifies (see ``store.listening``), with
#: its engine's origin as the payload, so that a window ignores its own commits (as SQLite's
#: ``data_version`` moves only for other connections' commits) and sees everyone else's, the
#: ``neascn`` command's beside it included.
CHANGES_CHANNEL = "neascn_changes"
_ORIGINS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def origin_of(engine: Engine) -> str:
    """The payload ``engine``'s writing transactions notify with."""
    return _ORIGINS.setdefault(engine, uuid.uuid4().hex)


@dataclass(frozen=True)
class Actor:
    """The team member whose application writes through an engine (``sync_audit`` names them)."""

    member_id: str
    name: str
    fingerprint: str


_ACTORS: weakref.WeakKeyDictionary[Engine, Actor] = weakref.WeakKeyDictionary()


def set_actor(engine: Engine, actor: Actor | None) -> None:
    """Name the member writing through ``engine`` (``team.members`` does, once it knows this data
    directory's membership); ``None``: nobody in particular (a one-person database)."""
    if actor is None:
        _ACTORS.pop(engine, None)
    else:
        _ACTORS[engine] = actor


def actor_of(engine: Engine) -> Actor | None:
    return _ACTORS.get(engine)


def _configure_postgresql(engine: Engine) -> None:
    """Writers on a shared PostgreSQL database take their turn, like SQLite's ``BEGIN IMMEDIATE``.

    Every writing transaction (``Database.writing()``/``transaction()``, the migrations) first
    takes one transaction-level advisory lock, released by its commit or rollback.  Under READ
    COMMITTED each later statement then sees everything the previous writer committed, so the
    checks a use case makes in its transaction (is this package applied? which revisions are
    present?) hold until it commits: two members importing the same packages at once apply each
    package once, and the second finds them applied, as on SQLite.  Readers never wait.
    """

    origin = origin_of(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get("neascn_writer"):
            take_write_lock(conn)
            # Delivered at commit only (dropped on rollback): the other members' windows refresh.
            conn.exec_driver_sql(f"NOTIFY {CHANGES_CHANNEL}, '{origin}'")


def take_write_lock(conn: Connection) -> None:
    """Wait for the team's write lock in ``conn``'s transaction (PostgreSQL; nothing elsewhere)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


def alembic_config(engine_url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine_url.replace("%", "%%"))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's migration, read without loading Alembic (``None`` for an empty database)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            exists = conn.execute(text(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            )).first()
            if not exists:
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()


# The data directory holds every survey answer and the private keys: owner only, whatever the
# umask says (like ``keys/``).  POSIX permissions only; elsewhere the user profile's ACLs apply.
_OWNER_ONLY = os.name == "posix"
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _restrict(path: Path, mode: int) -> None:
    if not _OWNER_ONLY:
        return
    try:
        os.chmod(path, mode)
    except OSError:
        pass  # missing, or not ours to change (a shared folder): nothing to protect here


def _create_owner_only(path: Path) -> None:
    """Create ``path`` empty and owner-only if it is missing, so SQLite opens a file that was
    never readable by others (SQLite gives its -wal and -shm files the same permissions)."""
    if not _OWNER_ONLY:
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        return  # SQLite will report what is wrong with the folder
    _restrict(path, 0o600)


def secure_sqlite_files(db_file: Path) -> None:
    """Make a SQLite database file and its side files owner-only (creating the file if missing)."""
    _create_owner_only(db_file)
    for suffix in _SQLITE_SIDE_FILES:
        side = db_file.with_name(db_file.name + suffix)
        if side.exists():
            _restrict(side, 0o600)


def _backup_sqlite(db_file: Path, from_revision: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = db_file.with_name(f"{db_file.stem}.backup-{stamp}-{from_revision}{db_file.suffix}")
    _create_owner_only(target)  # a copy of every answer: as private as the database
    source = sqlite3.connect(db_file)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def upgrade(engine: Engine, url: str, target: str = "head") -> None:
    from alembic import command

    config = alembic_config(url)
    with engine.begin() as connection:
        # Two members opening an old database at once: the second waits, then finds it upgraded.
        take_write_lock(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, target)


def create_db_engine(url: str) -> Engine:
    from sqlalchemy.engine import make_url

    options: dict[str, Any] = {}
    if make_url(url).get_backend_name() == "postgresql":
        # READ COMMITTED whatever the server's default: a writer's statements after the write
        # lock must see what the writer before it committed (see ``_configure_postgresql``).
        options["isolation_level"] = "READ COMMITTED"
    engine = create_engine(url, future=True, **options)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


def sqlite_url(path: Path) -> str:
    """The URL of the SQLite file ``path``, whatever characters the path holds.

    A URL is parsed: ``%41`` in a folder name would be read as ``A``, and ``?``
    or ``#`` would end the path (a Windows user folder may well be called
    ``50% Arbeit`` or ``Team #2``).  Quoting makes the URL name exactly this file.
    """
    from sqlalchemy.engine import URL

    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def stored_url(data_dir: Path) -> str | None:
    """The shared database this data directory joined (``neascn join``), if any."""
    try:
        text = (data_dir / DATABASE_URL_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def store_url(data_dir: Path, url: str) -> None:
    """Remember the shared database of a data directory (owner-only: the URL may hold a password)."""
    path = data_dir / DATABASE_URL_FILE
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(url + "\n")
    os.replace(tmp, path)


def open_database(
    data_dir: Path | None = None,
    url: str | None = None,
    *,
    migrate: bool = True,
    target: str = "head",
) -> Database:
    """Open (creating if needed) the database of a data directory and bring it up to date.

    An existing database that needs upgrading is first copied to a timestamped
    backup beside it.  On POSIX the data directory is made owner-only (0700) and
    the SQLite files (0600), however permissive the umask.
    """
    from neascn_desktop.paths import default_data_dir

    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            _("Cannot create the data directory {path}: {reason}").format(
                path=data_dir, reason=exc.strerror or exc
            )
        ) from exc
    _restrict(data_dir, 0o700)
    url = url or os.environ.get("NEASCN_DATABASE_URL") or stored_url(data_dir) or sqlite_url(data_dir / DB_FILENAME)
    engine = create_db_engine(url)
    sqlite_file = engine.url.database if engine.dialect.name == "sqlite" else None
    if sqlite_file and sqlite_file != ":memory:" and not engine.url.query.get("uri"):
        secure_sqlite_files(Path(sqlite_file))
    db = Database(engine=engine, data_dir=data_dir, url=url)
    if not migrate:
        return db
    try:
        current = current_revision(engine)
        wanted = SCHEMA_HEAD if target == "head" else target
        if current != wanted:
            db_file = Path(engine.url.database) if engine.dialect.name == "sqlite" and engine.url.database else None
            if current is not None and db_file is not None and db_file.exists():
                db.backup_path = _backup_sqlite(db_file, current)
            upgrade(engine, url, target)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - any driver/migration failure becomes one sentence
        engine.dispose()
        raise StoreError(
            _("Cannot open the database {location}: {reason}").format(
                location=db.location, reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            )
        ) from exc
    return db
