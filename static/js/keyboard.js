// Keyboard first, on every page that loads it (the draft builder, the order edit). Function
// keys, as on a till, jump to the fields marked data-shortcut. In a search box that names its
// results list (data-results), the arrow keys move the highlighted result, a radio button of
// the search's form, so Enter submits the one highlighted.
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const jump = document.querySelector(`[data-shortcut="${event.key}"]`);
  if (jump) {
    event.preventDefault();
    jump.focus();
    return;
  }
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.results) return;
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const options = [...document.querySelectorAll(`#${box.dataset.results} input[type=radio]`)];
  if (options.length === 0) return;
  event.preventDefault();
  const current = options.findIndex((option) => option.checked);
  const step = event.key === "ArrowDown" ? 1 : -1;
  const next = options[(current + step + options.length) % options.length];
  next.checked = true;
  for (const option of options) {
    option.closest("[role=option]").setAttribute("aria-selected", String(option === next));
  }
  next.closest("[role=option]").scrollIntoView({ block: "nearest" });
});

document.addEventListener("htmx:afterSwap", (event) => {
  const list = event.detail.target;
  const box = document.querySelector(`[data-results="${list.id}"]`);
  if (box) box.setAttribute("aria-expanded", String(list.children.length > 0));
});

// Text typed or scanned into a search box before htmx wired it up (the page still loading, or
// the box just swapped in anew) was never searched for, and htmx takes it as the box's
// unchanged value: search it now that the box is ready.
document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  const boxes = root.matches("[data-results]") ? [root] : root.querySelectorAll("[data-results]");
  for (const box of boxes) {
    if (box.value) {
      htmx.ajax("GET", box.getAttribute("hx-get"), {
        source: box, target: `#${box.dataset.results}`, swap: "innerHTML",
      });
    }
  }
});
