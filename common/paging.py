"""A page of a long list without counting the list.

Django's Paginator counts every row to number the pages; for a list that only
grows (the audit trail: every page view adds a row) that count reads all of a
school's rows on every visit. A countless page reads one row more than it
shows, to know whether an older page follows, and offers Newer/Older links
with the page's number, no total. The template partial
``partials/pagination.html`` draws both kinds.
"""

# No list has this many pages; a larger number is taken as past the end.
MAX_PAGE = 1_000_000


class CountlessPage:
    countless = True

    def __init__(self, rows, number, per_page):
        self.object_list = rows[:per_page]
        self.number = number
        self._more = len(rows) > per_page
        self._per_page = per_page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self):
        return self._more

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1

    def start_index(self):
        return (self.number - 1) * self._per_page + 1 if self.object_list else 0

    def end_index(self):
        return (self.number - 1) * self._per_page + len(self.object_list)


def countless_page(queryset, number, per_page):
    """The page ``number`` (a query parameter: anything not a positive whole
    number is page 1) of an ordered queryset, in one query. A page past the
    end is the first page, as Paginator.get_page gives the last."""
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    if number > MAX_PAGE:
        # Past any real end; an OFFSET beyond the database's integers would fail.
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:
        number, rows = 1, list(queryset[: per_page + 1])
    return CountlessPage(rows, number, per_page)
