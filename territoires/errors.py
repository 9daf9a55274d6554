"""One error hierarchy. Every error carries a French ``user_message`` that pages show as is."""

from __future__ import annotations


class TerritoiresError(Exception):
    """Base class of every error the app reports to a user.

    Parameters
    ----------
    user_message : str
        What a user reads, in French.
    """

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class SettingsError(TerritoiresError):
    """A setting (``TERRITOIRES_*``) holds a value the app cannot use."""


class GeodataError(TerritoiresError):
    """The geographic reference cannot be built or loaded."""


class UnknownCodeError(TerritoiresError):
    """A commune, EPCI or territory code is unknown."""


class TerritoryDefinitionError(TerritoiresError):
    """A named-territory definition is invalid."""


class ImportFileError(TerritoiresError):
    """An import file cannot be read at all: nothing is imported."""


class StoreError(TerritoiresError):
    """The database cannot be opened, migrated or written."""


class ExportError(TerritoiresError):
    """An export cannot be produced."""


class AnalysisError(TerritoiresError):
    """An analysis cannot be run with the given parameters (weights, radius, territory)."""


class RowError(TerritoiresError):
    """A row (an import line, an edited initiative) cannot be recorded.

    ``reasons`` lists every reason at once; ``user_message`` joins them with « ; ».
    """

    def __init__(self, reasons: list[str] | tuple[str, ...]) -> None:
        super().__init__(" ; ".join(reasons))
        self.reasons = tuple(reasons)


class PermissionDeniedError(TerritoiresError):
    """The acting user's role does not allow this action (checked by the store itself)."""


class VersionConflictError(TerritoiresError):
    """Someone else changed an initiative since it was opened: nothing was written.

    Parameters
    ----------
    user_message : str
        What a user reads, in French: their change and yours.
    theirs : tuple
        The changes made since the version that was opened (``RecordedChange`` values: who,
        when, field, before, after), oldest first.
    yours : dict
        The submitted changes, field → value.
    """

    def __init__(self, user_message: str, *, theirs: tuple = (), yours: dict | None = None) -> None:
        super().__init__(user_message)
        self.theirs = tuple(theirs)
        self.yours = dict(yours or {})


class UndoConflictError(TerritoiresError):
    """An import cannot be undone without overwriting later edits: nothing was written.

    ``conflicts`` holds one ``UndoConflict`` per initiative edited since the import.
    """

    def __init__(self, user_message: str, *, conflicts: tuple = ()) -> None:
        super().__init__(user_message)
        self.conflicts = tuple(conflicts)
