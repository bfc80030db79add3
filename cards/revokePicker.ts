import template from './revokePicker.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface RevokePickerData {
  /** What the person typed for the app. */
  query: string;
  /** The partner's address; each button carries it with the app it names. */
  address: string;
  /** Several apps fit, or none did and these are all the apps, closest first. */
  matched: 'several' | 'none';
  candidates: { servicePrincipalId: string; displayName: string; sso: string }[];
}

/** The pick list when the app name was ambiguous or unknown; choosing one shows the revoke confirmation for it. */
export function revokePicker(data: RevokePickerData) {
  const several = data.matched === 'several';
  return renderCard(template, {
    title: plainLine(several ? `Several apps match "${data.query}"` : `No app is called "${data.query}"`, 200),
    text: plain(
      several
        ? `Pick the app to revoke ${data.address}'s access to. Nothing changes until you confirm on the next card.`
        : `These are the on-prem apps published through application proxy. Pick the one to revoke ${data.address}'s access to, or send the command again with the app's name as the apps command lists it.`,
      600,
    ),
    address: data.address,
    empty: data.candidates.length === 0,
    candidates: data.candidates.slice(0, 10).map((c) => ({
      servicePrincipalId: c.servicePrincipalId,
      name: plainLine(c.displayName, 200),
      sso: plainLine(c.sso, 200),
    })),
  });
}
