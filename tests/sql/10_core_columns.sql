-- Core: every column of setter_conversations, its exact value and type.
-- Expected values come from tests/MOCK.md (fixtures of bot 123, bot 5, bot 777) and the
-- README's "Columns".
CREATE TABLE leads(name TEXT, phone TEXT, num INTEGER);
INSERT INTO leads VALUES ('Sample Contact', '1234567890', 1234567890),
                         ('No Conversation', '5550000000', 5550000000),
                         ('Sample Again', '1234567890', 1234567890);

-- case: documented example: SELECT * gives the visible columns in contract order with exact values and types
-- requests: 1
.mode quote
.headers on
SELECT * FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = '1234567890';
-- expect:
-- 'message_id','sender_type','content','created_at','latest_status','failure_reason','error_code','error_title','error_message','error_details','platform_resource_id','context_starts_at','in_context'
-- 789,'user','Hi! I''d like to book an appointment.','2024-01-15T14:30:00.000Z','delivered',NULL,NULL,NULL,NULL,NULL,'wamid.abc123','2024-01-15T14:30:05.000Z',0
-- 790,'bot','Sure! What day works for you?','2024-01-15T14:30:05.000Z','read',NULL,NULL,NULL,NULL,NULL,'wamid.abc124','2024-01-15T14:30:05.000Z',1
-- 791,'bot','Reminder: your appointment is tomorrow.','2024-01-16T09:00:00.000Z','failed','Message undeliverable',131026,'Message undeliverable','Receiver is incapable of receiving this message','{"details":"Receiver is incapable of receiving this message","fbtrace_id":"AbC123"}','wamid.abc125','2024-01-15T14:30:05.000Z',1

-- case: documented example: typeof() of every column of the failed message 791
-- requests: 1
.mode list
SELECT typeof(bot_integration_id), typeof(user_number), typeof(session_id), typeof(message_id),
       typeof(sender_type), typeof(content), typeof(created_at), typeof(latest_status),
       typeof(failure_reason), typeof(error_code), typeof(error_title), typeof(error_message),
       typeof(error_details), typeof(platform_resource_id), typeof(context_starts_at),
       typeof(in_context), typeof(raw_json)
FROM setter_conversations(123, '1234567890') WHERE message_id = 791;
-- expect:
-- integer|text|null|integer|text|text|text|text|text|integer|text|text|text|text|text|integer|text

-- case: table_xinfo: hidden inputs first, then message columns, raw_json and lookup_error hidden last, with declared types
-- requests: 0
.mode list
SELECT cid, name, type, hidden FROM pragma_table_xinfo('setter_conversations');
-- expect:
-- 0|bot_integration_id|INTEGER|1
-- 1|user_number|TEXT|1
-- 2|session_id|INTEGER|1
-- 3|message_id|INTEGER|0
-- 4|sender_type|TEXT|0
-- 5|content|TEXT|0
-- 6|created_at|TEXT|0
-- 7|latest_status|TEXT|0
-- 8|failure_reason|TEXT|0
-- 9|error_code||0
-- 10|error_title|TEXT|0
-- 11|error_message|TEXT|0
-- 12|error_details|TEXT|0
-- 13|platform_resource_id|TEXT|0
-- 14|context_starts_at|TEXT|0
-- 15|in_context|INTEGER|0
-- 16|raw_json|TEXT|1
-- 17|lookup_error|TEXT|1

-- case: hidden inputs of a user_number lookup read back as given, session_id NULL
-- requests: 1
.mode quote
SELECT bot_integration_id, user_number, session_id, message_id
FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = '1234567890';
-- expect:
-- 123,'1234567890',NULL,789
-- 123,'1234567890',NULL,790
-- 123,'1234567890',NULL,791

-- case: hidden inputs of a session_id lookup read back as given, user_number NULL
-- requests: 1
.mode quote
SELECT bot_integration_id, user_number, session_id, message_id
FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 42;
-- expect:
-- 5,NULL,42,5001
-- 5,NULL,42,5002

-- case: raw_json is hidden and holds each message object exactly as on the wire
-- requests: 1
.mode list
SELECT raw_json FROM setter_conversations(123, '1234567890');
-- expect:
-- {"botIntegrationId":123,"content":"Hi! I'd like to book an appointment.","senderType":"user","createdAt":"2024-01-15T14:30:00.000Z","messageId":789,"platformResourceId":"wamid.abc123","latestStatus":"delivered","failureReason":null,"errorCode":null,"errorTitle":null,"errorMessage":null,"errorDetails":null}
-- {"botIntegrationId":123,"content":"Sure! What day works for you?","senderType":"bot","createdAt":"2024-01-15T14:30:05.000Z","messageId":790,"platformResourceId":"wamid.abc124","latestStatus":"read","failureReason":null,"errorCode":null,"errorTitle":null,"errorMessage":null,"errorDetails":null}
-- {"botIntegrationId":123,"content":"Reminder: your appointment is tomorrow.","senderType":"bot","createdAt":"2024-01-16T09:00:00.000Z","messageId":791,"platformResourceId":"wamid.abc125","latestStatus":"failed","failureReason":"Message undeliverable","errorCode":131026,"errorTitle":"Message undeliverable","errorMessage":"Receiver is incapable of receiving this message","errorDetails":{"details":"Receiver is incapable of receiving this message","fbtrace_id":"AbC123"}}

-- case: raw_json of hand-written messages is valid JSON equal to the compact form of the wire text
-- requests: 1
.mode list
SELECT json_valid(raw_json), json(raw_json) FROM setter_conversations(123, 'missing')
WHERE message_id IN (1, 3, 8) OR raw_json = '{}';
-- expect:
-- 1|{"messageId":1,"content":"only id and content"}
-- 1|{"messageId":3,"content":"extra fields","senderType":"bot","newField":{"a":[1,2]},"latestStatus":"sent","anotherField":"x"}
-- 1|{"messageId":8,"content":"nested details","latestStatus":"failed","errorCode":131026,"errorDetails":{"a":1,"b":[1,2,{"c":null}],"d":"x y"}}
-- 1|{}

-- case: error_code is INTEGER for JSON integers and TEXT for a string or a fraction
-- requests: 2
.mode quote
SELECT message_id, error_code, typeof(error_code) FROM setter_conversations(123, 'missing')
WHERE message_id >= 4 AND message_id <= 8;
SELECT message_id, error_code, typeof(error_code) FROM setter_conversations(123, '1234567890')
WHERE message_id = 791;
-- expect:
-- 4,'E_TIMEOUT','text'
-- 5,'1.5','text'
-- 6,0,'integer'
-- 7,-7,'integer'
-- 8,131026,'integer'
-- 791,131026,'integer'

-- case: error_details is compact JSON text for an object, array, number, string and true
-- requests: 1
.mode quote
SELECT message_id, error_details, typeof(error_details), json_valid(error_details)
FROM setter_conversations(123, 'missing') WHERE message_id >= 4 AND message_id <= 8;
-- expect:
-- 4,'[1,"two",null]','text',1
-- 5,'42','text',1
-- 6,'"plain text details"','text',1
-- 7,'true','text',1
-- 8,'{"a":1,"b":[1,2,{"c":null}],"d":"x y"}','text',1

-- case: absent fields and JSON null fields are SQL NULL in every message column
-- requests: 1
.mode quote
SELECT message_id, sender_type, content, created_at, latest_status, failure_reason, error_code,
       error_title, error_message, error_details, platform_resource_id, context_starts_at, in_context
FROM setter_conversations(123, 'missing');
-- expect:
-- 1,NULL,'only id and content',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL
-- NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL
-- 3,'bot','extra fields',NULL,'sent',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL
-- 4,NULL,'string code',NULL,'failed',NULL,'E_TIMEOUT',NULL,NULL,'[1,"two",null]',NULL,NULL,NULL
-- 5,NULL,'fractional code',NULL,'failed',NULL,'1.5',NULL,NULL,'42',NULL,NULL,NULL
-- 6,NULL,'string details',NULL,'failed',NULL,0,NULL,NULL,'"plain text details"',NULL,NULL,NULL
-- 7,NULL,'boolean details',NULL,'failed',NULL,-7,NULL,NULL,'true',NULL,NULL,NULL
-- 8,NULL,'nested details',NULL,'failed',NULL,131026,NULL,NULL,'{"a":1,"b":[1,2,{"c":null}],"d":"x y"}',NULL,NULL,NULL
-- NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL

-- case: unknown fields are ignored by the columns but kept in raw_json
-- requests: 1
.mode quote
SELECT message_id, sender_type, content, latest_status,
       json_extract(raw_json, '$.newField'), json_extract(raw_json, '$.newField.a[1]'),
       json_extract(raw_json, '$.anotherField')
FROM setter_conversations(123, 'missing') WHERE message_id = 3;
-- expect:
-- 3,'bot','extra fields','sent','{"a":[1,2]}',2,'x'

-- case: raw UTF-8 and \u escapes (with a surrogate pair) decode to the same UTF-8 bytes
-- requests: 1
.mode quote
SELECT message_id, hex(content), length(content), length(CAST(content AS BLOB))
FROM setter_conversations(123, 'unicode') WHERE message_id IN (1, 2);
-- expect:
-- 1,'636166C3A920E697A5E69CACE8AA9E20F09F9880',10,20
-- 2,'636166C3A920E697A5E69CACE8AA9E20F09F9880',10,20

-- case: raw UTF-8 content reads back as the same text (café 日本語 😀)
-- requests: 1
.mode list
SELECT content, content = 'café 日本語 😀' FROM setter_conversations(123, 'unicode')
WHERE message_id IN (1, 2);
-- expect:
-- café 日本語 😀|1
-- café 日本語 😀|1

-- case: escaped quotes, backslashes, newlines, tabs, CR and \/ decode exactly; empty content is '' not NULL
-- requests: 1
.mode quote
SELECT message_id, hex(content), typeof(content), length(content)
FROM setter_conversations(123, 'unicode') WHERE message_id >= 3;
-- expect:
-- 3,'5368652073616964202268692220616E6420433A5C74656D705C6E6577','text',29
-- 4,'6C696E65310A6C696E653209636F6C320D0A6C696E6533','text',23
-- 5,'','text',0
-- 6,'2F736C61736820C3892041','text',10

-- case: quote and newline content compares equal to the decoded SQL text
-- requests: 1
.mode list
SELECT message_id,
       content = 'She said "hi" and C:\temp\new',
       content = 'line1' || char(10) || 'line2' || char(9) || 'col2' || char(13, 10) || 'line3'
FROM setter_conversations(123, 'unicode') WHERE message_id IN (3, 4);
-- expect:
-- 3|1|0
-- 4|0|1

-- case: a 1.5 MB content comes through whole, up to its last character
-- requests: 1
.mode quote
SELECT length(content), length(CAST(content AS BLOB)), substr(content, 1, 10),
       substr(content, 1499991), substr(content, -6), typeof(content)
FROM setter_conversations(123, 'huge');
-- expect:
-- 1500000,1500000,'0123456789','012345678!','45678!','text'

-- case: big message ids 2^31, 2^53+1 and int64 max are exact INTEGERs
-- requests: 1
.mode quote
SELECT message_id, typeof(message_id), CAST(message_id AS TEXT)
FROM setter_conversations(123, 'bigids');
-- expect:
-- 2147483648,'integer','2147483648'
-- 9007199254740993,'integer','9007199254740993'
-- 9223372036854775807,'integer','9223372036854775807'

-- case: big ids compare exactly (2^53+1 is not rounded through a double)
-- requests: 2
.mode list
SELECT message_id = 9007199254740993, message_id - 9007199254740992, message_id = 9007199254740992
FROM setter_conversations(123, 'bigids') WHERE content = 'big id 2';
SELECT message_id = 9223372036854775807, error_code, typeof(error_code), error_code = 4294967297
FROM setter_conversations(123, 'bigids') WHERE content = 'big id 3';
-- expect:
-- 1|1|0
-- 1|4294967297|integer|1

-- case: big ids: the other columns of the bigids messages, and botIntegrationId 2^32 kept in raw_json
-- requests: 1
.mode quote
SELECT content, created_at, platform_resource_id, latest_status, failure_reason,
       json_extract(raw_json, '$.botIntegrationId')
FROM setter_conversations(123, 'bigids');
-- expect:
-- 'big id 1','2024-01-20T11:00:01.000Z','wamid.big1','delivered',NULL,4294967296
-- 'big id 2','2024-01-20T11:00:02.000Z','wamid.big2','delivered',NULL,4294967296
-- 'big id 3','2024-01-20T11:00:03.000Z','wamid.big3','failed','Big error code',4294967296

-- case: in_context is 0 before contextStartsAt, 1 at and after it
-- requests: 1
.mode quote
SELECT message_id, created_at, context_starts_at, in_context, typeof(in_context)
FROM setter_conversations(123, '1234567890');
-- expect:
-- 789,'2024-01-15T14:30:00.000Z','2024-01-15T14:30:05.000Z',0,'integer'
-- 790,'2024-01-15T14:30:05.000Z','2024-01-15T14:30:05.000Z',1,'integer'
-- 791,'2024-01-16T09:00:00.000Z','2024-01-15T14:30:05.000Z',1,'integer'

-- case: context_starts_at and in_context are NULL when contextStartsAt is null or metadata is absent
-- requests: 3
.mode quote
SELECT 'unicode', count(*), count(context_starts_at), count(in_context)
FROM setter_conversations(123, 'unicode');
SELECT 'missing', count(*), count(context_starts_at), count(in_context)
FROM setter_conversations(123, 'missing');
SELECT 'session', count(*), count(context_starts_at), count(in_context)
FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 42;
-- expect:
-- 'unicode',6,0,0
-- 'missing',9,0,0
-- 'session',2,0,0

-- case: an empty history gives zero rows after exactly one successful request
-- requests: 1
.mode list
SELECT * FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = 'nobody-here';
SELECT count(*), status, url FROM setter_requests;
-- expect:
-- 1|200|/api/v1/bot-integrations/123/conversations?userNumber=nobody-here

-- case: messages come in API order without ORDER BY
-- requests: 2
.mode list
SELECT message_id FROM setter_conversations(123, '1234567890');
SELECT quote(content) FROM setter_conversations(123, 'missing');
-- expect:
-- 789
-- 790
-- 791
-- 'only id and content'
-- NULL
-- 'extra fields'
-- 'string code'
-- 'fractional code'
-- 'string details'
-- 'boolean details'
-- 'nested details'
-- NULL

-- case: session form (bot 5, session_id 42) returns the Playground messages
-- requests: 1
.mode quote
SELECT * FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 42;
-- expect:
-- 5001,'user','Hello, is anyone there?','2024-02-10T08:00:00.000Z','sent',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL
-- 5002,'bot','Hi! I''m the Playground assistant. How can I help?','2024-02-10T08:00:02.000Z','sent',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL

-- case: table-valued form setter_conversations(123, '1234567890') equals the WHERE form
-- requests: 1
.mode list
SELECT message_id, sender_type, bot_integration_id, user_number
FROM setter_conversations(123, '1234567890');
-- expect:
-- 789|user|123|1234567890
-- 790|bot|123|1234567890
-- 791|bot|123|1234567890

-- case: join with a local leads table: each lead gets its messages, one request per distinct phone
-- requests: 2
.mode list
SELECT l.name, c.message_id, c.content
FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone
ORDER BY l.rowid, c.message_id;
-- expect:
-- Sample Contact|789|Hi! I'd like to book an appointment.
-- Sample Contact|790|Sure! What day works for you?
-- Sample Contact|791|Reminder: your appointment is tomorrow.
-- Sample Again|789|Hi! I'd like to book an appointment.
-- Sample Again|790|Sure! What day works for you?
-- Sample Again|791|Reminder: your appointment is tomorrow.

-- case: LEFT JOIN keeps a lead with no conversation, with NULL message columns
-- requests: 2
.mode quote
SELECT l.name, count(c.message_id), max(c.created_at)
FROM leads l LEFT JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone
GROUP BY l.rowid ORDER BY l.rowid;
-- expect:
-- 'Sample Contact',3,'2024-01-16T09:00:00.000Z'
-- 'No Conversation',0,NULL
-- 'Sample Again',3,'2024-01-16T09:00:00.000Z'

-- case: IN ('1','2') fetches both contacts and returns the rows of each
-- requests: 2
.mode quote
SELECT user_number, message_id, sender_type, content, latest_status, error_code
FROM setter_conversations WHERE bot_integration_id = 777 AND user_number IN ('1', '2')
ORDER BY user_number, message_id;
-- expect:
-- '1',491,'user','msg 1 for 1','delivered',NULL
-- '1',492,'bot','msg 2 for 1','failed',470
-- '2',501,'user','msg 1 for 2','delivered',NULL
-- '2',502,'bot','msg 2 for 2','failed',470
-- '2',503,'user','msg 3 for 2','delivered',NULL

-- case: an IN ('1','2') of bot 123 on bot 123 runs and gives zero rows (unknown contacts)
-- requests: 2
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number IN ('1','2');
-- expect:
-- 0

-- case: all fields of a bulk failed message (bot 777, '+15550100001') come through
-- requests: 1
.mode quote
SELECT message_id, created_at, platform_resource_id, failure_reason, error_title, error_message,
       error_details
FROM setter_conversations(777, '+15550100001');
-- expect:
-- 5891,'2024-02-01T10:00:01.000Z','bulk.589.1',NULL,NULL,NULL,NULL
-- 5892,'2024-02-01T10:00:02.000Z','bulk.589.2','Re-engagement message','Re-engagement message','Message failed to send because more than 24 hours have passed since the customer last replied.','{"code":470}'

-- case: user_number given as an INTEGER literal works and reads back as given
-- requests: 1
.mode quote
SELECT user_number, typeof(user_number), message_id
FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = 1234567890;
-- expect:
-- 1234567890,'integer',789
-- 1234567890,'integer',790
-- 1234567890,'integer',791

-- case: user_number from an INTEGER column of a joined table works
-- requests: 2
.mode list
SELECT l.name, count(c.message_id)
FROM leads l LEFT JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.num
GROUP BY l.rowid ORDER BY l.rowid;
-- expect:
-- Sample Contact|3
-- No Conversation|0
-- Sample Again|3

-- case: PRAGMA table_xinfo lists the hidden input columns, raw_json and lookup_error (hidden = 1); SELECT * leaves them out
-- requests: 1
SELECT group_concat(name || ':' || hidden, ' ') FROM pragma_table_xinfo('setter_conversations') WHERE hidden;
SELECT count(*) FROM pragma_table_info('setter_conversations') WHERE name IN ('user_number', 'raw_json');
.headers on
SELECT * FROM setter_conversations(123, '1234567890') LIMIT 0;
SELECT * FROM setter_conversations(123, '1234567890') LIMIT 1;
-- expect:
-- bot_integration_id:1 user_number:1 session_id:1 raw_json:1 lookup_error:1
-- 0
-- message_id|sender_type|content|created_at|latest_status|failure_reason|error_code|error_title|error_message|error_details|platform_resource_id|context_starts_at|in_context
-- 789|user|Hi! I'd like to book an appointment.|2024-01-15T14:30:00.000Z|delivered||||||wamid.abc123|2024-01-15T14:30:05.000Z|0
