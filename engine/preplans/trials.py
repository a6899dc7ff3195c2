"""The hidden version a trial case of a draft runs on. It is stored like a version (its spec parsed once, its
runtime manifest) so a trial runs exactly as the published draft would, but with ``status = "trial"``, a negative
number and a negative id: no list, catalogue, version numbering or "newest version" query (all read numbers from
the top, or active versions) ever sees it, and it goes with its last trial case."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import InvalidPreplan
from engine.preplans.check import check_package
from engine.preplans.deploy import runtime_manifest
from engine.preplans.package import PreplanPackage
from engine.preplans.spec import spec_to_dict
from engine.store.models import Preplan, PreplanVersion
from engine.store.records import trial_id

TRIAL = "trial"


def hidden_version(session: Session, package: PreplanPackage, actor: str, revision: int) -> PreplanVersion:
    """A trial version of ``package`` (checked first: a draft with errors cannot be tried)."""
    result = check_package(package)
    if not result.ok or result.parsed is None:
        raise InvalidPreplan(result.problems)
    preplan = session.scalars(select(Preplan).where(Preplan.key == package.key)).one()
    lowest = session.scalar(select(func.min(PreplanVersion.number)).where(PreplanVersion.preplan_id == preplan.id))
    version = PreplanVersion(
        id=trial_id(),
        preplan_id=preplan.id,
        number=min(lowest or 0, 0) - 1,
        sha256=package.sha256,
        files={name: data.decode("utf-8") for name, data in package.files.items()},
        manifest=runtime_manifest(package, result, result.parsed),
        spec=spec_to_dict(result.parsed),
        status=TRIAL,
        deployed_by=actor,
        deployed_at=clock.now(),
        note=f"draft revision {revision}",
    )
    session.add(version)
    session.flush()
    return version
