// Ways a capture gets in: the file picker, dropping files anywhere on the page, and the bundled
// sample (fetched from this site itself). All of them end in `open(files)`.

const SAMPLE_URL = new URL('../samples/get-to-ssh-server.pcap', import.meta.url);

export function initIntake({ input, pickers, sampleButton, overlay, open, onError }) {
  for (const button of pickers) button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = ''; // choosing the same file again must fire `change` again
    if (files.length) open(files);
  });

  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'o') {
      e.preventDefault();
      input.click();
    }
  });

  // Drag and drop: `dragenter`/`dragleave` fire for every child, so count them.
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    overlay.hidden = false;
  });
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  document.addEventListener('drop', (e) => {
    depth = 0;
    overlay.hidden = true;
    if (!hasFiles(e)) return;
    e.preventDefault();
    const files = [...e.dataTransfer.files];
    if (files.length) open(files);
  });

  sampleButton.addEventListener('click', async () => {
    sampleButton.disabled = true;
    try {
      const response = await fetch(SAMPLE_URL);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const blob = await response.blob();
      open([new File([blob], SAMPLE_URL.pathname.split('/').pop(), { type: 'application/vnd.tcpdump.pcap' })]);
    } catch (err) {
      onError(`The sample capture could not be loaded (${err.message}).`);
    } finally {
      sampleButton.disabled = false;
    }
  });
}
