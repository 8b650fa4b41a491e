-- Core: settings. Defaults as the README's "Settings" lists them, SETTER_<NAME> read at load,
-- setter_config(name) to read and setter_config(name, value) to change (NULL restores the
-- default), validation naming the setting, api_key always read back masked, setter_version().
-- The runner sets SETTER_API_KEY={KEY} and SETTER_BASE_URL=http://127.0.0.1:{PORT}.

-- case: config: every integer setting has its documented default, as an INTEGER
-- requests: 0
.mode quote
SELECT setter_config('timeout_ms'), setter_config('connect_timeout_ms'),
       setter_config('max_retries'), setter_config('concurrency'), setter_config('cache_ttl'),
       setter_config('max_response_bytes');
SELECT typeof(setter_config('timeout_ms')), typeof(setter_config('max_response_bytes'));
-- expect:
-- 30000,10000,3,8,0,268435456
-- 'integer','integer'

-- case: config: base_url defaults to https://chat.trysetter.com when SETTER_BASE_URL is unset
-- env: -SETTER_BASE_URL
-- requests: 0
.mode quote
SELECT setter_config('base_url');
-- expect:
-- 'https://chat.trysetter.com'

-- case: config: base_url comes from SETTER_BASE_URL at load
-- requests: 0
.mode quote
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
-- expect:
-- 1

-- case: config: api_key_file and ca_bundle default to NULL; api_key is NULL when no key is set
-- env: -SETTER_API_KEY
-- requests: 0
.mode quote
SELECT setter_config('api_key_file'), setter_config('ca_bundle'), setter_config('api_key');
-- expect:
-- NULL,NULL,NULL

-- case: config: each integer setting can be written and reads back the new value
-- requests: 0
.mode list
SELECT setter_config('timeout_ms', 1500), setter_config('timeout_ms');
SELECT setter_config('connect_timeout_ms', 250), setter_config('connect_timeout_ms');
SELECT setter_config('max_retries', 0), setter_config('max_retries');
SELECT setter_config('concurrency', 2), setter_config('concurrency');
SELECT setter_config('cache_ttl', 60), setter_config('cache_ttl');
SELECT setter_config('max_response_bytes', 4096), setter_config('max_response_bytes');
-- expect:
-- 1500|1500
-- 250|250
-- 0|0
-- 2|2
-- 60|60
-- 4096|4096

-- case: config: range ends are accepted
-- requests: 0
.mode list
SELECT setter_config('timeout_ms', 1), setter_config('timeout_ms', 3600000);
SELECT setter_config('connect_timeout_ms', 1), setter_config('connect_timeout_ms', 600000);
SELECT setter_config('max_retries', 0), setter_config('max_retries', 10);
SELECT setter_config('concurrency', 1), setter_config('concurrency', 64);
SELECT setter_config('cache_ttl', 0), setter_config('cache_ttl', 2592000);
SELECT setter_config('max_response_bytes', 1024), setter_config('max_response_bytes', 2000000000);
-- expect:
-- 1|3600000
-- 1|600000
-- 0|10
-- 1|64
-- 0|2592000
-- 1024|2000000000

-- case: config: an integer setting given as decimal text is accepted as that integer
-- requests: 0
.mode quote
SELECT setter_config('timeout_ms', '1234'), typeof(setter_config('timeout_ms'));
-- expect:
-- 1234,'integer'

-- case: config: NULL restores the default of every setting
-- requests: 0
.mode list
SELECT setter_config('timeout_ms', 5), setter_config('timeout_ms', NULL);
SELECT setter_config('connect_timeout_ms', 5), setter_config('connect_timeout_ms', NULL);
SELECT setter_config('max_retries', 5), setter_config('max_retries', NULL);
SELECT setter_config('concurrency', 5), setter_config('concurrency', NULL);
SELECT setter_config('cache_ttl', 5), setter_config('cache_ttl', NULL);
SELECT setter_config('max_response_bytes', 5000), setter_config('max_response_bytes', NULL);
SELECT setter_config('base_url', NULL);
-- expect:
-- 5|30000
-- 5|10000
-- 5|3
-- 5|8
-- 5|0
-- 5000|268435456
-- https://chat.trysetter.com

-- case: config: out-of-range values are errors naming the setting and its range
-- requests: 0
.mode list
SELECT setter_config('timeout_ms', 0);
SELECT setter_config('timeout_ms', 3600001);
SELECT setter_config('connect_timeout_ms', 600001);
SELECT setter_config('max_retries', -1);
SELECT setter_config('max_retries', 11);
SELECT setter_config('concurrency', 0);
SELECT setter_config('concurrency', 65);
SELECT setter_config('cache_ttl', -1);
SELECT setter_config('max_response_bytes', 1023);
-- expect-re:
-- Error: setter_config: timeout_ms .*\b1\b.*\b3600000\b.*
-- Error: setter_config: timeout_ms .*\b1\b.*\b3600000\b.*
-- Error: setter_config: connect_timeout_ms .*\b1\b.*\b600000\b.*
-- Error: setter_config: max_retries .*\b0\b.*\b10\b.*
-- Error: setter_config: max_retries .*\b0\b.*\b10\b.*
-- Error: setter_config: concurrency .*\b1\b.*\b64\b.*
-- Error: setter_config: concurrency .*\b1\b.*\b64\b.*
-- Error: setter_config: cache_ttl .*\b0\b.*\b2592000\b.*
-- Error: setter_config: max_response_bytes .*\b1024\b.*

-- case: config: non-integer values are errors naming the setting and quoting the value
-- requests: 0
.mode list
SELECT setter_config('timeout_ms', 'abc');
SELECT setter_config('concurrency', '1.5');
SELECT setter_config('max_retries', 2.5);
SELECT setter_config('cache_ttl', '');
SELECT setter_config('connect_timeout_ms', '10 ms');
-- expect-re:
-- Error: setter_config: timeout_ms .*'abc'.*
-- Error: setter_config: concurrency .*'1\.5'.*
-- Error: setter_config: max_retries .*'2\.5'.*
-- Error: setter_config: cache_ttl .*''.*
-- Error: setter_config: connect_timeout_ms .*'10 ms'.*

-- case: config: a rejected value leaves the setting unchanged
-- requests: 0
.mode list
SELECT setter_config('timeout_ms', 4321);
SELECT setter_config('timeout_ms', 0);
SELECT setter_config('timeout_ms', 'abc');
SELECT setter_config('timeout_ms');
-- expect-re:
-- 4321
-- Error: setter_config: timeout_ms .*
-- Error: setter_config: timeout_ms .*
-- 4321

-- case: config: base_url rejects plain http to a remote host and non-http schemes, naming base_url
-- requests: 0
.mode list
SELECT setter_config('base_url', 'http://example.com');
SELECT setter_config('base_url', 'ftp://example.com');
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
-- expect-re:
-- Error: setter_config: base_url .*'http://example\.com'.*
-- Error: setter_config: base_url .*'ftp://example\.com'.*
-- 1

-- case: config: base_url accepts an https URL and reads it back
-- requests: 0
.mode list
SELECT setter_config('base_url', 'https://api.example.com');
-- expect:
-- https://api.example.com

-- case: config: api_key reads back masked, never in clear
-- requests: 0
.mode list
SELECT setter_config('api_key') IS NOT NULL,
       setter_config('api_key') <> '{KEY}',
       instr(setter_config('api_key'), substr('{KEY}', 1, 8)) = 0,
       length(setter_config('api_key')) < length('{KEY}');
-- expect:
-- 1|1|1|1

-- case: config: setting api_key returns it masked, and it is used for the next request
-- requests: 1
.mode list
SELECT setter_config('api_key', NULL) IS NULL;
SELECT setter_config('api_key', '{KEY}') <> '{KEY}',
       instr(setter_config('api_key'), substr('{KEY}', 1, 8)) = 0;
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- 1
-- 1|1
-- 3

-- case: config: a wrong api_key set with setter_config is read back masked
-- requests: 0
.mode list
SELECT setter_config('api_key', 'wrong-key-zyxwvutsrq');
-- expect-re:
-- (?!.*wrong-key)(?!.*zyxwvu).+

-- case: config: api_key with a control character is rejected without quoting it
-- requests: 0
.mode list
SELECT setter_config('api_key', 'secret-zyxwvu' || char(10) || 'tsrq');
-- expect-re:
-- (?!.*zyxwvu)Error: setter_config: api_key .*

-- case: config: an unknown setting is an error listing the settings
-- requests: 0
.mode list
SELECT setter_config('timeout');
SELECT setter_config('timeout', 5);
-- expect-re:
-- Error: setter_config: .*'timeout'.*api_key.*api_key_file.*base_url.*timeout_ms.*connect_timeout_ms.*max_retries.*concurrency.*cache_ttl.*max_response_bytes.*ca_bundle.*
-- Error: setter_config: .*'timeout'.*api_key.*api_key_file.*base_url.*timeout_ms.*connect_timeout_ms.*max_retries.*concurrency.*cache_ttl.*max_response_bytes.*ca_bundle.*

-- case: config: ca_bundle must be a readable file, and NULL restores the system CAs
-- requests: 0
.mode quote
SELECT setter_config('ca_bundle', '{TMP}/no-such-bundle.pem');
SELECT setter_config('ca_bundle', '{ROOT}/Makefile') = '{ROOT}/Makefile';
SELECT setter_config('ca_bundle', NULL);
-- expect-re:
-- Error: setter_config: .*ca_bundle.*no-such-bundle\.pem.*
-- 1
-- NULL

-- case: config: SETTER_* environment variables of every integer setting are read at load
-- env: SETTER_TIMEOUT_MS=1234
-- env: SETTER_CONNECT_TIMEOUT_MS=2345
-- env: SETTER_MAX_RETRIES=1
-- env: SETTER_CONCURRENCY=3
-- env: SETTER_CACHE_TTL=45
-- env: SETTER_MAX_RESPONSE_BYTES=65536
-- requests: 0
.mode list
SELECT setter_config('timeout_ms'), setter_config('connect_timeout_ms'),
       setter_config('max_retries'), setter_config('concurrency'), setter_config('cache_ttl'),
       setter_config('max_response_bytes');
-- expect:
-- 1234|2345|1|3|45|65536

-- case: config: SETTER_CA_BUNDLE is read at load
-- env: SETTER_CA_BUNDLE={ROOT}/Makefile
-- requests: 0
.mode list
SELECT setter_config('ca_bundle') = '{ROOT}/Makefile';
-- expect:
-- 1

-- case: config: NULL restores the built-in default, not the environment value
-- env: SETTER_TIMEOUT_MS=1234
-- requests: 0
.mode list
SELECT setter_config('timeout_ms', NULL);
-- expect:
-- 30000

-- case: config: an invalid SETTER_TIMEOUT_MS does not stop the load; queries fail naming the variable and value until setter_config fixes it
-- env: SETTER_TIMEOUT_MS=abc
-- requests: 1
.mode list
SELECT count(DISTINCT name) FROM pragma_function_list WHERE name IN ('setter_config', 'setter_version');
SELECT setter_version() <> '';
SELECT value, source FROM setter_settings WHERE name = 'timeout_ms';
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT count(*) FROM setter_requests;
SELECT setter_config('timeout_ms', 5000);
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT value, source FROM setter_settings WHERE name = 'timeout_ms';
-- expect:
-- 2
-- 1
-- abc|environment
-- Error: setter_conversations: SETTER_TIMEOUT_MS: timeout_ms must be an integer from 1 to 3600000, not 'abc'; fix the variable, or run SELECT setter_config('timeout_ms', ...)
-- 0
-- 5000
-- 3
-- 5000|setter_config

-- case: config: an out-of-range SETTER_CONCURRENCY does not stop the load; a NULL setting (the default) also ends the error
-- env: SETTER_CONCURRENCY=0
-- requests: 1
.mode list
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT setter_config('concurrency', NULL);
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: setter_conversations: SETTER_CONCURRENCY: concurrency must be an integer from 1 to 64, not '0'; fix the variable, or run SELECT setter_config('concurrency', ...)
-- 8
-- 3

-- case: config: a non-https SETTER_BASE_URL does not stop the load and nothing is sent anywhere until it is fixed
-- env: SETTER_BASE_URL=http://example.com
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT value, default_value, source FROM setter_settings WHERE name = 'base_url';
-- expect:
-- Error: setter_conversations: SETTER_BASE_URL: base_url must use https (plain http is allowed only to loopback addresses such as 127.0.0.1): 'http://example.com'; fix the variable, or run SELECT setter_config('base_url', ...)
-- http://example.com|https://chat.trysetter.com|environment

-- case: config: a refused SETTER_API_KEY is never quoted, in the error or in setter_settings
-- env: SETTER_API_KEY=bad-key-with-tab	0123456789
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT value, source FROM setter_settings WHERE name = 'api_key';
SELECT setter_config('api_key', '{KEY}') IS NOT NULL;
SELECT value, source FROM setter_settings WHERE name = 'api_key';
-- expect:
-- Error: setter_conversations: SETTER_API_KEY: api_key must be 8 to 4096 bytes without control characters; fix the variable, or run SELECT setter_config('api_key', ...)
-- ****6789|environment
-- 1
-- ****cdef|setter_config

-- case: config: SETTER_API_KEY_FILE naming a missing file does not stop the load; queries fail naming it until the file exists
-- env: -SETTER_API_KEY
-- env: SETTER_API_KEY_FILE={TMP}/key
-- requests: 1
.mode list
SELECT count(*) FROM setter_conversations(123, '1234567890');
.once {TMP}/key
SELECT '{KEY}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT setter_config('api_key_file') = '{TMP}/key', setter_config('api_key') <> '{KEY}';
-- expect-re:
-- Error: setter_conversations: SETTER_API_KEY_FILE: cannot read api_key_file '.*/key': No such file or directory; fix the variable, or run SELECT setter_config\('api_key_file', \.\.\.\)
-- 3
-- 1\|1

-- case: config: setter_config('api_key_file', path) reads the key from the file
-- env: -SETTER_API_KEY
-- requests: 1
.mode list
.once {TMP}/key
SELECT '  {KEY}  ';
SELECT setter_config('api_key_file', '{TMP}/key') = '{TMP}/key';
SELECT setter_config('api_key') IS NOT NULL, setter_config('api_key') <> '{KEY}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- 1
-- 1|1
-- 3

-- case: config: api_key_file naming a missing file is an error naming the file, the key is kept
-- requests: 1
.mode list
SELECT setter_config('api_key_file', '{TMP}/missing-key');
SELECT setter_config('api_key_file');
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- Error: setter_config: .*api_key_file.*missing-key.*
-- 
-- 3

-- case: config: settings are per connection: a new connection starts from the environment again
-- requests: 0
.mode list
SELECT setter_config('timeout_ms', 777);
.open :memory:
.load {EXT}
SELECT setter_config('timeout_ms');
-- expect:
-- 777
-- 30000

-- case: config: setter_config cannot be called from a view (SQLITE_DIRECTONLY)
-- requests: 0
.mode list
ATTACH '{TMP}/evil.db' AS evil;
CREATE VIEW evil.v AS SELECT setter_config('base_url', 'http://127.0.0.1:{EVIL_PORT}') AS x;
SELECT x FROM evil.v;
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
-- expect-re:
-- Error: unsafe use of setter_config\(\)
-- 1

-- case: setter_version() returns the extension's version
-- requests: 0
.mode list
SELECT setter_version(), typeof(setter_version());
-- expect-re:
-- \d+\.\d+\.\d+\S*\|text

-- case: setter_settings: one row per setting with value (api_key masked), default, source and description
-- env: SETTER_CACHE_TTL=30
-- requests: 0
.mode list
SELECT setter_config('timeout_ms', 1500);
SELECT name, value, default_value, source, length(description) > 10 FROM setter_settings;
SELECT typeof(value) FROM setter_settings WHERE name IN ('timeout_ms', 'progress');
-- expect:
-- 1500
-- api_key|****cdef||environment|1
-- api_key_file|||default|1
-- base_url|http://127.0.0.1:{PORT}|https://chat.trysetter.com|environment|1
-- timeout_ms|1500|30000|setter_config|1
-- connect_timeout_ms|10000|10000|default|1
-- max_retries|3|3|default|1
-- concurrency|8|8|default|1
-- cache_ttl|30|0|environment|1
-- max_response_bytes|268435456|268435456|default|1
-- max_lookups|100000|100000|default|1
-- ca_bundle|||default|1
-- progress|auto|auto|default|1
-- on_error|fail|fail|default|1
-- integer
-- text

-- case: setter_settings is read-only and eponymous only
-- requests: 0
UPDATE setter_settings SET value = 1 WHERE name = 'timeout_ms';
CREATE VIRTUAL TABLE s USING setter_settings;
-- expect:
-- Error: table setter_settings may not be modified
-- Error: no such module: setter_settings

-- case: the masked api_key shows the last 4 characters (whole UTF-8 characters) of keys of 16 characters or more, else only ****
-- requests: 0
.mode list
SELECT setter_config('api_key', 'ключ-ключ-ключ-ψψψψ');
SELECT hex(setter_config('api_key')) = hex('****ψψψψ');
SELECT setter_config('api_key', 'short-key'), setter_config('api_key', '15-chars-key-ab'), setter_config('api_key', '16-chars-key-abc');
SELECT setter_config('api_key', 'abc');
-- expect:
-- ****ψψψψ
-- 1
-- ****|****|****-abc
-- Error: setter_config: api_key must be 8 to 4096 bytes without control characters

-- case: ca_bundle must be a regular file: a directory is refused
-- posix-only: Windows refuses to open a directory first, so the error says "cannot read ca_bundle ...: Permission denied" (still refused)
-- requests: 0
SELECT setter_config('ca_bundle', '{TMP}');
SELECT setter_config('ca_bundle');
-- expect-re:
-- Error: setter_config: ca_bundle '.*' is not a regular file
--

-- case: an empty SETTER_API_KEY does not throw away the key of a valid SETTER_API_KEY_FILE (empty means unset, as for every other SETTER_* variable)
-- env: SETTER_API_KEY=
-- env: SETTER_API_KEY_FILE={TMP}/key
-- requests: 1
SELECT writefile('{TMP}/key', '{KEY}' || char(10)) > 0;
.open :memory:
.load {EXT}
SELECT count(*) FROM setter_conversations(777, 'b');
-- expect:
-- 1
-- 3
