// The draft builder, keyboard first. Every change is made against the version the page shows
// now (one hidden input, refreshed by each answer), not the one a form was rendered with.
// In a search box, the arrow keys move the highlighted result and Enter submits it. Function
// keys, as on a till, jump to the fields a sale goes through (each marked data-shortcut).
document.addEventListener("htmx:configRequest", (event) => {
  const version = document.getElementById("draft-version");
  if (version && event.detail.verb !== "get") {
    event.detail.parameters.set("lock_version", version.value);
  }
});

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
