/* Dukkan console: a phone per platform that talks to the bot through /admin/api/simulate,
 * an inspector, the service status, orders and hand-offs.
 *
 * Every piece of text from a customer, the bot or the store is put in the page with
 * textContent (the el() helper below); nothing here ever assigns HTML.
 */
"use strict";

(function () {
  const POLL_MS = 700;
  const IDLE_POLL_MS = 5000;
  const WAIT_LIMIT_MS = 60000;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);

  // The platforms are the server's channels: one tab each, with its look and a new customer's id shape.
  const CHANNELS = Object.fromEntries([...document.querySelectorAll(".platform-tab")].map((tab) => [tab.dataset.platform, {
    look: tab.dataset.look,
    subtitle: tab.dataset.subtitle,
    newCustomer: () => tab.dataset.prefix + randomDigits(Number(tab.dataset.digits)),
  }]));
  const state = {
    platform: Object.keys(CHANNELS)[0],
    customers: Object.fromEntries(Object.entries(CHANNELS).map(([platform, channel]) =>
      [platform, localStorage.getItem("dukkan.customer." + platform) || channel.newCustomer()])),
    lastId: 0,
    lastInbound: 0,
    generation: 0,
    waitingSince: 0,
    pollTimer: null,
    polling: false,
    sending: 0,
    sent: 0,
    pollAgain: false,
    repliesFrom: 0,
    sheetChoice: null,
    orderNumber: null,
  };

  // ---- small helpers ------------------------------------------------------------------------

  function randomDigits(n) {
    const values = crypto.getRandomValues(new Uint8Array(n));
    return Array.from(values, (v) => String(v % 10)).join("");
  }

  /** An element with attributes and children; strings become text nodes, never HTML. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Only http(s) URLs reach an href or src. */
  function safeUrl(url) {
    try {
      const parsed = new URL(String(url), location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function when(seconds) {
    if (!seconds) return "";
    return new Date(seconds * 1000).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
  }

  function clock(seconds) {
    if (!seconds) return "";
    return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function pretty(value) {
    return JSON.stringify(value, null, 2);
  }

  function toast(message, bad) {
    const box = $("toast");
    box.textContent = message;
    box.classList.toggle("bad", Boolean(bad));
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (box.hidden = true), 3500);
  }

  async function api(path, options) {
    const init = Object.assign({ headers: {}, credentials: "same-origin" }, options || {});
    if (init.body !== undefined) {
      init.method = init.method || "POST";
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = csrf;
      init.body = JSON.stringify(init.body);
    }
    const response = await fetch(path, init);
    if (response.status === 401) {
      location.assign("/console/login?next=/console");
      throw new Error("signed out");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  // ---- customer and platform ----------------------------------------------------------------

  function customerId() {
    return state.customers[state.platform];
  }

  function setPlatform(platform) {
    state.platform = platform;
    document.querySelectorAll(".platform-tab").forEach((tab) => {
      tab.setAttribute("aria-selected", String(tab.dataset.platform === platform));
    });
    $("phone").dataset.platform = platform;
    $("phone-sub").textContent = CHANNELS[platform].subtitle;
    $("customer-id").value = customerId();
    resetChat();
  }

  function setCustomer(id) {
    const clean = id.trim();
    if (!clean || clean === customerId()) return;
    state.customers[state.platform] = clean;
    localStorage.setItem("dukkan.customer." + state.platform, clean);
    resetChat();
  }

  function resetChat() {
    state.generation += 1;
    state.lastId = 0;
    state.lastInbound = 0;
    state.waitingSince = 0;
    $("typing").hidden = true;
    $("handoff-banner").hidden = true;
    $("chat").replaceChildren();
    closeSheet();
    localStorage.setItem("dukkan.customer." + state.platform, customerId());
    poll();
  }

  // ---- sending ------------------------------------------------------------------------------

  async function send(message) {
    const body = Object.assign({ platform: state.platform, customer_id: customerId() }, message);
    state.repliesFrom = state.lastId;
    state.sending += 1;
    startWaiting();
    try {
      const result = await api("/admin/api/simulate", { body });
      showDelivery(result);
      if (result.status !== 200) toast("The webhook answered " + result.status + ": " + result.webhook, true);
    } catch (error) {
      toast("Not sent: " + error.message, true);
    } finally {
      state.sending -= 1;
      state.sent += 1;
    }
    poll();
  }

  function pressed(kind, payload, title, description) {
    send({ kind, payload, title, description });
  }

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("message");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send({ text });
  });

  // ---- polling ------------------------------------------------------------------------------

  function startWaiting() {
    state.waitingSince = Date.now();
    $("typing").hidden = false;
  }

  /** One conversation request at a time; a call while one is in flight asks for another after it. */
  async function poll() {
    clearTimeout(state.pollTimer);
    if (state.polling) {
      state.pollAgain = true;
      return;
    }
    state.polling = true;
    state.pollAgain = false;
    const generation = state.generation;
    const sentBefore = state.sent; // a poll started before a send was accepted cannot end the wait
    const query = new URLSearchParams({
      platform: state.platform,
      customer_id: customerId(),
      after: state.lastId,
      after_inbound: state.lastInbound,
    });
    let data = null;
    try {
      data = await api("/admin/api/conversation?" + query);
    } catch (error) {
      toast("Conversation not loaded: " + error.message, true);
    } finally {
      state.polling = false;
    }
    if (generation === state.generation && data) absorb(data);
    const current = generation === state.generation && data;
    const settled = current && data.pending === 0 && !state.sending && sentBefore === state.sent;
    if (state.waitingSince && settled && !state.pollAgain) stopWaiting();
    if (state.waitingSince && Date.now() - state.waitingSince > WAIT_LIMIT_MS) stopWaiting();
    if (state.pollAgain) return poll();
    state.pollTimer = setTimeout(poll, state.waitingSince ? POLL_MS : IDLE_POLL_MS);
  }

  function stopWaiting() {
    state.waitingSince = 0;
    $("typing").hidden = true;
    loadStatus();
  }

  function absorb(data) {
    const items = [];
    for (const row of data.inbound) {
      if (row.id <= state.lastInbound) continue;
      items.push({ at: row.created_at, order: 0, id: row.id, row, inbound: true });
    }
    for (const row of data.messages) {
      if (row.id <= state.lastId) continue;
      items.push({ at: row.created_at, order: 1, id: row.id, row, inbound: false });
    }
    for (const item of items) {
      if (item.inbound) state.lastInbound = Math.max(state.lastInbound, item.id);
      else state.lastId = Math.max(state.lastId, item.id);
    }
    items.sort((a, b) => a.at - b.at || a.order - b.order || a.id - b.id);
    const chat = $("chat");
    for (const item of items) {
      const node = item.inbound ? renderInbound(item.row) : renderOutbound(item.row);
      if (!node) continue;
      chat.querySelectorAll(".quick-replies").forEach((chips) => chips.remove());
      chat.append(node);
    }
    if (items.length) scrollChatDown();
    if (items.some((item) => !item.inbound)) showPayloads();
    $("session").textContent = pretty(data.session || {});
    showHandoff(data.handoff);
  }

  function scrollChatDown() {
    const chat = $("chat");
    chat.scrollTop = chat.scrollHeight;
  }

  function showHandoff(handoff) {
    const banner = $("handoff-banner");
    banner.hidden = !handoff;
  }

  // ---- the customer's bubbles ---------------------------------------------------------------

  function renderInbound(row) {
    const text = row.text || row.payload || "[" + row.kind + "]";
    const classes = "msg out" + (row.kind === "payload" ? " press" : "") + (row.state === "dead" ? " failed" : "");
    const bubble = el("div", { class: "bubble", dir: "auto", text });
    const meta = el("div", { class: "meta" }, clock(row.created_at), row.state === "dead" ? " · not handled" : "");
    return el("div", { class: classes, dataset: { inbound: row.id }, title: row.payload ? "payload: " + row.payload : null }, bubble, meta);
  }

  // ---- the bot's bubbles: Messenger ---------------------------------------------------------

  function renderOutbound(row) {
    if (row.kind === "action") return null; // typing indicators and read marks are not bubbles
    if (row.kind === "handover") {
      return el("div", { class: "system-note" }, "Conversation passed to a person (handover protocol)");
    }
    const draw = LOOKS[CHANNELS[state.platform].look] || unknownBody;
    const content = draw(row.body);
    const wrapper = el("div", { class: "msg in", dataset: { outbox: row.id } }, content);
    if (row.state === "failed") wrapper.append(el("div", { class: "meta error" }, "not delivered: " + (row.error || "")));
    if (row.state === "unknown") wrapper.append(el("div", { class: "meta error" }, "maybe delivered (no answer came); not sent again"));
    else wrapper.append(el("div", { class: "meta" }, clock(row.created_at)));
    wrapper.addEventListener("click", () => showPayloads([row]));
    return wrapper;
  }

  // How each look draws a Send API body: Messenger and Instagram take the same (Messenger Platform)
  // bodies, WhatsApp's are its own; a look not named here shows the body as it is.
  const LOOKS = {
    messenger: (body) => messengerContent(body),
    instagram: (body) => messengerContent(body),
    whatsapp: (body) => whatsappContent(body),
  };

  function messengerContent(body) {
    const message = body.message || {};
    const attachment = message.attachment;
    const parts = [];
    if (message.text) parts.push(el("div", { class: "bubble", dir: "auto", text: message.text }));
    if (attachment && attachment.type === "template") parts.push(messengerTemplate(attachment.payload || {}));
    else if (attachment && attachment.type === "image") parts.push(image((attachment.payload || {}).url, "bubble image"));
    else if (attachment) parts.push(el("div", { class: "bubble muted" }, "[" + attachment.type + " attachment]"));
    if (Array.isArray(message.quick_replies) && message.quick_replies.length) parts.push(quickReplies(message.quick_replies));
    if (!parts.length) parts.push(unknownBody(body));
    return parts;
  }

  function messengerTemplate(payload) {
    if (payload.template_type === "generic") return carousel(payload.elements || [], payload.image_aspect_ratio);
    if (payload.template_type === "button") {
      return el("div", { class: "button-template" },
        el("div", { class: "bt-text", dir: "auto", text: payload.text || "" }),
        el("div", { class: "m-buttons" }, (payload.buttons || []).map(messengerButton)));
    }
    return el("div", { class: "bubble muted" }, "[" + payload.template_type + " template]");
  }

  function carousel(elements, ratio) {
    const track = el("div", { class: "carousel" + (ratio === "square" ? " square" : "") });
    for (const element of elements) track.append(card(element));
    return track;
  }

  function card(element) {
    const target = element.default_action && safeUrl(element.default_action.url);
    const picture = element.image_url ? image(element.image_url, "m-card-image") : null;
    if (picture && target) {
      picture.classList.add("linked");
      picture.addEventListener("click", () => window.open(target, "_blank", "noopener"));
    }
    return el("div", { class: "m-card" },
      picture,
      el("div", { class: "m-card-text" },
        el("div", { class: "m-card-title", dir: "auto", text: element.title || "" }),
        element.subtitle ? el("div", { class: "m-card-subtitle", dir: "auto", text: element.subtitle }) : null),
      el("div", { class: "m-buttons" }, (element.buttons || []).map(messengerButton)));
  }

  function messengerButton(button) {
    if (button.type === "web_url") {
      const href = safeUrl(button.url);
      return el("a", { class: "m-button", href, target: "_blank", rel: "noopener noreferrer", dir: "auto", text: button.title });
    }
    return el("button", {
      type: "button",
      class: "m-button",
      dir: "auto",
      text: button.title,
      dataset: { payload: button.payload || "" },
      onclick: (event) => {
        event.stopPropagation();
        pressed("postback", button.payload, button.title);
      },
    });
  }

  function quickReplies(replies) {
    return el("div", { class: "quick-replies" }, replies.map((reply) =>
      el("button", {
        type: "button",
        class: "chip",
        dir: "auto",
        text: reply.title || reply.payload,
        dataset: { payload: reply.payload || "" },
        onclick: (event) => {
          event.stopPropagation();
          pressed("quick_reply", reply.payload, reply.title);
        },
      })));
  }

  function image(url, className) {
    const src = safeUrl(url);
    if (!src) return el("div", { class: className + " broken" }, "image");
    // Pictures grow the chat after it scrolled down: keep the newest message in view.
    return el("img", { class: className, src, alt: "", loading: "eager", onload: scrollChatDown });
  }

  function unknownBody(body) {
    return el("pre", { class: "bubble json small" }, pretty(body));
  }

  // ---- the bot's bubbles: WhatsApp ----------------------------------------------------------

  function whatsappContent(body) {
    if (body.type === "text") return el("div", { class: "bubble", dir: "auto", text: (body.text || {}).body || "" });
    if (body.type === "image") {
      const media = body.image || {};
      return el("div", { class: "bubble media" }, image(media.link, "wa-image"),
        media.caption ? el("div", { class: "caption", dir: "auto", text: media.caption }) : null);
    }
    if (body.type === "interactive") return interactive(body.interactive || {});
    return unknownBody(body);
  }

  function interactive(message) {
    const header = message.header && message.header.type === "text" ? el("div", { class: "wa-header", dir: "auto", text: message.header.text }) : null;
    const footer = message.footer ? el("div", { class: "wa-footer", dir: "auto", text: message.footer.text || "" }) : null;
    const bubble = el("div", { class: "bubble interactive" }, header,
      el("div", { class: "wa-body", dir: "auto", text: (message.body || {}).text || "" }), footer);
    const action = message.action || {};
    if (message.type === "button") {
      return [bubble, el("div", { class: "wa-buttons" }, (action.buttons || []).map((button) => {
        const reply = button.reply || {};
        return el("button", {
          type: "button", class: "wa-reply", dir: "auto", text: reply.title || reply.id,
          dataset: { payload: reply.id || "" },
          onclick: (event) => {
            event.stopPropagation();
            pressed("button_reply", reply.id, reply.title);
          },
        });
      }))];
    }
    if (message.type === "list") {
      bubble.append(el("button", {
        type: "button", class: "wa-list-button", dir: "auto", text: action.button || "Options",
        onclick: (event) => {
          event.stopPropagation();
          openSheet(action);
        },
      }));
      return bubble;
    }
    bubble.append(el("div", { class: "muted small" }, "[" + message.type + " interactive]"));
    return bubble;
  }

  function openSheet(action) {
    state.sheetChoice = null;
    $("sheet-title").textContent = action.button || "";
    $("sheet-send").disabled = true;
    const body = $("sheet-body");
    body.replaceChildren();
    for (const section of action.sections || []) {
      if (section.title) body.append(el("div", { class: "sheet-section", dir: "auto", text: section.title }));
      for (const row of section.rows || []) {
        const item = el("button", { type: "button", class: "wa-row", role: "radio", "aria-checked": "false", dataset: { payload: row.id } },
          el("span", { class: "wa-row-text" },
            el("span", { class: "wa-row-title", dir: "auto", text: row.title || row.id }),
            row.description ? el("span", { class: "wa-row-description", dir: "auto", text: row.description }) : null),
          el("span", { class: "radio", "aria-hidden": "true" }));
        item.addEventListener("click", () => {
          body.querySelectorAll(".wa-row").forEach((other) => other.setAttribute("aria-checked", "false"));
          item.setAttribute("aria-checked", "true");
          state.sheetChoice = row;
          $("sheet-send").disabled = false;
        });
        body.append(item);
      }
    }
    $("sheet").hidden = false;
  }

  function closeSheet() {
    $("sheet").hidden = true;
    state.sheetChoice = null;
  }

  $("sheet-close").addEventListener("click", closeSheet);
  $("sheet").addEventListener("click", (event) => {
    if (event.target === $("sheet")) closeSheet();
  });
  $("sheet-send").addEventListener("click", () => {
    const row = state.sheetChoice;
    closeSheet();
    if (row) pressed("list_reply", row.id, row.title, row.description || "");
  });

  // ---- inspector ----------------------------------------------------------------------------

  function showDelivery(result) {
    $("inspector-note").textContent = "Last message: webhook " + result.status + " " + (result.webhook || "");
    $("delivery-meta").textContent = "X-Hub-Signature-256: " + (result.signature || "").slice(0, 23) + "…";
    $("delivery").textContent = pretty(result.delivery);
    showUnderstanding(result.understanding || {}, result.events || []);
    $("payloads").replaceChildren(el("p", { class: "muted" }, "Waiting for replies…"));
    $("payloads-meta").textContent = "";
  }

  function showUnderstanding(u, events) {
    const box = $("understanding");
    box.replaceChildren();
    const event = events[0];
    if (event) {
      box.append(el("div", { class: "kv" }, el("span", { text: "event" }),
        el("code", { text: event.kind + (event.inbox_state ? " · " + event.inbox_state + " in the inbox when accepted" : "") })));
    }
    if (u.route === "payload") {
      box.append(el("div", { class: "kv" }, el("span", { text: "routed by payload" }), el("code", { text: u.payload })));
      return;
    }
    if (u.error || u.available === false) {
      box.append(el("p", { class: "muted" }, u.error || "No understanding."));
      return;
    }
    const confidence = Number(u.confidence || 0);
    box.append(
      el("div", { class: "intent" }, el("span", { class: "intent-name", text: u.intent || "?" }),
        el("span", { class: "muted small", text: "context: " + (u.context || "none") })),
      el("div", { class: "confidence", title: "confidence " + confidence.toFixed(2) },
        el("div", { class: "confidence-bar" }), el("span", { text: confidence.toFixed(2) })),
      el("div", { class: "slots" }, Object.entries(u.slots || {}).map(([name, value]) =>
        el("span", { class: "slot" }, el("b", { text: name }), " ", el("span", { dir: "auto", text: typeof value === "string" ? value : JSON.stringify(value) })))));
    box.querySelector(".confidence-bar").style.setProperty("--value", String(Math.max(0, Math.min(1, confidence))));
    if (!Object.keys(u.slots || {}).length) box.querySelector(".slots").append(el("span", { class: "muted small" }, "no slots"));
  }

  async function showPayloads(rows) {
    let list = rows;
    if (!list) {
      const query = new URLSearchParams({ platform: state.platform, customer_id: customerId(), after: state.repliesFrom, after_inbound: 1e15 });
      try {
        list = (await api("/admin/api/conversation?" + query)).messages;
      } catch (error) {
        return;
      }
    }
    const box = $("payloads");
    box.replaceChildren();
    for (const row of list) {
      // Rich payloads (cards, lists, buttons) open; plain texts and actions stay folded.
      box.append(el("details", { class: "payload", open: row.kind === "message" && (list.length === 1 || !plainText(row.body)) },
        el("summary", {}, el("code", { text: "#" + row.id }), " ", row.kind, " · ", row.state, row.message_id ? " · " + row.message_id : ""),
        el("pre", { class: "json", text: pretty(row.body) })));
    }
    $("payloads-meta").textContent = list.length + " request" + (list.length === 1 ? "" : "s");
  }

  function plainText(body) {
    const message = body.message;
    if (message) return !message.attachment && !message.quick_replies;
    return body.type === "text";
  }

  // ---- status -------------------------------------------------------------------------------

  function flatten(value, prefix, out) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? prefix + "." + key : key, out);
    } else {
      out.push([prefix, Array.isArray(value) ? JSON.stringify(value) : value]);
    }
    return out;
  }

  function kvList(object, skip) {
    const rows = flatten(object || {}, "", []).filter(([key]) => !(skip || []).some((s) => key.startsWith(s)));
    if (!rows.length) return el("p", { class: "muted small" }, "nothing reported");
    return el("dl", { class: "kvs" }, rows.map(([key, value]) => [
      el("dt", { text: key }),
      el("dd", { class: typeof value === "number" ? "num" : "", text: value === null ? "—" : typeof value === "number" && !Number.isInteger(value) ? value.toFixed(2) : String(value) }),
    ]));
  }

  function metric(label, value, tone) {
    const shown = value === null || value === undefined ? "—" : typeof value === "number" && !Number.isInteger(value) ? value.toFixed(2) : String(value);
    return el("div", { class: "counter" + (tone ? " " + tone : "") }, el("strong", { text: shown }), el("span", { text: label }));
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) return "not loaded";
    if (seconds < 90) return Math.round(seconds) + " s";
    if (seconds < 5400) return Math.round(seconds / 60) + " min";
    return (seconds / 3600).toFixed(1) + " h";
  }

  function storePanel(store) {
    const breaker = store.breaker || null;
    const limiter = store.limiter || null;
    const cache = store.cache || {};
    const snapshot = store.snapshot || {};
    const breakerTone = !breaker ? "" : breaker.state === "closed" ? "good" : breaker.state === "open" ? "bad" : "warn";
    return [
      el("div", { class: "pills" },
        el("span", { class: "pill", text: "backend: " + (store.backend || "?") }),
        el("span", { class: "pill " + breakerTone, text: breaker ? "breaker " + breaker.state : "no breaker (" + (store.backend || "demo") + ")" }),
        store.stale ? el("span", { class: "pill warn", text: "serving a stale snapshot" }) : null,
        store.auth ? el("span", { class: "pill bad", text: "store API password refused" }) : null),
      el("div", { class: "counters" },
        metric("API calls", store.api_calls),
        metric("retries", store.retries, store.retries ? "warn" : ""),
        metric("cache hits", cache.hit_rate === undefined ? null : Math.round(cache.hit_rate * 100) + "%"),
        metric("snapshot age", age(snapshot.age_s), snapshot.stale ? "warn" : "")),
      el("div", { class: "small muted line" }, "snapshot: " + (snapshot.products || 0) + " products · limiter: " +
        limiterText(limiter) + (breaker && breaker.failures ? " · failures " + breaker.failures : "")),
      ...storeApiLines(store),
      store.file ? filePanel(store.file) : null,
      el("details", { class: "more" }, el("summary", { text: "all counters" }), kvList(store)),
    ];
  }

  function limiterText(limiter) {
    // The store API budget: with several processes or hosts, the figure they share.
    if (!limiter) return "none";
    if (limiter.used === undefined) return JSON.stringify(limiter);
    const scope = { process: "this process", host: "all processes of this host", hosts: "all hosts" }[limiter.shared] || limiter.shared;
    return limiter.used + " of " + limiter.limit + " used (" + scope + ")" +
      (limiter.reserved_for_live ? ", " + limiter.reserved_for_live + " kept for live calls" : "") +
      (limiter.refused ? ", " + limiter.refused + " refused here" : "");
  }

  function storeApiLines(store) {
    // The store API's own trouble: a refused password, a Retry-After, a catalog still loading or failing.
    const snapshot = store.snapshot || {};
    const auth = store.auth;
    const lines = [];
    if (auth) {
      lines.push(el("div", { class: "small error line", dataset: { storeAuth: String(auth.status) } },
        "Store API refuses the password (HTTP " + auth.status + ") since " + auth.since_iso + ", " + auth.refusals +
        " refusals; variants tried: " + (auth.variants_tried || []).join(", ") + " for hour " + auth.hour + " UTC" +
        (auth.server_clock_offset_s ? "; the server's clock is " + (auth.server_clock_offset_s / 3600).toFixed(1) + " h from ours" : "") +
        ". Check STORE_API_KEY and the clocks; customers get the last good snapshot."));
    }
    if (store.retry_after_s) {
      lines.push(el("div", { class: "small warn-text line", text: "Store API asked us to wait (Retry-After): " + Math.round(store.retry_after_s) + " s left." }));
    }
    if (snapshot.partial) {
      lines.push(el("div", { class: "small warn-text line", text: "Loading the catalog: " + snapshot.partial.pages_done + " of " +
        (snapshot.partial.pages_total || "?") + " pages a language, " + snapshot.partial.products + " products served so far." }));
    }
    if (snapshot.failed_loads) {
      lines.push(el("div", { class: "small error line", text: "Catalog load failed " + snapshot.failed_loads + "× (" +
        (snapshot.last_error || "?") + "); next try in " + Math.round(snapshot.next_load_in_s || 0) + " s, resuming where it stopped." }));
    }
    return lines;
  }

  function filePanel(file) {
    // The catalog file (STORE_BACKEND=file): what its last good read gave, and why a read failed.
    return el("div", { class: "catalog-file" },
      el("div", { class: "small muted line", text: "catalog file " + file.path + ": " + file.products + " products from " +
        file.rows + " rows (" + (file.layout === "meta" ? "Meta catalog feed" : "Dukkan layout") + ") · " +
        file.skipped_rows + " rows skipped" }),
      file.error ? el("div", { class: "small error line", text: "catalog file unreadable: " + file.error +
        (file.serving_last_good ? " · serving the last good catalog" : "") }) : null,
      (file.problems || []).length ? el("details", { class: "more" },
        el("summary", { text: "rows with problems (python -m bot check-config lists them all)" }),
        el("ul", { class: "small" }, file.problems.map((problem) => el("li", { text: problem })))) : null);
  }

  function senderPanel(sender) {
    return [
      el("div", { class: "pills" }, el("span", { class: "pill", text: "mode: " + (sender.mode || "?") })),
      el("div", { class: "counters" },
        metric("sent", sender.sent),
        metric("failed", sender.failed, sender.failed ? "bad" : ""),
        metric("retries", sender.retries),
        metric("unknown", sender.unknown, sender.unknown ? "warn" : ""),
        metric("closed windows", sender.closed_windows, sender.closed_windows ? "warn" : "")),
      sender.last_error ? el("div", { class: "small error line", text: "last error: " + JSON.stringify(sender.last_error) }) : null,
      el("details", { class: "more" }, el("summary", { text: "all counters" }), kvList(sender, ["alarms", "outages", "paused"])),
    ];
  }

  function sendingPanel(status) {
    // The Graph API down or a channel paused by a refused token, and the customers waiting for it.
    const sender = status.sender || {};
    const waiting = status.waiting || { customers: 0, sample: [] };
    const people = waiting.customers + " customer" + (waiting.customers === 1 ? "" : "s") + " waiting";
    const lines = [
      ...Object.entries(sender.outages || {}).map(([platform, info]) =>
        el("div", { class: "small error line", dataset: { outage: platform } },
          "Graph API unreachable for " + platform + " since " + clock(info.since) + ", " + people + ". Replies are sent when it answers again.")),
      ...Object.entries(sender.paused || {}).map(([platform, why]) =>
        el("div", { class: "small error line", dataset: { paused: platform } },
          platform + " sending paused (" + why + "), " + people + ". Held replies are sent once the token works again.")),
    ];
    if (!lines.length && !waiting.customers) return [];
    if (!lines.length) lines.push(el("div", { class: "small muted line" }, people + " (retrying)."));
    const sample = waiting.sample.map((item) =>
      el("li", { class: "small" }, el("code", { text: item.customer }),
        " · " + item.events + " event" + (item.events === 1 ? "" : "s") + " · since " + clock(item.since)));
    return [...lines, sample.length ? el("ul", { class: "waiting", id: "waiting-customers" }, sample) : null];
  }

  async function loadStatus() {
    let status;
    try {
      status = await api("/admin/api/status");
    } catch (error) {
      $("health-pill").textContent = "status unavailable";
      $("health-pill").className = "pill bad";
      return;
    }
    $("status-store").replaceChildren(...storePanel(status.store || {}).filter(Boolean));
    const inbox = status.inbox || {};
    $("status-inbox").replaceChildren(...sendingPanel(status).filter(Boolean), el("div", { class: "counters" },
      ["pending", "processing", "done", "dead"].map((name) =>
        el("div", { class: "counter" + (name === "dead" && inbox[name] ? " bad" : ""), dataset: { counter: name } },
          el("strong", { text: String(inbox[name] || 0) }), el("span", { text: name === "processing" ? "in progress" : name === "dead" ? "dead letters" : name })))));
    $("dead-letters").replaceChildren(...(status.dead_letters || []).map(deadLetter));
    $("status-sender").replaceChildren(...senderPanel(status.sender || {}).filter(Boolean));
    const alarms = Object.entries(status.alarms || {});
    $("status-alarms").replaceChildren(alarms.length
      ? el("ul", { class: "alarms" }, alarms.map(([name, info]) =>
          el("li", {}, el("strong", { text: name }), el("span", { class: "small", text: " ×" + info.count + " · " + (info.detail || "") }))))
      : el("p", { class: "good-text small" }, "No alarms."));
    const problems = alarms.length + (inbox.dead || 0) + ((status.waiting || {}).customers ? 1 : 0);
    $("health-pill").textContent = problems ? problems + " problem" + (problems === 1 ? "" : "s") : "all good";
    $("health-pill").className = "pill " + (problems ? "bad" : "good");
    const count = status.handoffs_open || 0;
    $("handoff-count").textContent = String(count);
    $("handoff-count").hidden = !count;
  }

  function deadLetter(item) {
    return el("div", { class: "dead-letter" },
      el("div", {}, el("strong", { text: "#" + item.id + " " + item.kind }), " ", el("span", { class: "muted small", text: item.customer })),
      item.text ? el("div", { class: "small", dir: "auto", text: item.text }) : null,
      el("div", { class: "small error", text: (item.last_error || "").slice(0, 200) }),
      el("button", {
        type: "button", class: "ghost small", text: "Retry", dataset: { retry: item.id },
        onclick: async () => {
          try {
            await api("/admin/api/inbox/" + item.id + "/retry", { body: {} });
            toast("Event #" + item.id + " is queued again.");
          } catch (error) {
            toast("Not retried: " + error.message, true);
          }
          loadStatus();
        },
      }));
  }

  $("status-refresh").addEventListener("click", loadStatus);

  // ---- orders -------------------------------------------------------------------------------

  /** Orders come with labels in the console's language (governorate and colour names); keys stay for machines. */
  const ordersLang = document.documentElement.lang === "ar" ? "ar" : "en";

  async function loadOrders() {
    const filter = $("orders-filter").value;
    let data;
    try {
      data = await api("/admin/api/orders?lang=" + ordersLang + (filter ? "&status=" + encodeURIComponent(filter) : ""));
    } catch (error) {
      toast("Orders not loaded: " + error.message, true);
      return;
    }
    $("orders-body").replaceChildren(...data.orders.map((order) =>
      el("tr", {
        class: order.number === state.orderNumber ? "selected" : "", dataset: { number: order.number },
        onclick: () => showOrder(order.number),
      },
      el("td", {}, el("code", { text: order.number })),
      el("td", {}, el("div", { dir: "auto", text: order.name }), el("div", { class: "muted small", text: order.platform + " · " + order.phone })),
      el("td", { dir: "auto", text: order.governorate_label || order.governorate }),
      el("td", { class: "num", text: order.total + " EGP" }),
      el("td", {}, el("span", { class: "status-tag s-" + order.status, text: order.status })),
      el("td", { class: "small", text: when(order.created_at) }))));
    $("orders-empty").hidden = data.orders.length > 0;
  }

  async function showOrder(number) {
    state.orderNumber = number;
    let order;
    try {
      order = await api("/admin/api/orders/" + encodeURIComponent(number) + "?lang=" + ordersLang);
    } catch (error) {
      toast(error.message, true);
      return;
    }
    document.querySelectorAll("#orders-body tr").forEach((row) => row.classList.toggle("selected", row.dataset.number === number));
    const select = el("select", { id: "order-status" }, [...$("orders-filter").options].filter((o) => o.value).map((o) =>
      el("option", { value: o.value, selected: o.value === order.status, text: o.value })));
    $("order-detail").replaceChildren(
      el("h3", {}, "Order ", el("code", { text: order.number }), " ", el("span", { class: "status-tag s-" + order.status, text: order.status })),
      el("dl", { class: "kvs wide" },
        el("dt", { text: "name" }), el("dd", { dir: "auto", text: order.name }),
        el("dt", { text: "phone" }), el("dd", { text: order.phone }),
        el("dt", { text: "governorate" }), el("dd", { dir: "auto", text: order.governorate_label || order.governorate }),
        el("dt", { text: "address" }), el("dd", { dir: "auto", text: order.address }),
        el("dt", { text: "customer" }), el("dd", { text: order.platform + " · " + order.customer_id }),
        el("dt", { text: "placed" }), el("dd", { text: when(order.created_at) })),
      el("table", { class: "items" },
        el("thead", {}, el("tr", {}, el("th", { text: "Item" }), el("th", { text: "Size" }), el("th", { text: "Color" }), el("th", { class: "num", text: "Qty" }), el("th", { class: "num", text: "Price" }))),
        el("tbody", {}, order.items.map((item) => el("tr", {},
          el("td", { dir: "auto", text: item.name || "#" + item.product_id }),
          el("td", { dir: "auto", text: item.size_label || item.size || "" }), el("td", { dir: "auto", text: item.color_label || item.color || "" }),
          el("td", { class: "num", text: String(item.quantity || 1) }), el("td", { class: "num", text: String(item.unit_price) }))))),
      el("dl", { class: "kvs totals" },
        el("dt", { text: "subtotal" }), el("dd", { class: "num", text: order.subtotal + " EGP" }),
        el("dt", { text: "shipping" }), el("dd", { class: "num", text: order.shipping_fee + " EGP" }),
        el("dt", { text: "total" }), el("dd", { class: "num strong", text: order.total + " EGP" })),
      el("div", { class: "row" }, select,
        el("button", { type: "button", class: "primary", id: "order-status-save", text: "Change status", onclick: () => changeStatus(order.number, select.value) }),
        el("button", { type: "button", class: "ghost", text: "Open conversation", onclick: () => openConversation(order.platform, order.customer_id) })));
  }

  async function changeStatus(number, status) {
    try {
      await api("/admin/api/orders/" + encodeURIComponent(number) + "/status", { body: { status } });
      toast("Order " + number + " is now " + status + ".");
    } catch (error) {
      toast("Not changed: " + error.message, true);
    }
    await loadOrders();
    showOrder(number);
  }

  $("orders-filter").addEventListener("change", loadOrders);
  $("orders-refresh").addEventListener("click", loadOrders);

  // ---- hand-offs ----------------------------------------------------------------------------

  async function loadHandoffs() {
    let data;
    try {
      data = await api("/admin/api/handoffs");
    } catch (error) {
      toast("Hand-offs not loaded: " + error.message, true);
      return;
    }
    const list = $("handoffs");
    if (!data.handoffs.length) {
      list.replaceChildren(el("p", { class: "muted card" }, "Nobody is waiting for a person."));
      return;
    }
    list.replaceChildren(...data.handoffs.map((handoff) =>
      el("article", { class: "card handoff", dataset: { customer: handoff.platform + ":" + handoff.customer_id } },
        el("header", {}, el("span", { class: "pill " + handoff.platform, text: handoff.platform }), " ",
          el("strong", { text: handoff.customer_id }), el("span", { class: "muted small", text: " · since " + when(handoff.opened_at) })),
        el("p", { dir: "auto" }, el("b", { text: "Reason: " }), handoff.reason),
        el("pre", { class: "json small", text: pretty(handoff.context) }),
        el("div", { class: "row" },
          el("button", { type: "button", class: "ghost", text: "Open conversation", onclick: () => openConversation(handoff.platform, handoff.customer_id) }),
          el("button", { type: "button", class: "primary", text: "Release to the bot", onclick: () => release(handoff.platform, handoff.customer_id) })))));
  }

  async function release(platform, customer) {
    try {
      await api("/admin/api/handoffs/release", { body: { platform, customer_id: customer } });
      toast(customer + " is back with the bot.");
    } catch (error) {
      toast("Not released: " + error.message, true);
    }
    loadHandoffs();
    loadStatus();
    poll();
  }

  $("handoffs-refresh").addEventListener("click", loadHandoffs);
  $("banner-release").addEventListener("click", () => release(state.platform, customerId()));

  // ---- views --------------------------------------------------------------------------------

  function showView(name) {
    document.querySelectorAll(".view-tab").forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.view === name)));
    document.querySelectorAll(".view").forEach((view) => (view.hidden = view.id !== "view-" + name));
    if (name === "orders") loadOrders();
    if (name === "handoffs") loadHandoffs();
  }

  function openConversation(platform, customer) {
    showView("chat");
    state.customers[platform] = customer;
    setPlatform(platform);
  }

  document.querySelectorAll(".view-tab").forEach((tab) => tab.addEventListener("click", () => showView(tab.dataset.view)));
  document.querySelectorAll(".platform-tab").forEach((tab) => tab.addEventListener("click", () => setPlatform(tab.dataset.platform)));
  $("customer-id").addEventListener("change", (event) => setCustomer(event.target.value));
  $("new-customer").addEventListener("click", () => {
    state.customers[state.platform] = CHANNELS[state.platform].newCustomer();
    setPlatform(state.platform);
  });

  async function loadCustomers() {
    try {
      const data = await api("/admin/api/customers");
      $("customer-list").replaceChildren(...data.customers.map((c) => el("option", { value: c.customer_id, label: c.platform })));
    } catch (error) {
      /* the picker is a convenience; the field still works */
    }
  }

  // console_insights.js (the Insights view, the staff's live news) works with the same helpers.
  window.DukkanConsole = { el, api, toast, when, showView, loadOrders, loadHandoffs, loadStatus, showOrder };

  setPlatform(state.platform);
  loadStatus();
  loadCustomers();
  setInterval(loadStatus, 15000);
  document.documentElement.dataset.ready = "true"; // the handlers are attached: the page can be used
})();
