import template from './grantExtend.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface GrantExtendData {
  formId: string;
  grantId: string;
  title: string;
  text: string;
  facts: { title: string; value: string }[];
  untilLabel: string;
  until?: string;
  justification?: string;
  untilProblem?: string;
  justificationProblem?: string;
  /** An extension of this grant is already waiting: sending another is refused. */
  warning?: string;
}

/** The extension form from Extend: the new end (read strictly) and a justification; sending it asks the approvers. */
export function grantExtend(data: GrantExtendData) {
  return renderCard(template, {
    formId: data.formId,
    grantId: data.grantId,
    title: plainLine(data.title, 250),
    text: plain(data.text, 600),
    facts: data.facts.slice(0, 12).map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 400) })),
    untilLabel: plainLine(data.untilLabel, 200),
    until: plainLine(data.until ?? '', 200),
    justification: plain(data.justification ?? '', 1000),
    untilProblem: plain(data.untilProblem ?? '', 600),
    justificationProblem: plain(data.justificationProblem ?? '', 400),
    refused: Boolean(data.untilProblem || data.justificationProblem),
    warning: plain(data.warning ?? '', 600),
  });
}
