"""The web pages' own words (buttons, labels, notices), translated like everything else.

Each table belongs to one page or part of a page; the keys are what templates and scripts use.
A value is a message id, or a singular and plural pair (``NP_``) for sentences with a number.
``icf i18n extract`` finds every one of them here.
"""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.i18n import N_, NP_, Plural

__all__ = [
    "ACCESSIBILITY_WORDS",
    "ALL_TABLES",
    "CHROME_WORDS",
    "PAGE_WORDS",
    "PLAN_PAGE_WORDS",
    "PRIVACY_WORDS",
    "REVIEW_WORDS",
    "WIDGET_WORDS",
]

SERVICE = N_("Inclusive Communities self-check")
SAVE_PLAN = N_("Save my plan")

# The header and footer of every page a person reads: the chat, the notices, the plan.
CHROME_WORDS = {
    "service": SERVICE,
    "run_by": N_("Run by"),
    "help": N_("Help"),
    "privacy": N_("Privacy"),
    "accessibility": N_("Accessibility"),
    "demo_tag": N_("Demo"),
    "demo_text": N_("This is a trial copy. Please do not give real details."),
    "skip": N_("Skip to the main content"),
    "back_to_chat": N_("Back to the chat"),
    "new_tab": N_("This link opens in a new tab."),
    "languages": N_("Read this page in another language"),
    "name": N_("Name"),
    "contact": N_("Contact"),
    "demo_operator": N_(
        "This is a trial copy. Nobody runs it as a public service yet, so please do not give real details."
    ),
}

# The chat page. Sent again as a whole when a person switches language (GET /api/words/{language}).
PAGE_WORDS = {
    "title": SERVICE,
    "heading": SERVICE,
    "intro": N_("A short chat about how inclusive your work is. Your answers are saved as you go."),
    "messages": N_("Conversation"),
    "your_answer": N_("Your answer"),
    "send": N_("Send"),
    "start_again": N_("Start again"),
    "resume_label": N_("Have a code? Type it here to carry on."),
    "resume": N_("Carry on"),
    "open_plan": N_("Open my plan"),
    "download_plan": SAVE_PLAN,
    "sending": N_("Sending…"),
    "retrying": N_("Lost the link. Trying again…"),
    "failed": N_("Sorry, that did not send. Please try again."),
    "bad_code": N_("That code did not work. Please check it and try again."),
    "you": N_("You"),
    "assistant": N_("Assistant"),
    "elsewhere": N_("Go on with another phone or computer"),
    "elsewhere_text": N_("Open this link or scan the code on your other device. The link works once."),
    "close": N_("Close"),
    "expired": N_("This chat has ended here. You can start again, or carry on with a code."),
    "more": N_("More"),
    "type_instead": N_("Type instead"),
    "suggested": N_("Suggested"),
    "save_copy": N_("Save a copy of my answers"),
    "restart_title": N_("Start a new check?"),
    "restart_text": N_(
        "Your answers so far are kept. But you can only get back to them with a code. "
        "Get a code first if you may want to carry on later."
    ),
    "restart_pause": N_("Get a code first"),
    "restart_yes": N_("Start a new check"),
    "restart_no": N_("Keep going"),
    "qr_alt": N_("QR code of the link"),
    "change": N_("Change"),
}

# The launcher and the panel the widget adds to a partner's page (words on the partner's side).
WIDGET_WORDS = {
    "open": N_("Check how inclusive your work is"),
    "close": N_("Close"),
    "title": SERVICE,
    "blocked": N_("The chat cannot open inside this page."),
    "open_here": N_("Open the chat in this tab"),
}

ANSWERED = NP_("{count} of {total} answered", "{count} of {total} answered")

# The review as a summary list (bot/web/review.py); the rows' own names come from the conversation.
REVIEW_WORDS: dict[str, str | Plural] = {
    "who": N_("Who the answers are for"),
    "organisation": N_("Organisation"),
    "unit": N_("Team or directorate"),
    "activity": N_("Activity"),
    "answered": ANSWERED,
}

# Around the printable plan: its buttons and the way back.
PLAN_PAGE_WORDS = {
    "print": N_("Print this plan"),
    "download": SAVE_PLAN,
    "expired": N_("This link to a plan has ended. Open the chat to get a new one."),
    "expired_title": N_("This link has ended"),
}

PRIVACY_WORDS: dict[str, str | Plural] = {
    "title": N_("Privacy notice"),
    "intro": N_("This page says what we keep when you use this chat, who can see it, and how to remove it."),
    "who": N_("Who runs this service"),
    "kept": N_("What we keep"),
    "kept_answers": N_("Your answers, your stories and the actions you plan."),
    "kept_names": N_("The name of your group or team, and of your activity."),
    "kept_messages": N_(
        "Every message in the chat, with its time and language, and whether it came from the web or Telegram."
    ),
    "kept_telegram": N_("If you use Telegram: the number of your Telegram chat, so that we can answer you."),
    "kept_browser": N_(
        "In your browser: a key to your chat, so that it carries on when you reload the page. "
        "We use no cookies and no tracking."
    ),
    "not_asked": N_(
        "We do not ask for your name, email or phone number. "
        "Please do not name private people in your stories."
    ),
    "how_long": N_("How long we keep it"),
    "unsent": NP_(
        "If you do not send your answers, we remove them {count} day after you last use the chat.",
        "If you do not send your answers, we remove them {count} days after you last use the chat.",
    ),
    "unsent_kept": N_("If you do not send your answers, we keep them until you delete them."),
    "sent": N_(
        "If you send your answers, they are kept so that the board can compare one year with the next. "
        "To have them removed, contact the people who run this service."
    ),
    "code": NP_(
        "A code to carry on later works for {count} day, and only once.",
        "A code to carry on later works for {count} days, and only once.",
    ),
    "who_sees": N_("Who can see it"),
    "sees_you": N_("You can see your own answers."),
    "sees_lead": N_("If you choose to send them to your organisation's ICF lead, that lead can see them."),
    "sees_board": N_(
        "If you choose to send them to the board, board staff can see them. "
        "This includes answers your lead combined with others, if you agreed to that."
    ),
    "sees_nobody": N_(
        "The service shows your answers to nobody else. If you keep them to yourself, nobody else sees them."
    ),
    "your_rights": N_("Take a copy or delete it"),
    "take_copy": N_(
        "To save a copy of everything you gave, choose More in the chat, then Save a copy of my answers."
    ),
    "delete": N_(
        "To delete everything, type delete in the chat and say yes. This removes every answer and message."
    ),
    "telegram": N_("On Telegram, send /delete to remove it all."),
    "for_developers": N_("For developers: the copy comes from this address, with the chat's key."),
    "complain": N_("Questions or complaints"),
    "complain_us": N_("Please contact the people who run this service first."),
    "complain_ico": N_(
        "Not happy with how we use what you tell us? You can complain to the Information Commissioner's "
        "Office (ICO). It looks after data rights in the UK."
    ),
}

ACCESSIBILITY_WORDS: dict[str, str | Plural] = {
    "title": N_("Accessibility statement"),
    "intro": N_("We want everyone to be able to use this service. You should be able to:"),
    "keyboard": N_("use it with a keyboard alone"),
    "reader": N_("use it with a screen reader"),
    "zoom": N_("zoom in up to four times and still read everything"),
    "phone": N_("use it on a small phone screen"),
    "colours": N_("change the colours and the size of the text in your browser"),
    "in_languages": N_("use it in any of these languages:"),
    "checks": N_("How we check it"),
    "checks_text": N_(
        "We check every page with axe, a free tool that finds common problems. "
        "We also use every page with a keyboard alone, and on a small phone screen."
    ),
    "checks_not_yet": N_("No outside expert has checked it yet."),
    "aim": N_("We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA."),
    "known": N_("What does not work well yet"),
    "known_drafts": N_("The translations are drafts. Native speakers have not checked them all yet."),
    "known_board": N_("The pages for board staff are in English only."),
    "problem": N_("Tell us about a problem"),
    "problem_text": N_(
        "If something does not work for you, or you need this in another form, please tell the "
        "people who run this service."
    ),
    "eass": N_(
        "Not happy with our answer? You can ask the Equality Advisory and Support Service (EASS) for help."
    ),
}

ALL_TABLES: Mapping[str, Mapping[str, str | Plural]] = {
    "chrome": CHROME_WORDS,
    "page": PAGE_WORDS,
    "widget": WIDGET_WORDS,
    "plan": PLAN_PAGE_WORDS,
    "review": REVIEW_WORDS,
    "privacy": PRIVACY_WORDS,
    "accessibility": ACCESSIBILITY_WORDS,
}
