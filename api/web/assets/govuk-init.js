// Starts GOV.UK Frontend's components on every page. A file of its own rather than an inline
// script, so the Content-Security-Policy can refuse every inline script (api/headers.py).
import { initAll } from "/static/govuk/govuk-frontend.min.js"

initAll()
