"""Cases: one operation on one case (restore, advance, act, save), the task and timer projections, drills, the
recount of provisional deadlines, moving a case onto a newer version, and the read models lists and pages show."""
