// Variant picker: the radio buttons carry each variant's price and availability, so choosing
// one updates the price line (an aria-live region) without a round trip.
document.querySelectorAll("[data-variant-picker]").forEach((picker) => {
  const price = picker.querySelector("[data-show=price]");
  const compare = picker.querySelector("[data-show=compare]");
  const availability = picker.querySelector("[data-show=availability]");
  picker.addEventListener("change", (event) => {
    const input = event.target;
    if (input.name !== "variant") return;
    price.textContent = input.dataset.price;
    compare.textContent = input.dataset.compare;
    compare.hidden = !input.dataset.compare;
    availability.textContent = input.dataset.availability;
    // The add-to-cart form (orders) posts the chosen variant's SKU; a sold-out one cannot be added.
    const addForm = picker.parentElement.querySelector("[data-add-to-cart]");
    if (addForm) {
      addForm.querySelector("[data-sku-input]").value = input.dataset.sku;
      addForm.querySelector("[data-add-button]").disabled = input.dataset.inStock === "0";
    }
    const url = new URL(window.location);
    url.searchParams.set("variant", input.value);
    window.history.replaceState(null, "", url);
  });
  // A shared link with ?variant= opens on that variant.
  const wanted = new URL(window.location).searchParams.get("variant");
  const preset = wanted && picker.querySelector(`input[name="variant"][value="${CSS.escape(wanted)}"]`);
  if (preset) {
    preset.checked = true;
    preset.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
