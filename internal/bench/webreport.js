// Runs in the report editor's page before the page's own scripts (webreport.go) and times each
// keystroke, on the page's clock (performance.now()), from the key to the end of the frame that
// shows it:
//
//   - from the keydown event's timeStamp: when the browser took the key, so time the key waited for a
//     busy main thread counts, as a person would feel it;
//   - through the key's input event (listened to on window, in the capture phase, so before the
//     app's own listener: the app's handler and its re-render, which Preact runs in a microtask right
//     after it, come after this point);
//   - to the first animation frame after that input event (requestAnimationFrame), which the browser
//     runs once the handlers and the re-render are done;
//   - and to the end of that frame's rendering on the main thread (style, layout, paint), which the
//     Long Animation Frames API gives for every frame of 50 ms or more: the frame's startTime +
//     duration. A frame shorter than that has no entry, and its key ends at the frame's start, which
//     is then less than 50 ms short.
//
// What follows the main thread's part (raster, compositing, the display) runs on other threads, which
// the processor slowdown does not slow and which stay small here. Two simpler methods measured
// something else: a task queued from the animation frame (requestAnimationFrame(() => setTimeout(…)))
// waits while keys keep coming, since Chromium runs input before timers, so it measured the queue of
// keys behind it, seconds, where the frames were drawn within 200–300 ms; and the Event Timing API's
// durations end at the frame's presentation, which headless Chromium reports only when its display
// next swaps, seconds later at the end of a burst of keys, although each key's frame was drawn.
(() => {
  if (window.top !== window || location.protocol === "about:") return;
  const keys = [];
  const frames = []; // long animation frames: { start, renderStart, end }
  let last = null;
  addEventListener("keydown", (e) => {
    last = { key: e.key, down: e.timeStamp, input: 0, frame: 0 };
    keys.push(last);
  }, true);
  addEventListener("input", () => {
    const k = last;
    if (!k || k.input) return;
    k.input = performance.now();
    requestAnimationFrame(() => { k.frame = performance.now(); });
  }, true);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) frames.push({ start: e.startTime, renderStart: e.renderStart, end: e.startTime + e.duration });
  }).observe({ type: "long-animation-frame", buffered: true });
  const lastNarrative = () => {
    const practices = document.querySelectorAll('[data-testid="practice"]');
    const boxes = practices.length ? practices[practices.length - 1].querySelectorAll("fieldset textarea") : [];
    return boxes.length ? boxes[boxes.length - 1] : null;
  };
  window.__typing = {
    // whenEditor resolves once n practices' forms and the save indicator are on the page.
    whenEditor: (n, ms) =>
      new Promise((resolve) => {
        const ready = () => document.querySelectorAll('[data-testid="practice"]').length >= n && document.querySelector('[data-testid="save-state"]') && lastNarrative();
        if (ready()) return resolve({ ok: true, at: performance.now() });
        const id = setInterval(() => {
          if (ready()) {
            clearInterval(id);
            resolve({ ok: true, at: performance.now() });
          }
        }, 10);
        setTimeout(() => { clearInterval(id); resolve({ ok: false }); }, ms);
      }),
    // focusLast brings the last narrative into view, focuses it with the caret at its end, and
    // returns its length in code points.
    focusLast: () => {
      const t = lastNarrative();
      t.scrollIntoView({ block: "center" });
      t.focus();
      t.setSelectionRange(t.value.length, t.value.length);
      return Array.from(t.value).length;
    },
    // state is every key's times (painted: the end of its frame's rendering, or the frame's start
    // where the frame was under 50 ms), the end of the narrative, and the save indicator.
    state: () => {
      const s = document.querySelector('[data-testid="save-state"]');
      return {
        keys: keys.map((k) => {
          const f = k.frame ? frames.find((f) => f.renderStart > 0 && f.renderStart <= k.frame && k.frame <= f.end) : undefined;
          return { key: k.key, down: k.down, input: k.input, frame: k.frame, painted: f ? f.end : k.frame, long: !!f };
        }),
        tail: (lastNarrative()?.value ?? "").slice(-200),
        saveState: s ? s.className + ": " + s.textContent : "",
      };
    },
  };
})();
