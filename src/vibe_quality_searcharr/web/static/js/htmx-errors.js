// Errors of htmx requests, shown in the page's #toasts region (role="alert", base.html).
// The server answers its own errors with a toast retargeted there (web/errors.py), and htmx
// swaps it (responseHandling in base.html's htmx-config). This script adds what the server
// cannot say: that it did not answer at all (stopped, restarting, network down), and a plain
// sentence instead of an error page that did not come from it (a proxy's 502). It also makes
// a toast's dismiss button work. Without JavaScript there is no htmx, and every form posts
// normally, its errors on the page it gets back.
(function () {
  "use strict";
  var NO_ANSWER =
    "No answer from the server: it may be stopped or restarting, or the network is down. " +
    "Try again once it is back.";

  function region() {
    return document.getElementById("toasts");
  }

  function show(kind, heading, text) {
    var box = region();
    if (!box) {
      return;
    }
    var shown = box.querySelector("[data-toast]");
    if (shown && shown.getAttribute("data-toast") === kind && shown.getAttribute("data-text") === text) {
      return; // a poll failing again: say it once, not every few seconds
    }
    var toast = document.createElement("p");
    toast.className = "flash flash-error toast";
    toast.setAttribute("data-toast", kind);
    toast.setAttribute("data-text", text);
    var strong = document.createElement("strong");
    strong.textContent = heading + ":";
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "toast-dismiss secondary outline";
    dismiss.setAttribute("data-toast-dismiss", "");
    dismiss.setAttribute("aria-label", "Dismiss this message");
    dismiss.textContent = "\u00d7";
    toast.append(strong, " " + text + " ", dismiss);
    box.replaceChildren(toast);
  }

  // This server answers htmx with fragments; a whole document, or no HTML at all, came from
  // something in between (a proxy's "502 Bad Gateway" page) and must not land in the page.
  function ownFragment(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    var body = String(xhr.responseText || "").slice(0, 512).toLowerCase();
    return type.indexOf("text/html") === 0 && body.indexOf("<html") < 0 && body.indexOf("<!doctype") < 0;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400 || xhr.getResponseHeader("HX-Retarget") || ownFragment(xhr)) {
      return; // a success, the server's own toast, or a form shown again with its errors
    }
    event.detail.shouldSwap = false;
    show(
      "error",
      "Error " + xhr.status,
      "The server could not do this. Nothing may have been saved; reload the page and try again."
    );
  });

  function noAnswer() {
    show("no-answer", "Server unreachable", NO_ANSWER);
  }
  document.addEventListener("htmx:sendError", noAnswer);
  document.addEventListener("htmx:timeout", noAnswer);

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var box = region();
    if (box && xhr && xhr.status > 0 && xhr.status < 400) {
      // The server answers again: the "no answer" message is no longer true.
      box.querySelectorAll('[data-toast="no-answer"]').forEach(function (toast) {
        toast.remove();
      });
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-toast-dismiss]") : null;
    if (button) {
      var toast = button.closest("[data-toast]");
      if (toast) {
        toast.remove();
      }
    }
  });
})();
