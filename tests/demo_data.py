#!/usr/bin/env python3
"""Demo dataset for the mock API (`tests/mock_api.py --demo`, used by `make demo` and sql/).

Three bots of made-up businesses, with conversations that read like real ones:
    123  Bright Smile Dental      WhatsApp       contacts by phone number (userNumber)
    456  Sunset Realty            SMS (Twilio)   contacts by phone number (userNumber)
    789  Harbor Fitness web chat  Embed          sessions 1001-1003 (sessionId)

Everything is fixed text: no randomness, no current time, so every run gives the same rows.
`history(bot, user_number, session_id)` is what the mock calls; `python3 tests/demo_data.py`
prints the contact table of tests/MOCK.md (bot, number, name, messages, failed).
"""

import base64
import calendar
import hashlib
import time

BOTS = {
    123: {"name": "Bright Smile Dental", "platform": "WhatsApp"},
    456: {"name": "Sunset Realty", "platform": "SMS (Twilio)"},
    789: {"name": "Harbor Fitness web chat", "platform": "Embed"},
}

# Realistic failure details, as the WhatsApp Cloud API and Twilio report them.
ERRORS = {
    "wa_undeliverable": {
        "failureReason": "Message undeliverable",
        "errorCode": 131026,
        "errorTitle": "Message undeliverable",
        "errorMessage": "Message undeliverable",
        "errorDetails": {"details": "Unable to deliver message. The recipient may be using an "
                                    "old WhatsApp version or has not accepted the latest terms.",
                         "fbtrace_id": "AqX7Lm2Pz9cRt1YbN0sV4kE"},
    },
    "wa_reengagement": {
        "failureReason": "Re-engagement message",
        "errorCode": 131047,
        "errorTitle": "Re-engagement message",
        "errorMessage": "Re-engagement message",
        "errorDetails": {"details": "Message failed to send because more than 24 hours have "
                                    "passed since the customer last replied to this number.",
                         "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/"
                                 "support/error-codes/"},
    },
    "twilio_unreachable": {
        "failureReason": "Unreachable destination handset",
        "errorCode": 30003,
        "errorTitle": "Unreachable destination handset",
        "errorMessage": "The destination handset you are trying to reach is switched off or "
                        "otherwise unavailable.",
        "errorDetails": {"status": "undelivered", "error_code": 30003,
                         "more_info": "https://www.twilio.com/docs/errors/30003"},
    },
    "twilio_filtered": {
        "failureReason": "Message filtered",
        "errorCode": "30007",
        "errorTitle": "Message filtered",
        "errorMessage": "The carrier filtered this message (suspected spam or content "
                        "violation).",
        "errorDetails": {"status": "undelivered", "error_code": "30007",
                         "more_info": "https://www.twilio.com/docs/errors/30007"},
    },
}

# Conversations: (bot, contact, lead name, start time, context message index or None, turns).
# A turn is (seconds after the start, sender, text, status[, error key]).
# The context index is the 0-based message where metadata.contextStartsAt points.
CONVERSATIONS = [
    (123, "1234567890", "Sample Contact", "2024-01-15T14:30:00Z", 1, [
        (0, "user", "Hi! I'd like to book an appointment.", "delivered"),
        (5, "bot", "Sure! What day works for you?", "read"),
        (66600, "bot", "Reminder: your appointment is tomorrow.", "read"),
    ]),
    (123, "+15550100001", "Maria Lopez", "2024-03-04T09:12:00Z", None, [
        (0, "user", "Hi, I'd like to book a cleaning. It's been about a year since my last one.",
         "read"),
        (4, "bot", "Hi Maria! Happy to help. We have openings on Tuesday at 10:00 and "
                   "Thursday at 14:30. Which works better?", "read"),
        (95, "user", "Thursday at 14:30 please.", "read"),
        (99, "bot", "Done! You're booked for a cleaning with Dr. Chen on Thursday, "
                    "March 7 at 14:30.", "read"),
        (130, "user", "Great, thank you!", "read"),
        (133, "bot", "You're welcome! Reply here anytime if you need to reschedule.", "read"),
    ]),
    (123, "+15550100002", "James Carter", "2024-03-05T17:40:00Z", 2, [
        (0, "user", "How much is teeth whitening?", "read"),
        (3, "bot", "In-office whitening is $349 and takes about 90 minutes. Would you like "
                   "to book a free consultation first?", "read"),
        (300, "user", "Let me think about it.", "read"),
        (180000, "bot", "Hi James, just checking in: would you like to book your free "
                        "whitening consultation?", "failed", "wa_reengagement"),
    ]),
    (123, "+15550100003", "Aisha Khan", "2024-03-06T07:05:00Z", None, [
        (0, "user", "Hi, I have a really bad toothache since last night. Can someone see me "
                    "today?", "read"),
        (2, "bot", "I'm sorry to hear that, Aisha. We keep emergency slots every morning. "
                   "Can you come in at 9:30 today?", "read"),
        (40, "user", "Yes, 9:30 is fine.", "read"),
        (43, "bot", "You're booked for 9:30 with Dr. Okafor. If the pain is severe, you can "
                    "take ibuprofen unless you're allergic.", "read"),
        (70, "user", "Should I bring anything?", "read"),
        (73, "bot", "Just your ID and insurance card if you have one.", "read"),
        (9000, "user", "Thank you, the filling worked and the pain is gone!", "read"),
        (9004, "bot", "Wonderful news! Take care, and see you at your next check-up.",
         "delivered"),
    ]),
    (123, "+15550100004", "Tom Becker", "2024-03-07T12:00:00Z", None, [
        (0, "bot", "Hi Tom, this is Bright Smile Dental. Your six-month check-up is due. "
                   "Reply BOOK to choose a time.", "failed", "wa_undeliverable"),
        (86400, "bot", "Hi Tom, a reminder that your check-up is due. Reply BOOK to choose "
                       "a time.", "failed", "wa_undeliverable"),
    ]),
    (123, "+15550100005", "Sofia Rossi", None, None, []),
    (123, "+15550100006", "Daniel Kim", "2024-03-08T16:20:00Z", 2, [
        (0, "user", "I need to move my appointment on Monday, something came up at work.",
         "read"),
        (3, "bot", "No problem, Daniel. I can offer Wednesday at 8:00 or Friday at 17:00.",
         "read"),
        (600, "user", "Friday at 17:00.", "read"),
        (603, "bot", "All set: your appointment is now Friday, March 15 at 17:00.", "read"),
        (700, "user", "Perfect, thanks.", "delivered"),
    ]),
    (456, "+15550200001", "Emily Nguyen", "2024-03-10T10:00:00Z", 3, [
        (0, "user", "Hi, is the 3-bed house on 42 Palm Drive still available?", "delivered"),
        (6, "bot", "Hi Emily! Yes, 42 Palm Drive is available: 3 bed, 2 bath, $685,000. "
                   "Would you like to see it?", "delivered"),
        (120, "user", "Yes! Could we do Saturday morning?", "delivered"),
        (124, "bot", "Saturday at 10:30 works with our agent, Mark. Shall I confirm?",
         "delivered"),
        (200, "user", "Yes please confirm.", "delivered"),
        (203, "bot", "Confirmed: viewing at 42 Palm Drive, Saturday March 16, 10:30. "
                     "Mark's number is +15550209999.", "delivered"),
        (260, "user", "Thanks, see you then.", "delivered"),
    ]),
    (456, "+15550200002", "Robert Silva", "2024-03-11T18:30:00Z", None, [
        (0, "user", "Do you have any 2-bedroom condos downtown under $400k?", "delivered"),
        (5, "bot", "Hi Robert! We have two: 1200 Bay St #804 ($389,000) and 55 Harbor Ln #3B "
                   "($395,000). Want details?", "delivered"),
        (400, "user", "Send me info on Bay St please.", "delivered"),
        (404, "bot", "1200 Bay St #804: 2 bed, 2 bath, 1,050 sq ft, gym and rooftop pool. "
                     "Open house Sunday 1-3pm.", "failed", "twilio_unreachable"),
    ]),
    (456, "+15550200003", "Hannah Wright", "2024-03-12T08:45:00Z", None, [
        (0, "bot", "Hi Hannah, prices just dropped on 3 homes in Westfield! Reply YES for "
                   "the list or STOP to opt out.", "failed", "twilio_filtered"),
        (60, "bot", "Hi Hannah, this is Sunset Realty following up on your enquiry about "
                    "Westfield homes.", "delivered"),
    ]),
    (456, "+15550200004", "Carlos Mendez", None, None, []),
    (456, "+15550200005", "Priya Patel", "2024-03-13T13:10:00Z", 2, [
        (0, "user", "We're first-time buyers. Do we need mortgage pre-approval before a "
                    "viewing?", "delivered"),
        (4, "bot", "Hi Priya! It's not required for a viewing, but sellers take offers more "
                   "seriously with a pre-approval letter.", "delivered"),
        (90, "user", "Can you recommend a lender?", "delivered"),
        (94, "bot", "Many of our clients use Coastal Credit Union or First Harbor Bank. "
                    "Want me to have an agent call you?", "delivered"),
        (300, "user", "Yes, tomorrow after 5pm.", "delivered"),
        (304, "bot", "Done: an agent will call you tomorrow between 5 and 6pm.", "sent"),
    ]),
    # Contacts the bot knows in the API's own form, international digits without "+" (as the
    # API documentation's 1234567890). A CRM that types them "+1 (555) 010-0011" finds nothing
    # until it looks them up with setter_phone() (README "Phone numbers").
    (123, "15550100011", "Grace Lee", "2024-03-09T10:00:00Z", None, [
        (0, "user", "Do you do Invisalign?", "read"),
        (3, "bot", "Yes! Dr. Chen offers Invisalign. The first consultation is free. Would "
                   "you like to book one?", "read"),
        (120, "user", "Yes, next Monday if possible.", "read"),
        (124, "bot", "Booked: Monday, March 11 at 11:00 with Dr. Chen.", "delivered"),
    ]),
    (123, "15550100012", "Oliver Brown", "2024-03-09T15:30:00Z", None, [
        (0, "user", "Are you open on Saturdays?", "read"),
        (2, "bot", "We're open Saturdays from 9:00 to 13:00.", "read"),
    ]),
    (123, "442079460018", "Emma Wilson", "2024-03-10T08:15:00Z", None, [
        (0, "user", "Hello, I'm visiting from London next month. Can I book a check-up?",
         "read"),
        (4, "bot", "Of course, Emma! Which dates will you be in town?", "read"),
        (600, "user", "April 8 to 12.", "read"),
        (604, "bot", "You're booked for a check-up on Tuesday, April 9 at 10:00.", "read"),
        (700, "user", "Lovely, thank you!", "delivered"),
    ]),
    (123, "15550100013", "Lucas Martin", "2024-03-10T19:45:00Z", None, [
        (0, "user", "I lost a filling. How soon can I come in?", "read"),
        (3, "bot", "Sorry to hear that, Lucas. Tomorrow at 8:30 is free. Shall I book it?",
         "read"),
        (90, "user", "Yes please.", "read"),
    ]),
]

# Embed sessions of bot 789: (sessionId, start time, context index, turns).
SESSIONS = [
    (1001, "2024-03-14T19:00:00Z", None, [
        (0, "user", "What are your opening hours?", None),
        (2, "bot", "We're open 5:00-23:00 on weekdays and 7:00-20:00 on weekends.", None),
        (30, "user", "Do you offer a free trial?", None),
        (32, "bot", "Yes! Your first week is free. Want me to reserve a trial pass?", None),
    ]),
    (1002, "2024-03-15T06:30:00Z", None, [
        (0, "user", "Is there a yoga class tomorrow morning?", None),
        (2, "bot", "Yes, Vinyasa Flow at 7:00 with Lena. 4 spots left.", None),
    ]),
    (1003, "2024-03-15T12:15:00Z", 2, [
        (0, "user", "How much is a monthly membership?", None),
        (2, "bot", "Monthly membership is $49, or $39/month with an annual plan.", None),
        (45, "user", "Does it include classes?", None),
        (47, "bot", "All group classes are included; personal training is extra.", None),
        (60, "user", "Great, I'll sign up at the front desk.", None),
    ]),
]

MESSAGE_ID_BASE = {123: 48210, 456: 73100, 789: 91000}

# --------------------------------------------------------------------------------------------


def iso(epoch_seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch_seconds))


def epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def resource_id(bot, who, index):
    """A platform id in the style of each platform: wamid for WhatsApp, SM... for Twilio."""
    digest = hashlib.sha1(("%s/%s/%d" % (bot, who, index)).encode()).digest()
    if bot == 123:
        return "wamid.HBgL" + base64.b64encode(digest + b"\x15\x02\x00\x11").decode().rstrip("=")
    if bot == 456:
        return "SM" + digest.hex()[:32]
    return None


def build_messages(bot, who, start, context_index, turns, next_id):
    """Messages of one conversation, ids from next_id; returns (messages, contextStartsAt)."""
    messages = []
    for index, turn in enumerate(turns):
        offset, sender, text, status = turn[:4]
        msg = {"botIntegrationId": bot, "content": text, "senderType": sender,
               "createdAt": iso(epoch(start) + offset), "messageId": next_id + index,
               "platformResourceId": resource_id(bot, who, index), "latestStatus": status,
               "failureReason": None, "errorCode": None, "errorTitle": None,
               "errorMessage": None, "errorDetails": None}
        if len(turn) > 4:
            msg.update(ERRORS[turn[4]])
        messages.append(msg)
    context = messages[context_index]["createdAt"] if context_index is not None else None
    return messages, context


def build_tables():
    """{(bot, userNumber or sessionId): (messages, contextStartsAt)} and the contact list."""
    histories, contacts = {}, []
    next_id = dict(MESSAGE_ID_BASE)
    for bot, number, name, start, context_index, turns in CONVERSATIONS:
        messages, context = build_messages(bot, number, start, context_index, turns,
                                           next_id[bot]) if turns else ([], None)
        next_id[bot] += len(turns) + 7          # gaps, like ids shared with other contacts
        histories[(bot, number)] = (messages, context)
        contacts.append((bot, number, name, messages))
    for session_id, start, context_index, turns in SESSIONS:
        messages, context = build_messages(789, session_id, start, context_index, turns,
                                           next_id[789])
        next_id[789] += len(turns) + 3
        histories[(789, session_id)] = (messages, context)
    return histories, contacts


HISTORIES, CONTACTS = build_tables()


def history(bot, user_number=None, session_id=None):
    """(messages, contextStartsAt) for a contact; empty for unknown contacts; None: no such bot."""
    if bot not in BOTS:
        return None
    key = user_number if user_number is not None else session_id
    return HISTORIES.get((bot, key), ([], None))


def contact_table():
    """Markdown table of the demo contacts and sessions, for tests/MOCK.md."""
    rows = ["| bot | contact | name (for a leads table) | messages | failed | message ids "
            "| contextStartsAt |",
            "|----:|---------|------|---------:|-------:|------|------|"]
    entries = [(bot, "`%s`" % number, name) for bot, number, name, _ in CONTACTS]
    entries += [(789, "session_id %d" % session_id, "(web visitor)")
                for session_id, _, _, _ in SESSIONS]
    for bot, who, name in entries:
        key = int(who.split()[1]) if who.startswith("session_id") else who.strip("`")
        messages, context = HISTORIES[(bot, key)]
        failed = sum(m["latestStatus"] == "failed" for m in messages)
        ids = ("%d-%d" % (messages[0]["messageId"], messages[-1]["messageId"])
               if messages else "-")
        rows.append("| %d | %s | %s | %d | %d | %s | %s |" % (
            bot, who, name, len(messages), failed, ids, context or "null"))
    return "\n".join(rows)


if __name__ == "__main__":
    print(contact_table())
