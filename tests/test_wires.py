from __future__ import annotations

from pathlib import Path

import pytest

from newsbot.extraction.cleanup import furniture_kind, words
from newsbot.templates import Paragraphs
from newsbot.wires import AGENCIES, GENERIC, detect_wires, strip_syndication

SEED = (
    Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "moneycontrol-berlin-talks.txt"
)
BODY = "Officials met on Monday to discuss the proposal, which was welcomed by both sides."

CREDITS = [
    # datelines, at the start of the text or of a paragraph
    ("BERLIN (AFP) - " + BODY, "AFP"),
    ("LONDON, Dec 16 (Reuters) - " + BODY, "Reuters"),
    ("(Reuters) - " + BODY, "Reuters"),
    ("NEW YORK (AP) — " + BODY, "AP"),
    ("NEW DELHI, Dec 16 (PTI): " + BODY, "PTI"),
    ("Washington, Dec 16 (IANS) " + BODY, "IANS"),
    ("New Delhi [India], December 16 (ANI): " + BODY, "ANI"),
    ("Kolkata, Dec 16 (UNI) " + BODY, "UNI"),
    ("(Bloomberg) -- " + BODY, "Bloomberg"),
    ("Berlin (dpa) - " + BODY, "dpa"),
    ("Madrid, 16 dic (EFE).- " + BODY, "EFE"),
    ("BEIJING, Dec. 16 (Xinhua) -- " + BODY, "Xinhua"),
    ("(ANSA) - ROME, DEC 16 - " + BODY, "ANSA"),
    ("TOKYO (Kyodo) -- " + BODY, "Kyodo"),
    ("SEOUL, Dec. 16 (Yonhap) -- " + BODY, "Yonhap"),
    ("Bonn (KNA) " + BODY, "KNA"),
    ("Wien (APA) - " + BODY, "APA"),
    ("ISTANBUL (AA) - " + BODY, "Anadolu"),
    ("MOSCOW, December 16. /TASS/. " + BODY, "TASS"),
    ("Headline of the outlet\n\nPARIS (AFP) - " + BODY, "AFP"),
    # credit lines and closing credits
    (BODY + "\n\n(With AFP inputs)", "AFP"),
    (BODY + "\n\n— AFP", "AFP"),
    (BODY + "\n\n- Reuters", "Reuters"),
    (BODY + "\n\nAgence France-Presse", "AFP"),
    (BODY + "\n\nwith inputs from PTI", "PTI"),
    (BODY + "\n\n(With inputs from IANS)", "IANS"),
    (BODY + "\n\nSource: Anadolu Agency", "Anadolu"),
    (BODY + "\n\nThe Canadian Press", "Canadian Press"),
    (BODY + "\n\n(AAP)", "AAP"),
    (BODY + "\n\nPress Association", "PA"),
    (BODY + "\n\nThe Associated Press contributed to this report.", "AP"),
    (BODY + " (AFP)", "AFP"),
    (BODY + "-PTI", "PTI"),
    (BODY + " PTI ABC DV", "PTI"),
    (BODY + "\n\n© Thomson Reuters 2025", "Reuters"),
    ("By Reuters Staff\n\n" + BODY, "Reuters"),
    ("Jane Doe | AFP\n\n" + BODY, "AFP"),
    (
        BODY
        + "\n\nCopyright 2025 The Associated Press. All rights reserved. This material may not "
        "be published, broadcast, rewritten or redistributed without permission.",
        "AP",
    ),
    (
        BODY + "\n\n(This story has not been edited by NDTV staff and is auto-generated from a "
        "syndicated PTI feed.)",
        "PTI",
    ),
]


@pytest.mark.parametrize(("text", "agency"), CREDITS)
def test_credit_is_detected_and_stripped(text: str, agency: str) -> None:
    assert detect_wires(text) == [agency]
    assert strip_syndication(text).strip().endswith("both sides.")
    assert detect_wires(strip_syndication(text)) == []


MENTIONS = [
    "AFP reported that the talks had stalled, and officials declined to comment.",
    "An official briefed on the talks told AFP that negotiators still want more.",
    "A Reuters investigation found the company had misled regulators for years.",
    "According to Reuters, the deal is worth $2 billion.",
    "Agence France-Presse (AFP) said on Monday that its reporter had been released.",
    "The minister spoke to the Press Trust of India and to Bloomberg News on the sidelines.",
    "He said he had read the Xinhua commentary before the meeting with TASS editors.",
    "Photographs taken by AP photographers were published around the world.",
]


@pytest.mark.parametrize("text", MENTIONS)
def test_mention_in_running_text_is_no_credit(text: str) -> None:
    assert detect_wires(text) == []
    assert strip_syndication(text) == text


def test_reuters_standards_line_is_stripped() -> None:
    text = BODY + "\n\nOur Standards: The Thomson Reuters Trust Principles."
    assert detect_wires(text) == ["Reuters"]
    assert strip_syndication(text) == BODY


def test_disclaimer_without_agency_credits_nothing_but_is_stripped() -> None:
    text = (
        BODY
        + "\n\n(This story has not been edited by NDTV staff and is auto-generated from a syndicated feed.)"
    )
    assert detect_wires(text) == []
    assert strip_syndication(text) == BODY


def test_authors_and_meta() -> None:
    assert detect_wires(BODY, authors=["By Reuters Staff"]) == ["Reuters"]
    assert detect_wires(BODY, authors=["AFP", "PTI"]) == ["AFP", "PTI"]
    assert detect_wires(BODY, authors=["Moneycontrol World Desk"]) == []
    assert detect_wires(
        BODY, meta={"author": "Associated Press", "description": "as told to AFP"}
    ) == ["AP"]
    assert detect_wires(BODY, meta={"og:site_name": "Reuters", "article:publisher": "Xinhua"}) == [
        "Xinhua"
    ]


def test_several_agencies_sorted_and_unique() -> None:
    text = "BERLIN (AFP) - " + BODY + "\n\n(With inputs from Reuters, AFP)"
    assert detect_wires(text, authors=["AFP"]) == ["AFP", "Reuters"]


def test_plain_datelines_are_stripped() -> None:
    assert strip_syndication("NEW DELHI: " + BODY) == BODY
    assert (
        strip_syndication("Zelensky: we will not cede territory.")
        == "Zelensky: we will not cede territory."
    )


@pytest.mark.skipif(not SEED.exists(), reason="shared/seed is not beside the project")
def test_seed_page_credits_afp_not_its_mention() -> None:
    text = SEED.read_text(encoding="utf-8")
    assert detect_wires(text) == ["AFP"]
    stripped = strip_syndication(text)
    assert "(With AFP inputs)" not in stripped
    assert "earlier told AFP that" in stripped  # a mention stays: it is part of the story


ALIASES = [(alias, canonical) for canonical, aliases in AGENCIES.items() for alias in aliases]


@pytest.mark.parametrize(("alias", "canonical"), ALIASES)
def test_every_alias_is_protected_from_templates_and_the_byline_rule(
    alias: str, canonical: str
) -> None:
    for line in (alias, f"By {alias}", f"(With {alias} inputs)"):
        assert Paragraphs.of(f"{BODY}\n{line}").protected == {1}, line
        assert furniture_kind(line, frozenset({words(line)})) != "byline", line
    assert detect_wires(f"{BODY}\n\n(With {alias} inputs)") == [canonical]


# Credit phrases in the first or last paragraphs, as outlets print them (six languages).
PHRASES = [
    ("Additional reporting by our staff. Agency material from AFP was used.", ["AFP"]),
    ("Additional reporting by Reuters.", ["Reuters"]),
    ("With inputs from PTI and IANS", ["IANS", "PTI"]),
    ("(With agency inputs)", [GENERIC]),
    ("With inputs from agencies", [GENERIC]),
    ("Staff and agencies", [GENERIC]),
    ("Reuters and AFP contributed to this report.", ["AFP", "Reuters"]),
    ("With files from The Canadian Press", ["Canadian Press"]),
    ("Source: Bernama", ["Bernama"]),
    ("© AFP 2025", ["AFP"]),
    ("Copyright 2025 Australian Associated Press", ["AAP"]),
    ("Le Monde avec AFP", ["AFP"]),
    ("(avec AFP et Reuters)", ["AFP", "Reuters"]),
    ("Mit Material von dpa und AFP.", ["AFP", "dpa"]),
    ("Mit Material der Katholischen Nachrichten-Agentur KNA", ["KNA"]),
    ("Quelle: APA", ["APA"]),
    ("(mit Agenturen)", [GENERIC]),
    ("Con información de EFE y Europa Press.", ["EFE", "Europa Press"]),
    ("Fuente: Agencia EFE", ["EFE"]),
    ("(con agencias)", [GENERIC]),
    ("Com informações da Lusa", ["Lusa"]),
    ("Fonte: Agência Lusa", ["Lusa"]),
    ("Con fonte ANSA", ["ANSA"]),
    ("Fonte: ANSA", ["ANSA"]),
    ("Reporting by Jiji Press; editing by the Tokyo desk", ["Jiji"]),
]


@pytest.mark.parametrize(("line", "agencies"), PHRASES)
def test_credit_phrase_closing_or_opening_the_story(line: str, agencies: list[str]) -> None:
    assert detect_wires(f"{BODY}\n{BODY}\n{BODY}\n{BODY}\n{line}") == agencies
    assert detect_wires(f"{line}\n{BODY}\n{BODY}\n{BODY}\n{BODY}") == agencies
    assert strip_syndication(f"{BODY}\n{line}") == BODY


MENTIONS_ELSEWHERE = [
    "An official told AFP on Monday that the talks would resume.",
    "According to Reuters, the deal is worth $2 billion, with inputs from the ministry.",
    "Il a déclaré dans un entretien avec l'AFP qu'il ne se représenterait pas.",
    "Selon l'AFP, les négociations ont échoué.",
    "Das sagte der Minister in einem Gespräch mit der dpa am Montag in Berlin.",
    "Wie die Nachrichtenagentur dpa berichtet, ist der Streik beendet.",
    "Según EFE, el acuerdo se firmará el lunes.",
    "El ministro dijo a EFE que no dimitirá.",
    "O ministro disse à Lusa que não se vai demitir.",
    "Secondo l'ANSA, l'accordo sarà firmato lunedì.",
    "Photo: © AFP",
    "JIM WATSON/AFP/Getty Images",
    "Israeli Prime Minister Benjamin Netanyahu reacts. (Thomas Coex/AFP/Getty Images)",
    "A Reuters reporter contributed photographs, the agency said.",
]


@pytest.mark.parametrize("line", MENTIONS_ELSEWHERE)
def test_mention_at_the_edge_is_no_credit(line: str) -> None:
    assert detect_wires(f"{BODY}\n{line}") == []
    assert detect_wires(f"{line}\n{BODY}") == []


def test_credit_phrase_in_the_middle_of_a_long_story_is_a_mention() -> None:
    middle = "Officials said that additional reporting by Reuters had shown the deal was off."
    text = "\n".join([BODY] * 4 + [middle] + [BODY] * 4)
    assert detect_wires(text) == []
