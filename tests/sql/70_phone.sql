-- setter_phone(x): a phone number as people type it -> the international digits the
-- API takes ('+1 (555) 010-0001' -> '15550100001'), NULL when it cannot tell. The contract:
-- NULL -> NULL; an INTEGER -> its decimal digits; spaces - . ( ) / are ignored; a leading + or
-- 00 is dropped; the rest must be digits, else NULL (letters, # * ext, a + not first, no digits).
-- The cases marked "decision" settle what the contract leaves open (README "Phone numbers").
-- Each table case prints input,result (or name,result) in .mode quote, so NULL and text are told apart.

-- case: NULL gives NULL, an INTEGER gives its decimal digits, as TEXT (fewer than 7: NULL)
-- requests: 0
.mode quote
SELECT setter_phone(NULL), setter_phone(15550100001), typeof(setter_phone(15550100001)),
       setter_phone(1234567890), setter_phone(0), setter_phone(123456), setter_phone(1234567);
-- expect:
-- NULL,'15550100001','text','1234567890',NULL,NULL,'1234567'

-- case: spaces, dashes, dots, parentheses and slashes are ignored
-- requests: 0
.mode quote
SELECT column1, setter_phone(column1) FROM (VALUES
  ('15550100001'), ('1 555 010 0001'), ('1-555-010-0001'), ('1.555.010.0001'),
  ('(555) 010-0003'), ('555/010/0003'), ('  1 (555) 010-0001  '), ('1--555..010//0001'));
-- expect:
-- '15550100001','15550100001'
-- '1 555 010 0001','15550100001'
-- '1-555-010-0001','15550100001'
-- '1.555.010.0001','15550100001'
-- '(555) 010-0003','5550100003'
-- '555/010/0003','5550100003'
-- '  1 (555) 010-0001  ','15550100001'
-- '1--555..010//0001','15550100001'

-- case: a leading + or 00 is the international prefix and is dropped (the contract's examples)
-- requests: 0
.mode quote
SELECT column1, setter_phone(column1) FROM (VALUES
  ('+1 (555) 010-0001'), ('0044 20 7946 0018'), ('(555) 010-0003'), ('+1 555 010 0001'),
  ('+1-555-010-0005'), ('+15550100001'), ('001 555 010 0001'), ('+ 44 20 7946 0018'));
-- expect:
-- '+1 (555) 010-0001','15550100001'
-- '0044 20 7946 0018','442079460018'
-- '(555) 010-0003','5550100003'
-- '+1 555 010 0001','15550100001'
-- '+1-555-010-0005','15550100005'
-- '+15550100001','15550100001'
-- '001 555 010 0001','15550100001'
-- '+ 44 20 7946 0018','442079460018'

-- case: letters, # and *, an extension, a + that is not first, or no digits at all give NULL
-- requests: 0
.mode quote
SELECT column1, setter_phone(column1) FROM (VALUES
  ('555-CALL-NOW'), ('+1 555 010 0001 ext 12'), ('+1 555 010 0001 x12'), ('555 010 0001#'),
  ('*555 010 0001'), ('1+555 010 0001'), ('++1 555 010 0001'), ('00+44 20 7946 0018'),
  ('555 010 0001+'), (''), ('   '), ('()-./'), ('+'), ('00'), ('1,555,010,0001'),
  ('1_555_010_0001'), ('[555] 010 0001'), ('tel:+15550100001'));
-- expect:
-- '555-CALL-NOW',NULL
-- '+1 555 010 0001 ext 12',NULL
-- '+1 555 010 0001 x12',NULL
-- '555 010 0001#',NULL
-- '*555 010 0001',NULL
-- '1+555 010 0001',NULL
-- '++1 555 010 0001',NULL
-- '00+44 20 7946 0018',NULL
-- '555 010 0001+',NULL
-- '',NULL
-- '   ',NULL
-- '()-./',NULL
-- '+',NULL
-- '00',NULL
-- '1,555,010,0001',NULL
-- '1_555_010_0001',NULL
-- '[555] 010 0001',NULL
-- 'tel:+15550100001',NULL

-- case: decision: a REAL with a whole value (a CSV import's 15550100001.0) gives its digits; a fraction, a negative or an infinity gives NULL
-- requests: 0
.mode quote
SELECT column1, typeof(column2), setter_phone(column2) FROM (VALUES
  ('15550100001.0', 15550100001.0), ('1.5550100001e10', 1.5550100001e10), ('0.0', 0.0),
  ('15550100001.5', 15550100001.5), ('-15550100001.0', -15550100001.0), ('1e300', 1e300),
  ('-1e300', -1e300), ('0.5', 0.5));
SELECT setter_phone(9e999), setter_phone(-9e999);
-- expect:
-- '15550100001.0','real','15550100001'
-- '1.5550100001e10','real','15550100001'
-- '0.0','real',NULL
-- '15550100001.5','real',NULL
-- '-15550100001.0','real',NULL
-- '1e300','real',NULL
-- '-1e300','real',NULL
-- '0.5','real',NULL
-- NULL,NULL

-- case: decision: a REAL is exact up to 15 digits (the E.164 maximum): 999999999999999.0 works, 1e15 is too long
-- requests: 0
.mode quote
SELECT setter_phone(999999999999999.0), setter_phone(1e15), setter_phone(9007199254740993.0);
-- expect:
-- '999999999999999',NULL,NULL

-- case: decision: a negative INTEGER gives NULL (a phone number has no sign), while a leading - in TEXT is a separator
-- requests: 0
.mode quote
SELECT setter_phone(-15550100001), setter_phone(-1), setter_phone('-15550100001'),
       setter_phone(-9223372036854775807 - 1);
-- expect:
-- NULL,NULL,'15550100001',NULL

-- case: decision: a BLOB gives NULL, even one holding digits
-- requests: 0
.mode quote
SELECT setter_phone(X'3135353530313030303031'), setter_phone(CAST('15550100001' AS BLOB)),
       setter_phone(X'');
-- expect:
-- NULL,NULL,NULL

-- case: decision: separators before the + are ignored, so (+44) and " +1" are international prefixes
-- requests: 0
.mode quote
SELECT column1, setter_phone(column1) FROM (VALUES
  ('(+44) 20 7946 0018'), (' +1 555 010 0001'), ('-+1 555 010 0001'), ('(00 44) 20 7946 0018'),
  ('(+)44 20 7946 0018'));
-- expect:
-- '(+44) 20 7946 0018','442079460018'
-- ' +1 555 010 0001','15550100001'
-- '-+1 555 010 0001','15550100001'
-- '(00 44) 20 7946 0018','442079460018'
-- '(+)44 20 7946 0018','442079460018'

-- case: decision: after a + or 00 the number must start with a country code (1-9), so +00, +0 and 000 give NULL
-- requests: 0
.mode quote
SELECT column1, setter_phone(column1) FROM (VALUES
  ('+0044 20 7946 0018'), ('+00 44 20 7946 0018'), ('+0 555 010 0001'), ('000 555 010 0001'),
  ('0 0 44 20 7946 0018'), ('0'), ('020 7946 0018'), ('0 20 7946 0018'));
-- expect:
-- '+0044 20 7946 0018',NULL
-- '+00 44 20 7946 0018',NULL
-- '+0 555 010 0001',NULL
-- '000 555 010 0001',NULL
-- '0 0 44 20 7946 0018','442079460018'
-- '0',NULL
-- '020 7946 0018','02079460018'
-- '0 20 7946 0018','02079460018'

-- case: decision: "(0)" after an international prefix is the national trunk 0 and is dropped; without a prefix it stays
-- requests: 0
.mode quote
SELECT column1, setter_phone(column1) FROM (VALUES
  ('+44 (0)20 7946 0018'), ('+44(0)2079460018'), ('0044 (0) 20 7946 0018'),
  ('(0)20 7946 0018'), ('+44 (0 20) 7946 0018'), ('+44 (00)20 7946 0018'),
  ('+44 ( 0 )20 7946 0018'));
-- expect:
-- '+44 (0)20 7946 0018','442079460018'
-- '+44(0)2079460018','442079460018'
-- '0044 (0) 20 7946 0018','442079460018'
-- '(0)20 7946 0018','02079460018'
-- '+44 (0 20) 7946 0018','4402079460018'
-- '+44 (00)20 7946 0018','44002079460018'
-- '+44 ( 0 )20 7946 0018','4402079460018'

-- case: decision: at most 15 digits after the prefix (the E.164 maximum); longer strings and big INTEGERs give NULL
-- requests: 0
.mode quote
SELECT length(column1), setter_phone(column1) FROM (VALUES
  ('123456789012345'), ('+123456789012345'), ('00123456789012345'), ('1234567890123456'),
  ('+1234567890123456'), (printf('%.1000c', '7')), ('+' || printf('%.100000c', '7')));
SELECT setter_phone(123456789012345), setter_phone(1234567890123456),
       setter_phone(9223372036854775807);
-- expect:
-- 15,'123456789012345'
-- 16,'123456789012345'
-- 17,'123456789012345'
-- 16,NULL
-- 17,NULL
-- 1000,NULL
-- 100001,NULL
-- '123456789012345',NULL,NULL

-- case: decision: non-ASCII spaces (no-break, narrow no-break, thin, ideographic) and tabs are spaces; Unicode hyphens and dashes are dashes
-- requests: 0
.mode quote
SELECT column1, setter_phone(column2) FROM (VALUES
  ('no-break space U+00A0', '+1' || char(0xA0) || '555' || char(0xA0) || '010 0001'),
  ('narrow no-break U+202F', '+33' || char(0x202F) || '1 23 45 67 89'),
  ('thin space U+2009', '+49' || char(0x2009) || '30 1234567'),
  ('ideographic space U+3000', '+81' || char(0x3000) || '3-1234-5678'),
  ('tab', '+1' || char(9) || '555 010 0001'),
  ('en dash U+2013', '555' || char(0x2013) || '010' || char(0x2013) || '0003'),
  ('non-breaking hyphen U+2011', '555' || char(0x2011) || '010-0003'),
  ('hyphen U+2010, figure dash U+2012', '555' || char(0x2010) || '010' || char(0x2012) || '0003'),
  ('em dash U+2014, minus U+2212', '555' || char(0x2014) || '010' || char(0x2212) || '0003'));
-- expect:
-- 'no-break space U+00A0','15550100001'
-- 'narrow no-break U+202F','33123456789'
-- 'thin space U+2009','49301234567'
-- 'ideographic space U+3000','81312345678'
-- 'tab','15550100001'
-- 'en dash U+2013','5550100003'
-- 'non-breaking hyphen U+2011','5550100003'
-- 'hyphen U+2010, figure dash U+2012','5550100003'
-- 'em dash U+2014, minus U+2212','5550100003'

-- case: decision: every Unicode space separator (Zs) and every hyphen and dash U+2010..U+2015, U+2212 is ignored; their neighbours are not
-- requests: 0
.mode list
WITH cp(c) AS (VALUES (0xA0), (0x1680), (0x2000), (0x2001), (0x2002), (0x2003), (0x2004),
                      (0x2005), (0x2006), (0x2007), (0x2008), (0x2009), (0x200A), (0x202F),
                      (0x205F), (0x3000), (0x2010), (0x2011), (0x2012), (0x2013), (0x2014),
                      (0x2015), (0x2212))
SELECT count(*), sum(setter_phone('555' || char(c) || '010' || char(c) || '0003') = '5550100003')
FROM cp;
WITH cp(c) AS (VALUES (0x9F), (0xA1), (0x167F), (0x1681), (0x1FFF), (0x200B), (0x200F),
                      (0x2016), (0x202E), (0x2030), (0x205E), (0x2060), (0x2211), (0x2213),
                      (0x2FFF), (0x3001), (0xFF0D), (0xFE63))
SELECT printf('U+%04X', c) FROM cp
WHERE setter_phone('555' || char(c) || '0100003') IS NOT NULL;
SELECT 'done';
-- expect:
-- 23|23
-- done

-- case: decision: other characters give NULL: newlines, zero-width spaces, fullwidth digits and plus, invalid UTF-8
-- requests: 0
.mode quote
SELECT column1, setter_phone(column2) FROM (VALUES
  ('newline', '+1 555 010 0001' || char(10)),
  ('carriage return', '+1 555 010 0001' || char(13)),
  ('two numbers on two lines', '555 010 0001' || char(10) || '555 010 0002'),
  ('zero-width space U+200B', '+1' || char(0x200B) || '5550100001'),
  ('byte order mark U+FEFF', char(0xFEFF) || '+15550100001'),
  ('fullwidth digits', char(0xFF11, 0xFF15, 0xFF15, 0xFF15)),
  ('fullwidth plus U+FF0B', char(0xFF0B) || '15550100001'),
  ('arabic-indic digits', char(0x661, 0x662, 0x663)),
  ('invalid UTF-8 byte 0xA0', CAST(X'2B31A035353530313030303031' AS TEXT)),
  ('truncated UTF-8 of U+00A0', CAST(X'2B3135353530313030303031C2' AS TEXT)),
  ('NUL inside', CAST(X'2B3100353535' AS TEXT)),
  ('E2 80 then an ASCII digit (not U+20xx)', CAST(X'31353535E28031353535' AS TEXT)),
  ('E3 80 then a space (not U+3000)', CAST(X'31353535E38020353535' AS TEXT)),
  ('overlong space C0 A0', CAST(X'31353535C0A0353535' AS TEXT)));
-- expect:
-- 'newline',NULL
-- 'carriage return',NULL
-- 'two numbers on two lines',NULL
-- 'zero-width space U+200B',NULL
-- 'byte order mark U+FEFF',NULL
-- 'fullwidth digits',NULL
-- 'fullwidth plus U+FF0B',NULL
-- 'arabic-indic digits',NULL
-- 'invalid UTF-8 byte 0xA0',NULL
-- 'truncated UTF-8 of U+00A0',NULL
-- 'NUL inside',NULL
-- 'E2 80 then an ASCII digit (not U+20xx)',NULL
-- 'E3 80 then a space (not U+3000)',NULL
-- 'overlong space C0 A0',NULL

-- case: setter_phone takes one or two arguments
-- requests: 0
SELECT setter_phone();
SELECT setter_phone('1', '2', '3');
-- expect:
-- Error: wrong number of arguments to function setter_phone()
--   SELECT setter_phone();
--          ^--- error here
-- Error: wrong number of arguments to function setter_phone()
--   SELECT setter_phone('1', '2', '3');
--          ^--- error here

-- case: deterministic: an index on setter_phone(phone) can be created and serves lookups by it
-- requests: 0
CREATE TABLE leads(name TEXT, phone TEXT);
CREATE INDEX leads_phone ON leads(setter_phone(phone));
INSERT INTO leads VALUES ('Maria', '+1 (555) 010-0001'), ('Aisha', '(555) 010-0003'),
                         ('Tom', 'call me');
SELECT name FROM leads WHERE setter_phone(phone) = '15550100001';
SELECT name FROM leads WHERE setter_phone(phone) IS NULL;
EXPLAIN QUERY PLAN SELECT name FROM leads WHERE setter_phone(phone) = '15550100001';
-- expect:
-- Maria
-- Tom
-- QUERY PLAN
-- `--SEARCH leads USING INDEX leads_phone (<expr>=?)

-- case: deterministic: a generated column (stored and virtual) with an index on it works
-- requests: 0
.mode list
CREATE TABLE leads(name TEXT, phone TEXT,
                   number TEXT GENERATED ALWAYS AS (setter_phone(phone)) STORED,
                   vnumber TEXT AS (setter_phone(phone)) VIRTUAL);
CREATE INDEX leads_number ON leads(number);
CREATE INDEX leads_vnumber ON leads(vnumber);
INSERT INTO leads(name, phone) VALUES ('Maria', '+1 (555) 010-0001'), ('Emma', '0044 20 7946 0018');
SELECT name, number, vnumber FROM leads ORDER BY name;
UPDATE leads SET phone = '+44 20 7946 0019' WHERE name = 'Emma';
SELECT name, number FROM leads WHERE number = '442079460019';
-- expect:
-- Emma|442079460018|442079460018
-- Maria|15550100001|15550100001
-- Emma|442079460019

-- case: innocuous: with trusted_schema = OFF a view, a trigger and an index in the schema may still use setter_phone
-- requests: 0
.mode list
PRAGMA trusted_schema = OFF;
CREATE TABLE leads(name TEXT, phone TEXT, number TEXT);
CREATE VIEW lead_numbers AS SELECT name, setter_phone(phone) AS number FROM leads;
CREATE TRIGGER leads_number AFTER INSERT ON leads
  BEGIN UPDATE leads SET number = setter_phone(new.phone) WHERE rowid = new.rowid; END;
CREATE INDEX leads_phone ON leads(setter_phone(phone));
INSERT INTO leads(name, phone) VALUES ('Maria', '+1 (555) 010-0001');
SELECT * FROM lead_numbers;
SELECT name, number FROM leads;
-- expect:
-- Maria|15550100001
-- Maria|15550100001

-- case: a join on setter_phone(l.phone) finds the conversation of a lead typed as (123) 456-7890
-- requests: 1
.mode list
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('Ann', '(123) 456-7890'), ('Ben', 'unknown'), ('Cy', NULL);
SELECT l.name, count(c.message_id)
FROM leads l LEFT JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = setter_phone(l.phone)
GROUP BY l.name ORDER BY l.name;
-- expect:
-- Ann|3
-- Ben|0
-- Cy|0

-- case: an IN list of setter_phone(phone) fetches each distinct number once and skips the NULLs (no request for them)
-- requests: 1
.mode list
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('Ann', '(123) 456-7890'), ('Ann at work', '123.456.7890'),
                         ('Ben', 'unknown'), ('Cy', NULL), ('Dee', '');
SELECT user_number, count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (SELECT setter_phone(phone) FROM leads)
GROUP BY user_number;
-- expect:
-- 1234567890|3

-- case: fewer than 7 digits is no phone number: NULL, with or without a default_country
-- requests: 0
.mode quote
SELECT column1, setter_phone(column1), setter_phone(column1, '1'), setter_phone(column1, '44')
FROM (VALUES ('12'), ('+12'), ('123456'), ('+1 23456'), ('0 12345'), ('1234567'), ('+1234567'));
-- expect:
-- '12',NULL,NULL,NULL
-- '+12',NULL,NULL,NULL
-- '123456',NULL,NULL,'44123456'
-- '+1 23456',NULL,NULL,NULL
-- '0 12345',NULL,NULL,'4412345'
-- '1234567','1234567','1234567','441234567'
-- '+1234567','1234567','1234567','1234567'

-- case: a spreadsheet's number, digits and one . followed by zeros only, loses the .0 (not read as a separator)
-- requests: 0
.mode quote
SELECT column1, setter_phone(column1), setter_phone(column1, '1') FROM (VALUES
  ('15550100038.0'), ('15550100038.000'), ('5550100038.0'), ('1555.0100038'), ('15550100038.'),
  ('15550100038.01'), ('15550100038.0.0'), ('+15550100038.0'), ('.0'), ('0.0'));
-- expect:
-- '15550100038.0','15550100038','15550100038'
-- '15550100038.000','15550100038','15550100038'
-- '5550100038.0','5550100038','15550100038'
-- '1555.0100038','15550100038','15550100038'
-- '15550100038.','15550100038','15550100038'
-- '15550100038.01','1555010003801','1555010003801'
-- '15550100038.0.0','1555010003800','1555010003800'
-- '+15550100038.0','155501000380','155501000380'
-- '.0',NULL,NULL
-- '0.0',NULL,NULL

-- case: setter_phone(x, default_country): the rules as a table (international prefix ignores the code; national drops one trunk 0 and gets the code; code 1 adds 1 to 10 digits with an area code only)
-- requests: 0
.mode quote
SELECT column1, column2, setter_phone(column1, column2) FROM (VALUES
  ('020 7946 0958', '44'),       -- national: trunk 0 dropped, code in front
  ('20 7946 0958', '44'),        -- national without a trunk 0
  ('00 20 7946 0958', '44'),     -- 00 is the international prefix: the code is ignored (20: Egypt)
  ('+44 20 7946 0958', '44'),    -- international: the code is ignored
  ('+1 555 010 0001', '44'),     -- international, another country: the code is ignored
  ('0044 20 7946 0958', '1'),    -- 00 prefix with code 1: ignored
  ('(555) 010-0001', '1'),       -- code 1: 10 digits get the 1
  ('555.010.0001', 1),           -- an INTEGER code works as TEXT
  ('1 (555) 010-0001', '1'),     -- code 1: 11 digits starting with 1 stay
  ('1234567890', '1'),           -- code 1: the API's own example (no area code starts with 1)
  ('0234567890', '1'),           -- code 1: no area code starts with 0 either
  ('555 0100', '1'),             -- code 1: 7 digits stay as typed
  ('44 20 7946 0958', '1'),      -- code 1: 12 digits stay as typed
  ('06 12 34 56 78', '33'),      -- France: trunk 0 dropped
  ('030 1234567', '49'),         -- Germany: trunk 0 dropped
  ('612 345 678', '34'),         -- Spain: no trunk 0
  ('(0)20 7946 0958', '44'),     -- "(0)" without a prefix is the trunk 0
  ('0800 123456', '353'),        -- a 3-digit code
  ('5550100001', NULL),          -- NULL: no code, as the one-argument form
  ('(555) 010-0001', NULL),
  ('999 999 999 999 99', '44'),  -- more than 15 digits with the code: NULL
  ('9999 999 999 999', '44'),    -- 15 digits with the code
  ('555-CALL-NOW', '1'),         -- not a number stays NULL
  (NULL, '1'),
  ('', '44'));
SELECT setter_phone(5550100001, '1'), setter_phone(2079460958, '44'),
       setter_phone(5550100001.0, '1'), setter_phone(15550100001, '1'),
       setter_phone('15550100038.0', '44');
-- expect:
-- '020 7946 0958','44','442079460958'
-- '20 7946 0958','44','442079460958'
-- '00 20 7946 0958','44','2079460958'
-- '+44 20 7946 0958','44','442079460958'
-- '+1 555 010 0001','44','15550100001'
-- '0044 20 7946 0958','1','442079460958'
-- '(555) 010-0001','1','15550100001'
-- '555.010.0001',1,'15550100001'
-- '1 (555) 010-0001','1','15550100001'
-- '1234567890','1','1234567890'
-- '0234567890','1','0234567890'
-- '555 0100','1','5550100'
-- '44 20 7946 0958','1','442079460958'
-- '06 12 34 56 78','33','33612345678'
-- '030 1234567','49','49301234567'
-- '612 345 678','34','34612345678'
-- '(0)20 7946 0958','44','442079460958'
-- '0800 123456','353','353800123456'
-- '5550100001',NULL,'5550100001'
-- '(555) 010-0001',NULL,'5550100001'
-- '999 999 999 999 99','44',NULL
-- '9999 999 999 999','44','449999999999999'
-- '555-CALL-NOW','1',NULL
-- NULL,'1',NULL
-- '','44',NULL
-- '15550100001','442079460958','15550100001','15550100001','4415550100038'

-- case: default_country must be a calling code (1 to 3 digits, not starting with 0) or NULL, else an error naming the argument
-- requests: 0
SELECT setter_phone('020 7946 0958', 'UK');
SELECT setter_phone('020 7946 0958', '+44');
SELECT setter_phone('020 7946 0958', '044');
SELECT setter_phone('020 7946 0958', '1234');
SELECT setter_phone('020 7946 0958', '');
SELECT setter_phone('020 7946 0958', 0);
SELECT setter_phone('020 7946 0958', 1000);
SELECT setter_phone('020 7946 0958', 44.0);
SELECT setter_phone(NULL, 'UK');
-- expect:
-- Error: setter_phone: default_country must be a country calling code, 1 to 3 digits not starting with 0 ('1', '44'), or NULL
-- Error: setter_phone: default_country must be a country calling code, 1 to 3 digits not starting with 0 ('1', '44'), or NULL
-- Error: setter_phone: default_country must be a country calling code, 1 to 3 digits not starting with 0 ('1', '44'), or NULL
-- Error: setter_phone: default_country must be a country calling code, 1 to 3 digits not starting with 0 ('1', '44'), or NULL
-- Error: setter_phone: default_country must be a country calling code, 1 to 3 digits not starting with 0 ('1', '44'), or NULL
-- Error: setter_phone: default_country must be a country calling code, 1 to 3 digits not starting with 0 ('1', '44'), or NULL
-- Error: setter_phone: default_country must be a country calling code, 1 to 3 digits not starting with 0 ('1', '44'), or NULL
-- Error: setter_phone: default_country must be a country calling code, 1 to 3 digits not starting with 0 ('1', '44'), or NULL
-- Error: setter_phone: default_country must be a country calling code, 1 to 3 digits not starting with 0 ('1', '44'), or NULL

-- case: setter_phone(x, default_country) is deterministic and innocuous: an index and a generated column on it, with trusted_schema = OFF
-- requests: 0
.mode list
PRAGMA trusted_schema = OFF;
CREATE TABLE leads(name TEXT, phone TEXT, number TEXT AS (setter_phone(phone, '1')) STORED);
CREATE INDEX leads_phone1 ON leads(setter_phone(phone, '44'));
CREATE VIEW v AS SELECT name, setter_phone(phone, '1') AS n FROM leads;
INSERT INTO leads(name, phone) VALUES ('Ann', '(555) 010-0001'), ('Emma', '020 7946 0958');
SELECT name, number FROM leads ORDER BY name;
SELECT name FROM leads WHERE setter_phone(phone, '44') = '442079460958';
SELECT * FROM v ORDER BY name;
EXPLAIN QUERY PLAN SELECT name FROM leads WHERE setter_phone(phone, '44') = '442079460958';
-- expect:
-- Ann|15550100001
-- Emma|02079460958
-- Emma
-- Ann|15550100001
-- Emma|02079460958
-- QUERY PLAN
-- `--SEARCH leads USING INDEX leads_phone1 (<expr>=?)
