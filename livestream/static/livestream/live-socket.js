// What the live room and the host console share: finding the page, its texts and the server's
// state snapshot, and one WebSocket that comes back after a drop and hands each event to the
// handler named by its type. Load it before either page's script.
(function (global) {
  "use strict";

  const $ = (selector, scope) => (scope || document).querySelector(selector);
  // "%(n)s left" with { n: 3 } → "3 left"; the server writes the templates in data-i18n.
  const fill = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));

  // The server closes with these when the session is gone or the user may not be there;
  // trying again would only be refused again.
  const FINAL_CLOSE_CODES = [4403, 4404];

  // The page's root element, its texts and the state snapshot; null when rootSelector is not on the page.
  function boot(rootSelector) {
    const element = $(rootSelector);
    if (!element) return null;
    return { root: element, $, fill, text: $("[data-i18n]").dataset, state: JSON.parse($("#live-state").textContent) };
  }

  // A socket to root.dataset.wsPath. connect() opens it; after a drop it opens again, backing off
  // (1 s, 2 s, 4 s … 30 s) with jitter so a restarted server is not stampeded. onOpen and onRetry
  // are optional. send() returns false when the socket is not open.
  function open({ root, handlers, onOpen, onRetry }) {
    let socket = null;
    let retries = 0;

    function connect() {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + location.host + root.dataset.wsPath);
      socket.addEventListener("open", () => {
        retries = 0;
        if (onOpen) onOpen();
        root.dataset.connected = "true";
      });
      socket.addEventListener("message", (message) => {
        let event;
        try { event = JSON.parse(message.data); } catch (e) { return; }
        const handler = handlers[event.type];
        if (handler) handler(event);
      });
      socket.addEventListener("close", (event) => {
        socket = null;
        root.dataset.connected = "false";
        if (FINAL_CLOSE_CODES.includes(event.code)) return;
        if (onRetry) onRetry();
        const delay = Math.min(30000, 1000 * 2 ** retries) * (0.5 + Math.random() / 2);
        retries += 1;
        setTimeout(connect, delay);
      });
    }

    function send(payload) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(payload));
        return true;
      }
      return false;
    }

    // Start afresh from a new snapshot: close (the close handler opens again) or open now.
    function reconnect() {
      if (socket) socket.close(4000);
      else connect();
    }

    return { connect, send, reconnect };
  }

  global.liveSocket = { boot, open };
})(window);
