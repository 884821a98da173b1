// Checkout: with saved addresses, the new-address fields show only when "A new address" is
// chosen. Without JavaScript they stay visible and are ignored when a saved address is chosen.
document.querySelectorAll("[data-checkout-form]").forEach((form) => {
  const choice = form.querySelector("[data-address-choice]");
  const fresh = form.querySelector("[data-new-address]");
  if (!choice || !fresh) return;
  const update = () => {
    const picked = choice.querySelector("input:checked");
    fresh.hidden = Boolean(picked) && picked.value !== "new";
  };
  choice.addEventListener("change", update);
  update();
});

// After a refused submit, move focus to the summary of what to fix.
const errors = document.querySelector("[data-form-errors]");
if (errors) errors.focus();
