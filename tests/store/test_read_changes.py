"""Reading again only the initiatives that changed (``Store.read_initiatives``), on both
backends: after every kind of write, the rows kept from the earlier read plus the rows read
again are exactly what a whole read gives."""

from __future__ import annotations

import pandas as pd
import pytest
from test_undo import ADMIN, FIRST, NEW_FUNDER, SECOND  # the same two files

from territoires.importers.pipeline import import_file
from territoires.store import Store
from territoires.store.facade import InitiativesRead


def _load(store: Store, text: str, name: str, reference) -> int:
    report = import_file(
        text.encode(), store, reference, name=name, actor=ADMIN, correspondences=[NEW_FUNDER]
    )
    return report.lot


class Reader:
    """A reader that keeps its last frame and signatures, as the app's cache does."""

    def __init__(self, store: Store, most: float = 1.0) -> None:
        self.store, self.most = store, most
        self.frame: pd.DataFrame | None = None
        self.signatures: list[tuple] | None = None
        self.last: InitiativesRead | None = None

    def read(self) -> pd.DataFrame:
        read = self.store.read_initiatives(self.signatures, most=self.most)
        if read.full:
            frame = read.frame
        else:
            kept = self.frame.loc[self.frame["id"].isin(read.kept)]
            frame = pd.concat([kept, read.frame]) if len(read.frame) else kept
            frame = frame.sort_values("id").reset_index(drop=True)
        self.frame, self.signatures, self.last = frame, read.signatures, read
        assert [row[0] for row in read.signatures] == frame["id"].tolist()
        return frame

    def check(self) -> InitiativesRead:
        pd.testing.assert_frame_equal(self.read(), self.store.list_initiatives())
        return self.last


def _id(store: Store, reference: str) -> int:
    frame = store.list_initiatives()
    return int(frame.loc[frame["reference"] == reference, "id"].iloc[0])


def test_only_changed_rows_are_read_again_and_the_result_is_a_whole_read(
    store: Store, tiny_reference, tmp_path
):
    reader = Reader(store)
    assert reader.check().full  # nothing known yet
    first = _load(store, FIRST, "premier.csv", tiny_reference)
    reader.check()
    unchanged = reader.check()
    assert not unchanged.full and unchanged.frame.empty and len(unchanged.kept) == 3
    saved = store.backup(tmp_path / "sauvegarde.tedb")

    one = _id(store, "A1")
    record = store.get_initiative(one)
    store.update_initiative(
        one, {"titre": "Jardin des lavandières"}, expected_version=record["version"], actor=ADMIN
    )
    edited = reader.check()
    assert edited.frame["id"].tolist() == [one] and len(edited.kept) == 2  # one row read

    two = _id(store, "A2")
    store.delete_initiative(two, expected_version=store.get_initiative(two)["version"], actor=ADMIN)
    assert reader.check().frame.empty  # gone from the rows kept, nothing to read
    store.restore_initiative(two, actor=ADMIN)
    assert reader.check().frame["id"].tolist() == [two]

    second = _load(store, SECOND, "second.csv", tiny_reference)  # A1 updated, A4 new
    assert sorted(reader.check().frame["reference"]) == ["A1", "A4"]
    store.undo_import(second, actor=ADMIN, force=True)  # A4 removed, A1 put back
    reader.check()
    funders = sorted({f for names in store.list_initiatives()["financeurs"] for f in names})
    store.merge_funders(funders[0], funders[1], actor=ADMIN)  # rewrites their initiatives
    reader.check()
    store.undo_import(first, actor=ADMIN, force=True)  # every row removed for good
    assert reader.check().frame.empty
    _load(store, FIRST, "premier.csv", tiny_reference)  # new rows: ids may be reused
    reader.check()
    store.restore(saved, actor=ADMIN, force=True)  # an earlier state, with its versions
    reader.check()


def test_most_rows_changed_reads_everything(store: Store, tiny_reference):
    reader = Reader(store, most=0.25)
    _load(store, FIRST, "premier.csv", tiny_reference)
    reader.check()
    _load(store, SECOND, "second.csv", tiny_reference)  # 2 of 4 rows new or changed
    assert not store.read_initiatives(reader.signatures, most=0.5).full  # 2 of 4: at most half
    assert reader.check().full  # more than a quarter: one whole read
    assert store.read_initiatives(None).full


@pytest.mark.parametrize("removed", [True, False])
def test_a_row_removed_between_the_two_reads_is_left_out(store: Store, tiny_reference, removed):
    reader = Reader(store)
    _load(store, FIRST, "premier.csv", tiny_reference)
    reader.check()
    one = _id(store, "A1")
    store.update_initiative(
        one, {"titre": "Autre"}, expected_version=store.get_initiative(one)["version"], actor=ADMIN
    )
    from territoires.store import initiatives

    real = initiatives.active_records

    def racing(db, ids):  # another writer deletes A1 after the signatures were read
        if removed:
            db.execute("UPDATE initiatives SET supprime_le = 'x' WHERE id = ?", (one,))
        return real(db, ids)

    initiatives.active_records = racing
    try:
        read = store.read_initiatives(reader.signatures, most=1.0)
    finally:
        initiatives.active_records = real
    ids = [row[0] for row in read.signatures]
    assert (one in ids) is not removed
    assert sorted([*read.kept.tolist(), *read.frame["id"].tolist()]) == sorted(ids)
