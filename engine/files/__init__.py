"""Stored files: the bytes of attachments, kept outside the database rows.

The rows (:class:`engine.store.models.Attachment`) say what a file is and whose case it belongs to; a
:class:`~engine.files.store.Store` keeps the bytes by their sha256, so a photo sent twice is stored once. What may
be stored (:mod:`~engine.files.kinds`) is decided by the content, never by the name; images get a small preview
(:mod:`~engine.files.thumbnails`).
"""
