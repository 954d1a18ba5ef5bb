"""The words of the printable pages (street evidence, daily report) in English and
French (Canada). The server has no Qt, so its pages carry their own small catalogue;
the keys are the English text, and a page asks `words(lang)` for its translator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

LANGUAGES: Final = ("en", "fr")

# fmt: off
FR: Final[dict[str, str]] = {
    "Street evidence": "Preuve de balayage",
    "%1: %2": "%1 : %2",
    "Route %1, segment %2 · %3 m · rule in force: %4":
        "Circuit %1, tronçon %2 · %3 m · règle en vigueur : %4",
    "Last swept, left curb": "Dernier balayage, bordure gauche",
    "Last swept, right curb": "Dernier balayage, bordure droite",
    "Passes": "Passages",
    "never": "jamais",
    "Sweeps": "Balayages",
    "No sweep recorded on this segment.": "Aucun balayage enregistré sur ce tronçon.",
    "When": "Quand",
    "Tablet's claimed time": "Heure indiquée par la tablette",
    "Side": "Côté",
    "Vehicle": "Véhicule",
    "Operator": "Opérateur",
    "Recorded": "Enregistré",
    "Rule that decided": "Règle appliquée",
    "Extent per side": "Étendue par côté",
    "Speed on the segment (km/h)": "Vitesse sur le tronçon (km/h)",
    "Exceptions reported here": "Exceptions signalées ici",
    "No exception reported on this segment.": "Aucune exception signalée sur ce tronçon.",
    "Kind": "Type",
    "Note": "Note",
    "left": "gauche",
    "right": "droite",
    "both": "les deux",
    "sensed": "détecté",
    "inferred": "déduit",
    "min %1 · median %2 · max %3 (%4 fixes)": "min %1 · médiane %2 · max %3 (%4 positions)",
    "no fix near the segment": "aucune position près du tronçon",
    "Printed %1 from the Sweepline server. Times are local.":
        "Imprimé le %1 depuis le serveur Sweepline. Heures locales.",
    "Daily pilot report": "Rapport quotidien du projet pilote",
    "%1 · %2 routes assigned · %3 curb-km swept":
        "%1 · %2 circuits assignés · %3 km de bordure balayés",
    "Completion by route": "Avancement par circuit",
    "No route was assigned this day.": "Aucun circuit n'était assigné ce jour-là.",
    "Route": "Circuit",
    "Operators": "Opérateurs",
    "Swept": "Balayé",
    "Completion by district": "Avancement par district",
    "No district is imported.": "Aucun district n'est importé.",
    "District": "District",
    "Curb-km per hour": "Km de bordure par heure",
    "Nothing was swept this day.": "Rien n'a été balayé ce jour-là.",
    "Exceptions by type": "Exceptions par type",
    "No exception this day.": "Aucune exception ce jour-là.",
    "Operator feedback and survey": "Commentaires des opérateurs et sondage",
    "No feedback this day.": "Aucun commentaire ce jour-là.",
    "Question": "Question",
    "Mean rating": "Note moyenne",
    "Answers": "Réponses",
    "Comments": "Commentaires",
    "Data freshness per tablet": "Fraîcheur des données par tablette",
    "No tablet sent data this day.": "Aucune tablette n'a envoyé de données ce jour-là.",
    "Tablet": "Tablette",
    "Facts received": "Faits reçus",
    "Last received": "Dernière réception",
    "Median delay": "Délai médian",
    "Longest delay": "Délai maximal",
    "Map: streets of the day's routes (green swept) and exceptions (red).":
        "Carte : rues des circuits du jour (vert : balayé) et exceptions (rouge).",
    "Map: the segment (green swept on both sides, amber on one, blue not swept), "
    "exceptions in red.":
        "Carte : le tronçon (vert : balayé des deux côtés, ambre : d'un côté, bleu : non "
        "balayé), exceptions en rouge.",
    "swept": "balayé",
    "not yet swept": "pas encore balayé",
    "Parked cars": "Voitures garées",
    "Construction": "Travaux",
    "Debris pile": "Tas de débris",
    "Blocked": "Bloqué",
    "Road closed": "Rue fermée",
    "Other": "Autre",
    "Not swept: %1": "Non balayé : %1",
}
# What the tablets send (client.models.ExceptionKind, skip reasons) → the page's words.
KIND_LABELS: Final[dict[str, str]] = {
    "parked_cars": "Parked cars",
    "construction": "Construction",
    "debris_pile": "Debris pile",
    "blocked": "Blocked",
    "road_closed": "Road closed",
    "other": "Other",
}
# fmt: on


def words(lang: str) -> Callable[[str], str]:
    """The translator for `lang` ("en" or "fr"); ValueError for any other."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    if lang == "en":
        return lambda text: text
    return lambda text: FR.get(text, text)


def kind_label(kind: str, t: Callable[[str], str]) -> str:
    """An exception kind (or `not swept: reason`) in the page's words; unknown ones as sent."""
    if kind.startswith("not swept: "):
        reason = kind.removeprefix("not swept: ")
        return fill(t("Not swept: %1"), t(KIND_LABELS[reason]) if reason in KIND_LABELS else reason)
    return t(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def fill(template: str, *values: object) -> str:
    """`%1`, `%2`… replaced by `values` (as in the Qt catalogue), highest number first."""
    out = template
    for n in range(len(values), 0, -1):
        out = out.replace(f"%{n}", str(values[n - 1]))
    return out
