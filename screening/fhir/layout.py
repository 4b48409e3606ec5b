"""The order of a section's questions, lists and instruments: the form's order."""

from screening.questionnaire.model import Instrument, Question, RowList, Section

Entry = Question | RowList | Instrument


def entries(section: Section) -> list[Entry]:
    """What the section asks, in the order of its pages' fieldsets; a checklist
    item's note (`<item>_detail`), which no fieldset names, right after its item."""
    declared: dict[str, Entry] = {q.path: q for q in section.questions}
    declared |= {rows.path: rows for rows in section.lists}
    declared |= {each.path: each for each in section.instruments}
    ordered = [
        path for page in section.pages for group in page.groups for path in group.paths
    ]
    for path in declared:
        if path in ordered:
            continue
        item = path.removesuffix("_detail")
        at = ordered.index(item) + 1 if item in ordered else len(ordered)
        ordered.insert(at, path)
    return [declared[path] for path in ordered if path in declared]
