// Own JavaScript. Loaded as a file (strict CSP: no inline scripts); hooks use data- attributes.
"use strict";
