/** Files between the browser and the app in web mode: downloads of an export, uploads for an import. */
import type { UploadedFile } from '$shared/contract';

/** Save each file through the browser's download, named `<folder>-<name>`. */
export function downloadFiles(folder: string, files: UploadedFile[]): void {
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes]));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${folder}-${f.name}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** Read chosen files as base64, keeping only the part of each name after the export's `<folder>-` prefix. */
export async function readUploads(list: FileList): Promise<UploadedFile[]> {
  const out: UploadedFile[] = [];
  for (const file of Array.from(list)) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    out.push({ name: file.name, base64: btoa(bin) });
  }
  return out;
}
