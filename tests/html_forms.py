"""The forms of a page as a browser reads them: where each one is sent, how, and the values its
fields would send as they stand. Tests read forms here instead of naming fields by hand, so a
field added to a page later is sent too."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageForm:
    """A form, or a search box that htmx sends on its own (``hx-get`` on an input)."""

    method: str
    action: str
    #: Sent by htmx, which says so with the ``HX-Request`` header and gets a fragment back.
    htmx: bool
    #: Field name → the values sent as the page stands, in the page's order (a checkbox or
    #: radio button that is not ticked sends nothing, but its name is here).
    fields: dict[str, list[str]] = field(default_factory=dict)

    def data_with(self, name: str, value: str | None) -> dict[str, list[str]]:
        """What the form sends with ``value`` in the field ``name`` (``None``: left out)."""
        data = {key: list(values) for key, values in self.fields.items() if values}
        data.pop(name, None)
        if value is not None:
            data[name] = [value]
        return data


class _FormReader(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[PageForm] = []
        self.by_id: dict[str, PageForm] = {}
        #: Fields tied to a form by its id (``form="..."``), which may come before the form.
        self.tied: list[tuple[str, str, str | None]] = []
        self.form: PageForm | None = None
        self.select: tuple[str, str | None, list[tuple[str, bool]]] | None = None
        self.textarea: tuple[str, str | None, list[str]] | None = None

    def _add(self, name: str, value: str | None, owner: str | None) -> None:
        """``value`` None: a field that sends nothing as the page stands."""
        if owner is not None:
            self.tied.append((owner, name, value))
        elif self.form is not None:
            values = self.form.fields.setdefault(name, [])
            if value is not None:
                values.append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        name = a.get("name")
        if tag == "form":
            htmx = "hx-post" in a or "hx-get" in a
            self.form = PageForm(
                method="POST" if "hx-post" in a else (a.get("method") or "GET").upper(),
                action=a.get("hx-post") or a.get("hx-get") or a.get("action") or self.url,
                htmx=htmx,
            )
            self.forms.append(self.form)
            if a.get("id"):
                self.by_id[a["id"]] = self.form
        elif "formaction" in a and self.form is not None:
            # A button that sends its form elsewhere (a preview): the same fields, read on as
            # the page goes (the dict is shared), to another action.
            self.forms.append(PageForm(self.form.method, a["formaction"], False,
                                       self.form.fields))  # fmt: skip
        elif tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            checked = kind not in ("checkbox", "radio") or "checked" in a
            self._add(name, a.get("value", "on" if kind == "checkbox" else "") if checked
                      else None, a.get("form"))  # fmt: skip
            if "hx-get" in a:
                # A search box: htmx sends it alone, with its own value, as the person types.
                self.forms.append(PageForm("GET", a["hx-get"], True, {name: [a.get("value", "")]}))
        elif tag == "select" and name:
            self.select = (name, a.get("form"), [])
        elif tag == "option" and self.select is not None:
            self.select[2].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self.textarea = (name, a.get("form"), [])

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            name, owner, options = self.select
            chosen = [value for value, selected in options if selected] or [
                value for value, _ in options[:1]]  # fmt: skip
            self._add(name, chosen[0] if chosen else None, owner)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, owner, text = self.textarea
            self._add(name, "".join(text).removeprefix("\n"), owner)
            self.textarea = None

    def close(self) -> None:
        super().close()
        for owner, name, value in self.tied:
            values = self.by_id[owner].fields.setdefault(name, [])
            if value is not None:
                values.append(value)


def page_forms(html: str, url: str) -> list[PageForm]:
    """The forms of the page at ``url`` (a form without an action is sent to ``url``)."""
    reader = _FormReader(url)
    reader.feed(html)
    reader.close()
    return reader.forms
