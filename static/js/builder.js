// The draft builder. Every change is made against the version the page shows now (one hidden
// input, refreshed by each answer), not the one a form was rendered with: a change answers
// with the parts it touched only, so the other parts' forms keep the version they were
// rendered with. The keyboard is static/js/keyboard.js's.
document.addEventListener("htmx:configRequest", (event) => {
  const version = document.getElementById("draft-version");
  if (version && event.detail.verb !== "get") {
    event.detail.parameters.set("lock_version", version.value);
  }
});
