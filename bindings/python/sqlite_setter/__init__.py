"""
sqlite_setter - the sqlite-setter SQLite extension (the Setter AI conversation history API as
the table setter_conversations), packaged for Python.

    import sqlite3, sqlite_setter
    conn = sqlite3.connect("crm.db")
    sqlite_setter.load(conn)            # enables extension loading, loads, disables it again
    conn.execute("SELECT * FROM setter_conversations(123, '1234567890')").fetchall()

    sqlite_setter.loadable_path()       # the file itself, for other programs (sqlite-utils...)
    sqlite_setter.__version__           # the extension's setter_version()

On Linux the extension uses the system's libcurl (Debian/Ubuntu package libcurl4): importing
this module checks that every library the binary needs can be loaded, and raises ImportError
naming the missing ones otherwise. The Windows build needs nothing but Windows.
"""
import os
import sqlite3
import sys

from ._build import FILE, NEEDS, VERSION

__version__ = VERSION
__all__ = ["load", "loadable_path", "__version__"]

# What to install for a library the binary names (Debian and Ubuntu package names).
_PACKAGES = {
    "libcurl.so.4": "libcurl4 (libcurl4t64 on Debian 13 and Ubuntu 24.04)",
    "libcjson.so.1": "libcjson1",
}

_NO_LOADING = (
    "sqlite_setter.load: this Python's sqlite3 module cannot load extensions: it was built "
    "without them (sqlite3.Connection has no enable_load_extension). Use a Python that can, "
    "such as Debian's /usr/bin/python3, or one built with "
    "./configure --enable-loadable-sqlite-extensions "
    "(pyenv: PYTHON_CONFIGURE_OPTS=--enable-loadable-sqlite-extensions pyenv install ...)")


def _check_libraries():
    if not sys.platform.startswith("linux") or not NEEDS:
        return
    import ctypes

    missing = []
    for soname in NEEDS:
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(soname)
    if missing:
        raise ImportError(
            "sqlite_setter needs the system %s %s, which cannot be loaded: install %s"
            % ("libraries" if len(missing) > 1 else "library", ", ".join(missing),
               ", ".join(_PACKAGES.get(m, "the package that provides " + m) for m in missing)))


_check_libraries()


def loadable_path():
    """The extension's file (setter.so, setter.dll), for load_extension() or .load."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), FILE)


def load(conn):
    """Loads the extension into the sqlite3 connection conn: enables extension loading, loads
    it, and disables extension loading again (also when loading failed). Raises
    sqlite3.NotSupportedError when this Python's sqlite3 cannot load extensions, and
    sqlite3.OperationalError when SQLite refuses the extension (the message says why)."""
    if not hasattr(conn, "enable_load_extension"):
        raise sqlite3.NotSupportedError(_NO_LOADING)
    conn.enable_load_extension(True)
    try:
        conn.load_extension(loadable_path())
    finally:
        conn.enable_load_extension(False)
