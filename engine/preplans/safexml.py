"""Parse uploaded BPMN/DMN with entity resolution, DTDs and network access off, and a size limit.

SpiffWorkflow's own file loaders use lxml's default parser, which resolves entities; we parse here and hand the
tree to the parser instead. A DOCTYPE has no business in BPMN or DMN, so it is refused outright (this also
stops "billion laughs" before libxml2 sees it).
"""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import say

MAX_BYTES = 5 * 1024 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class XmlRejected(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def parse(data: bytes) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise XmlRejected(say("file is %(size)s bytes; the limit is %(limit)s", size=len(data), limit=MAX_BYTES))
    match = _DOCTYPE.search(data)
    if match:
        raise XmlRejected(
            say("DOCTYPE declarations (and the entities they define) are not allowed"),
            line=data.count(b"\n", 0, match.start()) + 1,
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise XmlRejected(say("not well-formed XML: %(problem)s", problem=exc.msg), line=exc.lineno) from None
