'use strict';
// The plan page's Print button: shown only where it works (a saved copy opened offline has no script).
(() => {
  const button = document.getElementById('print-plan');
  if (!button) return;
  button.hidden = false;
  button.addEventListener('click', () => print());
})();
