#!/bin/sh
# demo.sh - run the sql/ examples in the sqlite3 shell (what `make demo` does after the build).
#
#   scripts/demo.sh [--ext PATH]            show the examples, readable (.mode box)
#   scripts/demo.sh --check [--ext PATH]    run them quietly against the demo server; print one
#                                           line and exit 0 if all ran, else show what failed
#                                           and exit 1
#   scripts/demo.sh --server [--port N]     (make demo-server) only start the demo server, in the
#                                           foreground, and print the `export SETTER_...` lines
#                                           to paste into another terminal (and the setter_config
#                                           statement for DB Browser for SQLite); it runs until
#                                           Ctrl-C (SIGINT) or SIGTERM, then stops the server and
#                                           exits 0. --port 0 (default) picks a free port
#
# Where the data comes from:
#   SETTER_API_KEY unset or empty: the bundled demo server (tests/mock_api.py --demo, on a free
#     127.0.0.1 port, key demo-key) is started here, used for every example, and always stopped
#     on exit. Every sql/ file runs: demo, leads_join, failed_deliveries, sync (twice, on one
#     temporary database file), export_csv.
#   SETTER_API_KEY set: the real API (SETTER_BASE_URL if set, else the extension's default).
#     Only sql/demo.sql runs (the others use the demo contacts), on your conversation:
#     SETTER_DEMO_BOT (bot integration id) and SETTER_DEMO_USER_NUMBER (contact number).
#   --check always uses the demo server: it ignores every SETTER_* variable (the test runner
#     sets SETTER_API_KEY for its own mock), and checks each run for sqlite3 errors and for a
#     line it must print. --server ignores them too.
#
# --ext PATH: the extension, without suffix (default dist/setter of this checkout).
# Environment: PYTHON (default /usr/bin/python3) runs the demo server, SQLITE3 (default
# sqlite3) is the shell. Exit status: 0 ok, 1 an example failed, 2 setup error.
set -u

START_DIR=$(pwd)
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
SQLITE3=${SQLITE3:-sqlite3}
EXT="$ROOT/dist/setter"
CHECK=0
SERVER=0
SERVER_PORT=0
PORT_TIMEOUT=10          # seconds to wait for the demo server

die() {
  echo "demo.sh: $*" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --check) CHECK=1 ;;
    --server) SERVER=1 ;;
    --port)
      [ $# -ge 2 ] || die "--port needs a number"
      case "$2" in ''|*[!0-9]*) die "--port needs a number, not '$2'" ;; esac
      SERVER_PORT=$2
      shift ;;
    --ext)
      [ $# -ge 2 ] || die "--ext needs a path"
      case "$2" in /*) EXT=$2 ;; *) EXT="$START_DIR/$2" ;; esac
      shift ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  shift
done

[ "$CHECK" = 1 ] && [ "$SERVER" = 1 ] && die "--check and --server do not go together"
if [ "$CHECK" = 1 ] || [ "$SERVER" = 1 ]; then
  # Always the demo server, whatever the caller's environment says.
  for var in $(env | sed -n 's/^\(SETTER_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$var"
  done
fi

# LD_PRELOAD is kept for the sqlite3 shell only, which loads the extension: the sanitizer runs
# of the test suite preload the ASan runtime (a sanitized extension needs it), and the other
# tools here (mktemp, sed, python) would report their own leaks at exit and fail.
preload=${LD_PRELOAD:-}
unset LD_PRELOAD
stdbuf=""
# Line-buffered stdout keeps rows and error lines (stderr) in order when output is a pipe.
command -v stdbuf >/dev/null 2>&1 && stdbuf=stdbuf

# sqlite3_run ARGS...: the sqlite3 shell, line-buffered when possible, with $preload.
sqlite3_run() {
  if [ -n "$stdbuf" ]; then set -- stdbuf -oL "$SQLITE3" "$@"; else set -- "$SQLITE3" "$@"; fi
  if [ -n "$preload" ]; then set -- env "LD_PRELOAD=$preload" "$@"; fi
  "$@"
}

if [ "$SERVER" = 0 ]; then
  command -v "$SQLITE3" >/dev/null 2>&1 || die "no sqlite3 shell found ($SQLITE3); install sqlite3"
  found=""
  for suffix in so dylib dll; do
    [ -f "$EXT.$suffix" ] && found=1
  done
  [ -n "$found" ] || die "extension $EXT.so not found; build it with make"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/setter-demo.XXXXXX") || die "cannot create a temporary directory"
mock_pid=""
cleanup() {
  if [ -n "$mock_pid" ]; then
    kill "$mock_pid" 2>/dev/null
    wait "$mock_pid" 2>/dev/null
    mock_pid=""
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
if [ "$SERVER" = 1 ]; then
  # Ctrl-C is how the demo server is meant to end: a clean stop, exit 0.
  trap 'echo; echo "demo server stopped"; exit 0' INT TERM
else
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi

# ---- the data source ----

if [ -z "${SETTER_API_KEY:-}" ]; then
  MODE=demo
  [ -x "$PYTHON" ] || command -v "$PYTHON" >/dev/null 2>&1 \
    || die "$PYTHON not found: the demo server needs Python 3 (or set SETTER_API_KEY)"
  "$PYTHON" "$ROOT/tests/mock_api.py" --demo --port "$SERVER_PORT" --port-file "$tmp/port" --quiet \
    >"$tmp/mock.log" 2>&1 &
  mock_pid=$!
  waited=0
  while [ ! -s "$tmp/port" ]; do
    if ! kill -0 "$mock_pid" 2>/dev/null; then
      mock_pid=""
      echo "demo.sh: the demo server (tests/mock_api.py --demo) exited before listening:" >&2
      cat "$tmp/mock.log" >&2
      exit 2
    fi
    if [ "$waited" -ge $((PORT_TIMEOUT * 10)) ]; then
      echo "demo.sh: the demo server did not start listening within ${PORT_TIMEOUT}s" >&2
      cat "$tmp/mock.log" >&2
      exit 2
    fi
    sleep 0.1 2>/dev/null || sleep 1
    waited=$((waited + 1))
  done
  port=$(cat "$tmp/port")
  case "$port" in
    ''|*[!0-9]*) die "unexpected content in the demo server's port file: '$port'" ;;
  esac
  SETTER_API_KEY=demo-key
  SETTER_BASE_URL="http://127.0.0.1:$port"
  export SETTER_API_KEY SETTER_BASE_URL
  if [ "$SERVER" = 1 ]; then
    cat <<EOF
Demo server (tests/mock_api.py --demo) listening on $SETTER_BASE_URL. Ctrl-C stops it.

In another terminal, in $ROOT, paste:

export SETTER_BASE_URL=$SETTER_BASE_URL
export SETTER_API_KEY=$SETTER_API_KEY

then try any query of README.md, for example:

sqlite3 :memory: -cmd '.load dist/setter' "SELECT sender_type, content, created_at FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = '1234567890';"
sqlite3 :memory: -cmd '.load dist/setter' < sql/leads_join.sql

In DB Browser for SQLite (docs/dbbrowser.md), run this one statement in the Execute SQL tab:

SELECT setter_config('api_key', '$SETTER_API_KEY') AS api_key, setter_config('base_url', '$SETTER_BASE_URL') AS base_url, setter_config('cache_ttl', 60) AS cache_ttl;

The demo contacts: python3 tests/demo_data.py (or tests/MOCK.md, "Demo dataset").
EOF
    # Ctrl-C in the terminal reaches both this shell (trap above) and the server, which then
    # exits 0; whichever the shell sees first, that is a clean stop.
    wait "$mock_pid"
    rc=$?
    mock_pid=""
    if [ "$rc" = 0 ]; then
      echo
      echo "demo server stopped"
      exit 0
    fi
    echo "demo.sh: the demo server exited with status $rc:" >&2
    cat "$tmp/mock.log" >&2
    exit 1
  fi
else
  MODE=real
  bot=${SETTER_DEMO_BOT:-}
  user=${SETTER_DEMO_USER_NUMBER:-}
  if [ -z "$bot" ] || [ -z "$user" ]; then
    missing=""
    [ -n "$bot" ] || missing="$missing SETTER_DEMO_BOT"
    [ -n "$user" ] || missing="$missing SETTER_DEMO_USER_NUMBER"
    cat >&2 <<EOF
demo.sh: SETTER_API_KEY is set, so the demo runs against the real API and shows one of your
conversations. Tell it which one:
  export SETTER_DEMO_BOT=123                    # your bot integration id
  export SETTER_DEMO_USER_NUMBER=+15551234567   # a contact of that bot, as the bot knows it
Not set now:$missing
To see the bundled demo data instead, run it without the key:  SETTER_API_KEY= make demo
EOF
    exit 2
  fi
  case "$bot" in
    *[!0-9]*) die "SETTER_DEMO_BOT must be a bot integration id (digits), not '$bot'" ;;
  esac
fi

# ---- running the examples ----

failures=0
runs=0
# What the sqlite3 shell prints for an error, by version (and the extension's own prefix).
error_re='^(Error|Parse error|Runtime error)|Error:|error near line|^setter_conversations: |Sanitizer|runtime error:'

# run_example TITLE DESCRIPTION MUST_PRINT DB SQLFILE [sqlite3 options...]
#   Runs the sqlite3 shell on DB with the extension loaded and SQLFILE on stdin. Shows a
#   heading and the output; with --check, keeps the output and fails the run when sqlite3
#   exits non-zero, prints an error line, or does not print MUST_PRINT.
run_example() {
  title=$1 description=$2 must_print=$3 db=$4 sqlfile=$5
  shift 5
  runs=$((runs + 1))
  out="$tmp/out.$runs"
  if [ "$CHECK" = 0 ]; then
    printf '\n==== %s - %s\n\n' "$title" "$description"
    sqlite3_run -batch -init /dev/null "$db" -cmd ".load '$EXT'" "$@" <"$sqlfile" 2>&1
    rc=$?
  else
    sqlite3_run -batch -init /dev/null "$db" -cmd ".load '$EXT'" "$@" <"$sqlfile" >"$out" 2>&1
    rc=$?
    problem=""
    [ "$rc" = 0 ] || problem="sqlite3 exited with status $rc"
    if grep -E -q "$error_re" "$out"; then
      problem="${problem:+$problem; }it printed an error"
    fi
    grep -F -q -- "$must_print" "$out" || problem="${problem:+$problem; }'$must_print' is missing"
    if [ -n "$problem" ]; then
      failures=$((failures + 1))
      echo "FAILED: $title: $problem. Output:"
      if grep -E -q "$error_re" "$out"; then
        grep -E -A 2 "$error_re" "$out" | sed -n '1,20p'
      else
        tail -n 15 "$out"
      fi
    fi
    return 0
  fi
  [ "$rc" = 0 ] || failures=$((failures + 1))
}

if [ "$MODE" = real ]; then
  base=$(sqlite3_run -batch -init /dev/null :memory: -cmd ".load '$EXT'" \
         "SELECT setter_config('base_url')" 2>&1)
  printf 'Using the real API at %s: bot %s, contact %s\n' "$base" "$bot" "$user"
  user_sql=$(printf '%s' "$user" | sed "s/'/''/g")     # as an SQL string literal
  run_example sql/demo.sql "your conversation: sender, time, status, text" "" \
    :memory: sql/demo.sql \
    -cmd "CREATE TEMP TABLE demo_contact AS SELECT $bot AS bot, '$user_sql' AS user_number"
  if [ "$failures" -ne 0 ]; then
    cat >&2 <<EOF

demo.sh: the query failed (see the message above). Check SETTER_API_KEY, SETTER_DEMO_BOT (the
bot integration id), SETTER_DEMO_USER_NUMBER (with + and country code, as the bot knows it)
and SETTER_BASE_URL if you set it. Without the key, make demo uses the bundled demo data.
EOF
    exit 1
  fi
  exit 0
fi

if [ "$CHECK" = 0 ]; then
  echo "SETTER_API_KEY is not set: using the bundled demo server at $SETTER_BASE_URL"
  echo "(tests/mock_api.py --demo; set SETTER_API_KEY, SETTER_DEMO_BOT and"
  echo "SETTER_DEMO_USER_NUMBER to see one of your own conversations instead)"
fi

run_example sql/demo.sql "one conversation (James Carter, bot 123): sender, time, status, text" \
  "Let me think about it." :memory: sql/demo.sql
run_example sql/leads_join.sql "a leads table joined with their conversations (LEFT JOIN)" \
  "Noah Fischer" :memory: sql/leads_join.sql
run_example sql/failed_deliveries.sql "failed messages and their error fields, by error code" \
  "Unreachable destination handset" :memory: sql/failed_deliveries.sql
run_example "sql/sync.sql, run 1" "incremental sync into a new database file (table messages)" \
  "│ 47           │ 0              │ 47" "$tmp/crm.db" sql/sync.sql
# Pretend that at the first sync one message was still 'sent'; the second run updates it.
sqlite3_run -batch -init /dev/null "$tmp/crm.db" \
  "UPDATE messages SET latest_status = 'sent' WHERE message_id = 48251" || failures=$((failures + 1))
run_example "sql/sync.sql, run 2" "the same sync again: 0 new messages, 1 status update
     (demo.sh set message 48251 back to 'sent' in between, as if it had been 'sent' then)" \
  "│ 0            │ 1              │ 47" "$tmp/crm.db" sql/sync.sql
# The export goes to this run's temporary directory, not to /tmp/setter_export.csv.
sed "s|/tmp/setter_export\.csv|$tmp/setter_export.csv|g" sql/export_csv.sql >"$tmp/export_csv.sql"
run_example sql/export_csv.sql "CSV export with .headers on, .mode csv, .once FILE
     (written to $tmp/setter_export.csv, deleted at exit)" \
  "user_number,message_id,created_at" :memory: "$tmp/export_csv.sql"

if [ "$CHECK" = 1 ]; then
  if [ "$failures" -ne 0 ]; then
    echo "demo.sh --check: $failures of $runs example runs failed"
    exit 1
  fi
  echo "demo.sh --check: all $runs example runs ok"
  exit 0
fi
if [ "$failures" -ne 0 ]; then
  echo "demo.sh: $failures of $runs example runs failed (see the errors above)" >&2
  exit 1
fi
