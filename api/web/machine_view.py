"""The state machine drawn for people: every state as a card listing the events that leave
it, the case's current state highlighted. Read from ``workflow.lifecycle.machine.TRANSITIONS``, the
one
definition, so the drawing cannot disagree with what the service enforces. No diagram
library and no script: it is HTML, so screen readers and keyboard users get all of it."""

from __future__ import annotations

from dataclasses import dataclass

from api.web.labels import event_label, state_label
from workflow.lifecycle.machine import END_STATES, STATES, TRANSITIONS, mermaid


@dataclass(frozen=True)
class Exit:
    event: str
    label: str
    dest: str
    dest_label: str
    who: str


@dataclass(frozen=True)
class StateCard:
    state: str
    label: str
    current: bool
    end: bool
    exits: list[Exit]


def state_cards(current: str | None) -> list[StateCard]:
    cards = []
    for state in STATES:
        exits = [
            Exit(
                t.event,
                event_label(t.event),
                t.dest.value,
                state_label(t.dest.value),
                t.who.description,
            )
            for t in TRANSITIONS
            if state in t.sources
        ]
        cards.append(
            StateCard(
                state=state.value,
                label=state_label(state.value),
                current=state.value == current,
                end=state in END_STATES,
                exits=exits,
            )
        )
    return cards


def mermaid_source(current: str | None) -> str:
    return mermaid(current)
