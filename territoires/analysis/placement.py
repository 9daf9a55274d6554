"""Place each initiative on the communes it serves.

An initiative counts on its area served (zone d'intervention) when given, else on the commune
where it is based. This avoids the "headquarters effect" of counting everything in the town
that hosts the carrying organisation.

The placement is computed with integer positions: each commune is its row in
``reference.communes`` (``pos``), each initiative its row in the frame given (``row``), so that
what follows (filters, per-territory figures) works on arrays rather than on strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from territoires.analysis.index import PlacementRows, ranges
from territoires.analysis.memo import per_reference
from territoires.errors import UnknownCodeError
from territoires.geo.reference import PARENT_COLUMN, GeoReference

PLACEMENT_COLUMNS = ["initiative_id", "code_insee", "poids", "row", "pos"]
_EMPTY = np.empty(0, dtype=np.int32)


def commune_positions(reference: GeoReference) -> pd.Index:
    """The communes' INSEE codes as an index: ``get_indexer(codes)`` gives their rows in
    ``reference.communes`` (-1 when unknown). Memoised per reference."""
    return per_reference(
        reference,
        "commune_positions",
        lambda: pd.Index(reference.communes["code_insee"].to_numpy(dtype=object)),
    )


class _ZoneTables:
    """Commune positions of a zone part, per level, built once per reference (see
    ``_zone_tables``): a part's communes are looked up, never searched for."""

    def __init__(self, reference: GeoReference) -> None:
        self.reference = reference
        self._parts: dict[tuple[str, str], np.ndarray] = {}
        self._levels: dict[str, dict[str, np.ndarray]] = {}

    def _level(self, level: str) -> dict[str, np.ndarray]:
        table = self._levels.get(level)
        if table is None:
            parents = self.reference.communes[PARENT_COLUMN[level]].to_numpy(dtype=object)
            keep = np.fromiter(
                (isinstance(p, str) and p != "" for p in parents), dtype=bool, count=len(parents)
            )
            positions = np.flatnonzero(keep).astype(np.int32)
            groups = pd.Series(positions).groupby(parents[keep], sort=False).indices
            table = {key: positions[rows] for key, rows in groups.items()}
            self._levels[level] = table
        return table

    def part(self, level: str, code: str) -> np.ndarray:
        """The commune positions of one zone part; empty when the level or code is unknown."""
        key = (level, code)
        found = self._parts.get(key)
        if found is None:
            if level in PARENT_COLUMN:
                found = self._level(level).get(code, _EMPTY)
            else:
                try:
                    codes = self.reference.communes_of(level, code)  # type: ignore[arg-type]
                except (UnknownCodeError, KeyError):
                    codes = []
                found = commune_positions(self.reference).get_indexer(codes).astype(np.int32)
                found = found[found >= 0]
            self._parts[key] = found
        return found

    def zone(self, zone: list | tuple) -> np.ndarray:
        """The commune positions of a whole area served, in order, without duplicates."""
        parts = [
            self.part(str(p["level"]), str(p["code"]))
            for p in zone
            if isinstance(p, dict) and p.get("level") and p.get("code") is not None
        ]
        if not parts:
            return _EMPTY
        if len(parts) == 1:
            return parts[0]
        joined = np.concatenate(parts)
        _, first = np.unique(joined, return_index=True)
        return joined if len(first) == len(joined) else joined[np.sort(first)]


def _zone_tables(reference: GeoReference) -> _ZoneTables:
    return per_reference(reference, "zone_tables", lambda: _ZoneTables(reference))


def has_zone(zones: np.ndarray) -> np.ndarray:
    """Which rows list an area served (a non-empty list)."""
    lengths = pd.Series(zones, dtype=object).str.len()
    return (lengths.fillna(0).to_numpy() > 0) & np.fromiter(
        (isinstance(z, list | tuple) for z in zones), dtype=bool, count=len(zones)
    )


def served_communes(initiatives: pd.DataFrame, reference: GeoReference) -> pd.DataFrame:
    """Return one row per (initiative, commune served), with weight 1/n for n communes.

    Parameters
    ----------
    initiatives : DataFrame
        With at least ``id``, ``commune_code`` and ``zone_intervention`` (list of dicts).
    reference : GeoReference
        Used to expand EPCI, departements and named territories into communes.

    Returns
    -------
    DataFrame
        ``initiative_id, code_insee, poids, row, pos``: ``row`` is the initiative's position
        in ``initiatives``, ``pos`` the commune's in ``reference.communes`` (-1 for a commune
        code the reference does not know). Rows come in the initiatives' order, an area's
        communes in the order of its parts.
    """
    missing = {"id", "commune_code", "zone_intervention"} - set(initiatives.columns)
    if missing:
        raise ValueError(f"expected columns {sorted(missing)} in initiatives")
    communes = initiatives["commune_code"].to_numpy(dtype=object)
    zones = initiatives["zone_intervention"].to_numpy(dtype=object)
    own = commune_positions(reference).get_indexer(communes).astype(np.int32)
    based = pd.notna(communes) & (communes != "")
    sizes = based.astype(np.int64)
    resolved: dict[int, np.ndarray] = {}
    tables = _zone_tables(reference)
    for row in np.flatnonzero(has_zone(zones)):
        found = tables.zone(zones[row])
        if len(found):
            resolved[int(row)] = found
            sizes[row] = len(found)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.empty(int(sizes.sum()), dtype=np.int32)
    plain = based & (sizes == 1)
    plain[list(resolved)] = False
    pos[starts[plain]] = own[plain]
    for row, found in resolved.items():
        pos[starts[row] : starts[row] + len(found)] = found
    rows = np.repeat(np.arange(len(initiatives), dtype=np.int32), sizes)
    return _placement_frame(initiatives, reference, rows, pos, sizes, communes)


def placement_frame_of(rows: PlacementRows, index) -> pd.DataFrame:
    """The placement frame (as ``served_communes`` returns it) of an index whose placement
    arrays are known (``InitiativeIndex.spliced``)."""
    frame = index.frame
    sizes = np.bincount(rows.row, minlength=len(frame)).astype(np.int64)
    communes = frame["commune_code"].to_numpy(dtype=object)
    return _placement_frame(frame, index.reference, rows.row, rows.pos, sizes, communes)


def _placement_frame(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    rows: np.ndarray,
    pos: np.ndarray,
    sizes: np.ndarray,
    communes: np.ndarray,
) -> pd.DataFrame:
    codes = reference.communes["code_insee"].to_numpy(dtype=object)[np.maximum(pos, 0)]
    unknown = pos < 0
    codes[unknown] = communes[rows[unknown]]  # a commune code the reference does not know
    return pd.DataFrame(
        {
            "initiative_id": initiatives["id"].to_numpy()[rows],
            "code_insee": pd.Series(codes, dtype=object),
            "poids": 1.0 / sizes[rows] if len(rows) else np.empty(0),
            "row": rows,
            "pos": pos,
        },
        columns=PLACEMENT_COLUMNS,
    )


@dataclass(frozen=True)
class PlacementGroups:
    """Initiatives grouped by placement: the initiatives of a group are placed on the same
    communes, in the same order, with the same weights.

    Most initiatives share their placement with others (the initiatives based in one commune,
    those serving one area): what depends only on the placement (the territories touched, an
    area's public) is computed once per group. ``group`` gives each initiative's group,
    ``first`` each group's first initiative, and ``placement`` the placement of each group
    (its ``row``: the group).
    """

    group: np.ndarray
    first: np.ndarray
    placement: PlacementRows


def placement_groups(placement: PlacementRows, length: int) -> PlacementGroups:
    """Group the ``length`` initiatives of ``placement`` (an index's ``placement_rows()``) by
    placement.

    Rows placed on one commune (or none) are grouped on (commune, weight) as numbers; the
    others on the bytes of their communes' positions, and of their weights unless these are
    all equal (then on the one weight): the keys themselves are compared, never a digest.
    """
    rows, pos, poids = placement.row, placement.pos.astype(np.int32), placement.poids
    if np.any(np.diff(rows) < 0):  # a caller's placement: each initiative's rows together
        order = np.argsort(rows, kind="stable")
        rows, pos, poids = rows[order], pos[order], poids[order]
    poids = poids.astype(float)
    sizes = np.bincount(rows, minlength=length)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    small = sizes <= 1
    group = np.empty(length, dtype=np.int64)
    group[small] = _single_keys(pos, poids, starts[small], sizes[small])
    areas = np.empty(int((~small).sum()), dtype=object)
    areas[:] = _area_keys(pos, poids, starts, sizes)
    group[~small] = (group[small].max() + 1 if small.any() else 0) + pd.factorize(areas)[0]
    _, first = np.unique(group, return_index=True)
    taken = ranges(starts[first], sizes[first])
    chosen = PlacementRows(
        row=np.repeat(np.arange(len(first), dtype=np.int32), sizes[first]),
        pos=pos[taken],
        poids=poids[taken],
    )
    return PlacementGroups(group=group, first=first, placement=chosen)


def _single_keys(
    pos: np.ndarray, poids: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """Group numbers (from 0) of initiatives placed on one commune or none, on (commune,
    weight)."""
    placed = sizes == 1
    commune = np.full(len(sizes), -2, dtype=np.int64)  # -2: placed nowhere
    weight = np.zeros(len(sizes))
    commune[placed], weight[placed] = pos[starts[placed]], poids[starts[placed]]
    commune_code, _ = pd.factorize(commune)
    weight_code, weights = pd.factorize(weight, use_na_sentinel=False)
    return pd.factorize(commune_code.astype(np.int64) * len(weights) + weight_code)[0]


def _area_keys(
    pos: np.ndarray, poids: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> list[bytes]:
    """The exact keys of the initiatives placed on several communes (``sizes > 1``), in
    order (see ``placement_groups``)."""
    several = sizes > 1
    if not several.any():
        return []
    placed = sizes > 0
    low = np.minimum.reduceat(poids, starts[placed])
    high = np.maximum.reduceat(poids, starts[placed])
    chosen = several[placed]
    keys = []
    for start, size, same, weight in zip(
        starts[several].tolist(),
        sizes[several].tolist(),
        (low == high)[chosen].tolist(),
        low[chosen].tolist(),
        strict=True,
    ):
        stop = start + size
        tail = np.float64(weight).tobytes() if same else poids[start:stop].tobytes()
        keys.append(pos[start:stop].tobytes() + tail)
    return keys
