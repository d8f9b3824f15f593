// Runs in every page the browser phase loads, before the page's own scripts (CDP's
// Page.addScriptToEvaluateOnNewDocument), and records when things happen, in milliseconds since the
// navigation started (performance.now()). web.go replaces the selectors below with the page's.
(() => {
  if (window.top !== window || location.protocol === "about:") return;
  const selectors = /*SELECTORS*/{};
  const s = { origin: performance.timeOrigin, fcp: 0, content: 0, tapAt: 0, responded: 0, checked: false };
  const waiting = [];
  let target = null;
  const look = () => {
    if (!s.content && document.querySelector(selectors.content)) {
      s.content = performance.now();
      while (waiting.length) waiting.shift()();
    }
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true, attributes: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === "first-contentful-paint") s.fcp = e.startTime;
  }).observe({ type: "paint", buffered: true });
  addEventListener("touchstart", (e) => { if (!s.tapAt) s.tapAt = e.timeStamp; }, { capture: true, passive: true });
  addEventListener("change", (e) => {
    if (s.responded || e.target !== target) return;
    // Answered: the frame after the change event, by when the page has drawn the choice.
    requestAnimationFrame(() => {
      s.responded = performance.now();
      s.checked = !!target.checked;
    });
  }, true);
  const until = (ready, ms) =>
    new Promise((resolve) => {
      if (ready()) return resolve(true);
      const id = setInterval(() => {
        if (ready()) {
          clearInterval(id);
          resolve(true);
        }
      }, 10);
      setTimeout(() => { clearInterval(id); resolve(ready()); }, ms);
    });
  window.__bench = {
    whenContent: (ms) =>
      new Promise((resolve) => {
        look();
        if (s.content) return resolve({ ok: true });
        waiting.push(() => resolve({ ok: true }));
        setTimeout(() => resolve({ ok: !!s.content }), ms);
      }),
    // scoreControl picks an enabled, unchosen score control of the usable ballot and brings it into
    // view; it returns its centre for the tap.
    scoreControl: () => {
      target = document.querySelector("[data-ballot-usable] input:enabled:not(:checked)");
      if (!target) return { ok: false };
      target.scrollIntoView({ block: "center", inline: "center" });
      const r = target.getBoundingClientRect();
      return { ok: true, x: r.left + r.width / 2, y: r.top + r.height / 2 };
    },
    whenResponded: (ms) => until(() => s.responded > 0, ms),
    state: () => {
      // The observer's callback may not have run yet: the entry itself is there once painted.
      const paint = performance.getEntriesByName("first-contentful-paint")[0];
      if (paint) s.fcp = paint.startTime;
      return s;
    },
  };
})();
