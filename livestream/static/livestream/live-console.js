// The host console: every action goes over the host socket; the figures, offers and comments
// it shows are redrawn from the state snapshot on each (re)connect and kept current by events.
(function () {
  "use strict";

  const page = window.liveSocket.boot("[data-console]");
  if (!page) return;
  const { root, $, text, fill } = page;
  const { formatFen, yuanToFen } = window.shopMoney;
  const message = $("[data-console-message]");
  let state = page.state;
  let offers = [];

  function renderStatus() {
    root.dataset.status = state.status;
    $("[data-status-badge]").textContent = text[state.status] || state.status;
    $("[data-golive]").hidden = state.status !== "scheduled";
  }

  function renderPin(product) {
    document.querySelectorAll("[data-products] li").forEach((item) => {
      item.setAttribute("aria-current", String(!!product && String(product.id) === item.dataset.productId));
    });
  }

  function button(label, onClick, ghost) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "button button--small" + (ghost ? " button--ghost" : "");
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function renderOffers() {
    const list = $("[data-offers]");
    list.replaceChildren(...offers.map((offer) => {
      const item = document.createElement("li");
      item.dataset.offerId = offer.id;
      const label = document.createElement("span");
      const status = offer.status === "draft" ? text.draft : offer.remaining > 0 ? fill(text.left, { n: offer.remaining }) : text.soldOut;
      label.textContent = offer.product_title + " " + offer.variant_label + " " + formatFen(offer.price_fen) + " · " + status;
      item.appendChild(label);
      if (offer.status === "draft") item.appendChild(button(text.start, () => send({ action: "offer_start", offer_id: offer.id })));
      if (offer.status === "active") item.appendChild(button(text.stop, () => send({ action: "offer_stop", offer_id: offer.id }), true));
      return item;
    }));
  }

  function upsertOffer(offer) {
    const index = offers.findIndex((o) => o.id === offer.id);
    if (index >= 0) offers[index] = offer; else offers.push(offer);
    renderOffers();
  }

  function commentItem(comment) {
    const item = document.createElement("li");
    item.dataset.commentId = comment.id;
    const body = document.createElement("span");
    // author and body arrive HTML-escaped from the server.
    body.innerHTML = '<b class="comments__author">' + comment.author + "</b> " + comment.body;
    item.appendChild(body);
    const actions = document.createElement("span");
    actions.appendChild(button(text.delete, () => send({ action: "comment_remove", comment_id: comment.id }), true));
    if (comment.user_id) actions.appendChild(button(text.mute, () => send({ action: "mute", user_id: comment.user_id }), true));
    item.appendChild(actions);
    return item;
  }

  function renderStats(stats) {
    document.querySelectorAll("[data-stat]").forEach((cell) => {
      const value = stats[cell.dataset.stat];
      if (value === undefined) return;
      cell.textContent = cell.hasAttribute("data-money") ? formatFen(value) : value;
    });
  }

  function bump(stat, delta) {
    const cell = $('[data-stat="' + stat + '"]');
    cell.textContent = String((parseInt(cell.textContent, 10) || 0) + delta);
  }

  function renderAll() {
    renderStatus();
    renderPin(state.product);
    offers = [...(state.drafts || []), ...state.offers];
    renderOffers();
    $("[data-comments]").replaceChildren(...state.comments.map(commentItem));
    renderStats({ viewers: state.viewers });
  }

  // --- socket --------------------------------------------------------------------------------
  function send(payload) {
    message.textContent = "";
    return socket.send(payload);
  }

  const handlers = {
    state(event) { state = event; renderAll(); },
    stats: renderStats,
    status(event) { state.status = event.status; renderStatus(); if (event.status === "ended") offers = offers.filter((o) => o.status !== "active"); },
    pin(event) { state.product = event.product; renderPin(event.product); },
    offer(event) { upsertOffer(event.offer); },
    remaining(event) {
      const offer = offers.find((o) => o.id === event.offer_id);
      if (offer) { offer.remaining = event.remaining; renderOffers(); }
    },
    comment(event) { $("[data-comments]").appendChild(commentItem(event.comment)); bump("comments", 1); },
    comment_removed(event) {
      const item = $('[data-comments] [data-comment-id="' + event.comment_id + '"]');
      if (item) { item.remove(); bump("comments", -1); }
    },
    viewers(event) { renderStats({ viewers: event.count }); },
    sale() { send({ action: "stats" }); },
    muted() { message.textContent = text.muted; },
    error(event) { message.textContent = event.message; },
  };

  const socket = window.liveSocket.open({ root, handlers });

  // Figures that are not pushed (orders paid elsewhere, commission booked) refresh now and then.
  setInterval(() => send({ action: "stats" }), 15000);

  // --- controls ------------------------------------------------------------------------------
  document.querySelectorAll("[data-pin]").forEach((b) => {
    b.addEventListener("click", () => send({ action: "pin", product_id: parseInt(b.dataset.pin, 10) }));
  });
  $("[data-unpin]").addEventListener("click", () => send({ action: "pin", product_id: null }));
  $("[data-end]").addEventListener("click", (event) => {
    if (window.confirm(event.currentTarget.dataset.confirm)) send({ action: "end" });
  });
  document.querySelectorAll("[data-copy]").forEach((b) => {
    b.addEventListener("click", async () => {
      try { await navigator.clipboard.writeText(b.dataset.copy); message.textContent = text.copied; } catch (e) { /* selectable anyway */ }
    });
  });

  const form = $("[data-offer-form]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const priceFen = yuanToFen(form.elements.price.value);
    if (!priceFen) { message.textContent = text.badPrice; form.elements.price.focus(); return; }
    const duration = form.elements.duration_seconds.value;
    send({
      action: "offer_create",
      sku: form.elements.sku.value,
      price_fen: priceFen,
      quantity: parseInt(form.elements.quantity.value, 10),
      per_buyer_limit: parseInt(form.elements.per_buyer_limit.value, 10),
      duration_seconds: duration ? parseInt(duration, 10) : null,
      start: form.elements.start.checked,
    });
  });

  renderAll();
  socket.connect();
})();
