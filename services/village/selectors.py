"""Reads of a village's own settings. Run with the village schema active."""

from __future__ import annotations

from django.db.models import Count

from services.residents.models import Resident
from services.residents.reference import ResidentStatus
from services.village.models import Area


def area_tree_with_counts() -> list[dict]:
    """Dusun with their RW and RT nested, each with its living residents (its own and those
    of the areas under it). Two queries: the areas, and one count grouped by RT."""
    areas = list(Area.objects.order_by("name", "id"))
    own = {
        row["rt"]: row["n"]
        for row in Resident.objects.filter(status=ResidentStatus.ALIVE, rt__isnull=False)
        .order_by()
        .values("rt")
        .annotate(n=Count("id"))
    }
    nodes = {a.pk: {"area": a, "residents": own.get(a.pk, 0), "children": []} for a in areas}
    roots = []
    for area in areas:
        node = nodes[area.pk]
        parent = nodes.get(area.parent_id)
        (parent["children"] if parent else roots).append(node)

    def total(node: dict) -> int:
        node["residents"] += sum(total(child) for child in node["children"])
        return node["residents"]

    for root in roots:
        total(root)
    return roots
