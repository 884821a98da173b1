// The live room: video, pinned product, live offers, sales ticker, chat, viewers and likes,
// kept current over one WebSocket. Every (re)connect starts from the server's state snapshot,
// so a viewer who drops off for a minute is redrawn from the truth, not patched from memory.
(function () {
  "use strict";

  const page = window.liveSocket.boot("[data-live-room]");
  if (!page) return;
  const { root, $, text, fill } = page;
  const { formatFen } = window.shopMoney;

  let state = page.state;
  // Server time minus ours, so countdowns are right on a phone whose clock is off.
  let skewMs = 0;
  const serverNow = () => Date.now() + skewMs;
  const noteServerTime = (iso) => { if (iso) skewMs = Date.parse(iso) - Date.now(); };
  noteServerTime(state.server_time);

  // --- video ---------------------------------------------------------------------------------
  const video = $("[data-video]");
  let hls = null;
  let playing = "";

  function play(url) {
    if (!url || url === playing) return;
    playing = url;
    video.hidden = false;
    if (hls) { hls.destroy(); hls = null; }
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
    } else if (window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls({ liveDurationInfinity: true });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else {
      video.src = url;
    }
  }

  // Replays: the product card follows the pin timeline by the video's position.
  let lastCueProduct;
  video.addEventListener("timeupdate", () => {
    if (state.status !== "ended" || !state.pins) return;
    let current = null;
    for (const pin of state.pins) {
      if (pin.offset_seconds <= video.currentTime) current = pin.product;
    }
    if (current !== lastCueProduct) {
      lastCueProduct = current;
      renderProduct(current);
    }
  });

  // --- status --------------------------------------------------------------------------------
  function renderStatus() {
    root.dataset.status = state.status;
    $("[data-status-badge]").textContent = text[state.status] || state.status;
    $("[data-overlay-scheduled]").hidden = state.status !== "scheduled";
    $("[data-overlay-ended]").hidden = !(state.status === "ended" && !state.replay_url);
    if (state.status === "live") play(state.playback_url);
    else if (state.status === "ended" && state.replay_url) play(state.replay_url);
    else if (state.status === "ended") { video.hidden = true; if (hls) hls.destroy(); hls = null; playing = ""; }
  }

  // --- product card and offers ---------------------------------------------------------------
  function renderProduct(product) {
    const card = $("[data-product-card]");
    card.hidden = !product;
    if (!product) return;
    $("[data-product-link]").textContent = product.title;
    $("[data-product-link]").href = product.url || "#";
    const image = $("[data-product-image]");
    image.hidden = !product.image;
    if (product.image) image.src = product.image;
    const prices = product.variants.map((v) => v.price_fen);
    $("[data-product-price]").textContent = prices.length ? formatFen(Math.min(...prices)) : "";
    card.dataset.productId = product.id;
  }

  function currentOffer() {
    return state.offers.find((o) => o.status === "active" && o.remaining > 0) || null;
  }

  function renderOffer() {
    const box = $("[data-offer]");
    const offer = currentOffer() || state.offers[state.offers.length - 1];
    box.hidden = !offer;
    if (!offer) return;
    box.dataset.offerId = offer.id;
    $("[data-offer-name]").textContent = offer.product_title + " " + offer.variant_label;
    $("[data-offer-price]").textContent = formatFen(offer.price_fen);
    $("[data-offer-was]").textContent = offer.catalogue_price_fen ? formatFen(offer.catalogue_price_fen) : "";
    const soldOut = offer.remaining <= 0;
    $("[data-offer-remaining]").textContent = soldOut ? text.soldOut : fill(text.left, { n: offer.remaining });
    $("[data-offer-limit]").textContent = fill(text.limit, { n: offer.per_buyer_limit });
    const button = $("[data-offer-buy]");
    button.disabled = soldOut || offer.status !== "active";
    box.classList.toggle("live-offer--sold-out", soldOut);
    tick();
  }

  function upsertOffer(offer) {
    const index = state.offers.findIndex((o) => o.id === offer.id);
    if (offer.status === "ended" && offer.remaining > 0) {
      // Stopped or timed out: it leaves the room.
      if (index >= 0) state.offers.splice(index, 1);
    } else if (index >= 0) {
      state.offers[index] = offer;
    } else {
      state.offers.push(offer);
    }
    renderOffer();
  }

  // --- countdowns ----------------------------------------------------------------------------
  function clock(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const two = (n) => String(n).padStart(2, "0");
    return (h ? h + ":" : "") + two(m) + ":" + two(r);
  }

  function tick() {
    const countdown = $("[data-countdown]");
    if (countdown && state.status === "scheduled") {
      const left = Date.parse(countdown.dataset.countdownTo) - serverNow();
      countdown.textContent = left > 0 ? clock(left) : text.starting;
    }
    const offer = currentOffer();
    const label = $("[data-offer-countdown]");
    if (offer && offer.ends_at) {
      const left = Date.parse(offer.ends_at) - serverNow();
      label.textContent = fill(text.endsIn, { t: clock(left) });
      if (left <= 0) { offer.status = "ended"; renderOffer(); }
    } else if (label) {
      label.textContent = "";
    }
  }
  setInterval(tick, 1000);

  // --- chat, viewers, likes, sales ------------------------------------------------------------
  const comments = $("[data-comments]");

  function commentItem(comment) {
    const item = document.createElement("li");
    item.dataset.commentId = comment.id;
    // author and body come HTML-escaped from the server: inserting them as markup shows
    // exactly what was typed.
    item.innerHTML = '<b class="comments__author">' + comment.author + '</b> <span class="comments__body">' + comment.body + "</span>";
    return item;
  }

  function addComment(comment) {
    if (comments.querySelector('[data-comment-id="' + comment.id + '"]')) return;
    comments.appendChild(commentItem(comment));
    while (comments.children.length > 100) comments.firstElementChild.remove();
    comments.scrollTop = comments.scrollHeight;
  }

  function renderComments() {
    comments.replaceChildren(...state.comments.map(commentItem));
    comments.scrollTop = comments.scrollHeight;
  }

  function renderViewers() {
    $("[data-viewers-label]").textContent = fill(text.watching, { n: state.viewers });
  }

  function renderLikes() {
    $("[data-likes]").textContent = state.likes;
  }

  let tickerTimer;
  function showSale(sale) {
    const ticker = $("[data-sale-ticker]");
    ticker.textContent = fill(text.sale, { buyer: sale.buyer, q: sale.quantity, title: sale.product_title + " " + sale.label });
    ticker.classList.add("sale-ticker--on");
    clearTimeout(tickerTimer);
    tickerTimer = setTimeout(() => ticker.classList.remove("sale-ticker--on"), 5000);
  }

  function renderAll() {
    renderStatus();
    if (state.status !== "ended" || !state.pins) renderProduct(state.product);
    renderOffer();
    renderComments();
    renderViewers();
    renderLikes();
    tick();
  }

  // --- socket --------------------------------------------------------------------------------
  const offline = $("[data-overlay-offline]");

  function send(message) {
    return socket.send(message);
  }

  const handlers = {
    state(event) { state = event; noteServerTime(event.server_time); renderAll(); },
    status(event) {
      Object.assign(state, { status: event.status, started_at: event.started_at, replay_url: event.replay_url });
      if (event.status === "live") {
        // The playlist address comes with the snapshot; ask for it afresh.
        connectAgain();
        return;
      }
      if (event.status === "ended") state.offers = [];
      renderAll();
    },
    pin(event) { state.product = event.product; if (state.status !== "ended") renderProduct(event.product); },
    offer(event) { noteServerTime(event.offer.server_time); upsertOffer(event.offer); },
    remaining(event) {
      const offer = state.offers.find((o) => o.id === event.offer_id);
      if (!offer) return;
      offer.remaining = event.remaining;
      renderOffer();
    },
    sale: showSale,
    comment(event) { addComment(event.comment); },
    comment_removed(event) {
      const item = comments.querySelector('[data-comment-id="' + event.comment_id + '"]');
      if (item) item.remove();
    },
    viewers(event) { state.viewers = event.count; renderViewers(); },
    likes(event) { state.likes = Math.max(state.likes, event.count); renderLikes(); },
    error(event) {
      const box = $("[data-chat-error]");
      if (box) box.textContent = event.message;
    },
  };

  const socket = window.liveSocket.open({
    root,
    handlers,
    onOpen() { offline.hidden = true; },
    onRetry() { offline.hidden = false; },
  });

  function connectAgain() {
    socket.reconnect();
  }

  // --- chat form and likes -------------------------------------------------------------------
  const chatForm = $("[data-chat-form]");
  if (chatForm) {
    chatForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = chatForm.elements.body;
      const body = input.value.trim();
      if (!body) return;
      $("[data-chat-error]").textContent = "";
      if (send({ action: "comment", body })) input.value = "";
    });
  }

  // Likes are counted locally and sent in small batches, not one message per tap.
  let pendingLikes = 0;
  $("[data-like]").addEventListener("click", () => {
    pendingLikes += 1;
    state.likes += 1;
    renderLikes();
  });
  setInterval(() => {
    if (!pendingLikes) return;
    const count = Math.min(pendingLikes, 20);
    if (send({ action: "like", count })) pendingLikes -= count;
  }, 1000);

  // --- buy sheet -----------------------------------------------------------------------------
  const sheet = $("[data-buy-sheet]");
  const backdrop = $("[data-sheet-backdrop]");
  const form = $("[data-buy-form]");
  const checkout = $("[data-buy-checkout]");
  let opener = null;

  function focusables() {
    return Array.from(sheet.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), iframe, [tabindex]:not([tabindex='-1'])"))
      .filter((el) => !el.closest("[hidden]"));
  }

  function openSheet({ title, variants, offer }) {
    opener = document.activeElement;
    $("[data-sheet-title]").textContent = title;
    form.hidden = false;
    checkout.hidden = true;
    checkout.replaceChildren();
    $("[data-buy-error]").textContent = "";
    $("[data-buy-offer]").value = offer ? offer.id : "";
    const list = $("[data-buy-variants]");
    list.replaceChildren();
    variants.forEach((variant, index) => {
      const label = document.createElement("label");
      label.className = "variant" + (variant.available > 0 ? "" : " variant--sold-out");
      const input = document.createElement("input");
      Object.assign(input, { type: "radio", name: "sku", value: variant.sku, required: true, disabled: variant.available <= 0 && !offer });
      if (index === 0 || variants.length === 1) input.checked = !input.disabled;
      const name = document.createElement("span");
      name.className = "variant__label";
      name.textContent = variant.label;
      const price = document.createElement("span");
      price.className = "variant__price";
      price.textContent = formatFen(variant.price_fen);
      label.append(input, name, price);
      list.appendChild(label);
    });
    const quantity = $("[data-buy-quantity]");
    quantity.value = 1;
    quantity.max = offer ? Math.max(1, Math.min(offer.per_buyer_limit, offer.remaining)) : 99;
    $("[data-buy-limit]").textContent = offer ? fill(text.limit, { n: offer.per_buyer_limit }) : "";
    sheet.hidden = false;
    backdrop.hidden = false;
    document.body.classList.add("sheet-open");
    (list.querySelector("input:checked") || focusables()[0] || sheet).focus();
  }

  function closeSheet() {
    sheet.hidden = true;
    backdrop.hidden = true;
    checkout.replaceChildren();
    document.body.classList.remove("sheet-open");
    if (opener && opener.focus) opener.focus();
  }

  sheet.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); closeSheet(); return; }
    if (event.key !== "Tab") return;
    const items = focusables();
    if (!items.length) return;
    const first = items[0], last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });
  $("[data-sheet-close]").addEventListener("click", closeSheet);
  backdrop.addEventListener("click", closeSheet);

  $("[data-product-buy]").addEventListener("click", () => {
    const product = state.status === "ended" && lastCueProduct !== undefined ? lastCueProduct : state.product;
    if (product) openSheet({ title: product.title, variants: product.variants });
  });
  $("[data-offer-buy]").addEventListener("click", () => {
    const offer = currentOffer();
    if (!offer) return;
    openSheet({
      title: offer.product_title,
      variants: [{ sku: offer.sku, label: offer.variant_label, price_fen: offer.price_fen, available: offer.remaining }],
      offer,
    });
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = $("[data-buy-submit]");
    const error = $("[data-buy-error]");
    error.textContent = "";
    submit.disabled = true;
    try {
      const body = new URLSearchParams(new FormData(form));
      if (!body.get("offer_id")) body.delete("offer_id");
      const response = await fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok || !data.ok) {
        error.textContent = (data.error && data.error.message) || text.error;
        return;
      }
      const cart = document.querySelector("[data-cart-count]");
      if (cart) cart.dataset.cartCount = data.cart_count;
      // Check out and pay inside the sheet: the video keeps playing behind it.
      const frame = document.createElement("iframe");
      frame.className = "sheet__frame";
      frame.title = text.checkout;
      frame.src = data.checkout_url;
      form.hidden = true;
      checkout.hidden = false;
      checkout.replaceChildren(frame);
      frame.focus();
    } catch (e) {
      error.textContent = text.error;
    } finally {
      submit.disabled = false;
    }
  });

  renderAll();
  socket.connect();
})();
