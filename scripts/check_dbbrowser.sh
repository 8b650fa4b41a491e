#!/bin/bash
# scripts/check_dbbrowser.sh - checks DB Browser for SQLite (Debian's `sqlitebrowser`) with the
# extension, for real, under Xvfb, against the bundled demo server. See docs/dbbrowser.md.
#
#   make && scripts/check_dbbrowser.sh            # prints one line per check, exit 0 = all good
#   KEEP=1 scripts/check_dbbrowser.sh             # keep the work directory (logs, screenshots)
#   DOCS=1 scripts/check_dbbrowser.sh             # also refresh docs/dbbrowser-*.png
#
# Needs: scripts/install-deps.sh gui (apt-get install -y sqlitebrowser xvfb x11-apps imagemagick
#        xdotool sqlite3 curl)
#
# What it does, all in a fresh temporary directory (your own DB4S settings are not touched:
# XDG_CONFIG_HOME points into that directory):
#   1. starts Xvfb on a free display and `tests/mock_api.py --demo` on a free port;
#   2. writes a crm.db with a `leads` table, and a view that calls setter_config();
#   3. run A, exactly steps 3 and 4 of docs/dbbrowser.md: sqlitebrowser.conf lists
#      dist/setter.so under [extensions] (what Edit > Preferences > Extensions writes); into the
#      SQL 1 tab it types the settings statement of step 3 (the demo-server block, taken from
#      docs/dbbrowser.md, PORT replaced), runs it with Ctrl+Return, then opens a new tab
#      (Ctrl+T) and types and runs the query of step 4 (also taken from the doc); screenshot.
#      Then it stores results with CREATE TABLE ... AS SELECT + Ctrl+S (Write Changes) so that
#      this script can check them afterwards with the sqlite3 shell, and counts the API
#      requests (demo server's /__mock/stats) of one plain query and one IN-list query;
#   4. run B: no extension listed, "Allow loading extensions from SQL code" on:
#      SELECT load_extension('.../dist/setter') from the Execute SQL tab; settings without
#      cache_ttl, and the requests per query without the cache (DB4S runs each query 4 times);
#   5. run C: the default (not allowed): load_extension() from SQL must be refused;
#   6. run D: Tools > Load Extension... (types the path into the file dialog), then a query.
#   7. run E: a table of 300000 rows open in Browse Data, then step 3 in Execute SQL, then
#      Browse Data jumps to row 250000 and at once a new api_key in Execute SQL.
#
# DB4S 3.12.2 has a known bug (sqlitebrowser issues #2782, #2863): after a statement that
# returns rows the Execute SQL tab often stays "executing" (rows shown, Execute buttons greyed
# out, Stop button red; more often than not here) - also for a plain `SELECT 1;` - and never
# runs the statements after it in the tab. The script detects it (DB4S's RunSql thread is still
# alive 10 s later), clicks Stop, which ends it, as a user does, and counts how often it happened.
#
# Only processes started here are stopped (by PID). Exit status: 0 all checks passed, 1 a check
# failed, 2 setup problem.

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EXT_SO="$ROOT/dist/setter.so"
EXT_NOSUFFIX="$ROOT/dist/setter"
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/check_dbbrowser.XXXXXX)
PIDS=()
FAILED=0
PASSED=0

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "setup: $*" >&2; exit 2; }
ok() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }

for cmd in sqlitebrowser Xvfb xdotool import convert sqlite3 curl; do
    command -v "$cmd" >/dev/null || die "$cmd not found (apt-get install -y sqlitebrowser xvfb x11-apps imagemagick xdotool sqlite3 curl)"
done
[ -f "$EXT_SO" ] || die "$EXT_SO not built (run make)"
echo "$(QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$WORK sqlitebrowser --version 2>&1 | grep -E 'Version|SQLite' | tr '\n' ' ')"

# ---- Xvfb ----------------------------------------------------------------------------------
for n in $(seq 99 140); do [ -e /tmp/.X$n-lock ] || [ -e /tmp/.X11-unix/X$n ] || break; done
export DISPLAY=:$n
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
PIDS+=($!)
for i in $(seq 50); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done
xdotool getmouselocation >/dev/null 2>&1 || die "Xvfb did not start on $DISPLAY"

# ---- demo server ---------------------------------------------------------------------------
"$PY" "$ROOT/tests/mock_api.py" --demo --port 0 --port-file "$WORK/port" --quiet &
PIDS+=($!)
for i in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || die "the demo server did not start"
PORT=$(cat "$WORK/port")
MOCK="http://127.0.0.1:$PORT"
mock_reset() { curl -s --noproxy '*' -X POST "$MOCK/__mock/reset" >/dev/null; }
mock_requests() { curl -s --noproxy '*' "$MOCK/__mock/stats" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }

# ---- database ------------------------------------------------------------------------------
DB="$WORK/crm.db"
sqlite3 "$DB" <<'EOF' || die "cannot create $DB"
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('Sample Contact', '1234567890'), ('Maria Lopez', '+15550100001'),
  ('James Carter', '+15550100002'), ('Sofia Rossi', '+15550100005');
-- A view in a database file must never be able to change settings (setter_config is DIRECTONLY).
CREATE VIEW evil_config AS SELECT setter_config('base_url', 'https://attacker.example') AS x;
EOF

# ---- DB4S helpers --------------------------------------------------------------------------
CONF_DIR="$WORK/config/sqlitebrowser"
mkdir -p "$CONF_DIR" "$WORK/runtime"
chmod 700 "$WORK/runtime"

# write_conf LIST ALLOW_SQL_LOADING
write_conf() {
    cat >"$CONF_DIR/sqlitebrowser.conf" <<EOF
[%General]
language=en_US

[checkversion]
enabled=false

[editor]
auto_completion=false

[extensions]
$([ -n "$1" ] && echo "list=$1")
enable_load_extension=$2
disableregex=false
EOF
}

DB4S_PID=
WID=
start_db4s() {
    XDG_CONFIG_HOME="$WORK/config" XDG_RUNTIME_DIR="$WORK/runtime" sqlitebrowser "$DB" \
        >"$WORK/db4s-$1.log" 2>&1 &
    DB4S_PID=$!
    PIDS+=($DB4S_PID)
    WID=
    for i in $(seq 100); do
        WID=$(xdotool search --onlyvisible --name "DB Browser for SQLite" 2>/dev/null | head -1)
        [ -n "$WID" ] && break
        sleep 0.1
    done
    [ -n "$WID" ] || die "no DB Browser window (log: $(cat "$WORK/db4s-$1.log"))"
    sleep 1.5
    xdotool windowsize "$WID" 1280 800 windowmove "$WID" 0 0
    sleep 0.5
    # An extension that fails to load shows a message box (a second window).
    if [ "$(xdotool search --onlyvisible --name "." 2>/dev/null | wc -l)" -gt 1 ]; then
        import -window root "$WORK/$1-dialog.png"
        fail "$1: a dialog appeared at start (see $WORK/$1-dialog.png)"
        xdotool key Return
    fi
    xdotool mousemove 427 80 click 1          # the "Execute SQL" tab
    sleep 0.7
}

# Ends DB4S (SIGTERM: no "save changes?" question; changes were written with Ctrl+S).
stop_db4s() {
    local st
    kill "$DB4S_PID" 2>/dev/null
    wait "$DB4S_PID" 2>/dev/null
    st=$?
    [ "$st" = 0 ] || [ "$st" = 143 ] || fail "$1: sqlitebrowser ended with status $st (log: $WORK/db4s-$1.log)"
}

executing() { grep -qx RunSql /proc/"$DB4S_PID"/task/*/comm 2>/dev/null; }

HUNG=0
RUNS=0
# type_sql TEXT: types TEXT into the SQL editor line by line (Return between lines). Leading
# blanks are left out: the editor indents a new line like the one above by itself.
type_sql() {
    local line first=1
    while IFS= read -r line; do
        [ "$first" = 1 ] || xdotool key Return
        first=0
        line="${line#"${line%%[![:space:]]*}"}"
        [ -n "$line" ] && xdotool type --delay 3 "$line"
    done <<<"$1"
}

# run_in_tab TEXT: types TEXT into the current SQL tab, runs it (Ctrl+Return) and waits for the
# end. If DB4S stays "executing" (bug #2782), it clicks Stop, as docs/dbbrowser.md says.
run_in_tab() {
    xdotool mousemove 300 260 click 1         # into the SQL editor
    type_sql "$1"
    xdotool key ctrl+Return
    RUNS=$((RUNS + 1))
    sleep 1
    for i in $(seq 40); do executing || return 0; sleep 0.25; done
    # DB4S bug #2782: finished, but still shown as executing. Press Stop.
    HUNG=$((HUNG + 1))
    xdotool mousemove 239 117 click 1
    for i in $(seq 20); do executing || return 0; sleep 0.25; done
    fail "DB4S still executing after Stop: $1"
}

# run_sql TEXT: the same in a new SQL tab (Ctrl+T). A new tab per statement, because replacing
# the text of a tab whose results are still being counted makes DB4S 3.12.2 abort (Scintilla
# assertion in SqliteTableModel::finishedFetch).
run_sql() {
    xdotool key ctrl+t; sleep 0.5             # Execute SQL > Open tab
    run_in_tab "$1"
}

# doc_sql NAME: the SQL block that follows `<!-- check_dbbrowser.sh: NAME -->` in
# docs/dbbrowser.md (what the user is told to type), PORT replaced by the demo server's port.
doc_sql() {
    awk -v mark="<!-- check_dbbrowser.sh: $1 -->" '
        { t = $0; sub(/^ +/, "", t) }
        t == mark { found = 1; next }
        found && /^ *```sql/ { inblock = 1; next }
        inblock && /^ *```/ { exit }
        inblock { sub(/^   /, ""); print }' "$ROOT/docs/dbbrowser.md" | sed "s|http://127.0.0.1:PORT|$MOCK|g"
}

write_changes() { xdotool key ctrl+s; sleep 1; }

# Steps 3 and 4 of docs/dbbrowser.md, as written there.
DOC_SETTINGS_SQL=$(doc_sql settings)
DOC_QUERY_SQL=$(doc_sql query)
case "$DOC_SETTINGS_SQL" in *"setter_config('base_url', '$MOCK')"*) ;; *) die "no settings block for the demo server in docs/dbbrowser.md" ;; esac
case "$DOC_QUERY_SQL" in *setter_conversations*) ;; *) die "no query block in docs/dbbrowser.md" ;; esac
CONFIG_SQL=$(printf '%s' "$DOC_SETTINGS_SQL" | tr '\n' ' ')
JOIN_SQL=$(printf '%s' "$DOC_QUERY_SQL" | tr '\n' ' ')
NOCACHE_CONFIG_SQL="SELECT setter_config('api_key', 'demo-key') AS api_key, setter_config('base_url', '$MOCK') AS base_url;"
# One contact (Aisha Khan, not in the leads table, so not cached by the join) and an IN list
# of three contacts of bot 456.
PLAIN_SQL="SELECT sender_type, content, created_at FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = '+15550100003';"
IN_SQL="SELECT user_number, count(*) AS messages, sum(latest_status = 'failed') AS failed FROM setter_conversations WHERE bot_integration_id = 456 AND user_number IN ('+15550200001', '+15550200002', '+15550200003') GROUP BY user_number;"
# requests_for TEXT: runs TEXT in a new tab and prints how many API requests it made.
requests_for() { mock_reset; run_sql "$1"; mock_requests; }

q() { sqlite3 "$DB" "$1" 2>&1; }

# ---- run A: extension from Preferences > Extensions ------------------------------------------
write_conf "$EXT_SO" false
mock_reset
start_db4s A
H0=$HUNG
run_in_tab "$DOC_SETTINGS_SQL"                # step 3: in the SQL 1 tab
sleep 0.5
import -window root "$WORK/A-settings.png"
run_sql "$DOC_QUERY_SQL"                      # step 4: in a new tab (Ctrl+T)
sleep 2
import -window root "$WORK/A-query.png"
REQ_A_JOIN=$(mock_requests)
A_STEPS_HUNG=$((HUNG - H0))
REQ_A_JOIN2=$(requests_for "$JOIN_SQL")
run_sql "CREATE TABLE check_a AS $JOIN_SQL"
REQ_A_PLAIN=$(requests_for "$PLAIN_SQL")
REQ_A_IN=$(requests_for "$IN_SQL")
run_sql "CREATE TABLE check_a_version AS SELECT setter_version() AS v, setter_config('timeout_ms') AS t, setter_config('base_url') AS u, setter_config('cache_ttl') AS ttl;"
run_sql "CREATE TABLE check_a_view AS SELECT * FROM evil_config;"
run_sql "CREATE TABLE check_a_sqlload AS SELECT load_extension('$EXT_NOSUFFIX') AS x;"
write_changes
if [ "${DOCS:-0}" = 1 ]; then
    xdotool key alt+e; sleep 0.5; xdotool key p; sleep 1.5    # Edit > Preferences...
    xdotool key alt+e; sleep 0.8                               # its Extensions tab
    PREF=$(xdotool search --onlyvisible --name "^Preferences$" | head -1)
    [ -n "$PREF" ] && import -window "$PREF" "$WORK/A-preferences.png"
    xdotool key Escape; sleep 0.5
fi
stop_db4s A

[ "$(q 'SELECT v IS NOT NULL, t, u, ttl FROM check_a_version')" = "1|30000|$MOCK|60" ] \
    && ok "A: step 3 (one statement, several setter_config calls) sets base_url and cache_ttl; setter_version() works" \
    || fail "A: check_a_version: $(q 'SELECT * FROM check_a_version')"
[ "$REQ_A_JOIN" = 4 ] \
    && ok "A: step 4, the documented join, ran in its new tab: 4 API requests (one per lead, cache_ttl 60)" \
    || fail "A: the documented join made $REQ_A_JOIN API requests (expected 4: one per lead)"
[ "$(q 'SELECT count(*) FROM check_a')" = 13 ] \
    && ok "A: [extensions] list auto-loads; the join in Execute SQL gives 13 rows" \
    || fail "A: join rows: $(q 'SELECT count(*) FROM check_a')"
[ "$(q "SELECT content FROM check_a WHERE name = 'James Carter' LIMIT 1")" = "How much is teeth whitening?" ] \
    && ok "A: values arrive (James Carter's first message)" \
    || fail "A: first James Carter row: $(q "SELECT content FROM check_a WHERE name = 'James Carter' LIMIT 1")"
[ "$REQ_A_JOIN2|$REQ_A_PLAIN|$REQ_A_IN" = "0|1|3" ] \
    && ok "A: with cache_ttl 60, one request per contact: join again 0, plain query 1, IN list of 3: 3" \
    || fail "A: requests with cache_ttl 60: join again $REQ_A_JOIN2 (expected 0), plain $REQ_A_PLAIN (1), IN list $REQ_A_IN (3)"
echo "     A: steps 3 and 4 stayed 'executing' (Stop clicked) in $A_STEPS_HUNG of 2 runs"
[ -z "$(q "SELECT name FROM sqlite_master WHERE name = 'check_a_view'")" ] \
    && ok "A: setter_config() inside a view is refused (SQLITE_DIRECTONLY)" \
    || fail "A: a view could call setter_config()"
[ -z "$(q "SELECT name FROM sqlite_master WHERE name = 'check_a_sqlload'")" ] \
    && ok "A: load_extension() from SQL is refused while 'Allow loading extensions from SQL code' is off" \
    || fail "A: load_extension() from SQL worked although not allowed"

# ---- run B: load_extension() from SQL, allowed in Preferences ---------------------------------
write_conf "" true
mock_reset
start_db4s B
run_sql "SELECT load_extension('$EXT_NOSUFFIX');"
run_sql "$NOCACHE_CONFIG_SQL"
REQ_B_PLAIN=$(requests_for "$PLAIN_SQL")
REQ_B_IN=$(requests_for "$IN_SQL")
REQ_B_JOIN=$(requests_for "$JOIN_SQL")
run_sql "CREATE TABLE check_b AS SELECT count(*) AS n, sum(latest_status = 'failed') AS failed FROM setter_conversations WHERE bot_integration_id = 456 AND user_number IN ('+15550200001', '+15550200002', '+15550200003');"
write_changes
stop_db4s B
[ "$(q 'SELECT n, failed FROM check_b')" = "13|2" ] \
    && ok "B: SELECT load_extension('dist/setter') works when 'Allow loading extensions from SQL code' is on" \
    || fail "B: check_b: $(q 'SELECT * FROM check_b')"
# DB4S 3.12.2 runs a query that returns rows 4 times: RunSql's first step, the column names
# (one step), SELECT COUNT(*) FROM (query), and query LIMIT 0, 49999. Each is its own
# statement, so without cache_ttl each asks the API again.
[ "$REQ_B_PLAIN|$REQ_B_IN|$REQ_B_JOIN" = "4|12|10" ] \
    && ok "B: without cache_ttl DB4S asks 4 times per contact: plain query 4 requests, IN list of 3: 12, join of 4 leads: 10" \
    || fail "B: requests without cache_ttl: plain $REQ_B_PLAIN (expected 4), IN list $REQ_B_IN (12), join $REQ_B_JOIN (10)"

# ---- run C: nothing configured: no extension, load_extension() refused ------------------------
write_conf "" false
start_db4s C
run_sql "SELECT load_extension('$EXT_NOSUFFIX');"
sleep 0.5
import -window root "$WORK/C-refused.png"
run_sql "CREATE TABLE check_c AS SELECT setter_version() AS v;"
write_changes
stop_db4s C
[ -z "$(q "SELECT name FROM sqlite_master WHERE name = 'check_c'")" ] \
    && ok "C: by default load_extension() from SQL is refused (not authorized)" \
    || fail "C: the extension got loaded by default"

# ---- run D: Tools > Load Extension... (file dialog) --------------------------------------------
write_conf "" false
mock_reset
start_db4s D
xdotool mousemove 147 10 click 1; sleep 0.7        # Tools
xdotool mousemove 210 61 click 1; sleep 1.5        # Load Extension...
if xdotool search --onlyvisible --name "^Select extension file$" >/dev/null 2>&1; then
    xdotool key ctrl+a
    xdotool type --delay 3 "$EXT_SO"
    xdotool key Return; sleep 1.5
    import -window root "$WORK/D-loaded.png"
    xdotool key Return; sleep 0.5                  # OK on "Extension successfully loaded."
    xdotool mousemove 427 80 click 1; sleep 0.7    # Execute SQL
    run_sql "$CONFIG_SQL"
    run_sql "CREATE TABLE check_d AS SELECT message_id, content FROM setter_conversations WHERE bot_integration_id = 789 AND session_id = 1003;"
    write_changes
else
    fail "D: no 'Select extension file' dialog after Tools > Load Extension..."
fi
stop_db4s D
[ "$(q 'SELECT count(*), min(message_id) FROM check_d')" = "5|91012" ] \
    && ok "D: Tools > Load Extension... then a session_id lookup in Execute SQL" \
    || fail "D: check_d: $(q 'SELECT count(*), min(message_id) FROM check_d')"

# ---- run E: a table open in Browse Data, then step 3 in Execute SQL ---------------------------
# DB4S gives its connection to one user at a time (DBBrowserDB::get) and finalizes every
# statement it steps (RowLoader, RunSql), so the Browse Data grid holds no statement open
# while Execute SQL runs: the guard (ext/guard.c) sees the settings statement alone.
DB="$WORK/browse.db"                               # its first table: events
sqlite3 "$DB" "CREATE TABLE events(id INTEGER PRIMARY KEY, phone TEXT, note TEXT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300000)
INSERT INTO events SELECT i, '+1555' || i, 'note ' || i FROM c;
CREATE TABLE leads(name TEXT, phone TEXT);" || die "cannot create $DB"
write_conf "$EXT_SO" false
start_db4s E
xdotool mousemove 209 80 click 1; sleep 2.5        # Browse Data: events, the first table
import -window root "$WORK/E-browse.png"
xdotool mousemove 427 80 click 1; sleep 0.7        # Execute SQL
run_in_tab "$DOC_SETTINGS_SQL"                     # step 3, in the SQL 1 tab
xdotool mousemove 209 80 click 1; sleep 1          # Browse Data again: Go to row 250000
xdotool mousemove 628 749 click 1; xdotool key ctrl+a; xdotool type "250000"; xdotool key Return
sleep 0.2
xdotool mousemove 427 80 click 1; sleep 0.3        # at once a new key in Execute SQL
run_sql "SELECT setter_config('api_key', 'other-key-000000WXYZ') AS api_key;"
sleep 0.5
import -window root "$WORK/E-settings.png"
run_sql "CREATE TABLE check_e AS SELECT setter_config('api_key') AS k, setter_config('base_url') AS u, setter_config('cache_ttl') AS ttl;"
write_changes
stop_db4s E
[ "$(q 'SELECT k, u, ttl FROM check_e')" = "****WXYZ|$MOCK|60" ] \
    && ok "E: with a table of 300000 rows open in Browse Data, step 3 and a later new api_key are applied" \
    || fail "E: check_e: $(q 'SELECT * FROM check_e')"

if [ "${DOCS:-0}" = 1 ]; then
    convert "$WORK/A-query.png" -crop 745x600+0+60 +repage -resize 90% -colors 64 "$ROOT/docs/dbbrowser-query.png"
    convert "$WORK/A-settings.png" -crop 745x600+0+60 +repage -resize 90% -colors 64 "$ROOT/docs/dbbrowser-settings.png"
    [ -f "$WORK/A-preferences.png" ] && convert "$WORK/A-preferences.png" -resize 80% -colors 64 "$ROOT/docs/dbbrowser-extensions.png"
    echo "     screenshots written: docs/dbbrowser-settings.png docs/dbbrowser-query.png docs/dbbrowser-extensions.png"
fi
echo "     DB4S stayed 'executing' after $HUNG of $RUNS statements run with Ctrl+Return (ended with Stop; DB4S bug #2782)"
echo "screenshots: $WORK/*.png$([ "${KEEP:-0}" = 1 ] || echo ' (set KEEP=1 to keep them)')"
echo "dbbrowser: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
