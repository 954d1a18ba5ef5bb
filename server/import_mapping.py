"""How a street layer's properties map onto segments and routes: the field mapping,
the presets for the layers pilot cities publish, and the checks that the fields a user
named exist.

A preset covers one published schema: the City of Kitchener Roads layer (provincial
`MTO` roads excluded), OpenStreetMap ways, and the Cambridge MA centrelines with
`sweep_district` as the route. A preset describes a schema, not who published the data,
so it only ever suggests an attribution; the notice comes from the file or from
`--attribution`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final


class RouteImportError(ValueError):
    """The file cannot be imported; the message lists what is wrong, feature by feature."""


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """How a layer's properties map onto segments and routes."""

    id_fields: tuple[str, ...]
    street_fields: tuple[str, ...] = ()
    lanes_field: str | None = None
    oneway_field: str | None = None
    # Values of `oneway_field` meaning one-way along / against the digitised direction.
    oneway_values: frozenset[str] = frozenset({"yes", "true", "1"})
    reverse_values: frozenset[str] = frozenset({"-1"})
    # Property whose value names the route; None: the whole file is one route.
    route_field: str | None = None
    route_prefix: str = ""
    route_name: str = "{value}"
    # Features whose property equals one of these values are left out.
    exclude: tuple[tuple[str, frozenset[str]], ...] = ()
    # Explicit notice (--attribution); None: whatever the file itself declares.
    attribution: str | None = None
    # The notice data of this preset's usual source needs, only ever suggested.
    suggested_attribution: str = ""
    # (option, field) pairs the user named: each must be a property of some feature.
    named: tuple[tuple[str, str], ...] = ()
    # Features with no value in `route_field` are skipped (counted), not an error.
    skip_without_route: bool = True
    extra_street_fallback: tuple[str, ...] = field(default=())


PRESETS: Final[Mapping[str, FieldMapping]] = {
    # City of Kitchener open data "Roads": ROADSEGMENTID, OWNERSHIP (MTO/Region/City),
    # CATEGORY, LANES, Shape__Length. Provincial (MTO) highways are not the city's to sweep.
    "kitchener": FieldMapping(
        id_fields=("ROADSEGMENTID",),
        street_fields=("STREET", "FULL_NAME", "ROADNAME", "STREETNAME", "NAME"),
        lanes_field="LANES",
        exclude=(("OWNERSHIP", frozenset({"MTO"})),),
        suggested_attribution="Contains information licensed under the Open Government Licence – "
        "City of Kitchener",
        extra_street_fallback=("CATEGORY",),
    ),
    # OpenStreetMap ways exported as GeoJSON (osmium, overpass, QGIS).
    "osm": FieldMapping(
        id_fields=("osm_id", "osm_way_id", "@id", "id"),
        street_fields=("name", "ref"),
        lanes_field="lanes",
        oneway_field="oneway",
        suggested_attribution="© OpenStreetMap contributors, ODbL 1.0",
        extra_street_fallback=("highway",),
    ),
    # Cambridge MA TRANS_Centerlines joined with the DPW sweeping districts.
    "cambridge": FieldMapping(
        id_fields=("ID",),
        street_fields=("Street", "Label", "Street_Name"),
        oneway_field="Direction",
        oneway_values=frozenset({"1"}),
        reverse_values=frozenset({"-1"}),
        route_field="sweep_district",
        route_prefix="cambridge-",
        route_name="Cambridge district {value}",
        suggested_attribution="City of Cambridge GIS, PDDL 1.0",
    ),
}


# Top-level members in which exporters put the data's licence notice (overpass-turbo
# writes `copyright`).# writes `copyright`).
SOURCE_ATTRIBUTION_KEYS: Final = ("attribution", "copyright", "licence", "license")


def mapping_for(
    preset: str | None,
    *,
    id_field: str | None = None,
    street_field: str | None = None,
    lanes_field: str | None = None,
    oneway_field: str | None = None,
    route_field: str | None = None,
    route_prefix: str | None = None,
    route_name: str | None = None,
    exclude: Sequence[str] = (),
    attribution: str | None = None,
) -> FieldMapping:
    """A preset (or a blank mapping) with any explicitly given field overriding it."""
    if preset is not None and preset not in PRESETS:
        raise RouteImportError(f"unknown preset {preset!r}: one of {', '.join(sorted(PRESETS))}")
    base = PRESETS[preset] if preset else None
    if base is None:
        if id_field is None:
            raise RouteImportError("without a preset, --id-field is required")
        base = FieldMapping(id_fields=(id_field,))
    changes: dict[str, Any] = {}
    named = [
        (option, name)
        for option, name in (
            ("--id-field", id_field),
            ("--street-field", street_field),
            ("--lanes-field", lanes_field),
            ("--oneway-field", oneway_field),
            ("--route-field", route_field),
        )
        if name
    ]
    if preset and base.route_field and not route_field:
        named.append((f"the {preset} preset's route field", base.route_field))
    if id_field:
        changes["id_fields"] = (id_field,)
    if street_field:
        changes["street_fields"] = (street_field,)
    if lanes_field:
        changes["lanes_field"] = lanes_field
    if oneway_field:
        changes["oneway_field"] = oneway_field
    if route_field:
        changes["route_field"] = route_field
    if route_prefix is not None:
        changes["route_prefix"] = route_prefix
    if route_name is not None:
        changes["route_name"] = route_name
    if attribution is not None:
        changes["attribution"] = attribution
    rules = list(base.exclude)
    for rule in exclude:
        key, sep, values = rule.partition("=")
        if not sep or not key:
            raise RouteImportError(f"--exclude {rule!r} must look like FIELD=VALUE[,VALUE…]")
        rules.append((key, frozenset(v.strip() for v in values.split(","))))
        named.append(("--exclude", key))
    changes["exclude"] = tuple(rules)
    changes["named"] = tuple(named)
    return replace(base, **changes)


def check_named_fields(features: Sequence[object], mapping: FieldMapping) -> None:
    """Refuse a named field that no feature has, naming it and the fields there are."""
    present: set[str] = set()
    for feature in features:
        props = feature.get("properties") if isinstance(feature, Mapping) else None
        if isinstance(props, Mapping):
            present.update(str(k) for k in props)
    missing = [f"{option} {name!r}" for option, name in mapping.named if name not in present]
    if missing:
        fields = ", ".join(sorted(present)) or "(the features have no properties)"
        raise RouteImportError(
            f"{'; '.join(missing)} matches no property of any feature, nothing was imported"
            f" (field names are case-sensitive). The features have: {fields}"
        )


def source_attribution(data: Mapping[str, Any]) -> str:
    """The licence notice the file itself carries at its top level, or ""."""
    for key in SOURCE_ATTRIBUTION_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:500]
    return ""
