"""The studio's drafts: one working copy per preplan that its process owners share, saved without lost updates
(compare-and-set on its revision: a second editor is told who saved last and when, never overwritten), checked as
it is edited, and published as a new version by an admin. A draft changes no version, catalogue or case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock, inputs
from engine.errors import Conflict, InvalidPreplan, Problem, ValidationFailed, say
from engine.people import access
from engine.people.users import get_user, role_titles
from engine.preplans import deploy as deployment
from engine.preplans import drafts
from engine.preplans.archive import read_zip
from engine.preplans.findings import Finding, blocking, findings
from engine.preplans.package import MANIFEST, package_from_files
from engine.service.base import OPERATOR, ServiceBase, editing
from engine.store import audit
from engine.store.models import PreplanDraft, Unit
from engine.store.records import newest_active_version
from engine.timefmt import iso


class StudioOperations(ServiceBase):
    # -- reading ------------------------------------------------------------------------------------------------
    def draft(self, key: str, *, user: str | None = None) -> dict[str, Any]:
        """The draft (revision 0 when there is none yet: the newest version's files), what the studio's panels
        offer (roles, lanes and their routing, unit kinds, labelled fields), whether the reader may publish, and
        the findings on it."""
        with self.db.read() as session:
            editing(self, session, key, user)
            state = self._state(session, key)
            may_publish = user is None or access.is_admin(get_user(session, user))
            roles = role_titles(session)
            kinds = sorted(set(session.scalars(select(Unit.kind))))
        manifest = drafts.manifest_of(state["files"])
        declared = manifest.get("roles", {}) if isinstance(manifest.get("roles"), dict) else {}
        found = findings(key, state["files"])
        return {
            **state,
            "roles": [
                {"key": k, "zh": t.get("zh", k), "en": t.get("en", k)} for k, t in sorted({**roles, **declared}.items())
            ],
            "lanes": manifest.get("lanes", {}),
            "routing": manifest.get("routing", {}),
            "unit_kinds": kinds,
            "fields": manifest.get("fields", {}),
            "diagrams": drafts.diagrams(state["files"], manifest),
            "may_publish": may_publish,
            "ok": not blocking(found),
            "findings": found,
        }

    def studio_page(self, key: str, *, user: str | None = None) -> dict[str, Any]:
        """What the editor page needs before its script loads the draft: the preplan's titles, whether the reader
        may publish, the draft's revision."""
        with self.db.read() as session:
            editing(self, session, key, user)
            version = newest_active_version(session, key, active=False)
            draft = session.get(PreplanDraft, key)
            return {
                "title": {"zh": version.preplan.title_zh, "en": version.preplan.title_en},
                "may_publish": user is None or access.is_admin(get_user(session, user)),
                "revision": draft.revision if draft is not None else 0,
            }

    def check_draft(
        self,
        key: str,
        edits: Mapping[str, str | None] | None = None,
        manifest: Mapping[str, Any] | None = None,
        *,
        user: str | None = None,
    ) -> dict[str, Any]:
        """The findings on the draft with ``edits`` and the panels' ``manifest`` changes (unsaved) laid over it;
        nothing is saved."""
        with self.db.read() as session:
            editing(self, session, key, user)
            files = _apply(self._state(session, key)["files"], edits, manifest)
        found = findings(key, drafts.checked(files))
        return {"ok": not blocking(found), "findings": found}

    # -- changing -----------------------------------------------------------------------------------------------
    def save_draft(
        self,
        key: str,
        revision: Any,
        edits: Mapping[str, str | None] | None = None,
        manifest: Mapping[str, Any] | None = None,
        *,
        user: str | None = None,
    ) -> dict[str, Any]:
        """Save ``edits`` (``None`` deletes a file) and the panels' ``manifest`` changes over the draft at
        ``revision``; another revision is refused with who saved it and when. Answers the new revision and the
        findings."""
        files = self._write(key, revision, user, "draft_saved", lambda saved: _apply(saved, edits, manifest))
        found = findings(key, files["files"])
        return {"revision": files["revision"], "ok": not blocking(found), "findings": found}

    def upload_to_draft(
        self, key: str, revision: Any, name: str, data: bytes, *, user: str | None = None
    ) -> dict[str, Any]:
        """A ``.bpmn`` replaces the draft's diagram of that name (or its only one); a ``.zip`` of the preplan (as
        ``preplan deploy`` takes it) replaces the whole draft. A zip of another preplan is refused."""
        name = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        if name.lower().endswith(".zip"):
            try:  # the preplan the zip names by its folder; files at the zip's top level are this one's
                found_key, files = read_zip(data, source=name)
            except InvalidPreplan:
                found_key, files = read_zip(data, key, source=name)
            if found_key != key:
                raise ValidationFailed(
                    say("the zip holds preplan %(found)s, not %(preplan)s", found=found_key, preplan=key),
                    {"file": "another preplan"},
                )
            texts = {n: drafts.decoded(n, raw) for n, raw in files.items()}
            state = self._write(key, revision, user, "draft_uploaded", lambda _saved: texts, rebase=True, upload=name)
        elif name.lower().endswith(".bpmn"):
            text = drafts.decoded(name, data)
            if not text.lstrip().startswith("<"):
                raise ValidationFailed(say("%(file)s is not a BPMN diagram (XML)", file=name), {"file": "not XML"})
            state = self._write(
                key, revision, user, "draft_uploaded", lambda saved: drafts.with_diagram(saved, name, text), upload=name
            )
        else:
            raise ValidationFailed(
                say("upload a .bpmn diagram or a .zip of the preplan, not %(file)s", file=name[:80]),
                {"file": "neither .bpmn nor .zip"},
            )
        found = findings(key, state["files"])
        return {"revision": state["revision"], "ok": not blocking(found), "findings": found}

    def discard_draft(self, key: str, *, user: str | None = None) -> dict[str, Any]:
        """Drop the draft; the versions are as they were."""
        with self.db.write() as session:
            actor = editing(self, session, key, user)
            row = session.get(PreplanDraft, key, with_for_update=True)
            if row is None:
                raise Conflict(say("%(preplan)s has no draft", preplan=key))
            session.delete(row)
            audit.record(session, None, actor, "draft_discarded", preplan=key, revision=row.revision)
        return {"preplan": key, "discarded": True}

    def publish_draft(
        self, key: str, revision: Any, note: str | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        """Admins: the draft at ``revision`` becomes a new version with ``note`` (a draft with error findings is
        refused with them). The draft is removed once published, also when it changed only the layout (no new
        version: ``layout_only``) or nothing."""
        note = inputs.optional_note(note, "note", say("the note"))
        with self.db.read() as session:
            actor = self.acting(session, user, access.require_admin, OPERATOR)
            state = self._state(session, key)
        _expect(state, revision)
        if not state["revision"]:
            raise Conflict(say("%(preplan)s has no draft to publish", preplan=key))
        if state["based_on"] is not None and state["based_on"] < state["newest"]:
            raise Conflict(
                say(
                    "the draft started from v%(based)s, but v%(newest)s was published since: publishing the draft would "
                    "undo that version's changes; discard the draft, or upload v%(newest)s's zip into it and edit again",
                    based=state["based_on"],
                    newest=state["newest"],
                )
            )
        errors = blocking(findings(key, state["files"]))
        if errors:
            raise InvalidPreplan([_problem(f) for f in errors])
        package = package_from_files(key, {n: t.encode("utf-8") for n, t in state["files"].items()})
        result = deployment.deploy(self.db, package, actor=actor, note=note)
        with self.db.write() as session:
            row = session.get(PreplanDraft, key, with_for_update=True)
            if row is not None and row.revision == state["revision"]:
                session.delete(row)
            audit.record(
                session,
                None,
                actor,
                "draft_published",
                preplan=key,
                revision=state["revision"],
                version=result["version"],
                changed=result["changed"],
                layout_only=bool(result.get("layout_only")),
            )
        return {**result, "layout_only": bool(result.get("layout_only"))}

    # -- helpers ------------------------------------------------------------------------------------------------
    def _state(self, session: Session, key: str) -> dict[str, Any]:
        row = session.get(PreplanDraft, key)
        if row is not None:
            return {
                "preplan": key,
                "revision": row.revision,
                "based_on": row.based_on_version,
                "newest": newest_active_version(session, key, active=False).number,
                "files": dict(row.files),
                "updated_by": row.updated_by,
                "updated_at": iso(row.updated_at, self.tz),
            }
        version = newest_active_version(session, key, active=False)
        return {
            "preplan": key,
            "revision": 0,
            "based_on": version.number,
            "newest": version.number,
            "files": dict(version.files),
            "updated_by": None,
            "updated_at": None,
        }

    def _write(
        self, key: str, revision: Any, user: str | None, kind: str, change: Any, rebase: bool = False, **details: Any
    ) -> dict[str, Any]:
        """One compare-and-set of the draft: ``change(saved files) -> files`` at ``revision``. ``rebase``: the files
        replace the whole draft (an uploaded zip), which is then based on the newest version."""
        try:
            with self.db.write() as session:
                actor = editing(self, session, key, user)
                row = session.get(PreplanDraft, key, with_for_update=True)
                state = self._state(session, key)
                _expect(state, revision)
                files = drafts.checked(change(state["files"]))
                now = clock.now()
                if row is None:
                    row = PreplanDraft(
                        preplan_key=key,
                        files=files,
                        revision=1,
                        based_on_version=state["based_on"],
                        updated_by=actor,
                        updated_at=now,
                        created_by=actor,
                        created_at=now,
                    )
                    session.add(row)
                else:
                    row.files, row.revision, row.updated_by, row.updated_at = files, row.revision + 1, actor, now
                if rebase:
                    row.based_on_version = newest_active_version(session, key, active=False).number
                session.flush()
                audit.record(session, None, actor, kind, preplan=key, revision=row.revision, **details)
                return {"revision": row.revision, "files": files}
        except IntegrityError:  # another editor created the draft at the same moment
            with self.db.read() as session:
                _expect(self._state(session, key), revision)
            raise


def _expect(state: Mapping[str, Any], revision: Any) -> None:
    """The draft must be at ``revision``: else :class:`Conflict` naming who saved it last, when, and its revision."""
    if not isinstance(revision, int) or isinstance(revision, bool):
        raise ValidationFailed(say("the draft's revision must be a whole number"), {"revision": "not a number"})
    if revision != state["revision"]:
        raise Conflict(
            say(
                "the draft was saved by %(user)s at %(at)s (revision %(revision)s) after you opened it; nothing was "
                "saved: reload it and apply your changes again",
                user=state["updated_by"] or "-",
                at=state["updated_at"] or "-",
                revision=state["revision"],
            ),
            updated_by=state["updated_by"],
            updated_at=state["updated_at"],
            revision=state["revision"],
        )


def _edits(edits: Any) -> dict[str, str | None]:
    if edits is None:
        return {}
    if not isinstance(edits, Mapping):
        raise ValidationFailed(say("the files must map file names to texts"), {"files": "not a map"})
    return dict(edits)


def _apply(saved: dict[str, str], edits: Any, manifest: Mapping[str, Any] | None) -> dict[str, str]:
    files = drafts.edited(saved, _edits(edits))
    if manifest:
        if not isinstance(manifest, Mapping):
            raise ValidationFailed(say("the manifest changes must be a map"), {"manifest": "not a map"})
        if not isinstance(files.get(MANIFEST), str):
            raise ValidationFailed(say("a draft needs its %(file)s", file=MANIFEST), {MANIFEST: "missing"})
        files[MANIFEST] = drafts.patched_manifest(files[MANIFEST], manifest)
    return files


def _problem(finding: Finding) -> Problem:
    return Problem(finding.file, finding.message, finding.line, finding.element)
