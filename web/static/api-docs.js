// The API reference page: Swagger UI over the document the server assembles (no inline script: the CSP forbids it).
(function () {
  var root = document.getElementById("api-reference");
  window.SwaggerUIBundle({ url: root.dataset.document, domNode: root, deepLinking: true });
})();
