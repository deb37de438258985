"""Every sentence the assistant says, as English gettext message ids.

Kept in one place so translators and the plain-language test see them all. Named placeholders
only, and each entry is a whole sentence: channels never glue fragments together.
"""

from __future__ import annotations

from dialogs.i18n import N_, NP_

# Start and set-up ---------------------------------------------------------------------------
WELCOME = N_(
    "Hello! I will help you check how inclusive your work is, using the Kirklees Inclusive "
    "Communities Framework."
)
NO_NAMES = N_("Please do not name private people in your stories.")
INCLUSIVE_MEANS = N_("Here, inclusive means that everyone can take part and feel they belong.")
# The minutes come from the content (dialogs/data/framework.toml, [tool.timing]).
# TRANSLATORS: {count} is a whole number of minutes. Fill every plural form.
TAKES_MINUTES = NP_(
    "A yearly check takes about {count} minute.", "A yearly check takes about {count} minutes."
)
# TRANSLATORS: {count} is a whole number of minutes. Fill every plural form.
QUICK_CHECK_MINUTES = NP_(
    "A quick check of one activity takes about {count} minute.",
    "A quick check of one activity takes about {count} minutes.",
)
SAVED_AS_YOU_GO = N_("I save each answer as you go, so you can stop and carry on later.")
WHERE_ANSWERS_GO = N_("Nobody else sees your answers unless you choose, at the end, to send them.")
# TRANSLATORS: The name of this language, written in it, on its button in the language list.
# Punjabi: name the script (Gurmukhi). Urdu: say that Punjabi speakers who read Urdu script can
# choose it too.
LANGUAGE_SELF_NAME = N_("English")
CHOOSE_LANGUAGE = N_("Which language would you like to use?")
CHOOSE_SCOPE = N_("What would you like to do?")
SCOPE_ANNUAL = N_("A yearly check for our group or team")
SCOPE_ACTIVITY = N_("Quick check of one activity")
CHOOSE_LEVEL = N_("Who are you answering for?")
LEVEL_ORGANISATION = N_("A whole organisation")
LEVEL_DIRECTORATE = N_("A department or service")
LEVEL_TEAM = N_("A team")
ASK_ORGANISATION = N_("What is the name of your organisation?")
ASK_ORGANISATION_KNOWN = N_("What is the name of your organisation? Choose it below, or type it.")
ASK_ORGANISATION_SEARCH = N_(
    "What is the name of your organisation? Type it, and I will look for it in the list."
)
ASK_DIRECTORATE = N_("What is the name of the department or service?")
ASK_TEAM = N_("What is the name of the team?")
ASK_ACTIVITY = N_("What is the activity called? For example, a project, a group or an event.")
PICK_APPROACHES = N_("Which ways of working does this activity use? Choose all that fit, then choose Done.")

# The five approaches --------------------------------------------------------------------------
PROGRESS = N_("Part {number} of {total}: {name}")
PROGRESS_QUESTION = N_("Part {number} of {total} · question {question} of {questions}: {name}")
PROGRESS_RESTORATIVE = N_("Extra part · question {number} of {total}")
APPROACH_INTRO = N_("Next: {name}.")
QUESTION = N_("Question {number} of {total}: {question}")
# TRANSLATORS: {name} is an approach's name. It stands alone before the colon: no change of case or gender.
ASK_SCORE = N_("{name}: how well does this describe your work? Choose a score from 1 to 5.")
SUGGEST_SCORE = N_(
    "From your answers, I suggest {score}: {label}. Choose it to agree, or choose another score."
)
SCORE_CHOICE = N_("{value}: {label}")
ASK_CONFIDENCE = N_("How sure does your team feel about working this way?")
# TRANSLATORS: {name} is an approach's name. It stands alone before the colon: no change of case or gender.
ASK_STORY = N_(
    "{name}: please tell me a short story from your work that shows this. What happened, who took "
    "part, and what changed? You can skip this."
)
ASK_REFLECTION = N_(
    "What went well? What would you do differently next time? Answer one or both, in a few words. "
    "You can skip this."
)
ASK_EVIDENCE = N_("What shows this? Choose all that fit, then choose Done.")
ASK_EVIDENCE_OTHER = N_("What else shows it? Please type it.")
ASK_SUPPORT = N_("What would help you do more of this? Choose all that fit, then choose Done.")
ASK_SUPPORT_OTHER = N_("What else would help? Please type it.")
# TRANSLATORS: {name} is an approach's name. It stands alone before the colon: no change of case or gender.
ASK_ACTION = N_("{name}: what is one thing you will do in the next 12 months? You can skip this.")
ASK_ACTION_OWNER = N_("Who will do it? A role is fine, such as team leader. You can skip this.")
ASK_ACTION_DUE = N_("By when? Choose one, or type a date. You can skip this.")
ASK_IN_ENGLISH = N_(
    "Would you like to add it in English too? Then the board can read it. Type it in English, or choose Skip."
)
DONE = N_("Done")
SAVED_OTHER = N_("Thank you. I added that as something else that would help.")

# Words typed that need a second look ------------------------------------------------------------
HELD_CONTACT = N_(
    "This looks like someone's contact details. Stories should not name private people. Keep it, or "
    "change it?"
)
KEEP_IT = N_("Keep it")
CHANGE_IT = N_("Change it")
IT_IS_MY_ANSWER = N_("It is my answer")
DID_YOU_MEAN_BACK = N_("Did you mean to go back, or is that your answer?")
DID_YOU_MEAN_SKIP = N_("Did you mean to skip this question, or is that your answer?")
DID_YOU_MEAN_HELP = N_("Did you mean to ask for help, or is that your answer?")
DID_YOU_MEAN_PAUSE = N_("Did you mean to pause, or is that your answer?")
DID_YOU_MEAN_SUMMARY = N_("Did you mean to see a summary, or is that your answer?")
DID_YOU_MEAN_LANGUAGE = N_("Did you mean to change the language, or is that your answer?")
DID_YOU_MEAN_DELETE = N_("Did you mean to delete everything, or is that your answer?")

# The words people may type for each command and answer, in their own language: several words or
# phrases, separated by |. English always works too.
# TRANSLATORS: Words people may type to go back one question. Separate them with |. Add common variants.
WORDS_BACK = N_("back | go back | previous")
# TRANSLATORS: Words people may type to skip a question. Separate them with |. Add common variants.
WORDS_SKIP = N_("skip | skip it | pass")
# TRANSLATORS: Words people may type to ask for help. Separate them with |. Add common variants.
WORDS_HELP = N_("help | help me")
# TRANSLATORS: Words people may type to pause and get a code. Separate them with |. Add common variants.
WORDS_PAUSE = N_("pause | stop | later")
# TRANSLATORS: Words people may type to see their answers so far. Separate them with |. Add common variants.
WORDS_SUMMARY = N_("summary | my answers")
# TRANSLATORS: Words people may type to change the language. Separate them with |. Add common variants.
WORDS_LANGUAGE = N_("language | change language")
# TRANSLATORS: Words people may type to delete everything. Separate them with |. Add common variants.
WORDS_DELETE = N_("delete | delete everything")
# TRANSLATORS: Words people may type for "yes". Separate them with |. Add common variants.
WORDS_YES = N_("yes | y | yeah | ok")
# TRANSLATORS: Words people may type for "no". Separate them with |. Add common variants.
WORDS_NO = N_("no | n | nope")
# TRANSLATORS: Words people may type when they have chosen everything that fits. Separate them with |.
WORDS_DONE = N_("done | finished | that is all")

# Last year's answers, from a return code --------------------------------------------------------------
# TRANSLATORS: {answer} is last year's answer, as its label, or the name typed last year.
STILL_SAME = N_("Still the same ({answer})")
LAST_YEAR_SCORE = N_("Last year you chose {score}.")
RETURN_CODE = N_(
    "Next year, start with this return code to begin from this year's answers: {code}. Please keep it safe."
)
ORGANISATION_MATCHES = N_("Is it one of these? Choose it, or choose None of these to keep what you typed.")
NONE_OF_THESE = N_("None of these")

# The restorative checklist (an extra part) -----------------------------------------------------------
RESTORATIVE_OFFER = N_(
    "There is one more part, if you want it: the Restorative Approach Checklist. It asks about "
    "relationships, working with people, and learning."
)
# TRANSLATORS: {count} is a whole number of minutes. Fill every plural form.
RESTORATIVE_MINUTES = NP_(
    "It takes about {count} minute. Would you like to do it?",
    "It takes about {count} minutes. Would you like to do it?",
)
RESTORATIVE_YES = N_("Yes, let us do it")
RESTORATIVE_NO = N_("No, thank you")

# Review, plan and sending -----------------------------------------------------------------------
REVIEW = N_("Here is what you told me. Please check it.")
REVIEW_FOR = N_("For: {who}")
REVIEW_LINE = N_("{name}: {score}. Confidence: {confidence}. Story: {story}. Action: {action}.")
REVIEW_LINE_ACTIVITY = N_("{name}: {score}. Story: {story}.")
# TRANSLATORS: {name} is an approach's name; {support} a list of the help asked for.
REVIEW_SUPPORT = N_("{name} – help you asked for: {support}.")
# TRANSLATORS: {names} is a list of approaches' names.
REVIEW_SKIPPED = N_(
    "These parts have no answers yet: {names}. You can add them with Change something, or go on without them."
)
NO_SCORE = N_("no score yet")
GIVEN = N_("given")
NOT_GIVEN = N_("not given")
LOOKS_RIGHT = N_("It looks right. Show my plan")
CHANGE_SOMETHING = N_("Change something")
EDIT_WHICH_APPROACH = N_("Which part would you like to change?")
# TRANSLATORS: {name} is an approach's name. It stands alone before the colon: no change of case or gender.
EDIT_WHICH_FIELD = N_("{name}: what would you like to change?")
FIELD_CHECKLIST = N_("The answers to the questions")
FIELD_SCORE = N_("The score")
FIELD_CONFIDENCE = N_("How sure we feel")
FIELD_STORY = N_("The story")
FIELD_SUPPORT = N_("The help we need")
FIELD_ACTION = N_("Our action")
FIELD_REFLECTION = N_("What went well, and what we would change")
FIELD_EVIDENCE = N_("What shows it")
PLAN_READY = N_("Here is your support plan. You can print it or save it.")
PLAN_TITLE = N_("Your support plan")
ASK_CONSENT = N_("Who should get your answers and plan?")
CONSENT_LEAD = N_("Send to my organisation's ICF lead")
CONSENT_BOARD = N_("Send to the board")
CONSENT_KEEP = N_("Keep it to myself")
CONSENT_LEAD_MEANS = N_(
    "If you send it to your organisation's ICF lead, they see your answers and stories. They can add "
    "them to your organisation's plan for the board."
)
CONSENT_BOARD_MEANS = N_(
    "If you send it to the board, staff of the Communities Partnership Board see your answers and "
    "stories. They use them to plan support and training across Kirklees."
)
CONSENT_KEEP_MEANS = N_("If you keep it, nobody else sees it. You can still send it later.")
# TRANSLATORS: {names} is a list of approaches' names.
CONSENT_SKIPPED = N_("These parts have no answers: {names}. Whoever you send it to will see that.")
SUBMITTED = N_("Thank you! I have sent it to the board. Your reference is {reference}.")
SUBMITTED_LEAD = N_(
    "Thank you! I have sent it to your organisation's ICF lead. Your reference is {reference}."
)
KEPT_DRAFT = N_("I have not sent it. Your answers stay saved, and you can send them later.")
SEND_NOW = N_("Send it now")
# TRANSLATORS: a button; {date} is a date such as 23 May 2027.
REMIND_ME = N_("Remind me on {date}")
# TRANSLATORS: {date} is a date such as 23 May 2027.
REMINDER_SET = N_(
    "I will send you a reminder here on {date}, for a quick check of the parts that scored low."
)
FINISHED = N_("This check is finished. Thank you for taking part!")

# Moving around --------------------------------------------------------------------------------
BACK = N_("Back")
SKIP = N_("Skip")
HELP = N_("Help")
PAUSE = N_("Pause")
SUMMARY_BUTTON = N_("My answers so far")
LANGUAGE = N_("Language")
DELETE = N_("Delete everything")
AT_START = N_("This is the first question, so there is nowhere to go back to.")
CANNOT_SKIP = N_("This one is needed, so it cannot be skipped.")
PAUSED = NP_(
    "Paused. Your code is {code}. Use it to carry on here or on another device. It works for {count} day.",
    "Paused. Your code is {code}. Use it to carry on here or on another device. It works for {count} days.",
)
WELCOME_BACK = N_("Welcome back! Here is where you were.")
SUMMARY = N_("Here is a summary so far.")
SUMMARY_EMPTY = N_("You have not given any answers yet.")
SCORED_COUNT = NP_(
    "You have given a score for {count} part so far.", "You have given a score for {count} parts so far."
)
CONFIRM_DELETE = N_("Do you want to delete everything you have told me? This cannot be undone.")
DELETE_YES = N_("Yes, delete it all")
DELETE_NO = N_("No, keep it")
DELETED = N_("Everything you told me has been deleted.")
ALREADY_DELETED = N_("This check was deleted. Please start a new one.")
KEEP_GOING = N_("OK, we will carry on.")
LANGUAGE_CHANGED = N_("I will speak English from now on.")

# Help and gentle corrections ------------------------------------------------------------------
HELP_GENERAL = N_("You can type these words at any time: back, skip, help, pause, summary, language, delete.")
HELP_CHOICE = N_("Please choose one of the answers, or type its number.")
HELP_TAP = N_("Please tap one of the answers, or type it.")
HELP_MULTI = N_("Choose each answer that fits. Choose it again to remove it. Choose Done when you finish.")
HELP_TEXT = N_("Please type your answer in your own words.")
HELP_SCORE = N_("1 means you have not started. 5 means this is how you always work, and you help others too.")
NOT_UNDERSTOOD_CHOICE = N_(
    "Sorry, I did not understand that. I have kept what you wrote. Please choose one of these answers."
)
NOT_UNDERSTOOD_COMMAND = N_("Sorry, I do not know that command.")
NEED_ONE = N_("Please choose at least one, then tap Done.")
EMPTY_TEXT = N_("I did not get any words. Please type your answer.")
TOO_LONG = N_("That is too long. Please keep it under {limit} characters.")

# The support plan ---------------------------------------------------------------------------------
PLAN_FOR = N_("Support plan for {who}")
PLAN_OVERALL = N_("Overall score: {score} out of 5.")
PLAN_NO_OVERALL = N_("There is no overall score yet, because no part was scored.")
PLAN_SCORES = N_("Scores")
PLAN_STRENGTHS = N_("Your strengths")
# TRANSLATORS: {name} is an approach's name. It stands alone before the colon: no change of case or gender.
PLAN_STRENGTH = N_("{name}: this is one of your strengths. Think about sharing your story as good news.")
PLAN_NO_STRENGTHS = N_("No strengths yet. That is fine: every team starts somewhere.")
PLAN_PRIORITIES = N_("What to work on first")
PLAN_PRIORITY = N_("{name} ({score})")
PLAN_SUPPORT = N_("Help you asked for: {support}")
PLAN_FIRST_STEPS = N_("First steps")
PLAN_LEARN_FROM = N_("Learn from others in Kirklees")
PLAN_READ_ABOUT = N_("Ways of working to read about")
# TRANSLATORS: {section} is a section of the framework document, such as "7a".
PLAN_READ_MORE = N_("Read more in the framework, section {section}.")
PLAN_NO_PRIORITIES = N_("You are doing well on every part. Keep going, and help others learn from you.")
PLAN_ACTIONS = N_("Your actions for the next 12 months")
PLAN_ACTION = N_("{name}: {action}")
PLAN_ACTION_OWNER = N_("Who: {owner}")
PLAN_ACTION_DUE = N_("By when: {due}")
PLAN_NO_ACTIONS = N_("You have not set any actions yet.")
PLAN_NEXT = N_("What happens next")
PLAN_NEXT_UNDECIDED = N_("You choose next who gets this plan. Until you send it, nobody else sees it.")
PLAN_NEXT_KEPT = N_(
    "You kept this plan to yourself, so nobody else sees it. You can still send it from the chat."
)
PLAN_NEXT_LEAD = N_(
    "Your organisation's ICF lead has it now. They can add it to your organisation's plan for the "
    "Communities Partnership Board."
)
PLAN_NEXT_BOARD = N_(
    "The Communities Partnership Board has it now. They read it with the plans of other groups, to "
    "plan training and support across Kirklees."
)
PLAN_NEXT_YEAR = N_("Do this check again next year with your return code, to see how far you have come.")
PLAN_FIRST_THINGS = N_("Three things to do first")
PLAN_ASKED_FOR = N_("The help you asked for")
# TRANSLATORS: {name} is an approach's name; {support} a list of the help asked for.
PLAN_ASKED_LINE = N_("{name}: {support}")
PLAN_REFLECTIONS = N_("What went well, and what you would change")
# TRANSLATORS: {evidence} is a list of where the evidence comes from.
PLAN_EVIDENCE = N_("What shows it: {evidence}")
# TRANSLATORS: {text} is the person's own English version of what they wrote in another language.
PLAN_ENGLISH = N_("In English: {text}")
# TRANSLATORS: {year} is a year such as 2025; {score} a score from 1 to 5.
PLAN_LAST_YEAR = N_("Last year ({year}): {score}")
# TRANSLATORS: {year} is the first year this team did the check; {score} a score from 1 to 5.
PLAN_BASELINE = N_("First year ({year}): {score}")
PLAN_RECHECKS = N_("Check again")
# TRANSLATORS: {name} is an approach's name; it stands alone before the colon. {date} is a date.
PLAN_RECHECK = N_("{name}: do a quick check of this part again on {date}, to see how it is going.")
PLAN_CALENDAR = N_("Add these dates to your calendar")
# TRANSLATORS: the title of a calendar entry; {name} is an approach's name, standing alone.
RECHECK_EVENT = N_("Quick inclusive check: {name}")
# TRANSLATORS: the description of a calendar entry; {who} is the team or group, as they named it.
RECHECK_EVENT_TEXT = N_(
    "Last time this part scored low. Do a quick check of one activity to see how it is going now. For: {who}"
)
PLAN_APPENDIX = N_("For the board: the framework's own questions")
PLAN_RESTORATIVE = N_("The Restorative Approach Checklist")
PLAN_ORIGINAL = N_("In the framework: {original}")
PLAN_CONFIDENCE = N_("How sure you feel: {confidence}")
PLAN_VERSION = N_("Framework version {version}")
PLAN_DATE = N_("Made on {date}")
PLAN_REFERENCE = N_("Reference: {reference}")

__all__ = [name for name in dir() if name.isupper()]
