-- Self-test of tests/run.py: these cases prove the harness mechanics (output comparison,
-- error-line normalisation, regex lines, {TMP}, mock statistics), not the extension.

-- case: runner: rows and normalised error lines are compared in order, no request is made
-- requests: 0
-- evil-requests: 0
SELECT 1 + 1;
SELECT 'a', NULL, 3.5;
SELECT * FROM runner_no_such_table;
SELECT 'after the error';
-- expect:
-- 2
-- a||3.5
-- Error: no such table: runner_no_such_table
-- after the error

-- case: runner: expect-re lines are regexes that must match whole lines
SELECT sqlite_version();
SELECT 'port {PORT}';
-- expect-re:
-- 3\.\d+\.\d+
-- port \d+

-- case: runner: {TMP} is a fresh, writable directory for each case
ATTACH '{TMP}/scratch.db' AS scratch;
CREATE TABLE scratch.t(x);
INSERT INTO scratch.t VALUES (42);
SELECT x FROM scratch.t;
-- expect:
-- 42

-- case: runner: an expect-re line that starts with (?*) matches zero or more output lines
SELECT 'first';
WITH RECURSIVE n(i) AS (VALUES (1) UNION ALL SELECT i + 1 FROM n WHERE i < 3)
SELECT 'step ' || i FROM n;
SELECT 'last';
-- expect-re:
-- (?*)never printed
-- first
-- (?*)step [1-3]
-- last

-- case: runner: {SCALED:N} is N times the run's --timeout-scale, in the SQL and the expected lines
SELECT typeof({SCALED:300}), {SCALED:300} > 0, '{SCALED:300}';
-- expect-re:
-- integer\|1\|{SCALED:300}
