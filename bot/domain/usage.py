"""What each command looks like, shown by `help` and beside every parse error.

Plain text with backticks around commands: it reads the same in Slack mrkdwn and
in a console.
"""

from __future__ import annotations

_LEDGER_OPTIONS = (
    'Also: `about:<place>[,…]` `note:"…"` `corroborates:<id>[,…]` `refutes:<id>[,…]` '
    "`when:<time>` `source:<name or URL>` (repeatable) `conflict:<name>`"
)

OVERVIEW = """\
*Sitrep commands*
`/status [<place>] [on <date>]` — who controls a place, or the overview
`/claims [<place>|<party>|<speaker>] [since <date>]` — claims, newest first
`/ceasefire [<name>|<order>]` — every ceasefire and its state, or one in detail
`/update …` — add to the ledger (admins); `/update` alone opens the form
`/briefing …` — this channel's daily briefing
Add `help` after any command for its details, e.g. `/update claim help`; \
`help times` explains how to write times."""

USAGE: dict[str, str] = {
    "status": """\
`/status` — the overview: ceasefires, disputed places, claims new since the last briefing
`/status <place> [on <date>] [conflict:<name>]` — who controls a place, now or as of a date
Example: `/status Hadrut on 12 Oct 2020`""",
    "claims": """\
`/claims [<place>|<party>|<speaker>] [since <date>] [place:<name>] [page:<n>] [conflict:<name>]`
Claims, newest first. A name that is both a party and a place means the party; \
`place:` asks for the place.
Example: `/claims Shusha since 2020-11-01`""",
    "ceasefire": """\
`/ceasefire` — every ceasefire and its state
`/ceasefire <name>|<order> [conflict:<name>]` — one ceasefire in detail
Example: `/ceasefire third`""",
    "update": """\
`/update` alone opens the form. One-line forms (admins):
`/update control <place> <holder|contested|unknown> [confidence:low|moderate|high]`
`/update claim <party>[,<party>…] "<what they claim>" [speaker:"…"] [stance:asserts|denies]`
`/update ceasefire "<name>" <announced|in effect|violated|holding|collapsed|ended>`
`/update note "<text>"`
`/update place "<name>" …` · `/update party "<name>" …` · `/update conflict "<name>" …`
`/update show <id>` · `/update correct <id> <field>:<value> …` · `/update retract <id>`
`/update admins add|remove|list …` · `/update ingest [<file or URL>]`
Add `help` for one form, e.g. `/update claim help`.
Example: `/update control Shusha Azerbaijan confidence:high`""",
    "update control": f"""\
`/update control <place> <holder|contested|unknown> [confidence:low|moderate|high]`
The desk's assessment of who controls a place; quote a holder of several words.
{_LEDGER_OPTIONS}
Example: `/update control Hadrut Azerbaijan confidence:high when:2020-10-15 source:BBC`""",
    "update claim": f"""\
`/update claim <party>[,<party>…] "<what they claim>" [speaker:"…"] \
[stance:asserts|denies] [holder:<party>]`
A stance says that `holder` (by default the claimant) does or does not control \
the places in `about:`.
{_LEDGER_OPTIONS}
Example: `/update claim Azerbaijan "Our forces took Hadrut" about:Hadrut \
stance:asserts speaker:"Ilham Aliyev" when:2020-10-09`""",
    "update ceasefire": f"""\
`/update ceasefire "<name>" <announced|in effect|violated|holding|collapsed|ended> \
[parties:A,B] [mediator:X[,Y]] [effective:<time>] [by:<accused>[,…]] [accuser:<party>]`
{_LEDGER_OPTIONS}
Example: `/update ceasefire "Humanitarian ceasefire" violated by:Azerbaijan \
accuser:Armenia when:"10 Oct 2020 12:05"`""",
    "update note": f"""\
`/update note "<text>"`
{_LEDGER_OPTIONS}
Example: `/update note "Shelling heard in Stepanakert overnight" about:Stepanakert`""",
    "update place": """\
`/update place "<name>" [aliases:"a","b"] \
[kind:town|city|village|district|corridor|region|site] [in:<place>] [at:<lat>,<lon>]`
Updates the place with that exact name or alias, or adds it. Also: `source:` `conflict:`
Example: `/update place "Lachin corridor" aliases:"Berdzor corridor" kind:corridor \
at:39.64,46.55`""",
    "update party": """\
`/update party "<name>" [aliases:"a","b"] [side:<side>|observer]`
Updates the party with that exact name or alias, or adds it. Also: `source:` `conflict:`
Example: `/update party "Artsakh" aliases:"NKR","Nagorno-Karabakh Republic" side:Armenia`""",
    "update conflict": """\
`/update conflict "<name>" [zone:<IANA zone>] [aliases:"a","b"]`
Starts a new ledger.
Example: `/update conflict "Nagorno-Karabakh 2020" zone:Asia/Baku aliases:"NK2020"`""",
    "update show": """\
`/update show <id>` — one update in full, with its corrections
Example: `/update show u42`""",
    "update correct": """\
`/update correct <id> <field>:<value> …` — correct fields of an update; the \
original stays in its history
Example: `/update correct u42 confidence:high when:"2020-10-09 14:00"`""",
    "update retract": """\
`/update retract <id> [reason:"…"]` — withdraw an update; it stays in the history
Example: `/update retract u42 reason:"Video was from 2016"`""",
    "update admins": """\
`/update admins add|remove <@user> …` — who may write to the ledger
`/update admins list`
Example: `/update admins add @maria`""",
    "update ingest": """\
`/update ingest [<file or URL>] [approve:all|<n>,<n>…] [source:"<name>"]`
Reads a report and proposes numbered updates; only those named by `approve:` are \
written. Alone in Slack: opens the report form.
Example: `/update ingest seed/report.txt approve:1,3 source:"ISW daily"`""",
    "briefing": """\
`/briefing` — a preview of this channel's next briefing, for you alone
`/briefing subscribe <HH:MM> [<zone>] [conflict:<name>]` · \
`/briefing unsubscribe [conflict:<name>]`
`/briefing list` · `/briefing post [conflict:<name>]`
`/briefing bottomline "<text>" [trend:deteriorated|unchanged|improved]`
Example: `/briefing subscribe 07:30 Asia/Yerevan`""",
    "briefing subscribe": """\
`/briefing subscribe <HH:MM> [<zone>] [conflict:<name>]` — a daily briefing in \
this channel; the zone defaults to the conflict's
Example: `/briefing subscribe 07:30 Asia/Yerevan`""",
    "briefing unsubscribe": """\
`/briefing unsubscribe [conflict:<name>]` — stop this channel's daily briefing
Example: `/briefing unsubscribe`""",
    "briefing list": """\
`/briefing list` — this workspace's briefing subscriptions
Example: `/briefing list`""",
    "briefing post": """\
`/briefing post [conflict:<name>]` — post this channel's briefing now
Example: `/briefing post`""",
    "briefing bottomline": """\
`/briefing bottomline "<text>" [trend:deteriorated|unchanged|improved] [conflict:<name>]`
The one-sentence bottom line of the next briefings.
Example: `/briefing bottomline "Third ceasefire collapsed within hours" trend:deteriorated`""",
    "times": """\
Times: ISO with or without offset (`2020-10-18T08:00+04:00`), `25 Oct 2020 14:00`, \
`yesterday`, `3h ago`. Without a zone, a time is in the conflict's zone.
Precision is what you give: `2020-10-18` is known to the day, `2020-10-18T08:00` to \
the minute; `~2020-10-18` is approximate; `2020-10-14..2020-10-15` is a range.
Quote a time of several words before other words: `when:"25 Oct 2020 14:00"`.""",
}


def help_text(topic: str | None) -> str:
    """The usage of `topic` ("update claim"), or the overview of every command."""
    if topic is None:
        return OVERVIEW
    key = " ".join(topic.lower().lstrip("/").split())
    return USAGE.get(key, OVERVIEW)
