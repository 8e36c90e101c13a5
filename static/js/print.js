// Buttons marked data-print open the browser's print dialog (the packing slip's Print button).
// A script file, not an onclick attribute: the Content-Security-Policy refuses inline script.
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
