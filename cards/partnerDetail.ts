import template from './partnerDetail.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface PartnerDetailCardView {
  stateTitle: string;
  attention: boolean;
  name: string;
  dn: string;
  sentence: string;
  matched: string;
  rows: { attribute: string; ad: string; entra: string; differs: boolean }[];
  /** Two identities: the documented way to keep one, and which object ids the buttons carry. */
  keep?: { text: string; syncedId: string; syncedName: string; twinId: string; twinName: string };
}

/** `partners <account>`: both sides attribute by attribute, the key that joined them, and the way out of two identities. */
export function partnerDetail(view: PartnerDetailCardView) {
  return renderCard(template, {
    style: view.attention ? 'attention' : 'emphasis',
    stateTitle: plainLine(view.stateTitle, 120),
    name: plainLine(view.name, 200),
    dn: plainLine(view.dn, 400),
    sentence: plain(view.sentence, 1500),
    matched: plainLine(view.matched, 300),
    rows: view.rows.map((r) => ({ attribute: plainLine(r.attribute, 60), ad: plain(r.ad, 400), entra: plain(r.entra, 400), color: r.differs ? 'attention' : 'default' })),
    keep: view.keep
      ? {
          show: true,
          text: plain(view.keep.text, 800),
          syncedId: view.keep.syncedId,
          twinId: view.keep.twinId,
          syncedTitle: plainLine(`Keep the synced account ${view.keep.syncedName}`, 80),
          twinTitle: plainLine(`Keep the invited guest ${view.keep.twinName}`, 80),
        }
      : { show: false, text: '', syncedId: '', twinId: '', syncedTitle: '', twinTitle: '' },
  });
}
