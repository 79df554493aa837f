"""The documents in the database: list, show, load back as a Document, correct the
fields a user may override (kind, body, council, meeting date, source URL), and remove a
document with everything derived from it. Re-extraction lives in :mod:`followthrough.pipeline`."""

from followthrough.documents.store import (  # noqa: F401
    OVERRIDABLE,
    DocumentRow,
    changed_fields,
    document_details,
    list_documents,
    load_document,
    remove_document,
    update_fields,
)
