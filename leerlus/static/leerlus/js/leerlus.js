// SPDX-License-Identifier: EUPL-1.2
/*
 * Leerlus progressive enhancement. Every page works without this file; it only adds:
 *   a. on load, focus on the first [data-leerlus-focus] element (the error summary);
 *   b. after every htmx swap, focus on the new content's [data-leerlus-focus] element or
 *      first heading, and announce its [data-leerlus-announce] text in #leerlus-live;
 *      a failed htmx request is announced too (text from #leerlus-live's
 *      data-leerlus-error-text);
 *   c. [data-leerlus-confirm="question"] on a form, a submit button, a link or an htmx
 *      trigger asks confirm(question) first;
 *   d. a table wrapper (.leerlus-table-wrapper) that scrolls becomes keyboard-focusable and
 *      is named after its table's caption.
 * No inline scripts, no eval: the CSP is script-src 'self'; htmx is configured for that in
 * base.html (<meta name="htmx-config">).
 */
(function () {
  "use strict";

  var FOCUS = "[data-leerlus-focus]";
  var HEADING = "h1, h2, h3, h4, h5, h6";
  var ANNOUNCE = "[data-leerlus-announce]";
  var CONFIRM = "[data-leerlus-confirm]";
  var TEXT_ENTRY = "input, select, textarea, [contenteditable='true']";
  var HTMX_TRIGGER = ["get", "post", "put", "patch", "delete"]
    .map(function (verb) {
      return "[hx-" + verb + "], [data-hx-" + verb + "]";
    })
    .join(", ");

  /* Find the first element matching `selector` in `root`, `root` itself included. */
  function first(root, selector) {
    if (!root || root.nodeType !== 1) return null;
    if (root.matches(selector)) return root;
    return root.querySelector(selector);
  }

  function isFocusable(element) {
    return element.matches("a[href], button, input, select, textarea, summary, [tabindex]");
  }

  function moveFocus(element) {
    if (!element) return;
    if (!isFocusable(element)) element.setAttribute("tabindex", "-1");
    element.focus();
  }

  var liveTimer = null;
  function announce(text) {
    var region = document.getElementById("leerlus-live");
    if (!region || !text) return;
    // Empty first, then fill: screen readers announce a repeated message again.
    region.textContent = "";
    window.clearTimeout(liveTimer);
    liveTimer = window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  /* d. Scrollable table wrappers. */
  var wrapperCount = 0;
  function enhanceTableWrappers(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var wrappers = Array.prototype.slice.call(scope.querySelectorAll(".leerlus-table-wrapper"));
    if (scope.matches && scope.matches(".leerlus-table-wrapper")) wrappers.push(scope);
    wrappers.forEach(function (wrapper) {
      var scrolls = wrapper.scrollWidth > wrapper.clientWidth || wrapper.scrollHeight > wrapper.clientHeight;
      if (!scrolls || wrapper.hasAttribute("tabindex")) return;
      wrapper.setAttribute("tabindex", "0");
      if (!wrapper.hasAttribute("role")) wrapper.setAttribute("role", "region");
      if (!wrapper.hasAttribute("aria-label") && !wrapper.hasAttribute("aria-labelledby")) {
        var caption = wrapper.querySelector("caption");
        if (caption) {
          if (!caption.id) {
            wrapperCount += 1;
            caption.id = "leerlus-table-caption-" + wrapperCount;
          }
          wrapper.setAttribute("aria-labelledby", caption.id);
        }
      }
    });
  }

  /* a. Focus on load. */
  function onLoad() {
    enhanceTableWrappers(document);
    var target = document.querySelector(FOCUS);
    if (target) moveFocus(target);
  }

  /* b. After htmx swaps. htmx fires htmx:afterSwap once per swapped element (the target for
     innerHTML, each new element for outerHTML, and every out-of-band swap) in one go, so
     collect them and handle them together once the swap is done. */
  var swapped = [];
  var swapTarget = null;
  var flushPending = false;

  function afterSwaps() {
    flushPending = false;
    var roots = swapped.filter(function (element) {
      return element.isConnected;
    });
    var target = swapTarget && swapTarget.isConnected ? swapTarget : null;
    swapped = [];
    swapTarget = null;
    if (!roots.length) return;

    roots.forEach(enhanceTableWrappers);

    var texts = [];
    roots.forEach(function (root) {
      var nodes = Array.prototype.slice.call(root.querySelectorAll(ANNOUNCE));
      if (root.matches(ANNOUNCE)) nodes.unshift(root);
      nodes.forEach(function (node) {
        var text = node.getAttribute("data-leerlus-announce");
        if (text && texts.indexOf(text) === -1) texts.push(text);
      });
    });

    var focusTarget = null;
    for (var i = 0; i < roots.length && !focusTarget; i += 1) focusTarget = first(roots[i], FOCUS);
    if (!focusTarget) {
      // Someone typing in a field outside the new content (a live filter) keeps their place.
      var active = document.activeElement;
      var typing = active && active !== document.body && active.matches(TEXT_ENTRY);
      var insideNew = roots.some(function (root) {
        return root.contains(active);
      });
      if (!typing || insideNew) {
        var main = target && roots.indexOf(target) !== -1 ? [target] : roots;
        for (var j = 0; j < main.length && !focusTarget; j += 1) focusTarget = first(main[j], HEADING);
      }
    }
    if (focusTarget) moveFocus(focusTarget);
    if (texts.length) announce(texts.join(" "));
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && swapped.indexOf(event.target) === -1) swapped.push(event.target);
    if (!swapTarget && event.detail && event.detail.target) swapTarget = event.detail.target;
    if (!flushPending) {
      flushPending = true;
      window.setTimeout(afterSwaps, 0);
    }
  });

  function announceFailure() {
    var region = document.getElementById("leerlus-live");
    if (region) announce(region.getAttribute("data-leerlus-error-text"));
  }
  document.addEventListener("htmx:responseError", announceFailure);
  document.addEventListener("htmx:sendError", announceFailure);

  /* c. Confirmation. Runs in the capture phase, before htmx's own listeners, and stops the
     event when the user cancels so that neither the browser nor htmx acts on it. */
  function confirmed(element) {
    var question = element && element.getAttribute("data-leerlus-confirm");
    return !question || window.confirm(question);
  }

  function cancel(event) {
    event.preventDefault();
    event.stopPropagation();
    event.stopImmediatePropagation();
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var asking = submitter && submitter.matches(CONFIRM) ? submitter : form.matches(CONFIRM) ? form : null;
      if (asking && !confirmed(asking)) cancel(event);
    },
    true,
  );

  document.addEventListener(
    "click",
    function (event) {
      var element = event.target.closest ? event.target.closest(CONFIRM) : null;
      if (!element || element.matches("form")) return;
      // Submit buttons are asked in the submit handler (that also covers the Enter key),
      // unless htmx sends the request from the button itself.
      var submits =
        element.form &&
        element.matches("button:not([type]), button[type='submit'], input[type='submit'], input[type='image']") &&
        !element.matches(HTMX_TRIGGER);
      if (!submits && !confirmed(element)) cancel(event);
    },
    true,
  );

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
  var resizeFrame = 0;
  window.addEventListener("resize", function () {
    window.cancelAnimationFrame(resizeFrame);
    resizeFrame = window.requestAnimationFrame(function () {
      enhanceTableWrappers(document);
    });
  });

  // Quick entry: Ctrl+Enter (Cmd+Enter on a Mac) sends the form from any field in it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest ? event.target.closest("form[data-leerlus-submit-shortcut]") : null;
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  });
})();
