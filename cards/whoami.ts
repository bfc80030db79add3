import template from './whoami.card.json';
import { renderCard } from './render';
import { plainLine } from './text';

export interface WhoamiData {
  name: string;
  objectId: string;
  tenantId: string;
  roleSummary: string;
  cacheSeconds: number;
}

export function whoami(data: WhoamiData) {
  const minutes = Math.max(1, Math.round(data.cacheSeconds / 60));
  return renderCard(template, {
    name: plainLine(data.name || 'You', 120),
    objectId: data.objectId,
    tenantId: data.tenantId,
    roleSummary: data.roleSummary,
    cacheMinutes: minutes === 1 ? 'minute' : `${minutes} minutes`,
  });
}
