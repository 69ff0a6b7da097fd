// Keyed entry of paper forms: a box's text is selected when it takes the focus, so typing
// replaces it (the offered form number, or a value being corrected).
document.querySelectorAll(".paper-entry input[type=text]").forEach((input) => {
  input.addEventListener("focus", () => input.select());
});
const first = document.querySelector(".paper-entry input[autofocus]");
if (first && document.activeElement === first) first.select();
