// Prints the number of pages of a PDF written by Chromium: its page objects
// ("/Type /Page", not the "/Type /Pages" tree nodes), which Chromium's PDF
// writer (Skia) leaves uncompressed. Usage: node pdf_pages.js FILE.pdf
"use strict";
const fs = require("fs");
const text = fs.readFileSync(process.argv[2], "latin1");
if (!text.startsWith("%PDF-")) {
  console.error(`${process.argv[2]}: not a PDF`);
  process.exit(1);
}
console.log((text.match(/\/Type\s*\/Page(?![A-Za-z])/g) || []).length);
