// The live lesson page: draws each grade the grader sends, and calls the learner's app
// with fetch() the way the lesson's frontend would. Learner text is set as text, never as HTML.
"use strict";

const CALL_TIMEOUT_MS = 15000; // a call that changes data waits for your app to start again
const READ_ONLY = new Set(["GET", "HEAD", "OPTIONS"]);
const byId = (id) => document.getElementById(id);
let app = null; // the latest "app" event: where the learner's app runs, and what to call

function element(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

// -- the grade ---------------------------------------------------------------------------

function drawReport(state) {
  document.body.dataset.grades = String(Number(document.body.dataset.grades || 0) + 1);
  const steps = byId("steps");
  const success = byId("success");
  if (state.gone) {
    byId("summary").textContent = `${state.file} is gone: save it again and the page updates.`;
    steps.replaceChildren();
    success.hidden = true;
    return;
  }
  if (state.error) {
    byId("summary").textContent = "The grader could not judge this lesson: " + state.error +
      " This is a problem in the lesson itself, not in your code: tell your instructor.";
    steps.replaceChildren();
    success.hidden = true;
    return;
  }
  document.body.dataset.outcome = state.outcome;
  byId("summary").textContent = state.unreadable
    ? "Python cannot read your file yet" + (state.problem_line ? ` (line ${state.problem_line})` : "") +
      ": step 1 says why. No other step is checked until it can."
    : state.outcome === "pass"
    ? `All ${state.total} steps pass.`
    : `${state.passed} of ${state.total} steps pass.` +
      (state.first_failure ? ` Start with step ${state.first_failure}: fix it and save.` : "");
  steps.replaceChildren(...state.steps.map((step) => drawStep(step, state.file)));
  success.hidden = state.outcome !== "pass";
  // The lesson's success text: paragraphs split by blank lines, its line breaks only wrapping.
  success.replaceChildren(...(state.success || "").split(/\n\s*\n/).filter((text) => text.trim()).map((text) =>
    element("p", {}, text.replace(/\s*\n\s*/g, " "))));
  success.append(state.next
    ? element("p", {class: "next"}, element("a", {href: "/next"}, `On to lesson ${state.next.number} of ${state.next.of}: ${state.next.title} \u2192`))
    : element("p", {class: "next"}, "That was the last lesson of the course."));
}

function drawStep(step, file) {
  const label = {pass: "PASS", fail: "FAIL", skip: "SKIP"}[step.status];
  const item = element("li", {class: "step", dataset: {step: step.id, status: step.status}},
    element("p", {class: "step-head"},
      element("span", {class: "badge"}, label), `${step.number}. `, element("strong", {}, step.title)),
    element("p", {class: "message"}, step.message));
  if (step.details.length) item.append(drawDetails(step.details));
  if (step.line !== null) {
    item.append(element("p", {class: "where"}, "at ", element("code", {}, `${file}:${step.line}`)));
  }
  step.hints.forEach((hint, index) => {
    const name = step.hints.length === 1 ? "Hint: " : `Hint ${index + 1}: `;
    item.append(drawHint(name, hint));
  });
  if (step.more_hints) {
    item.append(element("button", {type: "button", class: "more-hint", onclick: () => askHint(step.id)},
      "Show another hint"));
  }
  return item;
}

// A step's details: explanations, curl lines and code, one line each, wrapped inside the
// box (a phone shows about 40 characters) and hanging under their own indent or "- ".
function drawDetails(details) {
  return element("div", {class: "details"}, ...details.map((line) => {
    const indent = line.match(/^ */)[0].length;
    const hang = /^ *- /.test(line) ? 2 : 0;
    return element("div", {class: "detail-line", style: `--indent: ${indent}ch; --hang: ${hang}ch`},
      line.trimStart() || "\u00a0");
  }));
}

// A hint of one line is a sentence; a hint of several keeps its lines, as code: the text
// before its first indented line is the sentence, the rest is shown as written, flush-left.
function drawHint(name, hint) {
  const box = element("div", {class: "hint"});
  const lines = hint.replace(/\n+$/, "").split("\n");
  if (lines.length === 1) {
    box.append(element("p", {}, element("strong", {}, name), hint));
    return box;
  }
  let cut = lines.findIndex((line, index) => index > 0 && /^\s/.test(line));
  if (cut < 0) cut = 1;
  const said = lines.slice(0, cut).join(" ").trim();
  box.append(element("p", {}, element("strong", {}, name), said));
  box.append(element("pre", {class: "hint-code"}, element("code", {}, flushLeft(lines.slice(cut).join("\n")).replace(/\n$/, ""))));
  return box;
}

async function askHint(stepId) {
  await fetch("/api/hint", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({step: stepId})});
}

// -- calling the learner's app -----------------------------------------------------------

function appChanged(state) {
  const previous = app;
  app = state;
  const section = byId("calls");
  if (!state.calls.length) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const status = byId("app-status");
  status.dataset.state = state.state;
  if (state.state === "running") {
    status.textContent = `Your app runs at ${state.url}, started from your file. It starts again on every ` +
      "save, and after every call that can change its data (any method but GET, HEAD and OPTIONS), so each " +
      "call finds your app as your file starts it.";
  } else if (state.state === "starting") {
    status.textContent = "Your app is starting from your file.";
  } else {
    status.textContent = "Your app is not running: " + state.reason;
  }
  if (!previous || previous.sites.length !== state.sites.length) drawSites(state);
  if (state.state === "running" && (!previous || previous.generation !== state.generation)) {
    sendEverything();
  } else if (state.state !== "running") {
    for (const box of document.querySelectorAll(".call")) {
      box.dataset.outcome = "pending";
      box.querySelector(".verdict").textContent = state.state === "starting" ? "waiting for your app" : "not sent";
      box.querySelector(".result").replaceChildren();
    }
  }
}

async function sendEverything() {
  for (let index = 0; index < app.sites.length; index++) await sendAll(index);
}

function siteNote(site) {
  const cookies = site.credentials ? " Calls carry the user's cookies (credentials: \"include\")." : "";
  if (!site.origin) {
    return `Calls come from this page's own origin, ${location.origin}. They reach your app through the grader ` +
      `at ${proxyAddress(site)}, which passes them on as they are and hands your app's answer back, so your ` +
      `browser decides on your app's own headers.` + cookies;
  }
  return `This page stands in for ${site.origin}: its calls go to your app through the grader at ${proxyAddress(site)}, ` +
    `which sends them with Origin: ${site.origin} and hands the answer back to this page, so your browser ` +
    `decides as it would on ${site.origin}.` + cookies;
}

// The proxy's address without this run's key: the key is in DevTools, and no use to read here.
function proxyAddress(site) {
  return new URL(site.proxy).origin;
}

function drawSites(state) {
  byId("sites").replaceChildren(...state.sites.map((site, index) => {
    const calls = state.calls.map((call, number) =>
      element("div", {class: "call", dataset: {site: String(index), call: String(number), outcome: "pending"}},
        element("div", {class: "call-head"},
          element("code", {}, `${call.method} ${call.path}`),
          element("span", {class: "verdict"}, "not sent yet"),
          element("button", {type: "button", onclick: () => send(index, number)}, "Send")),
        element("div", {class: "result"})));
    return element("section", {class: "site", dataset: {site: String(index)}},
      element("h3", {}, site.label),
      element("p", {class: "origin"}, siteNote(site)),
      element("button", {type: "button", onclick: () => sendAll(index)}, "Send every call again"),
      ...calls);
  }));
}

async function sendAll(siteIndex) {
  for (let number = 0; number < app.calls.length; number++) await send(siteIndex, number);
}

async function send(siteIndex, number) {
  const state = app;
  const site = state.sites[siteIndex];
  const call = state.calls[number];
  const box = document.querySelector(`.call[data-site="${siteIndex}"][data-call="${number}"]`);
  if (!box) return;
  const verdict = box.querySelector(".verdict");
  const result = box.querySelector(".result");
  if (state.state !== "running") {
    box.dataset.outcome = "error";
    verdict.textContent = "not sent";
    result.replaceChildren(element("p", {}, "Your app is not running, so there is nothing to call yet."));
    return;
  }
  box.dataset.outcome = "sending";
  verdict.textContent = "sending";
  const init = {method: call.method, headers: call.headers, credentials: site.credentials ? "include" : "same-origin",
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS)};
  if (call.body !== null) init.body = call.body;
  let outcome;
  try {
    const response = await fetch(site.proxy + call.path, init);
    outcome = {kind: "allowed", status: response.status, statusText: response.statusText, body: await response.text()};
  } catch (error) {
    outcome = {kind: error.name === "TimeoutError" ? "error" : "blocked", error: String(error)};
  }
  if (app.generation !== state.generation) return; // the app restarted meanwhile: a newer run draws
  box.dataset.outcome = outcome.kind;
  box.dataset.generation = String(state.generation);
  if (outcome.kind === "allowed") {
    verdict.textContent = `allowed: ${outcome.status} ${outcome.statusText}`.trim();
    result.replaceChildren(
      element("p", {}, "Your browser let this page read the answer." + (READ_ONLY.has(call.method) ? "" :
        ` Your app really ran this ${call.method}; then the grader started your app again from your file, ` +
        "so the next call (or a reload of this page) finds the data your file starts with.")),
      element("pre", {}, pretty(outcome.body, outcome.status)));
  } else if (outcome.kind === "blocked") {
    verdict.textContent = "blocked by the browser";
    result.replaceChildren(
      element("p", {}, `fetch() failed: ${outcome.error}. Your app is running, so the browser refused: ` +
        (call.preflighted
          ? "it sent a preflight (OPTIONS) first, and your app's answer did not allow this call from this origin."
          : "your app's answer did not allow this page's origin to read it.")),
      element("p", {}, "Press F12 and open the Console tab: your browser says why there." +
        (state.blocked ? " " + state.blocked : "")));
  } else {
    verdict.textContent = "no answer";
    result.replaceChildren(element("p", {},
      `Your app did not answer within ${CALL_TIMEOUT_MS / 1000} seconds (${outcome.error}).`));
  }
}

function pretty(body, status) {
  if (!body) return `(no body: ${status})`;
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch (error) { return body; }
}

// -- the lesson text ---------------------------------------------------------------------

function addCopyButtons() {
  for (const pre of document.querySelectorAll(".lesson pre, .start pre")) {
    const wrap = element("div", {class: "code"});
    pre.replaceWith(wrap);
    const button = element("button", {type: "button", class: "copy", "aria-label": "Copy this code"}, "Copy");
    button.addEventListener("click", async () => {
      const text = flushLeft(pre.textContent);
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch (error) {
        window.getSelection().selectAllChildren(pre);
        button.textContent = "Selected: press Ctrl+C";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
    wrap.append(pre, button);
  }
}

// Code is copied without the indentation it may have inside a list, ready to paste.
function flushLeft(text) {
  const lines = text.replace(/\n$/, "").split("\n");
  const indents = lines.filter((line) => line.trim()).map((line) => line.match(/^[ \t]*/)[0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(cut)).join("\n") + "\n";
}

// -- the connection to the grader --------------------------------------------------------

function connect() {
  const live = byId("live");
  const events = new EventSource("/events");
  events.addEventListener("open", () => {
    live.textContent = "live";
    live.className = "live connected";
  });
  events.addEventListener("error", () => {
    live.textContent = "not connected: is grade --open still running?";
    live.className = "live lost";
  });
  events.addEventListener("report", (event) => drawReport(JSON.parse(event.data)));
  events.addEventListener("app", (event) => appChanged(JSON.parse(event.data)));
}

addCopyButtons();
if (byId("steps")) connect(); // the next lesson's page is text only
