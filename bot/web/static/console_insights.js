/* Dukkan console: the Insights view (the funnel of the last 7 or 30 days, what the bot did not
 * understand grouped by wording, one click to that conversation) and the staff's live news (new
 * orders, cancellations, order changes, stock-alert requests, hand-offs) from the Server-Sent
 * Events of /admin/api/staff/stream, shown without a reload.
 *
 * It uses console.js's helpers (window.DukkanConsole). Every text from a customer, the bot or the
 * store is put in the page with textContent (the el() helper); nothing here ever assigns HTML.
 */
"use strict";

(function () {
  const { el, api, toast, when, showView, loadOrders, loadHandoffs, loadStatus, showOrder } = window.DukkanConsole;
  const $ = (id) => document.getElementById(id);
  const NEWS_KEPT = 50;
  const RECONNECT_MS = 10000;
  const LABELS = {
    "order.placed": "New order",
    "order.cancelled": "Cancelled",
    "order.change_requested": "Change requested",
    "stock_alert.requested": "Stock alert",
    "handoff.opened": "Hand-off",
  };

  const state = { days: 7, lastId: 0, unread: 0, source: null, transcript: null };

  // ---- the funnel ---------------------------------------------------------------------------

  function showFunnel(funnel) {
    $("funnel-period").textContent = funnel.since + " → " + funnel.until;
    const top = Math.max(1, funnel.steps[0].customers);
    const steps = funnel.steps.map((step) => {
      const first = step.key === "customers";
      const bar = el("span", { class: "funnel-bar" }, el("i"));
      bar.firstChild.style.setProperty("--share", String(Math.min(1, step.customers / top)));
      return el("div", { class: "funnel-step", dataset: { step: step.key } },
        el("span", { class: "funnel-label", text: step.label }),
        bar,
        el("strong", { class: "funnel-count", text: String(first ? step.customers : step.events) }),
        el("span", { class: "muted small funnel-sub",
          text: first ? step.events + " message" + (step.events === 1 ? "" : "s")
                      : "by " + step.customers + " customer" + (step.customers === 1 ? "" : "s") }));
    });
    steps.push(el("div", { class: "funnel-step revenue", dataset: { step: "revenue" } },
      el("span", { class: "funnel-label", text: "Revenue" }), el("span"),
      el("strong", { class: "funnel-count", text: funnel.revenue.toLocaleString("en") + " EGP" }),
      el("span", { class: "muted small funnel-sub", text: "orders placed by the bot" })));
    $("funnel").replaceChildren(...steps);
  }

  // ---- what the bot did not understand ------------------------------------------------------

  function groupItem(group) {
    const people = group.customers + " customer" + (group.customers === 1 ? "" : "s");
    return el("li", { class: "group", dataset: { key: group.key } },
      el("div", { class: "group-head" },
        el("strong", { class: "group-count", text: "×" + group.count }),
        el("span", { class: "group-text", dir: "auto", text: group.text || "(no words)" }),
        el("span", { class: "muted small", text: people + " · last " + when(group.last_at) })),
      el("div", { class: "examples" }, group.examples.map((example) =>
        el("button", {
          type: "button", class: "example", dataset: { ref: example.ref }, title: "See this conversation",
          onclick: () => openTranscript(example.ref),
        }, el("span", { dir: "auto", text: example.text || "(a button)" }),
        el("span", { class: "muted small", text: " " + example.customer + " · " + when(example.created_at) })))));
  }

  function showGroups(box, groups, empty) {
    box.replaceChildren(groups.length
      ? el("ol", { class: "groups" }, groups.map(groupItem))
      : el("p", { class: "muted small", text: empty }));
  }

  function showHandoffReasons(reasons) {
    const box = $("misses-handoffs");
    if (!reasons.length) {
      box.replaceChildren(el("p", { class: "muted small", text: "No hand-offs in this period." }));
      return;
    }
    box.replaceChildren(...reasons.map((reason) =>
      el("div", { class: "reason", dataset: { reason: reason.reason } },
        el("div", { class: "reason-head" }, el("strong", { text: reason.label }), el("span", { class: "group-count", text: " ×" + reason.count })),
        el("ol", { class: "groups" }, reason.groups.map(groupItem)))));
  }

  async function loadInsights() {
    const days = state.days;
    let funnel, misses;
    try {
      [funnel, misses] = await Promise.all([
        api("/admin/api/insights/funnel?days=" + days),
        api("/admin/api/insights/misses?days=" + days),
      ]);
    } catch (error) {
      toast("Insights not loaded: " + error.message, true);
      return;
    }
    if (days !== state.days) return;   // another period was chosen meanwhile
    showFunnel(funnel);
    showGroups($("misses-not-understood"), misses.not_understood, "Nothing: the bot understood every message.");
    showGroups($("misses-no-results"), misses.no_results, "Every search found something.");
    showHandoffReasons(misses.handoffs);
    $("misses-note").textContent = "Similar wordings are counted together (token-set similarity of at least " +
      misses.threshold + " after normalising the words). Phone numbers are masked.";
    $("view-insights").dataset.loaded = String(days);
  }

  async function openTranscript(ref) {
    state.transcript = ref;
    let data;
    try {
      data = await api("/admin/api/insights/conversation?ref=" + encodeURIComponent(ref));
    } catch (error) {
      toast("Conversation not loaded: " + error.message, true);
      return;
    }
    if (state.transcript !== ref) return;
    document.querySelectorAll("#view-insights .example").forEach((b) => b.classList.toggle("selected", b.dataset.ref === ref));
    const lines = data.lines.map((line) =>
      el("li", { class: "line-" + line.from + (line.focus ? " focus" : "") },
        el("span", { class: "bubble", dir: "auto", text: line.text || "…" }),
        el("span", { class: "muted small", text: when(line.at) })));
    $("transcript").replaceChildren(
      el("h3", {}, "Conversation ", el("span", { class: "muted small", text: data.customer })),
      lines.length ? el("ol", { class: "transcript-lines", dataset: { ref } }, lines)
                   : el("p", { class: "muted", text: "Nothing kept of this conversation any more." }));
    const focus = $("transcript").querySelector(".focus");
    if (focus) focus.scrollIntoView({ block: "center" });
  }

  document.querySelectorAll(".view-tab[data-view=insights]").forEach((tab) => tab.addEventListener("click", loadInsights));
  document.querySelectorAll("#view-insights .period").forEach((button) => button.addEventListener("click", () => {
    state.days = Number(button.dataset.days);
    document.querySelectorAll("#view-insights .period").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    loadInsights();
  }));
  $("insights-refresh").addEventListener("click", loadInsights);

  // ---- the staff's live news ----------------------------------------------------------------

  function visible(view) {
    return !$("view-" + view).hidden;
  }

  function newsAction(event) {
    if (event.kind === "order" || event.kind === "order_cancel") {
      return el("button", { type: "button", class: "ghost small", text: "Open order", onclick: () => {
        showView("orders");
        showOrder(event.ref);
      } });
    }
    if (event.kind === "handoff" || event.kind === "order_change") {
      return el("button", { type: "button", class: "ghost small", text: "Hand-offs", onclick: () => showView("handoffs") });
    }
    return null;
  }

  function addNews(event, fresh) {
    const list = $("staff-feed-list");
    list.prepend(el("li", { class: "news news-" + event.kind, dataset: { id: event.id, event: event.event, ref: event.ref } },
      el("div", {}, el("strong", { text: LABELS[event.event] || event.event }),
        el("span", { class: "muted small", text: " · " + when(event.at) + " · " + event.customer })),
      el("div", { class: "news-summary", dir: "auto", text: event.summary }),
      newsAction(event)));
    while (list.children.length > NEWS_KEPT) list.lastChild.remove();
    if (!fresh) return;
    if ($("staff-feed-panel").hidden) {
      state.unread += 1;
      $("staff-feed-count").textContent = String(state.unread);
      $("staff-feed-count").hidden = false;
    }
    toast(event.summary);
    if ((event.kind === "order" || event.kind === "order_cancel") && visible("orders")) loadOrders();
    if (event.kind === "handoff" || event.kind === "order_change") {
      loadStatus();
      if (visible("handoffs")) loadHandoffs();
    }
  }

  function feedState(text) {
    $("staff-feed-state").textContent = text;
    document.documentElement.dataset.news = text;
  }

  function connect() {
    const source = new EventSource("/admin/api/staff/stream?after=" + state.lastId);
    state.source = source;
    source.addEventListener("staff", (message) => {
      const event = JSON.parse(message.data);
      if (event.id <= state.lastId) return;
      state.lastId = event.id;
      addNews(event, true);
    });
    source.addEventListener("open", () => feedState("live"));
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {   // refused (signed out?): try again later, where we were
        feedState("offline");
        setTimeout(connect, RECONNECT_MS);
      } else {
        feedState("reconnecting…");
      }
    });
  }

  async function startNews() {
    try {
      const data = await api("/admin/api/staff/events");
      data.events.forEach((event) => addNews(event, false));
      state.lastId = data.last_id;
    } catch (error) {
      /* the stream below starts from now */
    }
    connect();
  }

  $("staff-feed-toggle").addEventListener("click", () => {
    const panel = $("staff-feed-panel");
    panel.hidden = !panel.hidden;
    $("staff-feed-toggle").setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) {
      state.unread = 0;
      $("staff-feed-count").hidden = true;
    }
  });

  startNews();
  document.documentElement.dataset.insightsReady = "true";
})();
