// Buttons marked data-print print the page (kept out of the HTML: the Content-Security-Policy allows no inline code).
for (const button of document.querySelectorAll('[data-print]')) button.addEventListener('click', () => window.print());
