// The payment page: one PaymentIntent per order, confirmed by card.
//
// Two adapters, one server flow. With Stripe, the Payment Element collects the card and
// stripe.confirmPayment() confirms the intent, then Stripe returns the buyer to the order page.
// With localstripe (offline and in tests) the stand-in Stripe.js only offers the Card Element,
// createToken() and confirmCardPayment() (3-D Secure only), so the card becomes a card_… id in
// the browser, the server confirms the intent with it (/pay/confirm/), and 3-D Secure, when
// asked for, runs in the browser. Either way the order turns paid only when Stripe says so.
(() => {
  const form = document.querySelector("[data-payment-form]");
  if (!form || typeof Stripe === "undefined") return;
  const texts = JSON.parse(document.getElementById("pay-texts").textContent);
  const button = form.querySelector("[data-pay-button]");
  const message = form.querySelector("[data-payment-message]");
  const mount = form.querySelector("#card-element");
  const buttonLabel = button.textContent;
  const { mode, publishableKey, clientSecret, confirmUrl, orderUrl, returnUrl } = form.dataset;
  const stripe = Stripe(publishableKey);

  const say = (text) => {
    message.textContent = text || "";
  };
  const busy = (on) => {
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
    button.textContent = on ? texts.processing : buttonLabel;
  };
  const goToOrder = () => window.location.assign(orderUrl);
  say("");

  if (mode !== "localstripe") {
    const elements = stripe.elements({ clientSecret });
    elements.create("payment").mount(mount);
    button.disabled = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      busy(true);
      say("");
      const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: returnUrl } });
      // Only reached when confirmation failed at once; success leaves for return_url.
      say((error && error.message) || texts.failed);
      busy(false);
    });
    return;
  }

  const card = stripe.elements().create("card");
  card.mount(mount);
  // The stand-in's inputs carry only a placeholder: give each an accessible name and a keypad.
  const autocomplete = { number: "cc-number", exp_month: "cc-exp-month", exp_year: "cc-exp-year", cvc: "cc-csc", postal_code: "postal-code" };
  mount.querySelectorAll("input[placeholder]").forEach((input) => {
    const field = input.getAttribute("placeholder");
    if (texts[field]) input.setAttribute("aria-label", texts[field]);
    input.setAttribute("inputmode", "numeric");
    if (autocomplete[field]) input.setAttribute("autocomplete", autocomplete[field]);
  });
  button.disabled = false;

  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const confirmOnServer = async (paymentMethodId) => {
    const response = await fetch(confirmUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: JSON.stringify({ payment_method_id: paymentMethodId }),
    });
    const body = await response.json().catch(() => ({}));
    return { ok: response.ok, ...body };
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say("");
    const value = card.value && card.value.card;
    if (!value || !value.number || !value.exp_month || !value.cvc || String(value.exp_year).length < 4) {
      say(texts.incomplete);
      return;
    }
    busy(true);
    try {
      const { token, error } = await stripe.createToken(card);
      if (error || !token || !token.card) {
        say((error && error.message) || texts.failed);
        busy(false);
        return;
      }
      const result = await confirmOnServer(token.card.id);
      if (result.status === "requires_action" && result.client_secret) {
        const outcome = await stripe.confirmCardPayment(result.client_secret);
        if (outcome.error || !outcome.paymentIntent || outcome.paymentIntent.status !== "succeeded") {
          say(texts.authFailed);
          busy(false);
          return;
        }
        goToOrder();
      } else if (!result.ok || result.status === "failed") {
        // A declined card ends that attempt; the next card is confirmed on a fresh intent.
        say(result.error || texts.failed);
        busy(false);
      } else {
        goToOrder();
      }
    } catch (failure) {
      say(texts.network);
      busy(false);
    }
  });
})();
