"""/help for each audience: exactly the commands the asker may use where they are, in their language
(young people: theirs; staff chats: the staff language), from the table of actions."""

from __future__ import annotations

from actions.model import Action, Actor, Args, Outcome, Role, Status
from actions.permissions import allowed
from core.texts import Html
from handlers.context import Job


def show(job: Job, actor: Actor, args: Args) -> Outcome:
    from actions.table import ACTIONS  # the table names this handler

    language = args.get("language") or job.staff_language
    lines = [intro(job, actor, language)]
    lines += [job.text(language, "help_item", command=f"/{command}",
                       description=job.text(language, action.description_key))
              for action, command in commands_for(ACTIONS, actor, language)]
    return Outcome(Status.DONE, "help", html=Html("\n".join(lines)))


def intro(job: Job, actor: Actor, language: str) -> Html:
    if Role.YOUTH in actor.roles:
        platform = actor.who.partition(":")[0]
        return job.text(language, "help", sendable=job.sendable(language, platform))
    return job.text(language, f"help_header_{actor.role}")


def commands_for(actions: tuple[Action, ...], actor: Actor, language: str) -> list[tuple[Action, str]]:
    """The commands `actor` may type here, each by its first name in `language`."""
    return [(action, action.commands[language][0]) for action in actions
            if action.commands.get(language) and allowed(action, actor)]
