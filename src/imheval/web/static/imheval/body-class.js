// NHS.UK frontend styles its JavaScript-enhanced components only when these classes are set.
// Kept in a file, not inline, so the Content-Security-Policy can forbid inline scripts.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
