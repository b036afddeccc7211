// Starts the design system's components (menu button, error summary focus, accordions…). Loaded as
// a module: browsers too old for modules get the pages without their enhancements.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
