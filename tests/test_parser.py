"""The command language: every form, option order, quoting, Slack escapes, limits,
errors and help."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.commands import (
    Admins,
    BriefingBottomLine,
    BriefingList,
    BriefingPost,
    BriefingPreview,
    BriefingSubscribe,
    BriefingUnsubscribe,
    CeasefireQuery,
    CeasefireUpdate,
    Claims,
    ClaimUpdate,
    Common,
    ConflictUpdate,
    ControlUpdate,
    CorrectUpdate,
    Help,
    Ingest,
    NoteUpdate,
    OpenForm,
    PartyUpdate,
    PlaceUpdate,
    RetractUpdate,
    ShowUpdate,
    Status,
)
from bot.domain.errors import ParseError
from bot.domain.model import CeasefireState, Confidence, PlaceKind, Stance
from bot.domain.parser import parse, parse_line
from bot.domain.times import parse_time_spec
from bot.domain.usage import OVERVIEW, USAGE, help_text


def t(text: str):
    return parse_time_spec(text)


def fails(command: str, text: str, topic: str | None) -> str:
    """Parse expecting an error; check it carries `topic`'s usage; return its message."""
    with pytest.raises(ParseError) as info:
        parse(command, text)
    assert info.value.usage == (OVERVIEW if topic is None else USAGE[topic])
    return info.value.message


# ---- /status ---------------------------------------------------------------


def test_status_alone_is_the_overview():
    assert parse("/status", "") == Status()
    assert parse("status", "   ") == Status()


def test_status_of_one_place():
    assert parse("/status", "Lachin") == Status(place="Lachin")


def test_status_command_name_is_case_insensitive_and_slash_optional():
    assert parse("/STATUS", "Shusha") == Status(place="Shusha")
    assert parse("Status", "Shusha") == Status(place="Shusha")


def test_status_place_of_several_words():
    assert parse("/status", "Lachin corridor") == Status(place="Lachin corridor")


def test_status_quoted_place():
    assert parse("/status", '"Lachin corridor"') == Status(place="Lachin corridor")


def test_status_on_a_date():
    assert parse("/status", "Hadrut on 12 Oct 2020") == Status(place="Hadrut", on=t("12 Oct 2020"))


def test_status_multiword_place_on_a_date():
    result = parse("/status", "Lachin corridor on 2020-11-10")
    assert result == Status(place="Lachin corridor", on=t("2020-11-10"))


def test_status_splits_at_the_last_on_that_reads_as_a_time():
    result = parse("/status", "Stratford on Avon on 25 Oct 2020 14:00")
    assert result == Status(place="Stratford on Avon", on=t("25 Oct 2020 14:00"))


def test_status_on_that_is_not_a_time_stays_in_the_name():
    assert parse("/status", "Stratford on Avon") == Status(place="Stratford on Avon")


def test_status_overview_as_of_a_date():
    assert parse("/status", "on yesterday") == Status(on=t("yesterday"))


def test_status_conflict_option_before_or_after():
    expected = Status(place="Shusha", conflict="NK2020")
    assert parse("/status", "Shusha conflict:NK2020") == expected
    assert parse("/status", "conflict:NK2020 Shusha") == expected
    assert parse("/status", "CONFLICT:NK2020 Shusha") == expected


def test_status_unknown_option_names_it_and_lists_what_it_takes():
    message = fails("/status", "Shusha speaker:Aliyev", "status")
    assert "speaker:Aliyev" in message
    assert message.endswith("for /status; it takes conflict.")


def test_status_repeated_option():
    message = fails("/status", "Shusha conflict:a conflict:b", "status")
    assert "conflict:" in message and "twice" in message


def test_status_name_too_long():
    message = fails("/status", "x" * 101, "status")
    assert "101" in message and "100" in message


def test_status_strips_zero_width_and_bidi_characters_from_names():
    assert parse("/status", "La\u200bchin\u200d") == Status(place="Lachin")
    assert parse("/status", "\u2066Shusha\u2069") == Status(place="Shusha")
    assert parse("/status", '"\u202bLachin\u202c   corridor\ufeff"') == Status(
        place="Lachin corridor"
    )


def test_status_name_of_only_invisible_characters_is_no_name():
    assert parse("/status", "\u200b\u2060") == Status()
    message = fails("/status", '"\u200b"', "status")
    assert "empty" in message


# ---- /claims ---------------------------------------------------------------


def test_claims_alone():
    assert parse("/claims", "") == Claims()


def test_claims_about_a_subject_since_a_date():
    result = parse("/claims", "Ilham Aliyev since 2020-11-01")
    assert result == Claims(subject="Ilham Aliyev", since=t("2020-11-01"))


def test_claims_since_without_subject():
    assert parse("/claims", "since 3h ago") == Claims(since=t("3h ago"))


def test_claims_place_option_and_page_in_any_order():
    expected = Claims(subject="Artsakh", subject_is_place=True, page=3, conflict="NK")
    assert parse("/claims", "place:Artsakh page:3 conflict:NK") == expected
    assert parse("/claims", "page:3 conflict:NK place:Artsakh") == expected


def test_claims_subject_and_place_together_is_an_error():
    message = fails("/claims", "Armenia place:Hadrut", "claims")
    assert "'Armenia'" in message


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5"])
def test_claims_bad_page(page):
    message = fails("/claims", f"page:{page}", "claims")
    assert f"'{page}'" in message


def test_claims_bad_since_keeps_the_subject():
    # A `since` whose rest is no time stays part of the subject.
    assert parse("/claims", "since forever") == Claims(subject="since forever")


# ---- /ceasefire ------------------------------------------------------------


def test_ceasefire_alone():
    assert parse("/ceasefire", "") == CeasefireQuery()


def test_ceasefire_by_name():
    result = parse("/ceasefire", "Humanitarian truce")
    assert result == CeasefireQuery(name="Humanitarian truce")


@pytest.mark.parametrize("order", ["third", "3rd", "3", "#3", "3RD"])
def test_ceasefire_by_order(order):
    assert parse("/ceasefire", order) == CeasefireQuery(name="third")


def test_ceasefire_conflict_option():
    assert parse("/ceasefire", "conflict:NK first") == CeasefireQuery(name="first", conflict="NK")


# ---- /update alone and unknown kinds ---------------------------------------


def test_update_alone_opens_the_form():
    assert parse("/update", "") == OpenForm()


def test_update_unknown_kind_lists_kinds():
    message = fails("/update", "capture Hadrut", "update")
    assert "'capture'" in message
    assert "control" in message and "claim" in message and "ceasefire" in message


def test_update_option_without_kind():
    message = fails("/update", "about:Hadrut", "update")
    assert "about:" in message


# ---- /update control -------------------------------------------------------


def test_control_simple():
    assert parse("/update", "control Hadrut Azerbaijan") == ControlUpdate(
        place="Hadrut", holder="Azerbaijan"
    )


def test_control_multiword_place():
    assert parse("/update", "control Lachin corridor Russia") == ControlUpdate(
        place="Lachin corridor", holder="Russia"
    )


def test_control_quoted_place_and_holder():
    result = parse("/update", 'control "Lachin corridor" "Artsakh Defence Army"')
    assert result == ControlUpdate(place="Lachin corridor", holder="Artsakh Defence Army")


@pytest.mark.parametrize("holder", ["contested", "CONTESTED", "Unknown"])
def test_control_contested_and_unknown(holder):
    result = parse("/update", f"control Shusha {holder}")
    assert isinstance(result, ControlUpdate)
    assert result.holder == holder.lower()


@pytest.mark.parametrize(
    ("word", "confidence"),
    [
        ("low", Confidence.LOW),
        ("moderate", Confidence.MODERATE),
        ("medium", Confidence.MODERATE),
        ("HIGH", Confidence.HIGH),
    ],
)
def test_control_confidence(word, confidence):
    result = parse("/update", f"control Hadrut Azerbaijan confidence:{word}")
    assert isinstance(result, ControlUpdate)
    assert result.confidence is confidence


def test_control_with_every_common_option_in_any_order():
    expected = ControlUpdate(
        place="Hadrut",
        holder="Azerbaijan",
        confidence=Confidence.HIGH,
        common=Common(
            about=("Hadrut", "Tugh"),
            note="Geolocated video from the town centre",
            corroborates=(12,),
            refutes=(7, 9),
            when=t("2020-10-15"),
            sources=("BBC", "https://example.org/hadrut"),
            conflict="NK2020",
        ),
    )
    first = (
        'control Hadrut Azerbaijan confidence:high about:Hadrut,Tugh note:"Geolocated video '
        'from the town centre" corroborates:u12 refutes:u7,9 when:2020-10-15 source:BBC '
        "source:https://example.org/hadrut conflict:NK2020"
    )
    second = (
        "control source:BBC conflict:NK2020 refutes:7,u9 Hadrut when:2020-10-15 "
        'note:"Geolocated video from the town centre" Azerbaijan corroborates:12 '
        "about:Hadrut,Tugh source:https://example.org/hadrut confidence:high"
    )
    assert parse("/update", first) == expected
    assert parse("/update", second) == expected


def test_control_when_runs_over_following_words():
    result = parse("/update", "control Hadrut Azerbaijan when:25 Oct 2020 14:00 source:x")
    assert isinstance(result, ControlUpdate)
    assert result.common.when == t("25 Oct 2020 14:00")
    assert result.common.sources == ("x",)


def test_control_when_before_the_place_takes_only_what_is_a_time():
    result = parse("/update", "control when:25 Oct 2020 Lachin corridor Armenia")
    assert result == ControlUpdate(
        place="Lachin corridor", holder="Armenia", common=Common(when=t("25 Oct 2020"))
    )


def test_control_quoted_when():
    result = parse("/update", 'control Hadrut Azerbaijan when:"25 Oct 2020 14:00"')
    assert isinstance(result, ControlUpdate)
    assert result.common.when == t("25 Oct 2020 14:00")


def test_control_clock_time_and_url_are_not_options():
    result = parse("/update", "control Hadrut Azerbaijan source:https://x.y/a?b=c:d")
    assert isinstance(result, ControlUpdate)
    assert result.common.sources == ("https://x.y/a?b=c:d",)


def test_control_source_with_commas_kept_whole():
    result = parse("/update", "control Hadrut Azerbaijan source:https://x.y/a,b,c")
    assert isinstance(result, ControlUpdate)
    assert result.common.sources == ("https://x.y/a,b,c",)


def test_control_unwraps_slack_links_in_sources():
    result = parse(
        "/update",
        "control Hadrut Azerbaijan source:<https://x.y/z|Example News Site> source:<https://a.b/c>",
    )
    assert isinstance(result, ControlUpdate)
    assert result.common.sources == ("https://x.y/z", "https://a.b/c")


def test_control_missing_holder():
    message = fails("/update", "control Hadrut", "update control")
    assert "'Hadrut'" in message


def test_control_missing_everything():
    message = fails("/update", "control", "update control")
    assert "place" in message


def test_control_bad_confidence():
    message = fails("/update", "control Hadrut Azerbaijan confidence:certain", "update control")
    assert "'certain'" in message and "moderate" in message


def test_control_bad_when():
    message = fails("/update", "control Hadrut Azerbaijan when:someday", "update control")
    assert "someday" in message


def test_control_bad_update_id():
    message = fails("/update", "control Hadrut Azerbaijan refutes:x42", "update control")
    assert "'x42'" in message


def test_control_unknown_option():
    message = fails("/update", "control Hadrut Azerbaijan stance:asserts", "update control")
    assert "stance:asserts" in message
    assert "confidence, about, note, corroborates, refutes, when, source and conflict." in message


def test_control_repeated_source_is_fine_other_options_not():
    message = fails(
        "/update", "control Hadrut Azerbaijan when:today when:yesterday", "update control"
    )
    assert "when:" in message


def test_control_zero_width_characters_in_names():
    result = parse("/update", "control Ha\u200bdrut Azer\u2060baijan about:\u200bTugh")
    assert result == ControlUpdate(
        place="Hadrut", holder="Azerbaijan", common=Common(about=("Tugh",))
    )


def test_control_option_key_with_space_before_value():
    result = parse("/update", 'control Hadrut Azerbaijan note: "Seen on video"')
    assert isinstance(result, ControlUpdate)
    assert result.common.note == "Seen on video"


def test_option_without_value():
    message = fails("/update", "control Hadrut Azerbaijan note:", "update control")
    assert "note:" in message
    message = fails("/update", "control Hadrut Azerbaijan about: source:x", "update control")
    assert "about:" in message


def test_empty_list_option():
    message = fails("/update", "control Hadrut Azerbaijan about:,", "update control")
    assert "about:" in message


# ---- /update claim ---------------------------------------------------------


def test_claim_with_stance_about_places():
    result = parse(
        "/update",
        'claim Armenia "Fuzuli and Hadrut are not controlled by Azerbaijan" '
        "about:Fuzuli,Hadrut stance:denies holder:Azerbaijan",
    )
    assert result == ClaimUpdate(
        parties=("Armenia",),
        text="Fuzuli and Hadrut are not controlled by Azerbaijan",
        stance=Stance.DENIES,
        holder="Azerbaijan",
        common=Common(about=("Fuzuli", "Hadrut")),
    )


def test_claim_speaker_quoted_options_before_text():
    result = parse(
        "/update",
        'claim speaker:"Ilham Aliyev" stance:asserts about:Hadrut Azerbaijan "We took Hadrut"',
    )
    assert result == ClaimUpdate(
        parties=("Azerbaijan",),
        text="We took Hadrut",
        speaker="Ilham Aliyev",
        stance=Stance.ASSERTS,
        common=Common(about=("Hadrut",)),
    )


def test_claim_several_parties_of_several_words():
    result = parse("/update", 'claim Armenia, Nagorno-Karabakh Republic,Karabakh authorities "x"')
    assert isinstance(result, ClaimUpdate)
    assert result.parties == ("Armenia", "Nagorno-Karabakh Republic", "Karabakh authorities")


def test_claim_quoted_parties():
    result = parse("/update", 'claim "Karabakh authorities","Armenia" "Shusha is ours"')
    assert isinstance(result, ClaimUpdate)
    assert result.parties == ("Karabakh authorities", "Armenia")
    assert result.text == "Shusha is ours"


@pytest.mark.parametrize(
    ("opening", "closing"), [("“", "”"), ("„", "“"), ("«", "»"), ("‘", "’"), ("”", "”")]
)
def test_claim_typographic_quotes(opening, closing):
    result = parse("/update", f"claim Armenia {opening}Stepanakert was shelled{closing}")
    assert isinstance(result, ClaimUpdate)
    assert result.text == "Stepanakert was shelled"


def test_claim_apostrophes_inside_single_quotes():
    result = parse(
        "/update", "claim Armenia 'Azerbaijan's drones hit Stepanakert' about:Stepanakert"
    )
    assert isinstance(result, ClaimUpdate)
    assert result.text == "Azerbaijan's drones hit Stepanakert"


def test_claim_straight_quotes_inside_typographic_ones():
    result = parse("/update", 'claim Armenia “Baku\'s "liberation" is occupation” about:Hadrut')
    assert isinstance(result, ClaimUpdate)
    assert result.text == 'Baku\'s "liberation" is occupation'
    assert result.common.about == ("Hadrut",)


def test_claim_mixed_straight_and_typographic_quotes_pair_up():
    result = parse("/update", 'claim Armenia "Stepanakert was shelled” about:Stepanakert')
    assert isinstance(result, ClaimUpdate)
    assert result.text == "Stepanakert was shelled"


def test_claim_text_is_kept_exactly_as_typed():
    text = "  <!channel> *bold* & \u200bzero-width  <https://x.y|link> "
    result = parse("/update", f'claim Armenia "{text}"')
    assert isinstance(result, ClaimUpdate)
    assert result.text == text


def test_claim_smart_quoted_speaker():
    result = parse("/update", "claim Azerbaijan “We took Hadrut” speaker:“Ilham Aliyev”")
    assert isinstance(result, ClaimUpdate)
    assert result.speaker == "Ilham Aliyev"


def test_claim_text_not_in_quotes():
    message = fails("/update", "claim Armenia Stepanakert was shelled", "update claim")
    assert "The claim's text must be in quotes" in message
    assert "'Armenia Stepanakert was shelled'" in message


def test_claim_nothing_given():
    message = fails("/update", "claim", "update claim")
    assert "party" in message


def test_claim_without_party():
    message = fails("/update", 'claim "Stepanakert was shelled"', "update claim")
    assert "party" in message and "'Stepanakert was shelled'" in message


def test_claim_words_after_the_text():
    message = fails("/update", 'claim Armenia "x" extra words', "update claim")
    assert "'extra words'" in message


def test_claim_unclosed_quote():
    message = fails("/update", 'claim Armenia "Stepanakert was shelled', "update claim")
    assert message.startswith("A quote is not closed")
    assert "Stepanakert was shelled" in message


def test_claim_unclosed_typographic_quote():
    message = fails("/update", "claim Armenia “Stepanakert was shelled", "update claim")
    assert "not closed" in message


def test_claim_blank_text():
    message = fails("/update", 'claim Armenia "   "', "update claim")
    assert "blank" in message


def test_claim_text_limit():
    assert isinstance(parse("/update", f'claim Armenia "{"a" * 2000}"'), ClaimUpdate)
    message = fails("/update", f'claim Armenia "{"a" * 2001}"', "update claim")
    assert "2,001" in message and "2,000" in message


def test_claim_bad_stance():
    message = fails("/update", 'claim Armenia "x" stance:maybe', "update claim")
    assert "'maybe'" in message and "asserts" in message and "denies" in message


def test_claim_party_name_too_long():
    message = fails("/update", f'claim {"A" * 101} "x"', "update claim")
    assert "101" in message


def test_claim_speaker_too_long():
    message = fails("/update", f'claim Armenia "x" speaker:"{"s" * 101}"', "update claim")
    assert "speaker" in message and "101" in message


def test_claim_speaker_list_is_an_error():
    message = fails("/update", 'claim Armenia "x" speaker:"a","b"', "update claim")
    assert "speaker:" in message


# ---- /update ceasefire -----------------------------------------------------


def test_ceasefire_update_every_option():
    result = parse(
        "/update",
        'ceasefire "Humanitarian truce" announced parties:Armenia,Azerbaijan '
        'mediator:Russia,France effective:"10 Oct 2020 12:00" when:2020-10-10 source:TASS',
    )
    assert result == CeasefireUpdate(
        name="Humanitarian truce",
        state=CeasefireState.ANNOUNCED,
        parties=("Armenia", "Azerbaijan"),
        mediators=("Russia", "France"),
        effective=t("10 Oct 2020 12:00"),
        common=Common(when=t("2020-10-10"), sources=("TASS",)),
    )


@pytest.mark.parametrize("state", ["in effect", "in-effect", "IN EFFECT", "In-Effect", "in_effect"])
def test_ceasefire_in_effect_spellings(state):
    result = parse("/update", f'ceasefire "Humanitarian truce" {state}')
    assert isinstance(result, CeasefireUpdate)
    assert result.state is CeasefireState.IN_EFFECT


def test_ceasefire_one_word_name_unquoted():
    result = parse("/update", "ceasefire third violated by:Azerbaijan,Armenia accuser:Armenia")
    assert result == CeasefireUpdate(
        name="third",
        state=CeasefireState.VIOLATED,
        accused=("Azerbaijan", "Armenia"),
        accuser="Armenia",
    )


def test_ceasefire_unquoted_name_of_several_words_before_the_state():
    result = parse("/update", "ceasefire Humanitarian truce in effect")
    assert isinstance(result, CeasefireUpdate)
    assert (result.name, result.state) == ("Humanitarian truce", CeasefireState.IN_EFFECT)


@pytest.mark.parametrize("state", ["announced", "holding", "collapsed", "ended", "violated"])
def test_ceasefire_every_state(state):
    result = parse("/update", f"ceasefire first {state}")
    assert isinstance(result, CeasefireUpdate)
    assert result.state.value == state


def test_ceasefire_unknown_state():
    message = fails("/update", 'ceasefire "Humanitarian truce" paused', "update ceasefire")
    assert message.startswith("Unknown ceasefire state 'paused'; use one of announced, in effect")


def test_ceasefire_missing_state():
    message = fails("/update", 'ceasefire "Humanitarian truce"', "update ceasefire")
    assert "'Humanitarian truce'" in message and "announced" in message


def test_ceasefire_missing_everything():
    message = fails("/update", "ceasefire", "update ceasefire")
    assert "state" in message


def test_ceasefire_effective_runs_over_words():
    result = parse("/update", "ceasefire second in effect effective:18 Oct 2020 00:00 by:Armenia")
    assert isinstance(result, CeasefireUpdate)
    assert result.effective == t("18 Oct 2020 00:00")
    assert result.accused == ("Armenia",)


def test_ceasefire_bad_effective():
    message = fails("/update", "ceasefire second in effect effective:soon", "update ceasefire")
    assert "soon" in message


def test_ceasefire_unknown_option():
    message = fails("/update", "ceasefire second holding confidence:high", "update ceasefire")
    assert "confidence:high" in message and "mediator" in message


# ---- /update note ----------------------------------------------------------


def test_note():
    result = parse("/update", 'note "Shelling heard in Stepanakert overnight" about:Stepanakert')
    assert result == NoteUpdate(
        text="Shelling heard in Stepanakert overnight", common=Common(about=("Stepanakert",))
    )


def test_note_options_first():
    result = parse("/update", 'note source:"ICRC" when:yesterday "Water cut in Stepanakert"')
    assert result == NoteUpdate(
        text="Water cut in Stepanakert", common=Common(when=t("yesterday"), sources=("ICRC",))
    )


def test_note_not_quoted():
    message = fails("/update", "note Shelling heard", "update note")
    assert "The note's text must be in quotes" in message and "'Shelling heard'" in message


def test_note_missing():
    assert "quotes" in fails("/update", "note", "update note")


def test_note_takes_no_note_option():
    message = fails("/update", 'note "x" note:"y"', "update note")
    assert 'note:"y"' in message


def test_note_too_long():
    message = fails("/update", f'note "{"n" * 2500}"', "update note")
    assert "2,500" in message


# ---- /update place, party, conflict ----------------------------------------


def test_place_every_option():
    result = parse(
        "/update",
        'place "Lachin corridor" aliases:"Berdzor corridor","Laçın dəhlizi" kind:corridor '
        "in:Lachin at:39.64,46.55 source:OSM conflict:NK",
    )
    assert result == PlaceUpdate(
        name="Lachin corridor",
        aliases=("Berdzor corridor", "Laçın dəhlizi"),
        kind=PlaceKind.CORRIDOR,
        parent="Lachin",
        lat=39.64,
        lon=46.55,
        common=Common(sources=("OSM",), conflict="NK"),
    )


def test_place_aliases_with_space_after_comma_and_negative_coordinates():
    result = parse("/update", 'place Tugh aliases:"Tug", "Tux" at:-39.5,-46.9')
    assert result == PlaceUpdate(name="Tugh", aliases=("Tug", "Tux"), lat=-39.5, lon=-46.9)


def test_place_name_with_invisible_characters_and_extra_spaces():
    result = parse("/update", 'place "  Lachin\u200b   corridor\u202e "')
    assert isinstance(result, PlaceUpdate)
    assert result.name == "Lachin corridor"


@pytest.mark.parametrize(
    ("at", "token"),
    [("91,46", "'91'"), ("39,181", "'181'"), ("-90.5,0", "'-90.5'"), ("0,-180.1", "'-180.1'")],
)
def test_place_coordinates_out_of_range(at, token):
    message = fails("/update", f"place Tugh at:{at}", "update place")
    assert token in message


@pytest.mark.parametrize("at", ["39.6", "nan,46", "39.6;46.5", "a,b", "1,2,3", "inf,1"])
def test_place_coordinates_malformed(at):
    message = fails("/update", f"place Tugh at:{at}", "update place")
    assert f"'{at}'" in message


def test_place_bad_kind():
    message = fails("/update", "place Tugh kind:hamlet", "update place")
    assert "'hamlet'" in message and "village" in message


def test_place_missing_name():
    assert "place name" in fails("/update", "place kind:town", "update place")


def test_place_takes_no_when():
    message = fails("/update", "place Tugh when:today", "update place")
    assert "when:today" in message and "aliases" in message


def test_party():
    result = parse(
        "/update", 'party "Artsakh" aliases:"NKR","Nagorno-Karabakh Republic" side:Armenia'
    )
    assert result == PartyUpdate(
        name="Artsakh", aliases=("NKR", "Nagorno-Karabakh Republic"), side="Armenia"
    )


def test_party_observer():
    result = parse("/update", 'party "Human Rights Watch" side:OBSERVER source:HRW')
    assert result == PartyUpdate(
        name="Human Rights Watch", side="observer", common=Common(sources=("HRW",))
    )


def test_party_name_too_long():
    assert "101" in fails("/update", f'party "{"p" * 101}"', "update party")


def test_conflict():
    result = parse("/update", 'conflict "Nagorno-Karabakh 2020" zone:Asia/Baku aliases:"NK2020"')
    assert result == ConflictUpdate(
        name="Nagorno-Karabakh 2020", zone="Asia/Baku", aliases=("NK2020",)
    )


def test_conflict_zone_case_is_corrected():
    result = parse("/update", 'conflict "NK" zone:asia/yerevan')
    assert isinstance(result, ConflictUpdate)
    assert result.zone == "Asia/Yerevan"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "Asia"])
def test_conflict_bad_zone(zone):
    message = fails("/update", f'conflict "NK" zone:{zone}', "update conflict")
    assert f"'{zone}'" in message


def test_conflict_takes_no_source():
    assert "source:x" in fails("/update", 'conflict "NK" source:x', "update conflict")


# ---- /update show, correct, retract ----------------------------------------


@pytest.mark.parametrize("ident", ["u42", "U42", "42", "u042"])
def test_show(ident):
    assert parse("/update", f"show {ident}") == ShowUpdate(42)


@pytest.mark.parametrize("ident", ["x42", "u", "u0", "-3", "u4.2"])
def test_show_bad_id(ident):
    message = fails("/update", f"show {ident}", "update show")
    assert f"'{ident}'" in message


def test_show_missing_id_and_extra_words():
    assert "ID" in fails("/update", "show", "update show")
    assert "'u43'" in fails("/update", "show u42 u43", "update show")


def test_show_takes_no_options():
    assert "about:x" in fails("/update", "show u42 about:x", "update show")


def test_correct_keeps_changes_in_order_as_typed():
    result = parse(
        "/update",
        'correct u42 Holder:"Artsakh Defence Army" when:25 Oct 2020 14:00 '
        'aliases:"a","b" about:Fuzuli,Hadrut confidence:high',
    )
    assert result == CorrectUpdate(
        42,
        (
            ("holder", "Artsakh Defence Army"),
            ("when", "25 Oct 2020 14:00"),
            ("aliases", '"a","b"'),
            ("about", "Fuzuli,Hadrut"),
            ("confidence", "high"),
        ),
    )


def test_correct_unwraps_a_slack_link():
    result = parse("/update", "correct 7 source:<https://x.y/z|x.y>")
    assert result == CorrectUpdate(7, (("source", "https://x.y/z"),))


def test_correct_needs_a_change():
    message = fails("/update", "correct u42", "update correct")
    assert "u42" in message and "field:value" in message


def test_correct_stray_words():
    assert "'Armenia'" in fails("/update", "correct u42 Armenia", "update correct")


def test_correct_bad_time():
    assert "whenever" in fails("/update", "correct u42 when:whenever", "update correct")


def test_retract():
    result = parse("/update", 'retract u42 reason:"Video was from 2016"')
    assert result == RetractUpdate(42, "Video was from 2016")
    assert parse("/update", "retract 42") == RetractUpdate(42)


def test_retract_blank_reason():
    assert "blank" in fails("/update", 'retract u42 reason:" "', "update retract")


# ---- /update admins, ingest ------------------------------------------------


def test_admins_add_unwraps_mentions():
    result = parse("/update", "admins add <@U123ABC|maria> <@W0456DEF> U0789GHI")
    assert result == Admins("add", ("U123ABC", "W0456DEF", "U0789GHI"))


def test_admins_remove_and_list():
    assert parse("/update", "admins remove <@U123ABC>") == Admins("remove", ("U123ABC",))
    assert parse("/update", "admins LIST") == Admins("list")


def test_admins_plain_name_is_not_a_user():
    message = fails("/update", "admins add @maria", "update admins")
    assert "'@maria'" in message


def test_admins_errors():
    assert "'promote'" in fails("/update", "admins promote <@U1AB>", "update admins")
    assert "add" in fails("/update", "admins", "update admins")
    assert "@" in fails("/update", "admins add", "update admins")
    assert "'<@U1AB>'" in fails("/update", "admins list <@U1AB>", "update admins")


def test_ingest_forms():
    assert parse("/update", "ingest") == Ingest()
    assert parse("/update", "ingest seed/report.txt approve:all") == Ingest(
        target="seed/report.txt", approve_all=True
    )
    assert parse(
        "/update", 'ingest approve:3,1,3 "my reports/isw.txt" source:"ISW daily"'
    ) == Ingest(target="my reports/isw.txt", approve=(3, 1), source_name="ISW daily")


def test_ingest_unwraps_a_slack_link():
    result = parse("/update", "ingest <https://example.org/report.html|example.org>")
    assert result == Ingest(target="https://example.org/report.html")


def test_ingest_errors():
    assert "'x'" in fails("/update", "ingest approve:x", "update ingest")
    assert "'0'" in fails("/update", "ingest approve:0", "update ingest")
    assert "'b.txt'" in fails("/update", "ingest a.txt b.txt", "update ingest")
    assert "source:" in fails("/update", "ingest a.txt source:a source:b", "update ingest")


# ---- /briefing -------------------------------------------------------------


def test_briefing_preview():
    assert parse("/briefing", "") == BriefingPreview()
    assert parse("/briefing", "conflict:NK") == BriefingPreview(conflict="NK")


def test_briefing_subscribe():
    assert parse("/briefing", "subscribe 07:30 Asia/Yerevan") == BriefingSubscribe(
        "07:30", "Asia/Yerevan"
    )
    assert parse("/briefing", "subscribe conflict:NK 7:05") == BriefingSubscribe(
        "07:05", None, "NK"
    )
    assert parse("/briefing", "SUBSCRIBE 23:59 utc") == BriefingSubscribe("23:59", "UTC")


@pytest.mark.parametrize("clock", ["24:00", "7", "07:60", "seven", "7am"])
def test_briefing_subscribe_bad_time(clock):
    message = fails("/briefing", f"subscribe {clock}", "briefing subscribe")
    assert clock in message


def test_briefing_subscribe_errors():
    assert "07:30" in fails("/briefing", "subscribe", "briefing subscribe")
    assert "'Mars/Base'" in fails("/briefing", "subscribe 07:30 Mars/Base", "briefing subscribe")
    assert "'daily'" in fails("/briefing", "subscribe 07:30 UTC daily", "briefing subscribe")


def test_briefing_other_forms():
    assert parse("/briefing", "unsubscribe") == BriefingUnsubscribe()
    assert parse("/briefing", "unsubscribe conflict:NK") == BriefingUnsubscribe("NK")
    assert parse("/briefing", "list") == BriefingList()
    assert parse("/briefing", "post conflict:NK") == BriefingPost("NK")


def test_briefing_bottomline():
    result = parse("/briefing", 'bottomline trend:deteriorated "Third ceasefire collapsed"')
    assert result == BriefingBottomLine("Third ceasefire collapsed", "deteriorated")


def test_briefing_errors():
    assert "'weekly'" in fails("/briefing", "weekly", "briefing")
    assert "conflict:NK" in fails("/briefing", "list conflict:NK", "briefing list")
    assert "'now'" in fails("/briefing", "post now", "briefing post")
    assert "'all'" in fails("/briefing", "unsubscribe all", "briefing unsubscribe")
    assert "'worse'" in fails("/briefing", 'bottomline "x" trend:worse', "briefing bottomline")
    assert "'Calm day'" in fails("/briefing", "bottomline Calm day", "briefing bottomline")
    assert "quotes" in fails("/briefing", "bottomline", "briefing bottomline")


# ---- unknown commands, limits ----------------------------------------------


def test_unknown_command_lists_commands():
    message = fails("/weather", "Lachin", None)
    assert "'/weather'" in message and "/status" in message and "/briefing" in message


def test_whole_input_limit():
    assert isinstance(parse("/update", f'note "{"a" * 1990}"'), NoteUpdate)
    message = fails("/update", "claim Armenia " + "a" * 4000, "update claim")
    assert "4,014" in message and "4,000" in message
    message = fails("/status", "x" * 5000, "status")
    assert "5,000" in message


def test_long_text_in_quotes_is_shortened_in_messages():
    message = fails("/update", f'claim Armenia "{"b" * 50}', "update claim")
    assert "b" * 38 + "…" in message and "b" * 41 not in message


# ---- help ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "text", "topic"),
    [
        ("/status", "help", "status"),
        ("/claims", "HELP", "claims"),
        ("/ceasefire", "help", "ceasefire"),
        ("/update", "help", "update"),
        ("/update", "claim help", "update claim"),
        ("/update", "control help", "update control"),
        ("/update", 'ceasefire help "unclosed', "update ceasefire"),
        ("/update", "admins help", "update admins"),
        ("/update", "correct help", "update correct"),
        ("/briefing", "help", "briefing"),
        ("/briefing", "subscribe help", "briefing subscribe"),
        ("/briefing", "bottomline help", "briefing bottomline"),
    ],
)
def test_help_after_any_command(command, text, topic):
    assert parse(command, text) == Help(topic)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("help", Help(None)),
        ("/help", Help(None)),
        ("  HELP  ", Help(None)),
        ("help update claim", Help("update claim")),
        ("/help /status", Help("status")),
        ("help nonsense", Help(None)),
        ("/status help", Help("status")),
    ],
)
def test_help_lines(line, expected):
    assert parse_line(line) == expected


def test_help_text():
    assert help_text(None) == OVERVIEW
    assert help_text("update claim") == USAGE["update claim"]
    assert help_text("/Update  Claim") == USAGE["update claim"]
    assert help_text("no such topic") == OVERVIEW
    for command in ("/status", "/claims", "/ceasefire", "/update", "/briefing"):
        assert command in OVERVIEW


def test_every_usage_has_an_example():
    for topic, text in USAGE.items():
        if topic != "times":
            assert "Example: `/" in text, topic


# ---- console lines ---------------------------------------------------------


def test_parse_line_splits_the_command():
    assert parse_line("/status Lachin corridor") == Status(place="Lachin corridor")
    assert parse_line("update control Hadrut Azerbaijan") == ControlUpdate("Hadrut", "Azerbaijan")
    assert parse_line("/status") == Status()


def test_parse_line_errors():
    with pytest.raises(ParseError) as info:
        parse_line("   ")
    assert info.value.usage == OVERVIEW
    with pytest.raises(ParseError) as info:
        parse_line("/frobnicate now")
    assert "'/frobnicate'" in info.value.message
    with pytest.raises(ParseError) as info:
        parse_line("/status " + "x" * 4000)
    assert "4,008" in info.value.message


# ---- robustness ------------------------------------------------------------

_ALPHABET = st.sampled_from(
    [
        *"abcLachin :,\"'“”‘’«»<>|@/-.0123456789~\u200b\u202e\n",
        *("when:", "on ", "since ", "source:", "about:", "in effect", "u42", "help", "claim "),
    ]
)


@pytest.mark.parametrize("command", ["/status", "/claims", "/ceasefire", "/update", "/briefing"])
@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=80), st.lists(_ALPHABET, max_size=30).map("".join)))
def test_parse_raises_only_parse_errors(command, text):
    prefixes = ("", "control ", "claim Armenia ", "ceasefire ", "place ", "correct u1 ")
    for prefix in (*prefixes, "admins add ", "ingest ", "conflict ", "subscribe 07:00 "):
        try:
            parse(command, prefix + text)
        except ParseError as error:
            assert error.message
            assert error.usage
