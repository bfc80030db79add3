import template from './grantList.card.json';
import { MAX_LIST_ITEMS } from './accessRequestList';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface GrantListData {
  heading: string;
  title: string;
  emptyText: string;
  /** One live grant each; `extend` when no extension of it is open yet. */
  items: { id: string; name: string; ends: string; color: string; details: string; extend: boolean }[];
  note?: string;
}

/** `expiring`: the grants that end soon, soonest first, each with Extend and Open (the grant's card). */
export function grantList(data: GrantListData) {
  return renderCard(template, {
    heading: plainLine(data.heading, 100),
    title: plainLine(data.title, 200),
    empty: data.items.length === 0,
    emptyText: plain(data.emptyText, 400),
    items: data.items.slice(0, MAX_LIST_ITEMS).map((i) => ({
      id: i.id,
      name: plainLine(i.name, 250),
      ends: plainLine(i.ends, 200),
      color: i.color,
      details: plainLine(i.details, 250),
      extend: i.extend,
    })),
    note: plain(data.note ?? '', 500),
  });
}
