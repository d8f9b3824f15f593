// The app runs on Preact's React compatibility layer (vite.config.ts). One difference matters to it:
// React runs the effects of an update caused by an input event before the browser handles the next
// event, and Preact runs effects only after the next frame is painted. The app keeps typing safe in
// effects (the report's local copy, the unload warning), so a reload or a closed tab right after a
// keystroke would lose it. Here Preact runs effects as soon as the update has rendered, before any
// other task: as React does for input, and for the first render too, where it starts the
// catalogue's and the page's loading a frame sooner.
import { options } from "preact";

options.requestAnimationFrame = (callback) => queueMicrotask(callback);
