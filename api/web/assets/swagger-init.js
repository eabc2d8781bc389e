// Swagger UI for /api/v1/docs, from this site's own pinned copy of swagger-ui-dist (package.json),
// started from a file rather than an inline script so the Content-Security-Policy holds here too.
// validatorUrl null: Swagger UI would otherwise send the schema to an outside validator.
const root = document.getElementById("swagger-ui")
window.ui = SwaggerUIBundle({
  url: root.dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
})
