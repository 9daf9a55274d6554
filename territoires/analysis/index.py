"""The initiatives indexed once per data version: filters and figures computed on arrays.

The app reads the initiatives once per data version and shares that one frame between every
session (``territoires.ui.cache``). ``InitiativeIndex`` keeps beside it, computed once, what a
filter change would otherwise recompute row by row in Python: the placement of each initiative
on the communes it serves as integer positions, its themes, funders and type as integer codes,
its year and amount as numbers, and (when a search first needs it) its searchable text.

An index never changes once built and never changes its frame: both are shared by every
session of the process. The parts computed on first use are computed once, under a lock.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from territoires.geo.reference import GeoReference

T = TypeVar("T")
PLACEMENT_FRAME = "placement"  # the placement as a frame, with ``code_insee``
PLACEMENT_ROWS = "placement_rows"  # the placement as integer arrays (``PlacementRows``)
RECENT = 12  # values kept per index by ``InitiativeIndex.recent``
# Every live index by the id of its frame: a frame taken from a shared index (the app's, or a
# filtered subset of it) finds that index again instead of being indexed anew.
_BY_FRAME: weakref.WeakValueDictionary[int, InitiativeIndex] = weakref.WeakValueDictionary()


def _items(value: object) -> list:
    """The items of a list cell (a scalar is a list of one; None and NaN are empty)."""
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return []
    if hasattr(value, "tolist"):
        listed = value.tolist()
        return list(listed) if isinstance(listed, list) else [listed]
    return [value]


@dataclass(frozen=True)
class Labels:
    """A column of label lists (themes, funders, a type) as integer codes.

    Row ``i`` holds ``codes[offsets[i]:offsets[i + 1]]``, distinct, in the order first met;
    ``vocabulary[code]`` is the label and ``rows[k]`` the row of ``codes[k]``.
    """

    vocabulary: tuple[Any, ...]
    offsets: np.ndarray
    codes: np.ndarray
    rows: np.ndarray

    @classmethod
    def from_values(cls, values: Iterable[object]) -> Labels:
        """Index a column whose cells are lists of labels, single labels or missing."""
        lookup: dict[Any, int] = {}
        codes: list[int] = []
        counts: list[int] = []
        for value in values:
            row = [lookup.setdefault(item, len(lookup)) for item in dict.fromkeys(_items(value))]
            codes.extend(row)
            counts.append(len(row))
        sizes = np.asarray(counts, dtype=np.int64)
        return cls(
            vocabulary=tuple(lookup),
            offsets=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
            codes=np.asarray(codes, dtype=np.int32),
            rows=np.repeat(np.arange(len(sizes), dtype=np.int32), sizes),
        )

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def counts(self) -> np.ndarray:
        """Number of distinct labels per row."""
        return np.diff(self.offsets)

    def _matches(self, selected: Iterable[object]) -> tuple[np.ndarray, int]:
        """Per row, how many of the selected labels it holds; and how many were selected."""
        wanted = set(selected)
        known = [code for code, label in enumerate(self.vocabulary) if label in wanted]
        hits = np.isin(self.codes, known)
        found = np.bincount(self.rows[hits], minlength=len(self))
        return found, len(wanted)

    def any_of(self, selected: Iterable[object]) -> np.ndarray:
        """Rows holding at least one of the selected labels."""
        found, _ = self._matches(selected)
        return found > 0

    def all_of(self, selected: Iterable[object]) -> np.ndarray:
        """Rows holding every selected label (none when a label is held by no row)."""
        found, wanted = self._matches(selected)
        return found == wanted

    def held(self) -> list[Any]:
        """The labels some row holds (a subset keeps its parent's whole vocabulary)."""
        return [self.vocabulary[code] for code in np.unique(self.codes)]

    def distinct(self) -> tuple[str, ...]:
        """The labels held by some row, as text, without empty ones, in search order."""
        from territoires.filters import normalize_text

        texts = {str(label) for label in self.held() if label not in (None, "")}
        return tuple(sorted(texts, key=normalize_text))

    def gather(self, positions: np.ndarray) -> np.ndarray:
        """Where the codes of the rows at ``positions`` sit in ``codes``, in that order."""
        return ranges(self.offsets[positions], self.counts()[positions])

    def take(self, positions: np.ndarray) -> Labels:
        """The labels of the rows at ``positions``, in that order (same vocabulary)."""
        counts = self.counts()[positions]
        gather = ranges(self.offsets[positions], counts)
        return Labels(
            vocabulary=self.vocabulary,
            offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            codes=self.codes[gather],
            rows=np.repeat(np.arange(len(positions), dtype=np.int32), counts),
        )

    @classmethod
    def joined(cls, first: Labels, second: Labels) -> Labels:
        """The rows of ``first`` then those of ``second``, on one vocabulary (``first``'s,
        then ``second``'s labels it lacks)."""
        lookup = {label: code for code, label in enumerate(first.vocabulary)}
        remap = np.array(
            [lookup.setdefault(label, len(lookup)) for label in second.vocabulary], dtype=np.int32
        )
        counts = np.concatenate([first.counts(), second.counts()])
        codes = np.concatenate([first.codes, remap[second.codes]])
        return cls(
            vocabulary=tuple(lookup),
            offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            codes=codes.astype(np.int32),
            rows=np.repeat(np.arange(len(counts), dtype=np.int32), counts),
        )

    def first_met(self) -> Labels:
        """The same rows, on a vocabulary of the labels held, in the order first met (what
        ``from_values`` gives for these rows)."""
        held, first = np.unique(self.codes, return_index=True)
        ordered = held[np.argsort(first, kind="stable")]
        recode = np.full(len(self.vocabulary), -1, dtype=np.int32)
        recode[ordered] = np.arange(len(ordered), dtype=np.int32)
        return Labels(
            vocabulary=tuple(self.vocabulary[code] for code in ordered),
            offsets=self.offsets,
            codes=recode[self.codes],
            rows=self.rows,
        )

    def masks(self, order: Sequence[Any] | None = None) -> np.ndarray | None:
        """One integer per row, with a bit set for each label it holds: bit ``i`` for
        ``order[i]`` (labels not in ``order`` left out), the label's code by default. None
        beyond 62 labels (an int64 holds no more)."""
        labels = order if order is not None else self.vocabulary
        bits = {label: bit for bit, label in enumerate(labels)}
        if len(bits) > 62:
            return None
        bit_of = np.array([bits.get(label, -1) for label in self.vocabulary], dtype=np.int64)
        found = bit_of[self.codes] if len(self.codes) else np.empty(0, dtype=np.int64)
        kept = found >= 0
        masks = np.zeros(len(self), dtype=np.int64)
        np.bitwise_or.at(masks, self.rows[kept], np.left_shift(1, found[kept]))
        return masks


@dataclass(frozen=True)
class PlacementRows:
    """The placement of an index's initiatives on communes, as arrays: ``row`` (the
    initiative's row in the index), ``pos`` (the commune's in ``reference.communes``, -1 when
    the reference does not know it) and ``poids`` (its weight), one entry per pair, in the
    placement frame's order."""

    row: np.ndarray
    pos: np.ndarray
    poids: np.ndarray

    @classmethod
    def of(cls, placement: pd.DataFrame) -> PlacementRows:
        """The arrays of a placement frame (``served_communes``)."""
        return cls(
            row=placement["row"].to_numpy(),
            pos=placement["pos"].to_numpy(),
            poids=placement["poids"].to_numpy(),
        )

    def __len__(self) -> int:
        return len(self.row)

    def take(self, positions: np.ndarray, length: int) -> tuple[PlacementRows, np.ndarray]:
        """The entries of the rows at ``positions`` (of an index of ``length`` rows), in that
        order and renumbered; and where they sit among these entries."""
        row, keep = take_entries(self.row, positions, length, self.__dict__)
        return PlacementRows(row=row, pos=self.pos[keep], poids=self.poids[keep]), keep


def take_entries(
    row: np.ndarray, positions: np.ndarray, length: int, memo: dict[Any, Any] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Of entries belonging to rows (``row[k]`` is entry ``k``'s, among ``length`` rows), those
    of the rows at ``positions``, in that order: their rows renumbered (``i`` for
    ``positions[i]``) and where they sit in ``row``.

    When the entries are grouped by row in increasing order (a placement, territory pairs),
    each row's run is found from offsets kept in ``memo``: the work follows the entries taken,
    not all of them. Otherwise every entry is looked at.
    """
    positions = np.asarray(positions, dtype=np.int64)
    starts = _row_starts(row, length, memo)
    if starts is not None:
        counts = starts[positions + 1] - starts[positions]
        rows = np.repeat(np.arange(len(positions), dtype=np.int32), counts)
        return rows, ranges(starts[positions], counts)
    new_row = np.full(length, -1, dtype=np.int64)
    new_row[positions] = np.arange(len(positions))
    moved = new_row[row]
    keep = np.flatnonzero(moved >= 0)
    if len(keep) > 1 and np.any(np.diff(moved[keep]) < 0):  # follow the order of positions
        keep = keep[np.argsort(moved[keep], kind="stable")]
    return moved[keep].astype(np.int32), keep


def _row_starts(row: np.ndarray, length: int, memo: dict[Any, Any] | None) -> np.ndarray | None:
    """Where each row's entries start in ``row`` (``length + 1`` offsets), when they are
    grouped by row in increasing order; else None. Kept in ``memo`` per ``length``."""
    key = ("row_starts", length)
    if memo is not None and key in memo:
        return memo[key]
    grouped = len(row) == 0 or (row[0] >= 0 and row[-1] < length and not np.any(np.diff(row) < 0))
    starts = np.searchsorted(row, np.arange(length + 1), side="left") if grouped else None
    if memo is not None:
        memo[key] = starts
    return starts


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, without a loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    shifts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.asarray(starts, dtype=np.int64), counts) + (np.arange(total) - shifts)


def numbers(column: pd.Series | None, length: int) -> np.ndarray:
    """A column as floats (NaN when missing or unreadable); all NaN when absent."""
    if column is None:
        return np.full(length, np.nan)
    return pd.to_numeric(column, errors="coerce").astype("float64").to_numpy(copy=True)


class InitiativeIndex:
    """The initiatives frame and its arrays (see the module's docstring).

    Parameters
    ----------
    frame : DataFrame
        Initiatives as ``Store.list_initiatives()`` returns them, kept as given.
    reference : GeoReference
        The geographic reference (placement, communes' points).
    placement : DataFrame, optional
        ``served_communes(frame, reference)`` if already computed.
    """

    def __init__(
        self, frame: pd.DataFrame, reference: GeoReference, placement: pd.DataFrame | None = None
    ) -> None:
        length = len(frame)
        absent = pd.Series([None] * length, dtype=object)
        self._setup(
            frame,
            reference,
            ids=frame["id"].to_numpy(dtype=np.int64) if "id" in frame else np.zeros(length),
            themes=Labels.from_values(frame.get("themes", absent)),
            funders=Labels.from_values(frame.get("financeurs", absent)),
            types=Labels.from_values(frame.get("type", absent)),
            years=numbers(frame.get("annee"), length),
            amounts=numbers(frame.get("montant"), length),
        )
        if placement is not None:
            self._computed[PLACEMENT_FRAME] = _with_positions(placement, self)

    def _setup(self, frame: pd.DataFrame, reference: GeoReference, **arrays: Any) -> None:
        self.frame = frame
        self.reference = reference
        self.ids: np.ndarray = arrays["ids"]
        self.themes: Labels = arrays["themes"]
        self.funders: Labels = arrays["funders"]
        self.types: Labels = arrays["types"]
        self.years: np.ndarray = arrays["years"]
        self.amounts: np.ndarray = arrays["amounts"]
        for array in (self.ids, self.years, self.amounts):
            array.flags.writeable = False  # shared by every session
        self._lock = threading.RLock()
        self._computed: dict[Any, Any] = {}
        self._recent: OrderedDict[Any, Any] = OrderedDict()
        # where this index's placement frame comes from, when taken from a parent's
        self._placement_source: tuple[pd.DataFrame, np.ndarray] | None = None
        # the index this one was taken from, and the positions of its rows there
        self.root: InitiativeIndex = self
        self.root_rows: np.ndarray | None = None
        _BY_FRAME[id(frame)] = self

    def __len__(self) -> int:
        return len(self.frame)

    def computed(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()`` once for this index (thread-safe): derived values that only some
        pages need (search texts, the map's points, their popups)."""
        try:
            return self._computed[name]
        except KeyError:
            pass
        with self._lock:
            if name not in self._computed:
                self._computed[name] = compute()
            return self._computed[name]

    def recent(self, key: Any, compute: Callable[[], T], size: int = RECENT) -> T:
        """``compute()`` for ``key``, keeping the ``size`` last used values (per scope and
        level: a value for each would add up)."""
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        value = compute()
        with self._lock:
            self._recent[key] = value
            while len(self._recent) > size:
                self._recent.popitem(last=False)
        return value

    def in_root(self) -> np.ndarray:
        """The positions of this index's rows in ``root``."""
        return np.arange(len(self)) if self.root_rows is None else self.root_rows

    def theme_masks(self) -> np.ndarray | None:
        """Each row's themes as bits in ``THEMES`` order (other themes on later bits); None
        beyond 62 themes."""
        from territoires.analysis.aggregate import THEMES

        def compute() -> np.ndarray | None:
            others = [t for t in self.themes.vocabulary if t not in THEMES]
            return self.themes.masks([*THEMES, *others])

        return self.computed("theme_masks", compute)

    @property
    def placement(self) -> pd.DataFrame:
        """``served_communes(frame, reference)``: ``initiative_id, code_insee, poids, row,
        pos`` (``row`` indexes ``frame``, ``pos`` the reference's communes)."""
        return self.computed(PLACEMENT_FRAME, self._placement_frame)

    def placement_rows(self) -> PlacementRows:
        """The placement as integer arrays (``PlacementRows``): what filters and figures
        read, without the frame's text column (a subset takes only these)."""
        return self.computed(PLACEMENT_ROWS, lambda: PlacementRows.of(self.placement))

    def _placement_frame(self) -> pd.DataFrame:
        from territoires.analysis.placement import served_communes

        if self._placement_source is None:
            if PLACEMENT_ROWS in self._computed:  # a spliced index: built from its arrays
                from territoires.analysis.placement import placement_frame_of

                return placement_frame_of(self._computed[PLACEMENT_ROWS], self)
            return served_communes(self.frame, self.reference)
        source, keep = self._placement_source
        result = source.take(keep).reset_index(drop=True)
        result["row"] = self.placement_rows().row
        return result

    def _frame_source(self, keep: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """Where the placement entries at ``keep`` (of this index's) sit in a computed
        placement frame: this index's, else the one its own were taken from."""
        if self._placement_source is not None:
            source, taken = self._placement_source
            return source, taken[keep]
        return self.placement, keep

    def search_texts(self) -> list[str]:
        """Title, porteur and description of each row, folded for searching."""
        from territoires.filters import normalize_text

        def compute() -> list[str]:
            columns = [c for c in ("titre", "porteur", "description") if c in self.frame]
            parts = self.frame[columns].astype(object).where(self.frame[columns].notna(), "")
            return [normalize_text(" ".join(map(str, row))) for row in parts.to_numpy()]

        return self.computed("search", compute)

    def funder_shares(self) -> np.ndarray:
        """Each funder's own share of its initiative, aligned on ``funders.codes``: the
        ``financements`` entry for that funder, else the whole amount for a single funder,
        else NaN (unknown)."""
        return self.computed("funder_shares", self._funder_shares)

    def _funder_shares(self) -> np.ndarray:
        fundings = self.frame.get("financements", pd.Series([None] * len(self), dtype=object))
        shares = np.full(len(self.funders.codes), np.nan)
        vocabulary, offsets = self.funders.vocabulary, self.funders.offsets
        for row, entries in enumerate(fundings.to_numpy(dtype=object)):
            start, stop = offsets[row], offsets[row + 1]
            if start == stop:
                continue
            known = {
                entry.get("financeur"): entry.get("montant")
                for entry in _items(entries)
                if isinstance(entry, dict)
            }
            for at in range(start, stop):
                amount = known.get(vocabulary[self.funders.codes[at]])
                if amount is None and stop - start == 1:
                    amount = self.amounts[row]
                shares[at] = float(amount) if amount is not None else np.nan
        shares.flags.writeable = False
        return shares

    # --- subsets ---------------------------------------------------------------------------

    def take(self, positions: np.ndarray, frame: pd.DataFrame | None = None) -> InitiativeIndex:
        """The index of the rows at ``positions``, built from this one's arrays (no row is
        read again). Its frame keeps their index labels; ``frame``, when given, is those
        rows already taken."""
        positions = np.asarray(positions, dtype=np.int64)
        subset = object.__new__(InitiativeIndex)
        subset._setup(
            self.frame.take(positions) if frame is None else frame,
            self.reference,
            ids=self.ids[positions],
            themes=self.themes.take(positions),
            funders=self.funders.take(positions),
            types=self.types.take(positions),
            years=self.years[positions],
            amounts=self.amounts[positions],
        )
        if PLACEMENT_ROWS in self._computed or PLACEMENT_FRAME in self._computed:
            rows, keep = self.placement_rows().take(positions, len(self))
            subset._computed[PLACEMENT_ROWS] = rows
            subset._placement_source = self._frame_source(keep)  # its frame, when asked
        if "search" in self._computed:
            texts = self._computed["search"]
            subset._computed["search"] = [texts[p] for p in positions.tolist()]
        if "funder_shares" in self._computed:
            shares = self._computed["funder_shares"]
            subset._computed["funder_shares"] = shares[self.funders.gather(positions)]
        if self._computed.get("theme_masks") is not None:
            subset._computed["theme_masks"] = self._computed["theme_masks"][positions]
        subset.root = self.root
        subset.root_rows = self.in_root()[positions]
        return subset

    def spliced(self, fresh: pd.DataFrame, kept: Sequence[int]) -> InitiativeIndex:
        """The index of this one's rows whose ids are in ``kept`` and of the rows of ``fresh``
        (new or changed initiatives), in id order: what ``InitiativeIndex`` would build from
        those rows, computed from this index's arrays for the kept rows and anew only for the
        fresh ones (after an edit, a handful of rows rather than every one).

        This index's ids must be increasing and hold ``kept``; ``fresh``'s ids must not be in
        ``kept``.
        """
        kept_ids = np.asarray(kept, dtype=np.int64)
        at = np.searchsorted(self.ids, kept_ids)
        if len(self.ids) > 1 and np.any(np.diff(self.ids) <= 0):
            raise ValueError("spliced needs an index in increasing id order")
        if len(at) and (at.max() >= len(self.ids) or not np.array_equal(self.ids[at], kept_ids)):
            raise ValueError("kept ids missing from the index")
        kept_frame = self.frame.take(at)
        combined = (
            pd.concat([kept_frame, fresh], ignore_index=True)
            if len(fresh)
            else kept_frame.reset_index(drop=True)
        )
        ids = combined["id"].to_numpy(dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        if np.any(np.diff(ids[order]) == 0):
            raise ValueError("fresh rows repeat kept ids")
        frame = combined.take(order).reset_index(drop=True)
        part = InitiativeIndex(fresh, self.reference) if len(fresh) else self.take(at[:0])

        def labels(mine: Labels, theirs: Labels) -> Labels:
            return Labels.joined(mine.take(at), theirs).take(order).first_met()

        length = len(frame)
        index = object.__new__(InitiativeIndex)
        index._setup(
            frame,
            self.reference,
            ids=ids[order],
            themes=labels(self.themes, part.themes),
            funders=labels(self.funders, part.funders),
            types=labels(self.types, part.types),
            years=numbers(frame.get("annee"), length),
            amounts=numbers(frame.get("montant"), length),
        )
        if PLACEMENT_ROWS in self._computed or PLACEMENT_FRAME in self._computed:
            placement = self._spliced_placement(at, part, order)
            if placement is not None:  # else computed anew when asked
                index._computed[PLACEMENT_ROWS] = placement
        if "search" in self._computed:
            texts = self._computed["search"]
            joined_texts = [texts[p] for p in at.tolist()] + part.search_texts()
            index._computed["search"] = [joined_texts[p] for p in order.tolist()]
        return index

    def _spliced_placement(
        self, at: np.ndarray, part: InitiativeIndex, order: np.ndarray
    ) -> PlacementRows | None:
        """The placement of ``spliced``'s rows: this index's entries for its rows at ``at``
        and ``part``'s, renumbered in ``order`` (kept rows then ``part``'s), each row's
        entries in their order. The kept entries are moved as blocks, not row by row; None
        when this index's entries are not grouped by row (a placement given by a caller)."""
        mine = self.placement_rows()
        if _row_starts(mine.row, len(self), mine.__dict__) is None:
            return None
        theirs = part.placement_rows()
        final = np.empty(len(order), dtype=np.int64)  # final row of each joined row
        final[order] = np.arange(len(order))
        moved = np.full(len(self), -1, dtype=np.int64)
        moved[at] = final[: len(at)]  # increasing: ``at`` and the ids both are
        rows = moved[mine.row]
        pos, poids = mine.pos, mine.poids
        if len(at) < len(self):
            kept = rows >= 0
            rows, pos, poids = rows[kept], pos[kept], poids[kept]
        added = final[len(at) + theirs.row.astype(np.int64)]
        if not len(added):
            return PlacementRows(row=rows.astype(np.int32), pos=pos, poids=poids)
        # both runs are grouped by increasing row, and no row is in both: merge them
        slots = np.searchsorted(rows, added) + np.arange(len(added))
        fresh = np.zeros(len(rows) + len(added), dtype=bool)
        fresh[slots] = True

        def merged(old: np.ndarray, new: np.ndarray, dtype: Any) -> np.ndarray:
            result = np.empty(len(fresh), dtype=dtype)
            result[~fresh], result[fresh] = old, new
            return result

        return PlacementRows(
            row=merged(rows, added, np.int32),
            pos=merged(pos, theirs.pos, np.int32),
            poids=merged(poids, theirs.poids, np.float64),
        )

    def rows_of(self, frame: pd.DataFrame) -> np.ndarray | None:
        """The positions in ``self.frame`` of the rows of ``frame``, when ``frame`` was
        selected from it (same index labels and ids); else None."""
        if frame is self.frame:
            return np.arange(len(frame))
        if "id" not in frame or not self.frame.index.is_unique:
            return None
        rows = self.frame.index.get_indexer(frame.index)
        if (rows < 0).any() or not np.array_equal(self.ids[rows], frame["id"].to_numpy()):
            return None
        return rows

    def for_frame(self, frame: pd.DataFrame) -> InitiativeIndex:
        """The index of ``frame``: this one, a subset of it, or a new one."""
        if frame is self.frame:
            return self
        rows = self.rows_of(frame)
        if rows is None:
            return InitiativeIndex(frame, self.reference)
        return self.take(rows, frame)


def known_index(frame: pd.DataFrame, reference: GeoReference | None) -> InitiativeIndex | None:
    """The live index whose frame is ``frame`` itself (on ``reference``, when given)."""
    found = _BY_FRAME.get(id(frame))
    if found is None or found.frame is not frame:
        return None
    if reference is not None and found.reference is not reference:
        return None
    return found


def index_for(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    index: InitiativeIndex | None = None,
    *,
    placement: pd.DataFrame | None = None,
) -> InitiativeIndex:
    """The index of ``initiatives``: ``index`` (or a subset of it) when ``initiatives`` comes
    from its frame, else the live index of that very frame (``known_index``), else one built
    on the spot (with ``placement``, a precomputed ``served_communes``, when given)."""
    if index is not None:
        return index.for_frame(initiatives)
    found = known_index(initiatives, reference)
    if found is not None:
        return found
    return InitiativeIndex(initiatives, reference, placement=placement)


def _with_positions(placement: pd.DataFrame, index: InitiativeIndex) -> pd.DataFrame:
    """A placement given by a caller, with ``row`` and ``pos`` when it lacks them."""
    if {"row", "pos"} <= set(placement.columns):
        return placement
    from territoires.analysis.placement import commune_positions

    rows = pd.Index(index.ids).get_indexer(placement["initiative_id"].to_numpy())
    pos = commune_positions(index.reference).get_indexer(placement["code_insee"].to_numpy())
    return placement.assign(row=rows.astype(np.int32), pos=pos.astype(np.int32))
