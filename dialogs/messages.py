"""Every sentence the assistant says, as English gettext message ids.

Kept in one place so translators and the plain-language test see them all. Named placeholders
only, and each entry is a whole sentence: channels never glue fragments together.
"""

from __future__ import annotations

from dialogs.i18n import N_, NP_

# Start and set-up ---------------------------------------------------------------------------
WELCOME = N_(
    "Hello! I will help you check how inclusive your work is, using the Kirklees Inclusive "
    "Communities Framework. It takes about 20 minutes, or 5 for a quick check of one activity. "
    "I save each answer as you go, so you can stop and carry on later."
)
NO_NAMES = N_("Please do not name private people in your stories.")
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
ASK_DIRECTORATE = N_("What is the name of the department or service?")
ASK_TEAM = N_("What is the name of the team?")
ASK_ACTIVITY = N_("What is the activity called? For example, a project, a group or an event.")
PICK_APPROACHES = N_("Which ways of working does this activity use? Choose all that fit, then choose Done.")

# The five approaches --------------------------------------------------------------------------
PROGRESS = N_("Part {number} of {total}: {name}")
APPROACH_INTRO = N_("Next: {name}.")
QUESTION = N_("Question {number} of {total}: {question}")
ASK_SCORE = N_("How well does {name} describe your work? Choose a score from 1 to 5.")
SUGGEST_SCORE = N_(
    "From your answers, I suggest {score}: {label}. Choose it to agree, or choose another score."
)
SCORE_CHOICE = N_("{value}: {label}")
ASK_CONFIDENCE = N_("How sure does your team feel about working this way?")
ASK_STORY = N_(
    "Tell me a short story about {name} in your work. What happened, who took part, and what "
    "changed? You can skip this."
)
ASK_SUPPORT = N_("What would help you do more of this? Choose all that fit, then choose Done.")
ASK_SUPPORT_OTHER = N_("What else would help? Please type it.")
ASK_ACTION = N_("What is one thing you will do about {name} in the next 12 months? You can skip this.")
DONE = N_("Done")
SAVED_OTHER = N_("Thank you. I added that as something else that would help.")

# Review, plan and sending -----------------------------------------------------------------------
REVIEW = N_("Here is what you told me. Please check it.")
REVIEW_FOR = N_("For: {who}")
REVIEW_LINE = N_("{name}: {score}. Confidence: {confidence}. Story: {story}. Action: {action}.")
REVIEW_LINE_ACTIVITY = N_("{name}: {score}. Story: {story}.")
REVIEW_SUPPORT = N_("Help you asked for with {name}: {support}.")
NO_SCORE = N_("no score yet")
SCORE_VALUE = N_("{value} out of 5")
GIVEN = N_("given")
NOT_GIVEN = N_("not given")
LOOKS_RIGHT = N_("It looks right. Show my plan")
CHANGE_SOMETHING = N_("Change something")
EDIT_WHICH_APPROACH = N_("Which part would you like to change?")
EDIT_WHICH_FIELD = N_("What would you like to change about {name}?")
FIELD_CHECKLIST = N_("The answers to the questions")
FIELD_SCORE = N_("The score")
FIELD_CONFIDENCE = N_("How sure we feel")
FIELD_STORY = N_("The story")
FIELD_SUPPORT = N_("The help we need")
FIELD_ACTION = N_("Our action")
PLAN_READY = N_("Here is your support plan. You can print it or save it.")
PLAN_TITLE = N_("Your support plan")
ASK_CONSENT = N_(
    "May I send your answers and plan to the Communities Partnership Board? They use them to plan "
    "support and training across Kirklees."
)
CONSENT_YES = N_("Yes, send it")
CONSENT_NO = N_("Not now")
SUBMITTED = N_("Thank you! I have sent it to the board. Your reference is {reference}.")
KEPT_DRAFT = N_("I have not sent it. Your answers stay saved, and you can send them later.")
SEND_NOW = N_("Send it to the board now")
FINISHED = N_("This check is finished. Thank you for taking part!")

# Moving around --------------------------------------------------------------------------------
BACK = N_("Back")
SKIP = N_("Skip")
HELP = N_("Help")
AT_START = N_("This is the first question, so there is nowhere to go back to.")
CANNOT_SKIP = N_("This one is needed, so it cannot be skipped.")
SKIPPED = N_("Skipped. You can come back to it at the review.")
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
PLAN_SCORE_LINE = N_("{name}: {score}")
PLAN_STRENGTHS = N_("Your strengths")
PLAN_STRENGTH = N_("{name} is a strength. Think about sharing your story as good news.")
PLAN_STORY = N_("Your story: {story}")
PLAN_NO_STRENGTHS = N_("No strengths yet. That is fine: every team starts somewhere.")
PLAN_PRIORITIES = N_("What to work on first")
PLAN_PRIORITY = N_("{name} ({score})")
PLAN_SUPPORT = N_("Help you asked for: {support}")
PLAN_FIRST_STEPS = N_("First steps")
PLAN_LEARN_FROM = N_("Learn from others in Kirklees")
PLAN_READ_ABOUT = N_("Ways of working to read about")
PLAN_NO_PRIORITIES = N_("You are doing well on every part. Keep going, and help others learn from you.")
PLAN_ACTIONS = N_("Your actions for the next 12 months")
PLAN_ACTION = N_("{name}: {action}")
PLAN_NO_ACTIONS = N_("You have not set any actions yet.")
PLAN_NEXT = N_("What happens next")
PLAN_NEXT_TEXT = N_(
    "If you send this plan, the Communities Partnership Board reads it with the plans of other "
    "groups. They use them to plan training and support across Kirklees. Do this check again "
    "next year to see how far you have come."
)
PLAN_CHECKLIST = N_("Your answers to the questions")
PLAN_ORIGINAL = N_("In the framework: {original}")
PLAN_CONFIDENCE = N_("How sure you feel: {confidence}")
PLAN_VERSION = N_("Framework version {version}")
PLAN_DATE = N_("Made on {date}")
PLAN_REFERENCE = N_("Reference: {reference}")

__all__ = [name for name in dir() if name.isupper()]
