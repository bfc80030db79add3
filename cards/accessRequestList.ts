import template from './accessRequestList.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AccessRequestListData {
  heading: string;
  title: string;
  emptyText: string;
  /** `withdraw`: the viewer asked for this request and nobody has decided it, so they may take it back. */
  items: { id: string; name: string; status: string; color: string; details: string; button: string; withdraw?: boolean }[];
  note?: string;
  /** What the click that brought this list back did (a request withdrawn, or why it could not be), above the rows. */
  outcome?: { tone: 'good' | 'warning'; text: string };
}

/** Keeps the card well under Teams' 28 KB with long names. */
export const MAX_LIST_ITEMS = 15;
const MAX_ITEMS = MAX_LIST_ITEMS;

/** `requests` and `pending`: one row per request, with a button that opens its card (and Withdraw on the viewer's pending ones). */
export function accessRequestList(data: AccessRequestListData) {
  return renderCard(template, {
    heading: plainLine(data.heading, 100),
    title: plainLine(data.title, 200),
    empty: data.items.length === 0,
    emptyText: plain(data.emptyText, 400),
    items: data.items.slice(0, MAX_ITEMS).map((i) => ({
      id: i.id,
      name: plainLine(i.name, 250),
      status: plainLine(i.status, 200),
      color: i.color,
      details: plainLine(i.details, 200),
      button: plainLine(i.button, 30),
      withdraw: i.withdraw === true,
    })),
    outcome: plain(data.outcome?.text ?? '', 600),
    outcomeStyle: data.outcome?.tone === 'warning' ? 'warning' : 'good',
    note: plain(data.note ?? '', 400),
  });
}
