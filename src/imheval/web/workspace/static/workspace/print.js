// The poster's "Print the poster" button: shown only when JavaScript can print.
for (const button of document.querySelectorAll("[data-imheval-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
