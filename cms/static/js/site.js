// Selects marked data-autosubmit submit their form on change (the language switch, sorting);
// without JavaScript the form's own button does the same.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
