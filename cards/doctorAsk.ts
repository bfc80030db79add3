import template from './doctorAsk.card.json';
import { renderCard } from './render';
import { plainLine } from './text';

/** Asks whom to check on an app: the apps card's "Why can't … sign in?" button, which cannot know the partner. */
export function doctorAsk(data: { servicePrincipalId: string; appName: string }) {
  return renderCard(template, {
    title: plainLine(`Who cannot sign in to ${data.appName}?`, 300),
    servicePrincipalId: data.servicePrincipalId,
  });
}
