-- Caching: within a statement each distinct (base_url, bot, contact) is fetched once; across
-- statements only with cache_ttl > 0 (seconds, default 0 = off), per connection, keyed by
-- base_url too, and only by an entry that extracted every column the new query reads.
-- setter_config('cache') counts the entries, setter_config('cache', 'clear') empties it.
-- setter_requests shows each lookup: cached = 1 when the connection cache answered it.
-- bot 777 (tests/MOCK.md): 'a' -> 971,972; 'b' -> 981,982,983; 'c' -> 991.
CREATE TABLE crm(name TEXT, phone TEXT);
INSERT INTO crm VALUES ('Ann', 'a'), ('Bob', 'b'), ('Ann again', 'a'), ('Cy', 'c');

-- case: with the default cache_ttl 0 every statement fetches again
-- requests: 2
SELECT setter_config('cache_ttl');
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 777 AND user_number = 'b';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 777 AND user_number = 'b';
SELECT id, status, cached FROM setter_requests ORDER BY id;
SELECT setter_config('cache');
-- expect:
-- 0
-- 3
-- 3
-- 1|200|0
-- 2|200|0
-- 0

-- case: cache_ttl > 0: the second statement makes no request and setter_requests shows it cached
-- requests: 1
SELECT setter_config('cache_ttl', 60);
SELECT group_concat(message_id || ':' || content, ',') FROM setter_conversations(777, 'b');
SELECT group_concat(message_id || ':' || content, ',') FROM setter_conversations(777, 'b');
SELECT id, url, status, cached FROM setter_requests ORDER BY id;
SELECT setter_config('cache');
-- expect:
-- 60
-- 981:msg 1 for b,982:msg 2 for b,983:msg 3 for b
-- 981:msg 1 for b,982:msg 2 for b,983:msg 3 for b
-- 1|/api/v1/bot-integrations/777/conversations?userNumber=b|200|0
-- 2|/api/v1/bot-integrations/777/conversations?userNumber=b|200|1
-- 1

-- case: SETTER_CACHE_TTL from the environment turns the cache on
-- env: SETTER_CACHE_TTL=60
-- requests: 1
SELECT setter_config('cache_ttl');
SELECT count(*) FROM setter_conversations(777, 'a');
SELECT count(*) FROM setter_conversations(777, 'a');
-- expect:
-- 60
-- 2
-- 2

-- case: the connection cache answers part of an IN list and the rest is fetched
-- requests: 3
SELECT setter_config('cache_ttl', 60);
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 777 AND user_number IN ('a', 'b');
SELECT user_number, count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN ('a', 'b', 'c')
GROUP BY 1 ORDER BY 1;
SELECT cached, count(*) FROM setter_requests GROUP BY cached ORDER BY cached;
-- expect:
-- 60
-- 5
-- a|2
-- b|3
-- c|1
-- 0|3
-- 1|2

-- case: a join repeated in the same connection with cache_ttl makes no request the second time
-- requests: 3
SELECT setter_config('cache_ttl', 60);
SELECT count(*), sum(c.message_id) FROM crm l
JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone;
SELECT count(*), sum(c.message_id) FROM crm l
JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone;
SELECT cached, count(*) FROM setter_requests GROUP BY cached ORDER BY cached;
-- expect:
-- 60
-- 8|7823
-- 8|7823
-- 0|3
-- 1|3

-- case: setter_config('cache', 'clear') returns how many entries it dropped; the next statement fetches again
-- requests: 4
SELECT setter_config('cache_ttl', 60);
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 777 AND user_number IN ('a', 'b', 'c');
SELECT setter_config('cache');
SELECT setter_config('cache', 'clear');
SELECT setter_config('cache');
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 777 AND user_number = 'b';
SELECT setter_config('cache');
SELECT setter_config('cache', 'bogus');
-- expect:
-- 60
-- 6
-- 3
-- 3
-- 0
-- 3
-- 1
-- Error: setter_config: the only action on 'cache' is 'clear'

-- case: a cached entry that extracted fewer columns does not serve a query that reads more
-- requests: 2
SELECT setter_config('cache_ttl', 60);
-- with cache_ttl an entry keeps every column but raw_json (the whole body), whatever the
-- statement read: count(*) then content is one request; raw_json needs a new one
SELECT count(*) FROM setter_conversations(777, 'b');
SELECT group_concat(content, ',') FROM setter_conversations(777, 'b');
SELECT group_concat(json_extract(raw_json, '$.messageId'), ',') FROM setter_conversations(777, 'b');
SELECT group_concat(json_extract(raw_json, '$.content'), ',') FROM setter_conversations(777, 'b');
SELECT group_concat(sender_type || ':' || content, ',') FROM setter_conversations(777, 'b');
SELECT id, cached FROM setter_requests ORDER BY id;
-- expect:
-- 60
-- 3
-- msg 1 for b,msg 2 for b,msg 3 for b
-- 981,982,983
-- msg 1 for b,msg 2 for b,msg 3 for b
-- user:msg 1 for b,bot:msg 2 for b,user:msg 3 for b
-- 1|0
-- 2|1
-- 3|0
-- 4|1
-- 5|1

-- case: an entry with every column serves narrower queries, including in_context and raw_json
-- requests: 1
SELECT setter_config('cache_ttl', 60);
SELECT *, length(raw_json) FROM setter_conversations(777, 'c');
SELECT message_id, content, error_code, in_context IS NULL FROM setter_conversations(777, 'c');
SELECT json_extract(raw_json, '$.platformResourceId') FROM setter_conversations(777, 'c');
SELECT count(*) FROM setter_conversations(777, 'c');
-- expect:
-- 60
-- 991|user|msg 1 for c|2024-02-01T10:00:01.000Z|delivered||||||bulk.99.1|||279
-- 991|msg 1 for c||1
-- bulk.99.1
-- 1

-- case: queries that read different columns one after another are all answered by one request
-- requests: 1
SELECT setter_config('cache_ttl', 60);
SELECT group_concat(content, ',') FROM setter_conversations(777, 'b');
SELECT group_concat(sender_type, ',') FROM setter_conversations(777, 'b');
SELECT group_concat(error_code || ' ' || error_details, ',') FROM setter_conversations(777, 'b');
SELECT group_concat(content, ',') FROM setter_conversations(777, 'b');
-- expect:
-- 60
-- msg 1 for b,msg 2 for b,msg 3 for b
-- user,bot,user
-- 470 {"code":470}
-- msg 1 for b,msg 2 for b,msg 3 for b

-- case: session_id lookups are cached too, by session, not confused with a user_number
-- requests: 3
SELECT setter_config('cache_ttl', 60);
SELECT group_concat(message_id, ',') FROM setter_conversations WHERE bot_integration_id = 777 AND session_id IN (1, 2);
SELECT group_concat(message_id, ',') FROM setter_conversations WHERE bot_integration_id = 777 AND session_id IN (1, 2);
SELECT group_concat(message_id, ',') FROM setter_conversations WHERE bot_integration_id = 777 AND user_number = '1';
SELECT cached, count(*) FROM setter_requests GROUP BY cached ORDER BY cached;
-- expect:
-- 60
-- 11,12,21,22,23
-- 11,12,21,22,23
-- 491,492
-- 0|3
-- 1|2

-- case: a failed request is not cached: the next statement asks again and then caches the answer
-- env: SETTER_MAX_RETRIES=0
-- requests: 2
SELECT setter_config('cache_ttl', 60);
SELECT content FROM setter_conversations(9, 'flaky-500-1-cache');
SELECT content FROM setter_conversations(9, 'flaky-500-1-cache');
SELECT content FROM setter_conversations(9, 'flaky-500-1-cache');
SELECT status, cached FROM setter_requests ORDER BY id;
-- expect:
-- 60
-- Error: setter_conversations: HTTP 500 for bot_integration_id 9, user_number 'flaky-500-1-cache': mock status 500
-- recovered after 1
-- recovered after 1
-- 500|0
-- 200|0
-- 200|1

-- case: entries expire after cache_ttl seconds
-- posix-only: waits with `.shell sleep 1.3`; the sqlite3 shell has no portable way to wait
-- requests: 2
SELECT setter_config('cache_ttl', 1);
SELECT count(*) FROM setter_conversations(777, 'a');
SELECT count(*) FROM setter_conversations(777, 'a');
.shell sleep 1.3
SELECT count(*) FROM setter_conversations(777, 'a');
SELECT cached FROM setter_requests ORDER BY id;
-- expect:
-- 1
-- 2
-- 2
-- 2
-- 0
-- 1
-- 0

-- case: setting cache_ttl back to 0 stops serving from the cache
-- requests: 2
SELECT setter_config('cache_ttl', 60);
SELECT count(*) FROM setter_conversations(777, 'a');
SELECT setter_config('cache_ttl', 0);
SELECT count(*) FROM setter_conversations(777, 'a');
-- expect:
-- 60
-- 2
-- 0
-- 2

-- case: the cache key includes base_url: an entry from one server never answers for another
-- requests: 1
-- evil-requests: 1
SELECT setter_config('cache_ttl', 60);
SELECT count(*) FROM setter_conversations(777, 'a');
SELECT setter_config('base_url', 'http://127.0.0.1:{EVIL_PORT}') IS NOT NULL;
SELECT count(*) FROM setter_conversations(777, 'a');
SELECT setter_config('base_url', 'http://127.0.0.1:{PORT}') IS NOT NULL;
SELECT count(*) FROM setter_conversations(777, 'a');
-- expect-re:
-- 60
-- 2
-- 1
-- Error: setter_conversations: HTTP 401 for bot_integration_id 777, user_number 'a': .*
-- 1
-- 2

-- case: the cache belongs to the connection: a new connection starts empty
-- env: SETTER_CACHE_TTL=60
-- requests: 2
SELECT count(*) FROM setter_conversations(777, 'a');
SELECT count(*) FROM setter_conversations(777, 'a');
.open :memory:
.load {EXT}
SELECT count(*) FROM setter_conversations(777, 'a');
SELECT count(*) FROM setter_conversations(777, 'a');
-- expect:
-- 2
-- 2
-- 2
-- 2

-- case: without cache_ttl, one table reference in a join fetches a repeated phone once
-- requests: 3
SELECT l.name, count(*) FROM crm l
JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone
GROUP BY l.rowid ORDER BY l.rowid;
-- expect:
-- Ann|2
-- Bob|3
-- Ann again|2
-- Cy|1

-- case: changing the API key empties the cross-statement cache: answers fetched with the old key are not served
-- requests: 2
SELECT setter_config('cache_ttl', 60);
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT setter_config('cache');
SELECT setter_config('api_key', 'wrong-key-000000000000');
SELECT setter_config('cache');
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- 60
-- 3
-- 1
-- ****0000
-- 0
-- Error: setter_conversations: HTTP 401 for bot_integration_id 123, user_number '1234567890': Invalid API key (check the API key: SETTER_API_KEY or setter_config('api_key', ...))

-- case: one statement fetches each lookup once, whatever columns each reference reads (subqueries)
-- requests: 1
.mode list
SELECT (SELECT count(*) FROM setter_conversations(777, 'b')),
       (SELECT group_concat(content, '/') FROM setter_conversations(777, 'b')),
       (SELECT group_concat(sender_type) FROM setter_conversations(777, 'b')),
       (SELECT count(raw_json) FROM setter_conversations(777, 'b'));
-- expect:
-- 3|msg 1 for b/msg 2 for b/msg 3 for b|user,bot,user|3

-- case: one statement fetches each lookup once, whatever columns each reference reads (self-join, correlated subquery)
-- requests: 2
.mode list
SELECT count(*) FROM setter_conversations(777, 'b') x
JOIN setter_conversations(777, 'b') y ON y.message_id = x.message_id AND y.content = x.content;
SELECT x.message_id, (SELECT max(json_extract(raw_json, '$.content')) FROM setter_conversations(777, 'b') z
                      WHERE z.message_id = x.message_id)
FROM setter_conversations(777, 'b') x ORDER BY 1;
-- expect:
-- 3
-- 981|msg 1 for b
-- 982|msg 2 for b
-- 983|msg 3 for b

-- case: a trigger that reads raw_json shares its statement's fetch (one request per lookup per statement)
-- requests: 1
-- (a trigger may read the table only with trusted_schema on: 40_security.sql)
PRAGMA trusted_schema = ON;
CREATE TABLE t(id, content);
CREATE TABLE audit(id, raw);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  INSERT INTO audit SELECT message_id, json_extract(raw_json, '$.content')
  FROM setter_conversations(777, 'b') WHERE message_id = new.id;
END;
INSERT INTO t SELECT message_id, content FROM setter_conversations(777, 'b');
SELECT count(*) FROM t JOIN audit USING (id) WHERE t.content = audit.raw;
-- expect:
-- 3
