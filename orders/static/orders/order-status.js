// While an order awaits payment, ask the server every 2 s whether it changed and reload when it
// has: the webhook (or the server's own check with Stripe) may land a moment after the buyer.
document.querySelectorAll("[data-order-poll]").forEach((node) => {
  const url = node.dataset.statusUrl;
  const initial = node.dataset.status;
  const stopAt = Date.now() + 30 * 60 * 1000;
  const tick = async () => {
    if (Date.now() > stopAt) return;
    if (!document.hidden) {
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.ok) {
          const { status } = await response.json();
          if (status && status !== initial) {
            window.location.reload();
            return;
          }
        }
      } catch (error) {
        // Offline for a moment: try again on the next tick.
      }
    }
    window.setTimeout(tick, 2000);
  };
  window.setTimeout(tick, 2000);
});
