// "Copy" buttons for one-time secrets (invitation links). Progressive enhancement: the buttons
// are `hidden` in the HTML and shown only here, so without JavaScript the readonly field (which
// selects itself on focus) is all there is. A file of its own: the pages' Content-Security-Policy
// allows scripts from 'self' only.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var done = document.getElementById(field.id + "-copied");
    field.addEventListener("focus", function () { field.select(); });
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      var said = function (text) { if (done) done.textContent = text; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { said("Copied. Paste it into a message to them."); },
          function () { said("Could not copy: select the link and copy it yourself."); });
      } else {
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        said(ok ? "Copied. Paste it into a message to them."
                : "Select the link and copy it yourself.");
      }
    });
  });
})();
