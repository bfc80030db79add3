import template from './auditExport.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AuditExportData {
  title: string;
  text: string;
  note: string;
  button: string;
  /** The signed download link; anything but an http(s) URL is dropped. */
  url: string;
}

/** `audit export`: what the file holds and a button that downloads it through a signed link that expires. */
export function auditExport(data: AuditExportData) {
  return renderCard(template, {
    title: plainLine(data.title, 200),
    text: plain(data.text, 600),
    note: plain(data.note, 600),
    button: plainLine(data.button, 40),
    url: /^https?:\/\/\S+$/.test(data.url) && data.url.length <= 6000 ? data.url : '',
  });
}
