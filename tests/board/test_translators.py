"""Translators (issue 16.5): a queue of the words people typed in another language and sent to the
board, an English version kept beside each (never instead of it), shown side by side on the board's
pages, the report and the exports with who added it and when, audited, and erased with the evaluation.

Every evaluation goes through the real chat API in its own language; the translator and board staff
use the board area through the real app, as a browser does.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import func, select

from dialogs import load_default_content
from dialogs.stored import shape_of, typed_words
from storage.models import AuditEntry, Evaluation, Translation
from tests.commands import icf
from tests.web.chat_client import ApiChat

from .helpers import PASSWORD, add_user, browser, csrf_of, signed_in

TRANSLATOR = "translator@kirklees.example"
BOARD = "board@kirklees.example"
URDU_STORY = "ہم نے مل کر پارک میں کھیل کا دن منایا۔"  # we held a play day in the park together
URDU_ACTION = "اگلے سال بچوں کے ساتھ پودے لگائیں گے۔"
ENGLISH = "We held a play day in the park together."


async def check_in(
    client: httpx.AsyncClient,
    language: str,
    story: str,
    *,
    consent: str = "@board",
    action: str | None = None,
    english: str | None = None,
    score: int = 5,
) -> ApiChat:
    """A quick check in ``language`` with a typed story (and action); ``english``: the person adds
    that English version of the story when asked, else they skip it (and are not asked again)."""
    chat = ApiChat(client)
    await chat.start(language=language)
    await chat.say("@activity")
    await chat.say(f"Partner group {language}")
    if chat.last["step"] == "organisation":
        await chat.say("@none")
    for said in ["Park day", "@celebrating", "@done", f"@{score}", story]:
        await chat.say(said)
    if chat.last["step"] == "in_english":
        await chat.say(english or "/skip")
    for said in ["@time", "@done"]:
        await chat.say(said)
    if action is None:
        await chat.say("/skip")
    else:
        await chat.say(action)
        if chat.last["step"] == "in_english":
            await chat.say("/skip")
        await chat.say("/skip")  # no owner
        await chat.say("/skip")  # no date
    await chat.say("@ok")
    await chat.say(consent)
    assert chat.last["status"] == ("submitted" if consent != "@keep" else "completed"), chat.last
    return chat


async def add_translator(
    app: FastAPI, email: str = TRANSLATOR, languages: tuple[str, ...] = ("ur", "pa")
) -> None:
    await app.state.board_auth.add_user(email, PASSWORD, "translator", None, languages)


async def _answers(app: FastAPI, evaluation_id: str) -> dict[str, object]:
    async with app.state.service.sessions() as session:
        found = await session.scalar(select(Evaluation.answers).where(Evaluation.id == evaluation_id))
    assert isinstance(found, dict)
    return found


async def _translate(
    person: httpx.AsyncClient, evaluation_id: str, field: str, english: str
) -> httpx.Response:
    csrf = csrf_of((await person.get("/board/translations")).text)
    data = {"csrf": csrf, "evaluation": evaluation_id, "approach": "celebrating", "field": field}
    return await person.post("/board/translations", data={**data, "english": english})


async def test_a_translator_sees_only_words_sent_to_the_board_in_their_languages(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    sent = (await check_in(client, "ur", URDU_STORY, action=URDU_ACTION)).id
    kept = (await check_in(client, "ur", "یہ کہانی ہم نے اپنے پاس رکھی۔", consent="@keep")).id
    to_lead = (await check_in(client, "ur", "یہ کہانی صرف لیڈ کے لیے ہے۔", consent="@lead")).id
    polish = (await check_in(client, "pl", "Dzieci same prowadziły zajęcia w parku.")).id
    own_english = (await check_in(client, "ur", "ہم نے کتابیں بانٹیں۔", english="We shared books.")).id
    english = (await check_in(client, "en", "We planted bulbs with the girls.")).id
    await add_translator(app)
    translator = await signed_in(app, TRANSLATOR)
    try:
        page = await translator.get("/board/translations")
        assert page.status_code == 200
        assert URDU_STORY in page.text and URDU_ACTION in page.text
        assert page.text.count('name="english"') == 2  # a box for each, and nothing else
        for hidden in ("اپنے پاس رکھی", "صرف لیڈ", "Dzieci same", "کتابیں بانٹیں", "planted bulbs"):
            assert hidden not in page.text, hidden
        assert 'lang="ur" dir="rtl"' in page.text  # the words as written, in their own direction
        # nothing else of the board is theirs: no evaluation, no list, no export
        assert (await translator.get("/board")).headers["location"] == "/board/translations"
        for evaluation_id in (sent, kept, to_lead, polish, own_english, english):
            assert (await translator.get(f"/board/evaluations/{evaluation_id}")).status_code == 404
        exported = await translator.get("/board/export?format=json")
        assert exported.status_code == 200 and exported.json() == []
        for path in ("/board/collation?year=2026", "/board/report?year=2026", "/board/audit"):
            answer = await translator.get(path)
            assert URDU_STORY not in answer.text and "Partner group" not in answer.text, path
        token = await app.state.board_auth.new_api_token(TRANSLATOR, "script")
        api = {"Authorization": f"Bearer {token}"}
        listed = await translator.get("/api/board/submissions?status=all", headers=api)
        assert listed.status_code == 200 and listed.json()["submissions"] == []
        assert (await translator.get(f"/api/board/evaluations/{sent}", headers=api)).status_code == 404
        assert (await translator.get("/api/board/export?format=json", headers=api)).json() == []
    finally:
        await translator.aclose()
    punjabi_only = "pa@kirklees.example"
    await add_translator(app, punjabi_only, ("pa",))
    other = await signed_in(app, punjabi_only)
    page = await other.get("/board/translations")
    assert URDU_STORY not in page.text and "0 answers wait" in page.text  # not their language
    await other.aclose()


async def test_a_translation_sits_beside_the_original_everywhere(
    app: FastAPI, client: httpx.AsyncClient, clock: object, tmp_path: Path
) -> None:
    sent = (await check_in(client, "ur", URDU_STORY, action=URDU_ACTION)).id
    own = (await check_in(client, "ur", "ہم نے کتابیں بانٹیں۔", english="We shared books.")).id
    before = await _answers(app, sent)
    await add_translator(app)
    await add_user(app, BOARD)
    translator = await signed_in(app, TRANSLATOR)
    added = await _translate(translator, sent, "story", f"  {ENGLISH}  ")
    assert added.status_code == 303 and added.headers["location"] == "/board/translations?done=1"
    page = await translator.get("/board/translations?done=1")
    assert "kept beside the words as written" in page.text
    assert URDU_STORY not in page.text and URDU_ACTION in page.text  # the story is done, the action waits
    again = await _translate(translator, sent, "story", "Another try.")  # a second English: refused
    assert again.status_code == 409 and "has an English version already" in again.text
    assert "Another try." in again.text  # what they wrote is still in the box
    await translator.aclose()

    assert await _answers(app, sent) == before  # the original is never replaced
    board = await signed_in(app, BOARD)
    try:
        page = (await board.get(f"/board/evaluations/{sent}")).text
        assert URDU_STORY in page and ENGLISH in page and "Another try." not in page
        assert page.index(URDU_STORY) < page.index(ENGLISH)  # side by side: as written, then English
        assert f"Translated by {TRANSLATOR} on 2026-11-23" in page
        assert "As written (Urdu)" in page
        own_page = (await board.get(f"/board/evaluations/{own}")).text
        assert "We shared books." in own_page and "Added by the person who wrote it" in own_page

        for path in ("/board/report?year=2026", "/board/collation?year=2026"):
            shown = (await board.get(path)).text
            assert URDU_STORY in shown and ENGLISH in shown and f"Translated by {TRANSLATOR}" in shown, path

        rows = (await board.get("/board/export?format=json")).json()
        story = next(r for r in rows if r["evaluation_id"] == sent)
        assert story["story"] == URDU_STORY and story["story_english"] == ENGLISH
        assert story["story_english_by"] == TRANSLATOR
        assert story["story_english_at"].startswith("2026-11-23T09:00")
        assert story["action"] == URDU_ACTION and story["action_english"] == ""
        mine = next(r for r in rows if r["evaluation_id"] == own)
        assert mine["story_english"] == "We shared books." and mine["story_english_by"] == "the respondent"

        as_csv = (await board.get("/board/export?format=csv")).content.decode("utf-8-sig")
        line = next(r for r in csv.DictReader(io.StringIO(as_csv)) if r["Evaluation id"] == sent)
        assert line["Story"] == URDU_STORY and line["Story in English"] == ENGLISH
        assert line["Story: English by"] == TRANSLATOR and line["Story: English on (UTC)"].startswith(
            "2026-11-23"
        )

        book = tmp_path / "export.xlsx"
        book.write_bytes((await board.get("/board/export?format=xlsx")).content)
        sheet = load_workbook(book, read_only=True).active
        assert sheet is not None
        header, *values = list(sheet.iter_rows(values_only=True))
        found = next(
            dict(zip(header, v, strict=False)) for v in values if v[0] == sent
        )  # empty tail cells left off
        assert found["Story"] == URDU_STORY and found["Story in English"] == ENGLISH
        assert found["Story: English by"] == TRANSLATOR and found["Story: English on (UTC)"] is not None

        token = await app.state.board_auth.new_api_token(BOARD, "script")
        detail = await board.get(
            f"/api/board/evaluations/{sent}", headers={"Authorization": f"Bearer {token}"}
        )
        assert detail.json()["answers"]["by_approach"]["celebrating"]["story"] == URDU_STORY
        assert detail.json()["english"] == [
            {
                "approach_id": "celebrating",
                "field": "story",
                "text": ENGLISH,
                "by": TRANSLATOR,
                "at": "2026-11-23T09:00:00+00:00",
            }
        ]
        audit = (await board.get("/board/audit")).text
        assert "translate" in audit and f"evaluation {sent} celebrating story" in audit
    finally:
        await board.aclose()
    async with app.state.service.sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "translate"))
    assert entry is not None and entry.actor == TRANSLATOR and ENGLISH not in entry.target  # never the words


async def test_board_staff_are_told_when_no_translator_is_set_up(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await check_in(client, "ur", URDU_STORY)
    await add_user(app, BOARD)
    board = await signed_in(app, BOARD)
    page = await board.get("/board/translations")
    assert page.status_code == 200 and "No translator is set up" in page.text
    assert (
        URDU_STORY in page.text and 'name="english"' not in page.text
    )  # board staff read, translators write
    await add_translator(app, "polish@kirklees.example", ("pl",))
    page = await board.get("/board/translations")
    assert "No translator is set up" not in page.text
    assert "No translator reads these languages yet: Urdu" in page.text
    await board.aclose()


async def test_nonsense_sent_to_the_translation_routes_gets_a_4xx(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    sent = (await check_in(client, "ur", URDU_STORY)).id
    kept = (await check_in(client, "ur", "یہ کہانی ہم نے اپنے پاس رکھی۔", consent="@keep")).id
    await add_translator(app)
    await add_user(app, BOARD)
    await add_user(app, "lead@kirklees.example", "org-lead", "Partner group ur")
    translator = await signed_in(app, TRANSLATOR)
    csrf = csrf_of((await translator.get("/board/translations")).text)
    good = {"csrf": csrf, "evaluation": sent, "approach": "celebrating", "field": "story", "english": ENGLISH}
    tries = [
        {},
        {"csrf": csrf},
        {**good, "csrf": "forged"},
        {**good, "evaluation": "../../etc/passwd"},
        {**good, "evaluation": "0" * 32},
        {**good, "evaluation": kept},  # kept by its author: not theirs to read
        {**good, "approach": "nonsense"},
        {**good, "approach": "x" * 500},
        {**good, "field": "score"},
        {**good, "field": "reference"},
        {**good, "english": ""},
        {**good, "english": "   \x00\x1b[2J\u202e  "},
        {**good, "english": "a" * 5000},
        {**good, "english": "b" * 100_000},
    ]
    for data in tries:
        answer = await translator.post("/board/translations", data=data)
        assert 400 <= answer.status_code < 500, (data.keys(), answer.status_code)
    blank = await translator.post("/board/translations", data={**good, "english": " \u200f\x07 "})
    assert blank.status_code == 400 and "Please write the English in the box." in blank.text
    long = await translator.post("/board/translations", data={**good, "english": "a" * 4001})
    assert long.status_code == 400 and "too long" in long.text and "a" * 4001 in long.text  # kept in its box
    answer = await translator.post("/board/translations", content=b"\xff\xfe not a form")
    assert 400 <= answer.status_code < 500
    for email in (BOARD, "lead@kirklees.example"):  # only translators add English
        person = await signed_in(app, email)
        token = csrf_of((await person.get("/board")).text)
        refused = await person.post("/board/translations", data={**good, "csrf": token})
        assert refused.status_code == 404, email
        await person.aclose()
    lead = await signed_in(app, "lead@kirklees.example")
    assert (await lead.get("/board/translations")).status_code == 404
    await lead.aclose()
    for path, data in [  # nor anything else that changes the board
        ("/board/pull", {"evaluation": sent}),
        ("/board/organisations", {"action": "add", "name": "Translator's own list"}),
        (
            "/board/workshops",
            {"year": "2026", "approach": "connecting", "theme": "training", "on": "2026-12-01"},
        ),
    ]:
        assert (await translator.post(path, data={"csrf": csrf, **data})).status_code == 404, path
    async with browser(app) as stranger:
        assert (await stranger.post("/board/translations", data=good)).status_code == 303  # to sign in
    marked = await translator.post(
        "/board/translations", data={**good, "english": "<script>alert(1)</script>"}
    )
    assert marked.status_code == 303
    await translator.aclose()
    board = await signed_in(app, BOARD)
    page = (await board.get(f"/board/evaluations/{sent}")).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    await board.aclose()
    async with app.state.service.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Translation))
    assert count == 1  # none of the nonsense was kept


async def test_erasing_an_evaluation_erases_its_translations(app: FastAPI, client: httpx.AsyncClient) -> None:
    chat = await check_in(client, "ur", URDU_STORY)
    await add_translator(app)
    translator = await signed_in(app, TRANSLATOR)
    assert (await _translate(translator, chat.id, "story", ENGLISH)).status_code == 303
    async with app.state.service.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Translation)) == 1
    await chat.say("delete")  # the person deletes everything they gave, from their own chat
    await chat.say("@yes")
    assert chat.last["status"] == "deleted"
    async with app.state.service.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Translation)) == 0
        assert (await _answers(app, chat.id)) == {}
    page = await translator.get("/board/translations")
    assert URDU_STORY not in page.text and ENGLISH not in page.text
    await translator.aclose()


def test_icf_board_add_user_makes_a_translator_for_languages(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'icf.db'}", "ICF_DATA_DIR": str(tmp_path)}
    password = "a long enough password\n"
    args = ("board", "add-user", "t@kirklees.example", "--role", "translator", "--password-stdin")
    added = icf(*args, "--languages", "ur,pa", env=env, stdin=password)
    assert added.returncode == 0 and "added t@kirklees.example (translator, ur,pa)" in added.stdout, (
        added.stderr
    )
    unknown = icf(*args[:2], "x@kirklees.example", *args[3:], "--languages", "ur,xx", env=env, stdin=password)
    assert unknown.returncode == 2 and "no such language: xx" in unknown.stderr
    none = icf(*args[:2], "y@kirklees.example", *args[3:], env=env, stdin=password)
    assert none.returncode == 2 and "needs --languages" in none.stderr


def test_the_words_to_translate_are_read_as_the_board_reads_the_answers() -> None:
    """Only approaches the evaluation still lists, a typed need only while "something else" is chosen,
    the person's own English kept beside; anything oddly shaped reads as nothing, never an error."""
    shape = shape_of(load_default_content())
    answers = {
        "approaches": ["connecting", "trusting"],
        "by_approach": {
            "connecting": {
                "story": " کہانی ",
                "support": ["time"],
                "support_other": "چھوڑا ہوا",
                "english": [],
            },
            "trusting": {
                "action": "عمل",
                "support": ["other"],
                "support_other": "مدد",
                "english": {"action": "Act"},
            },
            "celebrating": {"story": "not listed any more"},
        },
    }
    assert [(w.approach_id, w.field, w.text, w.english) for w in typed_words(answers, shape)] == [
        ("connecting", "story", "کہانی", ""),
        ("trusting", "support_other", "مدد", ""),
        ("trusting", "action", "عمل", "Act"),
    ]
    for nonsense in (None, [], {"by_approach": []}, {"approaches": "x", "by_approach": {"trusting": 3}}):
        assert typed_words(nonsense, shape) == []
