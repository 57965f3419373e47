// The app's only script of its own (no inline script: the Content-Security-Policy forbids it).
// A <select data-autosubmit> sends its form when changed (the language switch in the footer);
// without JavaScript the form's own button does it.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
