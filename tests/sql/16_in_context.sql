-- context_starts_at and in_context from the whole decoded values (an escaped NUL included), and
-- in_context only where it can be known: NULL when either time is not a timestamp (an epoch in
-- milliseconds, a word, a date without a time, a timestamp followed by more bytes), never a
-- comparison of bytes. Fixtures: the context-* contacts of bot 9 (tests/MOCK.md).

-- case: context_starts_at keeps an escaped NUL and what follows it, like content does
-- requests: 1
.mode quote
SELECT length(CAST(context_starts_at AS BLOB)), hex(context_starts_at), in_context
FROM setter_conversations(9, 'context-nul');
-- expect:
-- 29,'323032342D30312D30315430303A30303A30302E3030305A007461696C',NULL

-- case: in_context is NULL for a createdAt that is an epoch (string or JSON number), a date only or a timestamp with trailing bytes; instants compare across offsets
-- requests: 1
.mode quote
SELECT message_id, typeof(created_at), in_context FROM setter_conversations(9, 'context-odd');
-- expect:
-- 1,'text',NULL
-- 2,'text',NULL
-- 3,'text',NULL
-- 4,'text',1
-- 5,'text',0
-- 6,'text',1
-- 7,'text',NULL
-- 8,'text',1

-- case: in_context is NULL for every message when contextStartsAt does not parse
-- requests: 1
.mode quote
SELECT message_id, context_starts_at, in_context FROM setter_conversations(9, 'context-unparsable');
-- expect:
-- 1,'soon',NULL
-- 2,'soon',NULL

-- case: a date-only contextStartsAt is not an instant: in_context is NULL, not a byte comparison
-- requests: 1
.mode quote
SELECT message_id, context_starts_at, in_context FROM setter_conversations(9, 'context-date');
-- expect:
-- 1,'2024-01-01',NULL
-- 2,'2024-01-01',NULL
